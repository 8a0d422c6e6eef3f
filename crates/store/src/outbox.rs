//! Outgoing mail waiting to be sent: the bytes, the envelope, and the state
//! of delivery. A row is claimed by lease so that several nodes on one
//! database send each message once; the state moves
//! `queued -> sending -> sent`, or back to `queued` with a later
//! `next_attempt_at` after a temporary failure, or to `failed` after a
//! permanent one (or too many temporary ones) until someone retries it.
//!
//! The window that cannot be closed: the server accepted the message and
//! the process died before [`mark_sent`] committed. The lease then expires,
//! another claim sends the same stored bytes again, with the same
//! Message-ID, so the recipient's client may show a duplicate but threading
//! is unaffected.

use crate::error::StoreError;
use crate::row::get;
use ecp_domain::MailboxId;
use ecp_domain::conversation::ConversationId;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OutboxId(pub i64);

impl std::fmt::Display for OutboxId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxState {
    Queued,
    Sending,
    Sent,
    Failed,
}

impl OutboxState {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Queued => "queued",
            OutboxState::Sending => "sending",
            OutboxState::Sent => "sent",
            OutboxState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        Ok(match s {
            "queued" => OutboxState::Queued,
            "sending" => OutboxState::Sending,
            "sent" => OutboxState::Sent,
            "failed" => OutboxState::Failed,
            other => {
                return Err(StoreError::Corrupt {
                    table: "outbox",
                    column: "state",
                    detail: format!("unknown state {other:?}"),
                });
            }
        })
    }
}

pub struct NewOutboxItem<'a> {
    pub message_id: i64,
    pub mailbox_id: MailboxId,
    pub conversation_id: ConversationId,
    pub raw: &'a [u8],
    pub envelope_from: &'a str,
    /// Every RCPT TO, Auto-BCC included.
    pub envelope_to: &'a [String],
    pub now: i64,
}

#[derive(Debug, Clone)]
pub struct OutboxRecord {
    pub id: OutboxId,
    /// None for a notification to an agent (no message of the conversation).
    pub message_id: Option<i64>,
    pub mailbox_id: MailboxId,
    pub conversation_id: ConversationId,
    pub raw: Vec<u8>,
    pub envelope_from: String,
    pub envelope_to: Vec<String>,
    pub state: OutboxState,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub lease_owner: Option<String>,
    pub lease_until: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

/// Delivery state without the bytes, for showing on a conversation.
#[derive(Debug, Clone)]
pub struct OutboxStatus {
    pub id: OutboxId,
    pub message_id: i64,
    pub state: OutboxState,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    pub sent_at: Option<i64>,
}

const STATUS_COLUMNS: &str =
    "id, message_id, state, attempts, next_attempt_at, last_error, sent_at";

fn status_from_row(row: &AnyRow) -> Result<OutboxStatus, StoreError> {
    Ok(OutboxStatus {
        id: OutboxId(get(row, "id")?),
        message_id: get(row, "message_id")?,
        state: OutboxState::parse(&get::<String>(row, "state")?)?,
        attempts: get(row, "attempts")?,
        next_attempt_at: get(row, "next_attempt_at")?,
        last_error: get(row, "last_error")?,
        sent_at: get(row, "sent_at")?,
    })
}

fn from_row(row: &AnyRow) -> Result<OutboxRecord, StoreError> {
    let to: String = get(row, "envelope_to")?;
    Ok(OutboxRecord {
        id: OutboxId(get(row, "id")?),
        message_id: get(row, "message_id")?,
        mailbox_id: MailboxId(get(row, "mailbox_id")?),
        conversation_id: ConversationId(get(row, "conversation_id")?),
        raw: get(row, "raw")?,
        envelope_from: get(row, "envelope_from")?,
        envelope_to: to
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
        state: OutboxState::parse(&get::<String>(row, "state")?)?,
        attempts: get(row, "attempts")?,
        next_attempt_at: get(row, "next_attempt_at")?,
        lease_owner: get(row, "lease_owner")?,
        lease_until: get(row, "lease_until")?,
        last_error: get(row, "last_error")?,
        created_at: get(row, "created_at")?,
        sent_at: get(row, "sent_at")?,
    })
}

/// Queues a message, due at once.
pub async fn insert(
    conn: &mut AnyConnection,
    item: NewOutboxItem<'_>,
) -> Result<OutboxId, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO outbox (message_id, mailbox_id, conversation_id, raw, envelope_from, \
         envelope_to, state, attempts, next_attempt_at, lease_until, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'queued', 0, $7, 0, $7) RETURNING id",
    )
    .bind(item.message_id)
    .bind(item.mailbox_id.0)
    .bind(item.conversation_id.0)
    .bind(item.raw)
    .bind(item.envelope_from)
    .bind(item.envelope_to.join("\n"))
    .bind(item.now)
    .fetch_one(conn)
    .await?;
    Ok(OutboxId(id))
}

