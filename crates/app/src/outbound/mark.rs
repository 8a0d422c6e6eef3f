//! Recording "sent" while the next message goes out: accepted ids go to a
//! task that marks them in one statement each time the previous write is
//! done (group commit). The sender never waits on the database between two
//! messages, and what is accepted but not yet marked (the duplicate window
//! of a crash) stays at the few messages accepted during one write.

use crate::error::AppError;
use crate::{AppResult, now_ms};
use ecp_store::Db;
use ecp_store::outbox::{self, OutboxId};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

pub(crate) struct SentMarker {
    ids: mpsc::UnboundedSender<OutboxId>,
    task: JoinHandle<AppResult<()>>,
}

impl SentMarker {
    pub(crate) fn start(db: Db, owner: String) -> SentMarker {
        let (ids, mut rx) = mpsc::unbounded_channel::<OutboxId>();
        let task = tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let mut batch = vec![first];
                while let Ok(more) = rx.try_recv() {
                    batch.push(more);
                }
                let mut c = db.read().await?;
                outbox::mark_sent_many(&mut c, &batch, &owner, now_ms()).await?;
            }
            Ok(())
        });
        SentMarker { ids, task }
    }

    /// False once marking failed: sending more would only widen the window.
    pub(crate) fn healthy(&self) -> bool {
        !self.task.is_finished()
    }

    pub(crate) fn sent(&self, id: OutboxId) {
        // A closed channel means the task ended with an error, which
        // `finish` reports.
        let _ = self.ids.send(id);
    }

    /// Waits until every accepted message is marked.
    pub(crate) async fn finish(self) -> AppResult<()> {
        drop(self.ids);
        self.task
            .await
            .map_err(|e| AppError::Internal(format!("marking sent mail: {e}")))?
    }
}
