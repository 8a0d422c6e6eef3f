//! Fetches connected POP accounts whose poll is due. Every node runs one;
//! the accounts' leases keep two nodes off the same account.

use std::time::Duration;

use ecp_app::App;

use crate::runner::{Outcome, Worker};

pub struct PopPoller {
    app: App,
    tick: Duration,
}

impl PopPoller {
    /// `tick`: how often to ask for due accounts (a few seconds; each
    /// account's own interval is in the app's config).
    pub fn new(app: App, tick: Duration) -> Self {
        Self { app, tick }
    }
}

impl Worker for PopPoller {
    fn name(&self) -> &'static str {
        "pop_poller"
    }

    async fn run_once(&self) -> Outcome {
        match self.app.poll_due_pop_accounts().await {
            Ok(summary) if summary.due == 0 => Outcome::Idle,
            Ok(summary) => Outcome::Worked(summary.due),
            Err(e) => Outcome::Failed(e.to_string()),
        }
    }

    fn idle_wait(&self) -> Duration {
        self.tick
    }
}
