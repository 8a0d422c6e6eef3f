use crate::error::AppError;
use crate::{App, AppResult, now_ms};
use ecp_domain::MailboxId;
use ecp_store::blobs;
use ecp_store::raw_messages::{self, RawId};
use sha2::{Digest, Sha256};

/// Where a message came from; together with the mailbox, its identity for
/// deduplication before parsing.
#[derive(Debug, Clone)]
pub enum Source {
    /// An SMTP transaction (the envelope id is unique per message).
    Smtp { envelope_id: String },
    /// A POP account's message, by its UIDL.
    Pop { account_id: i64, uidl: String },
    /// A file from `ecp import`, by a key stable across runs.
    Import { key: String },
}

impl Source {
    fn kind(&self) -> &'static str {
        match self {
            Source::Smtp { .. } => "smtp",
            Source::Pop { .. } => "pop",
            Source::Import { .. } => "import",
        }
    }

    fn key(&self) -> String {
        match self {
            Source::Smtp { envelope_id } => envelope_id.clone(),
            Source::Pop { account_id, uidl } => format!("{account_id}:{uidl}"),
            Source::Import { key } => key.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Received {
    pub raw_id: RawId,
    /// False when this source had already delivered it (nothing was added).
    pub new: bool,
}

impl App {
    /// Stores the raw message durably. When this returns Ok the message is
    /// safe: acknowledge it to its sender (SMTP 250, POP DELE).
    pub async fn receive_raw(
        &self,
        mailbox: MailboxId,
        source: &Source,
        bytes: &[u8],
    ) -> AppResult<Received> {
        self.receive_raw_verified(mailbox, source, bytes, None)
            .await
    }

    /// [`App::receive_raw`] keeping the SPF/DKIM/DMARC results checked on
    /// receipt (an `Authentication-Results` value) with the message, for
    /// filing to score with.
    pub async fn receive_raw_verified(
        &self,
        mailbox: MailboxId,
        source: &Source,
        bytes: &[u8],
        auth_results: Option<&str>,
    ) -> AppResult<Received> {
        if bytes.is_empty() {
            return Err(AppError::invalid("message", "The message is empty."));
        }
        let sha = hex::encode(Sha256::digest(bytes));
        let now = now_ms();
        let mut tx = self.db.begin().await?;
        blobs::put(&mut tx, &sha, bytes, now).await?;
        let (raw_id, new) = raw_messages::insert_once(
            &mut tx,
            mailbox,
            source.kind(),
            &source.key(),
            &sha,
            bytes.len() as i64,
            now,
        )
        .await?;
        if let (true, Some(results)) = (new, auth_results) {
            raw_messages::set_auth_results(&mut tx, raw_id, results).await?;
        }
        tx.commit().await?;
        Ok(Received { raw_id, new })
    }

    /// Stores many raw messages in one transaction (bulk import).
    pub async fn receive_batch(
        &self,
        mailbox: MailboxId,
        items: &[(Source, Vec<u8>)],
    ) -> AppResult<Vec<Received>> {
        let shas: Vec<String> = items
            .iter()
            .map(|(_, bytes)| hex::encode(Sha256::digest(bytes)))
            .collect();
        let refs: Vec<(&Source, &str, &[u8])> = items
            .iter()
            .zip(&shas)
            .map(|((source, bytes), sha)| (source, sha.as_str(), bytes.as_slice()))
            .collect();
        self.receive_many(mailbox, &refs).await
    }

    /// [`App::receive_batch`] for messages whose SHA-256 (hex) is already
    /// known: blobs and landing rows go in with a few multi-row statements,
    /// one commit for all.
    pub(crate) async fn receive_many(
        &self,
        mailbox: MailboxId,
        items: &[(&Source, &str, &[u8])],
    ) -> AppResult<Vec<Received>> {
        if items.iter().any(|(_, _, bytes)| bytes.is_empty()) {
            return Err(AppError::invalid("message", "The message is empty."));
        }
        let now = now_ms();
        let keys: Vec<String> = items.iter().map(|(source, _, _)| source.key()).collect();
        let blobs_in: Vec<(&str, &[u8])> = items.iter().map(|(_, sha, b)| (*sha, *b)).collect();
        let rows: Vec<raw_messages::NewRaw<'_>> = items
            .iter()
            .zip(&keys)
            .map(|((source, sha, bytes), key)| raw_messages::NewRaw {
                source_kind: source.kind(),
                source_key: key,
                blob_sha256: sha,
                size: bytes.len() as i64,
            })
            .collect();
        let mut tx = self.db.begin().await?;
        blobs::put_many(&mut tx, &blobs_in, now).await?;
        let landed = raw_messages::insert_many(&mut tx, mailbox, &rows, now).await?;
        tx.commit().await?;
        Ok(landed
            .into_iter()
            .map(|(raw_id, new)| Received { raw_id, new })
            .collect())
    }

    /// Receives and files a message in one call (files it later if filing
    /// fails now: the raw copy is already safe and stays pending).
    pub async fn ingest(
        &self,
        mailbox: MailboxId,
        source: &Source,
        bytes: &[u8],
    ) -> AppResult<(Received, Option<crate::inbound::ProcessOutcome>)> {
        let received = self.receive_raw(mailbox, source, bytes).await?;
        match self.process_raw(received.raw_id).await {
            Ok(outcome) => Ok((received, Some(outcome))),
            Err(e) => {
                tracing::warn!(raw = received.raw_id.0, error = %e, "filing failed; the message stays pending");
                Ok((received, None))
            }
        }
    }
}
