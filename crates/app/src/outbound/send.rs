//! The sender: claim a queued message by lease, hand it to the relay,
//! record what happened. Several nodes may run it on one database: the
//! claim is one conditional UPDATE, so each message has one sender at a
//! time, a node that dies mid-send leaves a lease that runs out, and a
//! node that is only slow keeps renewing it.

use super::lease;
use super::relay::{Relay, RelayUrl, SendError};
use super::routes::{Routes, own_server};
use crate::actor::Actor;
use crate::error::AppError;
use crate::{App, AppResult, now_ms};
use ecp_domain::conversation::ConversationId;
use ecp_store::mailbox_smtp;
use ecp_store::outbox::{self, OutboxId, OutboxStatus};

/// What one attempt at one message came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    Sent,
    /// A temporary failure; tried again at `next_attempt_at`.
    Retry {
        next_attempt_at: i64,
        error: String,
    },
    /// Permanent, or temporary too many times: waits for an agent.
    Failed {
        error: String,
    },
    /// Another node holds it, it is not due, or it is already done.
    NotClaimed,
    /// No relay is configured: left queued.
    NoRelay,
}

impl App {
    fn relay_url(&self) -> AppResult<Option<RelayUrl>> {
        match self.config.outbound.smtp_relay.as_deref() {
            None | Some("") => Ok(None),
            Some(url) => RelayUrl::parse(url).map(Some).map_err(AppError::Internal),
        }
    }

    fn main_relay(&self) -> AppResult<Option<Result<Relay, SendError>>> {
        Ok(self
            .relay_url()?
            .map(|url| Relay::open(&url, self.config.outbound.timeout)))
    }

    /// Sends one queued message now if it is due and free.
    pub async fn send_outbox_item(&self, id: OutboxId) -> AppResult<SendOutcome> {
        let mut routes = Routes::new(self.main_relay()?);
        if !routes.has_main() {
            let mut c = self.db.read().await?;
            let Some(row) = outbox::get_by_id(&mut c, id).await? else {
                return Ok(SendOutcome::NotClaimed);
            };
            if own_server(&mut c, row.mailbox_id).await?.is_none() {
                return Ok(SendOutcome::NoRelay);
            }
        }
        self.send_claimed(id, &mut routes).await
    }

    /// One pass of the sender: every due message, up to the batch size, one
    /// connection pool per server for all of them. Without a main relay
    /// only the messages of mailboxes with their own server are due.
    /// Returns what happened to each.
    pub async fn send_due_outbox(&self) -> AppResult<Vec<(OutboxId, SendOutcome)>> {
        let mut routes = Routes::new(self.main_relay()?);
        let due = {
            let mut c = self.db.read().await?;
            let (now, batch) = (now_ms(), self.config.outbound.batch);
            if routes.has_main() {
                outbox::due(&mut c, now, batch).await?
            } else {
                mailbox_smtp::due_via_own_server(&mut c, now, batch).await?
            }
        };
        let mut done = Vec::with_capacity(due.len());
        for id in due {
            let outcome = self.send_claimed(id, &mut routes).await?;
            done.push((id, outcome));
        }
        Ok(done)
    }

    async fn send_claimed(&self, id: OutboxId, routes: &mut Routes) -> AppResult<SendOutcome> {
        let owner = self.config.node_id.as_str();
        let cfg = &self.config.outbound;
        let lease_ms = i64::try_from(cfg.lease.as_millis()).unwrap_or(i64::MAX / 4);
        let row = {
            let mut c = self.db.read().await?;
            if !outbox::claim(&mut c, id, owner, now_ms(), lease_ms).await? {
                return Ok(SendOutcome::NotClaimed);
            }
            outbox::get_by_id(&mut c, id).await?
        };
        let Some(row) = row else {
            return Ok(SendOutcome::NotClaimed);
        };
        let result = match routes.for_mailbox(self, row.mailbox_id).await? {
            Some(Ok(relay)) => {
                let send = relay.send(&row.envelope_from, &row.envelope_to, &row.raw);
                match lease::hold(&self.db, id, owner, lease_ms, send).await {
                    Some(r) => r,
                    None => return Ok(SendOutcome::NotClaimed),
                }
            }
            Some(Err(e)) => Err(e),
            // The settings changed since the row was picked.
            None => Err(SendError::Temporary(
                "no SMTP relay is configured and the mailbox has no SMTP server of its own".into(),
            )),
        };
        let mut c = self.db.read().await?;
        let attempts = row.attempts + 1;
        let outcome = match result {
            Ok(()) => {
                outbox::mark_sent(&mut c, id, owner, now_ms()).await?;
                tracing::info!(outbox = %id, attempts, "message sent");
                SendOutcome::Sent
            }
            Err(SendError::Temporary(error)) if attempts < cfg.max_attempts => {
                let wait = i64::try_from(cfg.backoff(attempts).as_millis()).unwrap_or(i64::MAX / 4);
                let next_attempt_at = now_ms().saturating_add(wait);
                outbox::mark_retry(&mut c, id, owner, next_attempt_at, &error).await?;
                tracing::warn!(outbox = %id, attempts, %error, "send failed, will retry");
                SendOutcome::Retry {
                    next_attempt_at,
                    error,
                }
            }
            Err(e) => {
                let error = match e {
                    SendError::Temporary(m) => {
                        format!("{m} (gave up after {attempts} attempts)")
                    }
                    SendError::Permanent(m) => m,
                };
                outbox::mark_failed(&mut c, id, owner, &error).await?;
                tracing::warn!(outbox = %id, attempts, %error, "send failed for good");
                SendOutcome::Failed { error }
            }
        };
        Ok(outcome)
    }

    /// Delivery state of the conversation's outgoing messages (failed ones
    /// carry the server's answer), for showing on the conversation.
    pub async fn outbox_for_conversation(
        &self,
        actor: &Actor,
        conversation: ConversationId,
    ) -> AppResult<Vec<OutboxStatus>> {
        self.conversation(actor, conversation).await?;
        let mut c = self.db.read().await?;
        Ok(outbox::list_for_conversation(&mut c, conversation).await?)
    }

    /// An agent asks to send a failed message again: queued at once.
    pub async fn retry_outbox(&self, actor: &Actor, id: OutboxId) -> AppResult<()> {
        actor.require_writable()?;
        let row = {
            let mut c = self.db.read().await?;
            outbox::get_by_id(&mut c, id).await?
        }
        .ok_or(AppError::NotFound)?;
        self.conversation(actor, row.conversation_id).await?;
        let mut c = self.db.read().await?;
        if outbox::requeue_failed(&mut c, id, now_ms()).await? {
            Ok(())
        } else {
            Err(AppError::Conflict(
                "Only a message that failed can be retried; this one is queued or sent.".into(),
            ))
        }
    }
}
