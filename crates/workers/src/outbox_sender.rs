//! Sends queued outgoing mail through the relay (`App::send_due_outbox`):
//! claims by lease, so every node may run it on one database and each
//! message still goes out once. With no relay configured it stays idle and
//! the mail waits in the outbox.

use std::time::Duration;

use ecp_app::App;
use ecp_app::outbound::SendOutcome;

use crate::runner::{Outcome, Worker};

pub struct OutboxSender {
    app: App,
    every: Duration,
}

impl OutboxSender {
    pub fn new(app: App, every: Duration) -> Self {
        Self { app, every }
    }
}

impl Worker for OutboxSender {
    fn name(&self) -> &'static str {
        "outbox_sender"
    }

    async fn run_once(&self) -> Outcome {
        match self.app.send_due_outbox().await {
            Ok(done) => {
                // Messages another node holds are not work done here: going
                // again at once would only spin until its lease ends.
                let worked = done
                    .iter()
                    .filter(|(_, o)| !matches!(o, SendOutcome::NotClaimed))
                    .count();
                if worked == 0 {
                    Outcome::Idle
                } else {
                    Outcome::Worked(worked)
                }
            }
            Err(e) => Outcome::Failed(e.to_string()),
        }
    }

    fn idle_wait(&self) -> Duration {
        self.every
    }
}
