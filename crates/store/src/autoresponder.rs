//! The autoresponder's tables: per-mailbox settings and loop-breaker state,
//! the per-sender ledger, and the sent log the loop breaker counts.

use crate::error::StoreError;
use crate::row::{flag, get};
use ecp_domain::MailboxId;
use ecp_domain::autoresponder::AutoReplySettings;
use ecp_domain::conversation::ConversationId;
use ecp_domain::template::TemplateId;
use sqlx::AnyConnection;

/// A mailbox's autoresponder as stored; a mailbox without a row has the
/// defaults (off).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AutoresponderRecord {
    pub settings: AutoReplySettings,
    /// When the loop breaker stopped it; None while it may send.
    pub tripped_at: Option<i64>,
}

pub async fn get_for_mailbox(
    conn: &mut AnyConnection,
    mailbox: MailboxId,
) -> Result<AutoresponderRecord, StoreError> {
    let row = sqlx::query(
        "SELECT enabled, template_id, period_hours, tripped_at FROM mailbox_autoresponders \
         WHERE mailbox_id = $1",
    )
    .bind(mailbox.0)
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else {
        return Ok(AutoresponderRecord::default());
    };
    Ok(AutoresponderRecord {
        settings: AutoReplySettings {
            enabled: flag(&row, "enabled")?,
            template: get::<Option<i64>>(&row, "template_id")?.map(TemplateId),
            period_hours: get(&row, "period_hours")?,
        },
        tripped_at: get(&row, "tripped_at")?,
    })
}

/// Saves the settings. Saving an enabled autoresponder also resets the loop
/// breaker: the administrator has seen why it stopped.
pub async fn save(
    conn: &mut AnyConnection,
    mailbox: MailboxId,
    s: &AutoReplySettings,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO mailbox_autoresponders (mailbox_id, enabled, template_id, period_hours, tripped_at, updated_at) \
         VALUES ($1, $2, $3, $4, NULL, $5) \
         ON CONFLICT (mailbox_id) DO UPDATE SET enabled = excluded.enabled, template_id = excluded.template_id, \
         period_hours = excluded.period_hours, updated_at = excluded.updated_at, \
         tripped_at = CASE WHEN excluded.enabled = 1 THEN NULL ELSE mailbox_autoresponders.tripped_at END",
    )
    .bind(mailbox.0)
    .bind(i64::from(s.enabled))
    .bind(s.template.map(|t| t.0))
    .bind(s.period_hours)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if s.enabled {
        // A fresh window, or the breaker would trip again at once.
        sqlx::query("DELETE FROM autoreply_sent WHERE mailbox_id = $1")
            .bind(mailbox.0)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Stops the mailbox's autoresponder; false if it was already stopped.
pub async fn trip(
    conn: &mut AnyConnection,
    mailbox: MailboxId,
    now: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE mailbox_autoresponders SET tripped_at = $2 WHERE mailbox_id = $1 AND tripped_at IS NULL",
    )
    .bind(mailbox.0)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Conversations waiting for the autoresponder, oldest first.
pub async fn pending(
    conn: &mut AnyConnection,
    limit: i64,
) -> Result<Vec<ConversationId>, StoreError> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM conversations WHERE autoreply_pending = 1 ORDER BY id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(ids.into_iter().map(ConversationId).collect())
}

/// Clears the conversation's flag: the claim. True for the one caller that
/// cleared it; everyone else (another node, a retry) must not answer.
pub async fn claim(conn: &mut AnyConnection, id: ConversationId) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE conversations SET autoreply_pending = 0 WHERE id = $1 AND autoreply_pending = 1",
    )
    .bind(id.0)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The customer's message that opened a conversation.
#[derive(Debug, Clone)]
pub struct OpeningMessage {
    pub id: i64,
    pub message_id_header: Option<String>,
    pub references: String,
    pub from_name: String,
    pub from_address: String,
    /// Why it is automated (RFC 3834), empty for a person's mail.
    pub automated: String,
    /// How it arrived: smtp, pop, import (None without a raw message).
    pub source_kind: Option<String>,
}

pub async fn opening_message(
    conn: &mut AnyConnection,
    id: ConversationId,
) -> Result<Option<OpeningMessage>, StoreError> {
    let row = sqlx::query(
        "SELECT m.id, m.message_id_header, m.references_header, m.from_name, m.from_address, \
         m.automated, r.source_kind FROM messages m LEFT JOIN raw_messages r ON r.id = m.raw_id \
         WHERE m.conversation_id = $1 AND m.direction = 'in' ORDER BY m.id LIMIT 1",
    )
    .bind(id.0)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok(OpeningMessage {
            id: get(&r, "id")?,
            message_id_header: get(&r, "message_id_header")?,
            references: get(&r, "references_header")?,
            from_name: get(&r, "from_name")?,
            from_address: get(&r, "from_address")?,
            automated: get(&r, "automated")?,
            source_kind: get(&r, "source_kind")?,
        })
    })
    .transpose()
}

/// Takes the sender's budget: records `now` as their last auto-reply unless
/// they had one after `cutoff`. True when the caller may answer.
pub async fn take_budget(
    conn: &mut AnyConnection,
    mailbox: MailboxId,
    sender: &str,
    now: i64,
    cutoff: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO autoreply_ledger (mailbox_id, sender, last_sent_at) VALUES ($1, $2, $3) \
         ON CONFLICT (mailbox_id, sender) DO UPDATE SET last_sent_at = excluded.last_sent_at \
         WHERE autoreply_ledger.last_sent_at <= $4",
    )
    .bind(mailbox.0)
    .bind(sender.to_ascii_lowercase())
    .bind(now)
    .bind(cutoff)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Auto-replies the mailbox sent since `since`.
pub async fn sent_since(
    conn: &mut AnyConnection,
    mailbox: MailboxId,
    since: i64,
) -> Result<i64, StoreError> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM autoreply_sent WHERE mailbox_id = $1 AND sent_at > $2",
    )
    .bind(mailbox.0)
    .bind(since)
    .fetch_one(conn)
    .await?;
    Ok(n)
}

/// Logs one auto-reply and forgets the mailbox's ones older than `before`.
pub async fn record_sent(
    conn: &mut AnyConnection,
    mailbox: MailboxId,
    now: i64,
    before: i64,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM autoreply_sent WHERE mailbox_id = $1 AND sent_at <= $2")
        .bind(mailbox.0)
        .bind(before)
        .execute(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO autoreply_sent (mailbox_id, sent_at) VALUES ($1, $2)")
        .bind(mailbox.0)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}