/// Queues a notification to agents about a conversation (no message row:
/// it is not part of the conversation's thread), due at once.
pub async fn insert_notification(
    conn: &mut AnyConnection,
    mailbox_id: MailboxId,
    conversation_id: ConversationId,
    raw: &[u8],
    envelope_from: &str,
    envelope_to: &[String],
    now: i64,
) -> Result<OutboxId, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO outbox (message_id, mailbox_id, conversation_id, raw, envelope_from, \
         envelope_to, state, attempts, next_attempt_at, lease_until, created_at) \
         VALUES (NULL, $1, $2, $3, $4, $5, 'queued', 0, $6, 0, $6) RETURNING id",
    )
    .bind(mailbox_id.0)
    .bind(conversation_id.0)
    .bind(raw)
    .bind(envelope_from)
    .bind(envelope_to.join("\n"))
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(OutboxId(id))
}

pub async fn get_by_id(
    conn: &mut AnyConnection,
    id: OutboxId,
) -> Result<Option<OutboxRecord>, StoreError> {
    let row = sqlx::query("SELECT * FROM outbox WHERE id = $1")
        .bind(id.0)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Delivery state of every message of a conversation, oldest first
/// (notifications to agents are not messages of it).
pub async fn list_for_conversation(
    conn: &mut AnyConnection,
    conversation: ConversationId,
) -> Result<Vec<OutboxStatus>, StoreError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {STATUS_COLUMNS} FROM outbox WHERE conversation_id = $1 AND message_id IS NOT NULL ORDER BY id"
    )))
    .bind(conversation.0)
    .fetch_all(conn)
    .await?;
    rows.iter().map(status_from_row).collect()
}

/// Rows that may be claimed now: queued and due, or left `sending` by a
/// holder whose lease ran out (it crashed mid-send).
pub async fn due(
    conn: &mut AnyConnection,
    now: i64,
    limit: i64,
) -> Result<Vec<OutboxId>, StoreError> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM outbox WHERE state IN ('queued', 'sending') AND next_attempt_at <= $1 \
         AND lease_until <= $1 ORDER BY next_attempt_at, id LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(ids.into_iter().map(OutboxId).collect())
}

/// Takes the row for `owner` if it is due and its lease is free or expired;
/// one statement, so of two nodes exactly one wins.
pub async fn claim(
    conn: &mut AnyConnection,
    id: OutboxId,
    owner: &str,
    now: i64,
    lease_ms: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE outbox SET state = 'sending', lease_owner = $1, lease_until = $2 \
         WHERE id = $3 AND state IN ('queued', 'sending') AND next_attempt_at <= $4 \
         AND lease_until <= $4",
    )
    .bind(owner)
    .bind(now + lease_ms)
    .bind(id.0)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Extends `owner`'s lease while a slow send is under way. False when the
/// lease was lost (it ran out and another node claimed the row).
pub async fn renew(
    conn: &mut AnyConnection,
    id: OutboxId,
    owner: &str,
    now: i64,
    lease_ms: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE outbox SET lease_until = $1 \
         WHERE id = $2 AND lease_owner = $3 AND state = 'sending'",
    )
    .bind(now + lease_ms)
    .bind(id.0)
    .bind(owner)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The server accepted it. False if `owner` no longer held the lease (the
/// row is then someone else's to finish).
pub async fn mark_sent(
    conn: &mut AnyConnection,
    id: OutboxId,
    owner: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE outbox SET state = 'sent', sent_at = $1, attempts = attempts + 1, \
         lease_owner = NULL, lease_until = 0, last_error = NULL \
         WHERE id = $2 AND lease_owner = $3 AND state = 'sending'",
    )
    .bind(now)
    .bind(id.0)
    .bind(owner)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A temporary failure: queued again for `next_attempt_at`.
pub async fn mark_retry(
    conn: &mut AnyConnection,
    id: OutboxId,
    owner: &str,
    next_attempt_at: i64,
    error: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE outbox SET state = 'queued', attempts = attempts + 1, next_attempt_at = $1, \
         last_error = $2, lease_owner = NULL, lease_until = 0 \
         WHERE id = $3 AND lease_owner = $4 AND state = 'sending'",
    )
    .bind(next_attempt_at)
    .bind(error)
    .bind(id.0)
    .bind(owner)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A permanent failure, or the last temporary one allowed.
pub async fn mark_failed(
    conn: &mut AnyConnection,
    id: OutboxId,
    owner: &str,
    error: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = $1, \
         lease_owner = NULL, lease_until = 0 \
         WHERE id = $2 AND lease_owner = $3 AND state = 'sending'",
    )
    .bind(error)
    .bind(id.0)
    .bind(owner)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Someone asked to try a failed message again: queued at once with a
/// fresh count of attempts. The last error stays until the next outcome.
pub async fn requeue_failed(
    conn: &mut AnyConnection,
    id: OutboxId,
    now: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE outbox SET state = 'queued', attempts = 0, next_attempt_at = $1, \
         lease_owner = NULL, lease_until = 0 WHERE id = $2 AND state = 'failed'",
    )
    .bind(now)
    .bind(id.0)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A stored message's References header (as stored: space separated,
/// oldest first), for answering it; None when the message is unknown.
pub async fn references_of(
    conn: &mut AnyConnection,
    message_id: i64,
) -> Result<Option<String>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT references_header FROM messages WHERE id = $1")
            .bind(message_id)
            .fetch_optional(conn)
            .await?,
    )
}
