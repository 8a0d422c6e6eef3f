use std::future::Future;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

/// How one pass went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Did this many units of work; more may be waiting, so go again soon.
    Worked(usize),
    /// Nothing to do.
    Idle,
    /// The pass failed (already logged); try again after the idle wait.
    Failed(String),
}

pub trait Worker: Send + Sync + 'static {
    fn name(&self) -> &'static str;
    fn run_once(&self) -> impl Future<Output = Outcome> + Send;
    /// Pause after a pass that found nothing to do, or failed.
    fn idle_wait(&self) -> Duration;
}

/// After cancellation a pass under way gets this long to finish. Dropping
/// it later is still safe (every unit of work is leased and idempotent),
/// but a finished pass frees its lease at once instead of at expiry.
const GRACE: Duration = Duration::from_secs(10);
/// Even when there is more work, breathe between passes so a pass that
/// keeps reporting work cannot spin a core.
const BUSY_PAUSE: Duration = Duration::from_millis(50);

/// Repeats `worker.run_once()` until `cancel` fires.
pub async fn run<W: Worker>(worker: W, cancel: CancellationToken) {
    tracing::info!(worker = worker.name(), "worker started");
    while !cancel.is_cancelled() {
        let pass = worker.run_once();
        tokio::pin!(pass);
        let outcome = tokio::select! {
            outcome = &mut pass => outcome,
            _ = cancel.cancelled() => match tokio::time::timeout(GRACE, &mut pass).await {
                Ok(outcome) => outcome,
                Err(_) => {
                    tracing::warn!(worker = worker.name(), "pass abandoned at shutdown");
                    break;
                }
            },
        };
        let wait = match &outcome {
            Outcome::Worked(n) => {
                tracing::debug!(worker = worker.name(), units = n, "pass done");
                BUSY_PAUSE
            }
            Outcome::Idle => worker.idle_wait(),
            Outcome::Failed(error) => {
                tracing::warn!(worker = worker.name(), %error, "pass failed");
                worker.idle_wait()
            }
        };
        tokio::select! {
            _ = cancel.cancelled() => break,
            _ = tokio::time::sleep(wait) => {}
        }
    }
    tracing::info!(worker = worker.name(), "worker stopped");
}
