//! The lease on one account's poll: whoever holds it is the only node
//! talking to that POP account. It expires on its own when its holder dies,
//! and the holder renews it while work is under way.

use std::future::Future;
use std::time::Duration;

use ecp_store::pop_accounts::{self, PopAccountId};
use ecp_store::{Db, StoreError, Tx};

use crate::now_ms;

/// Renewed while the work runs (even in the middle of a slow RETR), so it
/// only has to outlast a pause of the database; short, so an account whose
/// node died is fetched by another within half a minute.
pub(crate) const LEASE_MS: i64 = 30 * 1000;
const RENEW_EVERY: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub(crate) enum LeaseError {
    #[error(
        "another server took over this account's fetch (this one was too slow to renew its claim)"
    )]
    Lost,
    #[error("{0}")]
    Store(#[from] StoreError),
}

pub(crate) struct Lease {
    db: Db,
    id: PopAccountId,
    owner: String,
    renew_at: tokio::time::Instant,
}

impl Lease {
    /// `None` when another node holds the account.
    pub async fn claim(
        db: &Db,
        id: PopAccountId,
        node_id: &str,
    ) -> Result<Option<Self>, StoreError> {
        // Unique per claim, so two fetches on one node never share a lease.
        let owner = format!("{node_id}/{:016x}", rand::random::<u64>());
        let mut tx = db.begin().await?;
        let won = pop_accounts::claim(&mut tx, id, &owner, now_ms(), LEASE_MS).await?;
        tx.commit().await?;
        Ok(won.then(|| Self {
            db: db.clone(),
            id,
            owner,
            renew_at: tokio::time::Instant::now() + RENEW_EVERY,
        }))
    }

    async fn renew(&self) -> Result<(), LeaseError> {
        let mut tx = self.db.begin().await?;
        let held = pop_accounts::renew(&mut tx, self.id, &self.owner, now_ms(), LEASE_MS).await?;
        tx.commit().await.map_err(StoreError::from)?;
        if held { Ok(()) } else { Err(LeaseError::Lost) }
    }

    /// Runs `work`, renewing the lease whenever ten seconds have passed
    /// since the last renewal (counted across calls, so a long run of quick
    /// steps renews too). If the lease is lost the work is dropped: it is
    /// only ever a download or a store, which a later poll repeats without
    /// duplicating.
    pub async fn hold<F: Future>(&mut self, work: F) -> Result<F::Output, LeaseError> {
        if tokio::time::Instant::now() >= self.renew_at {
            self.renew().await?;
            self.renew_at = tokio::time::Instant::now() + RENEW_EVERY;
        }
        tokio::pin!(work);
        loop {
            tokio::select! {
                biased;
                out = &mut work => return Ok(out),
                _ = tokio::time::sleep_until(self.renew_at) => {
                    self.renew().await?;
                    self.renew_at = tokio::time::Instant::now() + RENEW_EVERY;
                }
            }
        }
    }

    /// Frees the lease in `tx` and sets the next poll; false if it had been
    /// lost meanwhile (the new holder keeps it).
    pub async fn release(&self, tx: &mut Tx, next_poll_at: i64) -> Result<bool, StoreError> {
        pop_accounts::release(tx, self.id, &self.owner, next_poll_at).await
    }
}
