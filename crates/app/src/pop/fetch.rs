//! One fetch of one POP account, safe to kill at any instant:
//! RETR into a spool file, store the raw copy (committed, keyed by account
//! and UIDL), record the UIDL in the ledger (committed), and only then DELE
//! (applied by the server at QUIT). After the session the new messages are
//! filed; anything left unfiled is picked up by the inbound sweeper.

use std::collections::HashSet;

use ecp_domain::MailboxId;
use ecp_net::pop3::{Pop3Client, Pop3Error, Step};
use ecp_store::pop_accounts::{self, PollRecord, PopAccountId, PopAccountRecord};
use ecp_store::raw_messages::RawId;
use ecp_store::{StoreError, accounts, mailboxes};
use serde::{Serialize, Serializer};

use super::connect::{Target, describe, tls_required};
use super::lease::{Lease, LeaseError};
use crate::error::AppError;
use crate::inbound::{ProcessOutcome, Source};
use crate::secret_box::{Purpose, SecretError};
use crate::{App, AppResult, now_ms};

/// After errors in a row the wait grows: 2, 4, 8, then 16 poll intervals,
/// so a wrong password does not hammer (and get locked by) the server.
const MAX_BACKOFF_DOUBLINGS: u32 = 4;
const SPOOL_BUFFER: usize = 64 * 1024;
/// Stored messages are filed in batches during the session, so a large
/// first fetch shows up in the mailbox as it goes.
const FILE_BATCH: usize = 25;
/// How long a stored message stays reserved for filing by this fetch
/// before the inbound sweeper may take it (only after a crash).
const FILING_CLAIM_MS: i64 = 30 * 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FetchOutcome {
    /// The session ran to the end.
    Completed,
    /// It stopped on an error; everything stored before it is kept and the
    /// next poll carries on.
    Failed,
    /// Another node (or task) is fetching this account right now.
    Busy,
    /// Turned off or removed: nothing was done.
    Inactive,
}

fn id<S: Serializer>(id: &PopAccountId, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_i64(id.0)
}

#[derive(Debug, Clone, Serialize)]
pub struct FetchReport {
    #[serde(serialize_with = "id")]
    pub account_id: PopAccountId,
    pub outcome: FetchOutcome,
    /// Messages the server listed when the session began.
    pub on_server: Option<usize>,
    /// New messages stored by this fetch.
    pub fetched: usize,
    /// Downloaded again but already stored by an earlier, interrupted fetch:
    /// nothing was added.
    pub recovered: usize,
    /// Deletions the server confirmed (at QUIT).
    pub deleted: usize,
    /// Stored but unreadable as email: kept and shown to the team.
    pub unreadable: usize,
    /// Messages the server refused to hand over (tried again next time).
    pub skipped: usize,
    pub error: Option<String>,
    pub error_kind: Option<String>,
}

