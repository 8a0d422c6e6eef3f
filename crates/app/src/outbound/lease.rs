//! Holding a message's lease while it is being sent: a slow server must
//! not let the lease run out, or a second node would claim the message and
//! send it again.

use std::future::Future;
use std::time::Duration;

use ecp_store::Db;
use ecp_store::outbox::{self, OutboxId};

use crate::now_ms;

/// Runs `work`, renewing the lease every third of its length. `None` when
/// the lease was lost meanwhile (it ran out, e.g. after the database
/// stalled, and another node claimed the row): the send is then dropped
/// before the server took the message, if it had not yet, and the new
/// holder finishes it.
pub(crate) async fn hold<F: Future>(
    db: &Db,
    id: OutboxId,
    owner: &str,
    lease_ms: i64,
    work: F,
) -> Option<F::Output> {
    let every = Duration::from_millis(u64::try_from(lease_ms / 3).unwrap_or(0).max(10));
    tokio::pin!(work);
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    loop {
        tokio::select! {
            biased;
            out = &mut work => return Some(out),
            _ = tick.tick() => match renew(db, id, owner, lease_ms).await {
                Ok(true) => {}
                Ok(false) => {
                    tracing::warn!(outbox = %id, "lease lost during a send, leaving it to its new holder");
                    return None;
                }
                // The database may be back before the lease runs out; the
                // send itself is not a reason to stop.
                Err(e) => tracing::warn!(outbox = %id, error = %e, "renewing the send lease failed"),
            },
        }
    }
}

async fn renew(
    db: &Db,
    id: OutboxId,
    owner: &str,
    lease_ms: i64,
) -> Result<bool, ecp_store::StoreError> {
    let mut c = db.read().await?;
    outbox::renew(&mut c, id, owner, now_ms(), lease_ms).await
}
