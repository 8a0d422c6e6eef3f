//! One pass of the POP poller: every active account whose poll is due, a
//! few at a time. Several nodes may run it at once; the leases sort out who
//! fetches what.

use ecp_store::pop_accounts;
use serde::Serialize;
use tokio::task::JoinSet;

use super::fetch::{FetchOutcome, FetchReport};
use crate::{App, AppResult, now_ms};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PollSummary {
    /// Accounts that were due.
    pub due: usize,
    pub completed: usize,
    pub failed: usize,
    /// Taken by another node first.
    pub busy: usize,
    /// New messages across all accounts.
    pub messages: usize,
}

impl PollSummary {
    fn add(&mut self, report: &FetchReport) {
        match report.outcome {
            FetchOutcome::Completed => self.completed += 1,
            FetchOutcome::Failed => self.failed += 1,
            FetchOutcome::Busy => self.busy += 1,
            FetchOutcome::Inactive => {}
        }
        self.messages += report.fetched;
    }
}

impl App {
    pub async fn poll_due_pop_accounts(&self) -> AppResult<PollSummary> {
        let parallel = self.config.pop.parallel_fetches.max(1);
        let batch = i64::try_from(parallel * 8).unwrap_or(32);
        let due = {
            let mut c = self.db.read().await?;
            pop_accounts::due(&mut c, now_ms(), batch).await?
        };
        let mut summary = PollSummary {
            due: due.len(),
            ..Default::default()
        };
        let mut running = JoinSet::new();
        for id in due {
            if running.len() >= parallel
                && let Some(done) = running.join_next().await
            {
                collect(&mut summary, done);
            }
            let app = self.clone();
            running.spawn(async move { app.fetch_pop_account(id).await });
        }
        while let Some(done) = running.join_next().await {
            collect(&mut summary, done);
        }
        Ok(summary)
    }
}

fn collect(
    summary: &mut PollSummary,
    done: Result<AppResult<FetchReport>, tokio::task::JoinError>,
) {
    match done {
        Ok(Ok(report)) => summary.add(&report),
        Ok(Err(e)) => {
            summary.failed += 1;
            tracing::error!(error = %e, "POP fetch could not record its result");
        }
        Err(e) => {
            summary.failed += 1;
            tracing::error!(error = %e, "POP fetch task ended abnormally");
        }
    }
}