impl FetchReport {
    fn new(account_id: PopAccountId, outcome: FetchOutcome) -> Self {
        Self {
            account_id,
            outcome,
            on_server: None,
            fetched: 0,
            recovered: 0,
            deleted: 0,
            unreadable: 0,
            skipped: 0,
            error: None,
            error_kind: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
enum FetchError {
    #[error(transparent)]
    Pop(#[from] Pop3Error),
    #[error(transparent)]
    Lease(#[from] LeaseError),
    #[error("writing to the spool folder failed: {0}")]
    Spool(#[from] std::io::Error),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<StoreError> for FetchError {
    fn from(e: StoreError) -> Self {
        FetchError::App(e.into())
    }
}

impl FetchError {
    fn kind(&self) -> &'static str {
        match self {
            FetchError::Pop(e) => e.kind(),
            FetchError::Lease(LeaseError::Lost) => "lease_lost",
            FetchError::Lease(LeaseError::Store(_)) | FetchError::App(_) => "internal",
            FetchError::Spool(_) => "spool",
            FetchError::Secret(_) => "secret",
        }
    }

    /// For the account's status line: server problems in full, our own
    /// internals only in outline (the detail goes to the log).
    fn message(&self, tls_required: bool) -> String {
        match self {
            FetchError::Pop(e) => describe(e, tls_required),
            FetchError::Lease(LeaseError::Lost) => format!("The fetch stopped: {}.", self),
            FetchError::Secret(e) => format!("The stored POP password cannot be used: {e}."),
            FetchError::Spool(_) | FetchError::Lease(LeaseError::Store(_)) | FetchError::App(_) => {
                "A message could not be stored because of an internal error (see the server log). \
                 Nothing was deleted from the POP server; the next poll tries again."
                    .to_string()
            }
        }
    }
}

impl App {
    /// Fetches one account now if nobody else is: claims its lease, takes in
    /// every message not taken in yet, records the result, frees the lease
    /// and files what arrived. Server and storage problems are reported in
    /// the `FetchReport` (and on the account); `Err` only when even that
    /// record could not be written.
    pub async fn fetch_pop_account(&self, id: PopAccountId) -> AppResult<FetchReport> {
        let Some(lease) = Lease::claim(&self.db, id, &self.config.node_id).await? else {
            return Ok(FetchReport::new(id, FetchOutcome::Busy));
        };
        let record = {
            let mut c = self.db.read().await?;
            pop_accounts::get_by_id(&mut c, id).await?
        };
        let Some(record) = record.filter(|r| r.active) else {
            let mut tx = self.db.begin().await?;
            lease.release(&mut tx, now_ms()).await?;
            tx.commit().await?;
            return Ok(FetchReport::new(id, FetchOutcome::Inactive));
        };
        let mut session = Session {
            app: self,
            account: &record,
            lease,
            report: FetchReport::new(id, FetchOutcome::Completed),
            raws: Vec::new(),
            server: None,
            tls_required: false,
        };
        let result = session.run().await;
        let Session {
            lease,
            mut report,
            raws,
            server,
            tls_required,
            ..
        } = session;

        let now = now_ms();
        let (failures, error) = match &result {
            Ok(()) => (0, None),
            Err(e) => {
                tracing::warn!(pop_account = %id, kind = e.kind(), error = %e, "POP fetch failed");
                report.outcome = FetchOutcome::Failed;
                report.error = Some(e.message(tls_required));
                report.error_kind = Some(e.kind().to_string());
                (record.failures.saturating_add(1), report.error.clone())
            }
        };
        let mut tx = self.db.begin().await?;
        let poll = PollRecord {
            now,
            fetched: report.fetched as i64,
            server,
            error: error
                .as_deref()
                .map(|message| (report.error_kind.as_deref().unwrap_or("error"), message)),
        };
        pop_accounts::record_poll(&mut tx, id, &poll).await?;
        lease
            .release(&mut tx, now + self.poll_wait_ms(failures))
            .await?;
        tx.commit().await?;

        report.unreadable += self.file_claimed(raws).await;
        if report.fetched > 0 || report.error.is_some() {
            tracing::info!(
                pop_account = %id,
                fetched = report.fetched,
                deleted = report.deleted,
                unreadable = report.unreadable,
                outcome = ?report.outcome,
                "POP fetch"
            );
        }
        Ok(report)
    }

    fn poll_wait_ms(&self, failures: i64) -> i64 {
        let base = i64::try_from(self.config.pop.poll_interval.as_millis()).unwrap_or(i64::MAX);
        let doublings = u32::try_from(failures.clamp(0, i64::from(MAX_BACKOFF_DOUBLINGS)))
            .unwrap_or(MAX_BACKOFF_DOUBLINGS);
        base.saturating_mul(1 << doublings)
    }

    /// Files messages this fetch claimed; returns how many were unreadable.
    /// A failure leaves the message pending for the sweeper.
    async fn file_claimed(&self, raws: Vec<RawId>) -> usize {
        let mut unreadable = 0;
        for raw in raws {
            match self.process_raw(raw).await {
                Ok(ProcessOutcome::Unparseable { .. }) => unreadable += 1,
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(raw = raw.0, error = %e, "filing failed; the message stays pending")
                }
            }
        }
        unreadable
    }
}

struct Session<'a> {
    app: &'a App,
    account: &'a PopAccountRecord,
    lease: Lease,
    report: FetchReport,
    /// Stored and claimed by this fetch, not filed yet.
    raws: Vec<RawId>,
    /// (messages on the server, of which taken in) after the session.
    server: Option<(i64, i64)>,
    tls_required: bool,
}

impl Session<'_> {
    async fn run(&mut self) -> Result<(), FetchError> {
        let acc = self.account;
        let password = self.prepare().await?;
        let cfg = self.app.pop3_config(Target {
            host: &acc.host,
            port: acc.port,
            username: &acc.username,
            password,
            use_ssl: acc.use_ssl,
            tls_required: self.tls_required,
        })?;
        let mut client = self.lease.hold(Pop3Client::connect(&cfg)).await??;
        let listing = self.lease.hold(client.uidl()).await??;
        self.report.on_server = Some(listing.len());

        let ledger = {
            let mut c = self.app.db.read().await?;
            pop_accounts::ledger_uidls(&mut c, acc.id).await?
        };
        let mut taken: HashSet<String> = ledger.iter().map(|(u, _)| u.clone()).collect();
        let mut deleting: Vec<String> = Vec::new();
        tokio::fs::create_dir_all(&self.app.config.spool_dir).await?;

        for (number, uidl) in &listing {
            if !taken.contains(uidl) {
                match self.take_in(&mut client, *number, uidl).await {
                    Ok(()) => {
                        taken.insert(uidl.clone());
                        if self.raws.len() >= FILE_BATCH {
                            let batch = std::mem::take(&mut self.raws);
                            self.report.unreadable +=
                                self.lease.hold(self.app.file_claimed(batch)).await?;
                        }
                    }
                    // The server refused this one message but the session
                    // is fine: go on with the rest, retry it next time.
                    Err(FetchError::Pop(
                        e @ Pop3Error::Protocol {
                            step: Step::Retr, ..
                        },
                    )) => {
                        tracing::warn!(pop_account = %acc.id, uidl, error = %e, "message skipped");
                        self.report.skipped += 1;
                        continue;
                    }
                    Err(e) => return Err(e),
                }
            }
            // Taken in now or by an earlier fetch whose DELE never reached
            // QUIT: either way it is stored, so it may go.
            if !acc.copy_mail {
                self.lease.hold(client.dele(*number)).await??;
                deleting.push(uidl.clone());
            }
        }
        self.lease.hold(client.quit()).await??;
        self.report.deleted = deleting.len();

        // Also note messages that left the server some other way (removed
        // by a person, or a QUIT whose answer was lost last time).
        let listed: HashSet<&String> = listing.iter().map(|(_, u)| u).collect();
        let mut gone = deleting.clone();
        gone.extend(
            ledger
                .into_iter()
                .filter(|(u, deleted)| !deleted && !listed.contains(u))
                .map(|(u, _)| u),
        );
        let mut tx = self.app.db.begin().await?;
        pop_accounts::ledger_mark_deleted(&mut tx, acc.id, &gone, now_ms()).await?;
        tx.commit().await.map_err(StoreError::from)?;

        let deleted: HashSet<&String> = deleting.iter().collect();
        let remaining: Vec<&String> = listing
            .iter()
            .map(|(_, u)| u)
            .filter(|u| !deleted.contains(u))
            .collect();
        let remaining_taken = remaining.iter().filter(|u| taken.contains(**u)).count();
        self.server = Some((remaining.len() as i64, remaining_taken as i64));
        if self.report.skipped > 0 {
            return Err(FetchError::Pop(Pop3Error::Protocol {
                step: Step::Retr,
                detail: format!(
                    "the server refused to hand over {} message(s); they stay on the server \
                     and are tried again on the next poll",
                    self.report.skipped
                ),
            }));
        }
        Ok(())
    }

    /// The password in clear, and whether the account's SSL option demands
    /// TLS.
    async fn prepare(&mut self) -> Result<String, FetchError> {
        let mut c = self.app.db.read().await?;
        let mailbox = mailboxes::get_by_id(&mut c, self.account.mailbox_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let account = accounts::get_by_id(&mut c, mailbox.account_id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.tls_required = tls_required(account.plan, &account.options);
        let password = self
            .app
            .secret_box()?
            .open(Purpose::PopPassword, &self.account.password_enc)?;
        Ok(password)
    }

    /// Downloads message `number` to a spool file and stores it durably
    /// with its UIDL in the ledger. Only after this returns may it be
    /// deleted from the server.
    async fn take_in(
        &mut self,
        client: &mut Pop3Client,
        number: u32,
        uidl: &str,
    ) -> Result<(), FetchError> {
        let spool = tempfile::Builder::new()
            .prefix("pop-")
            .suffix(".eml")
            .tempfile_in(&self.app.config.spool_dir)?;
        {
            let file = tokio::fs::File::from_std(spool.as_file().try_clone()?);
            let mut out = tokio::io::BufWriter::with_capacity(SPOOL_BUFFER, file);
            self.lease.hold(client.retr_to(number, &mut out)).await??;
        }
        // One message in memory at a time, never the mailbox.
        let bytes = tokio::fs::read(spool.path()).await?;
        drop(spool);
        let raw_id = if bytes.is_empty() {
            // Nothing to keep; the ledger notes it so it is not fetched again.
            None
        } else {
            let source = Source::Pop {
                account_id: self.account.id.0,
                uidl: uidl.to_string(),
            };
            let mailbox: MailboxId = self.account.mailbox_id;
            // No SMTP peer here: only the message's DKIM signatures can be
            // checked (SPF and DMARC come from its own headers).
            let auth_results = match &self.app.config.authenticator {
                Some(a) => Some(self.lease.hold(a.check_dkim(&bytes)).await?.summary),
                None => None,
            };
            let received = self
                .lease
                .hold(self.app.receive_raw_verified(
                    mailbox,
                    &source,
                    &bytes,
                    auth_results.as_deref(),
                ))
                .await??;
            if received.new {
                self.report.fetched += 1;
            } else {
                self.report.recovered += 1;
            }
            Some(received.raw_id)
        };
        // The ledger row and the filing claim in one commit.
        let now = now_ms();
        let mut tx = self.app.db.begin().await?;
        pop_accounts::ledger_insert(&mut tx, self.account.id, uidl, raw_id.map(|r| r.0), now)
            .await?;
        let mine = match raw_id {
            Some(r) => {
                pop_accounts::claim_raw_for_filing(&mut tx, r.0, now, FILING_CLAIM_MS).await?
            }
            None => false,
        };
        tx.commit().await.map_err(StoreError::from)?;
        if let (Some(r), true) = (raw_id, mine) {
            self.raws.push(r);
        }
        Ok(())
    }
}
