//! Files messages that were stored but never filed: the process died
//! between the two steps, or filing failed and is worth another try.

use std::time::Duration;

use ecp_app::App;

use crate::runner::{Outcome, Worker};

pub struct InboundSweeper {
    app: App,
    every: Duration,
    batch: i64,
}

impl InboundSweeper {
    pub fn new(app: App, every: Duration, batch: i64) -> Self {
        Self {
            app,
            every,
            batch: batch.max(1),
        }
    }
}

impl Worker for InboundSweeper {
    fn name(&self) -> &'static str {
        "inbound_sweeper"
    }

    async fn run_once(&self) -> Outcome {
        match self.app.process_pending(self.batch).await {
            Ok(0) => Outcome::Idle,
            Ok(n) => Outcome::Worked(n),
            Err(e) => Outcome::Failed(e.to_string()),
        }
    }

    fn idle_wait(&self) -> Duration {
        self.every
    }
}
