//! The landing zone of inbound mail: one row per message as received, keyed
//! by its source (POP account + UIDL, SMTP envelope, import file), written
//! before the sender is told "got it".

use crate::error::StoreError;
use crate::row::get;
use ecp_domain::MailboxId;
use sqlx::AnyConnection;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawId(pub i64);

#[derive(Debug, Clone)]
pub struct RawRecord {
    pub id: RawId,
    pub mailbox_id: MailboxId,
    pub source_kind: String,
    pub source_key: String,
    pub blob_sha256: String,
    pub received_at: i64,
    pub state: String,
}

/// Inserts the row unless the same source already delivered it. Returns the
/// row's id and whether it is new.
pub async fn insert_once(
    conn: &mut AnyConnection,
    mailbox: MailboxId,
    source_kind: &str,
    source_key: &str,
    blob_sha256: &str,
    size: i64,
    now: i64,
) -> Result<(RawId, bool), StoreError> {
    let inserted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO raw_messages (mailbox_id, source_kind, source_key, blob_sha256, size, received_at) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (mailbox_id, source_kind, source_key) DO NOTHING RETURNING id",
    )
    .bind(mailbox.0)
    .bind(source_kind)
    .bind(source_key)
    .bind(blob_sha256)
    .bind(size)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(id) = inserted {
        return Ok((RawId(id), true));
    }
    let id: i64 = sqlx::query_scalar(
        "SELECT id FROM raw_messages WHERE mailbox_id = $1 AND source_kind = $2 AND source_key = $3",
    )
    .bind(mailbox.0)
    .bind(source_kind)
    .bind(source_key)
    .fetch_one(conn)
    .await?;
    Ok((RawId(id), false))
}

pub async fn get_by_id(
    conn: &mut AnyConnection,
    id: RawId,
) -> Result<Option<RawRecord>, StoreError> {
    let row = sqlx::query(
        "SELECT id, mailbox_id, source_kind, source_key, blob_sha256, received_at, state \
         FROM raw_messages WHERE id = $1",
    )
    .bind(id.0)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok(RawRecord {
            id: RawId(get(&r, "id")?),
            mailbox_id: MailboxId(get(&r, "mailbox_id")?),
            source_kind: get(&r, "source_kind")?,
            source_key: get(&r, "source_key")?,
            blob_sha256: get(&r, "blob_sha256")?,
            received_at: get(&r, "received_at")?,
            state: get(&r, "state")?,
        })
    })
    .transpose()
}

/// Claims up to `limit` pending rows for `lease_ms` (rows whose earlier
/// claim expired count as pending again: their processor died).
pub async fn claim_pending(
    conn: &mut AnyConnection,
    now: i64,
    lease_ms: i64,
    limit: i64,
) -> Result<Vec<RawId>, StoreError> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM raw_messages WHERE state = 'pending' AND claimed_until < $1 ORDER BY id LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    let mut claimed = Vec::new();
    for id in ids {
        let done = sqlx::query(
            "UPDATE raw_messages SET claimed_until = $1 WHERE id = $2 AND state = 'pending' AND claimed_until < $3",
        )
        .bind(now + lease_ms)
        .bind(id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() == 1 {
            claimed.push(RawId(id));
        }
    }
    Ok(claimed)
}

pub async fn finish(
    conn: &mut AnyConnection,
    id: RawId,
    state: &str,
    message_id: Option<i64>,
    error: Option<&str>,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE raw_messages SET state = $1, message_id = $2, error = $3 WHERE id = $4")
        .bind(state)
        .bind(message_id)
        .bind(error)
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// Counts by state for a mailbox, for the delivery ledger.
pub async fn count_by_state(
    conn: &mut AnyConnection,
    mailbox: MailboxId,
) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(sqlx::query_as("SELECT state, COUNT(*) FROM raw_messages WHERE mailbox_id = $1 GROUP BY state ORDER BY state")
        .bind(mailbox.0)
        .fetch_all(conn)
        .await?)
}
