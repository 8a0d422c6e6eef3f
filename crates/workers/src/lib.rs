//! Background workers. Each is a `run_once()` that does one pass and says
//! how it went, plus one shared loop that repeats it until cancelled; the
//! work itself lives in `ecp-app`, so a pass can also be run by hand (the
//! CLI) or by a test.

pub mod autoresponder;
pub mod inbound_sweeper;
pub mod outbox_sender;
pub mod pop_poller;
mod runner;

pub use autoresponder::Autoresponder;
pub use inbound_sweeper::InboundSweeper;
pub use outbox_sender::OutboxSender;
pub use pop_poller::PopPoller;
pub use runner::{Outcome, Worker, run};

use std::time::Duration;

use ecp_app::App;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// How often the workers look for work; the POP poll interval per account
/// is `AppConfig::pop.poll_interval`.
#[derive(Debug, Clone)]
pub struct WorkersConfig {
    /// How often the poller asks which accounts are due.
    pub pop_tick: Duration,
    /// How often the sweeper looks for stored but unfiled messages.
    pub sweep_every: Duration,
    /// Messages filed per sweeper pass.
    pub sweep_batch: i64,
    /// How often the outbox sender looks for due mail when idle.
    pub outbox_tick: Duration,
    /// How often the autoresponder looks for new conversations when idle.
    pub autoreply_tick: Duration,
}

impl Default for WorkersConfig {
    fn default() -> Self {
        Self {
            pop_tick: Duration::from_secs(5),
            sweep_every: Duration::from_secs(30),
            sweep_batch: 100,
            outbox_tick: Duration::from_secs(2),
            autoreply_tick: Duration::from_secs(2),
        }
    }
}

/// The running workers of one process.
pub struct Workers {
    tracker: TaskTracker,
}

impl Workers {
    /// Starts every worker; they stop when `cancel` is cancelled.
    pub fn start(app: &App, config: &WorkersConfig, cancel: &CancellationToken) -> Self {
        let tracker = TaskTracker::new();
        tracker.spawn(run(
            PopPoller::new(app.clone(), config.pop_tick),
            cancel.clone(),
        ));
        tracker.spawn(run(
            InboundSweeper::new(app.clone(), config.sweep_every, config.sweep_batch),
            cancel.clone(),
        ));
        tracker.spawn(run(
            OutboxSender::new(app.clone(), config.outbox_tick),
            cancel.clone(),
        ));
        tracker.spawn(run(
            Autoresponder::new(app.clone(), config.autoreply_tick),
            cancel.clone(),
        ));
        tracker.close();
        Self { tracker }
    }

    /// Waits until every worker has stopped (after cancellation, each
    /// finishes or abandons its pass within the grace period).
    pub async fn wait(self) {
        self.tracker.wait().await;
    }
}
