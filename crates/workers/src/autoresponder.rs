//! Answers new conversations of mailboxes with an autoresponder
//! (`App::send_due_autoreplies`). Each conversation's flag is the claim, so
//! every node may run it on one database and each conversation is answered
//! at most once.

use std::time::Duration;

use ecp_app::App;
use ecp_app::autoresponder::AutoReplyOutcome;

use crate::runner::{Outcome, Worker};

pub struct Autoresponder {
    app: App,
    every: Duration,
}

impl Autoresponder {
    pub fn new(app: App, every: Duration) -> Self {
        Self { app, every }
    }
}

impl Worker for Autoresponder {
    fn name(&self) -> &'static str {
        "autoresponder"
    }

    async fn run_once(&self) -> Outcome {
        match self.app.send_due_autoreplies().await {
            Ok(done) => {
                let worked = done
                    .iter()
                    .filter(|(_, o)| *o != AutoReplyOutcome::NotClaimed)
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
