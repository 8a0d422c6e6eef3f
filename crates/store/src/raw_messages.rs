//! The landing zone of inbound mail: one row per message as received, keyed
//! by its source (POP account + UIDL, SMTP envelope, import file), written
//! before the sender is told "got it".

use crate::error::StoreError;
use crate::row::get;
use ecp_domain::MailboxId;
use sqlx::AnyConnection;
use std::collections::HashMap;

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
    /// SPF/DKIM/DMARC results checked on receipt (an Authentication-Results
    /// value of ours), `None` when not checked.
    pub auth_results: Option<String>,
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

/// Keeps the SPF/DKIM/DMARC results checked on receipt with the row, for
/// filing to score with.
pub async fn set_auth_results(
    conn: &mut AnyConnection,
    id: RawId,
    results: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE raw_messages SET auth_results = $1 WHERE id = $2")
        .bind(results)
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// `($1, $2), ($3, $4), ...` for `rows` rows of `cols` values, numbered
/// from `$first`: multi-row statements cost one round trip to the database
/// instead of one per row (bulk import).
pub(crate) fn values_list(rows: usize, cols: usize, first: usize) -> String {
    let mut s = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        if r > 0 {
            s.push_str(", ");
        }
        s.push('(');
        for c in 0..cols {
            if c > 0 {
                s.push_str(", ");
            }
            s.push('$');
            s.push_str(&(first + r * cols + c).to_string());
        }
        s.push(')');
    }
    s
}

/// Rows per multi-row statement on this connection, for statements of
/// `values_per_row` bound values. SQLite: `sqlite_rows` (its driver's cost
/// of binding grows with the square of the values in a statement).
/// PostgreSQL: as many as its limit of 65,535 bound values allows, at most
/// 1,000: every statement there is a network round trip, and one that
/// spans several TCP segments can wait up to 40 ms for the server's
/// delayed ACK (the driver leaves Nagle's algorithm on), so fewer, larger
/// statements.
pub(crate) fn rows_per_statement(
    conn: &AnyConnection,
    sqlite_rows: usize,
    values_per_row: usize,
) -> usize {
    if conn.backend_name() == "PostgreSQL" {
        (60_000 / values_per_row.max(1)).clamp(1, 1000)
    } else {
        sqlite_rows.max(1)
    }
}

/// `$first, $first+1, ...` (`n` of them), for `IN (...)`.
pub(crate) fn params_list(n: usize, first: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One message to land (see [`insert_many`]).
pub struct NewRaw<'a> {
    pub source_kind: &'a str,
    pub source_key: &'a str,
    pub blob_sha256: &'a str,
    pub size: i64,
}

/// Rows per multi-row statement: a few hundred bound values at most (the
/// SQLite driver looks each parameter's name up in a list, so the cost of
/// binding grows with the square of their number).
const INSERT_CHUNK: usize = 50;

/// [`insert_once`] for many messages in a few statements. Returns, in the
/// order given, each row's id and whether it is new (a source repeated in
/// `rows` is new only the first time).
pub async fn insert_many(
    conn: &mut AnyConnection,
    mailbox: MailboxId,
    rows: &[NewRaw<'_>],
    now: i64,
) -> Result<Vec<(RawId, bool)>, StoreError> {
    let mut out = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(INSERT_CHUNK) {
        let sql = format!(
            "INSERT INTO raw_messages (mailbox_id, source_kind, source_key, blob_sha256, size, received_at) \
             VALUES {} ON CONFLICT (mailbox_id, source_kind, source_key) DO NOTHING \
             RETURNING id, source_kind, source_key",
            values_list(chunk.len(), 6, 1)
        );
        let mut q = sqlx::query_as::<_, (i64, String, String)>(sqlx::AssertSqlSafe(sql));
        for r in chunk {
            q = q
                .bind(mailbox.0)
                .bind(r.source_kind)
                .bind(r.source_key)
                .bind(r.blob_sha256)
                .bind(r.size)
                .bind(now);
        }
        let mut inserted: HashMap<(String, String), i64> = q
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|(id, kind, key)| ((kind, key), id))
            .collect();
        let mut got: Vec<Option<(RawId, bool)>> = chunk
            .iter()
            .map(|r| {
                inserted
                    .remove(&(r.source_kind.to_string(), r.source_key.to_string()))
                    .map(|id| (RawId(id), true))
            })
            .collect();
        let missing: Vec<&NewRaw<'_>> = chunk
            .iter()
            .zip(&got)
            .filter(|(_, g)| g.is_none())
            .map(|(r, _)| r)
            .collect();
        if !missing.is_empty() {
            let sql = format!(
                "SELECT id, source_kind, source_key FROM raw_messages \
                 WHERE mailbox_id = $1 AND source_key IN ({})",
                params_list(missing.len(), 2)
            );
            let mut q = sqlx::query_as::<_, (i64, String, String)>(sqlx::AssertSqlSafe(sql))
                .bind(mailbox.0);
            for r in &missing {
                q = q.bind(r.source_key);
            }
            let existing: HashMap<(String, String), i64> = q
                .fetch_all(&mut *conn)
                .await?
                .into_iter()
                .map(|(id, kind, key)| ((kind, key), id))
                .collect();
            for (r, g) in chunk.iter().zip(got.iter_mut()) {
                if g.is_none() {
                    let key = (r.source_kind.to_string(), r.source_key.to_string());
                    let id = existing.get(&key).ok_or_else(|| StoreError::Corrupt {
                        table: "raw_messages",
                        column: "source_key",
                        detail: format!("{}:{} neither inserted nor found", key.0, key.1),
                    })?;
                    *g = Some((RawId(*id), false));
                }
            }
        }
        out.extend(got.into_iter().flatten());
    }
    Ok(out)
}

pub async fn get_by_id(
    conn: &mut AnyConnection,
    id: RawId,
) -> Result<Option<RawRecord>, StoreError> {
    let row = sqlx::query(
        "SELECT id, mailbox_id, source_kind, source_key, blob_sha256, received_at, state, \
         auth_results \
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
            auth_results: get(&r, "auth_results")?,
        })
    })
    .transpose()
}

/// Takes the rows' write locks until the transaction ends (a no-op
/// update). On PostgreSQL a second transaction filing the same message
/// waits here, then reads it as filed and leaves it; SQLite's single
/// writer serializes filing already.
pub async fn lock_for_filing(conn: &mut AnyConnection, ids: &[RawId]) -> Result<(), StoreError> {
    let mut sorted: Vec<i64> = ids.iter().map(|r| r.0).collect();
    // One order for everyone, so two filers can't deadlock on each other.
    sorted.sort_unstable();
    for chunk in sorted.chunks(INSERT_CHUNK * 4) {
        let sql = format!(
            "UPDATE raw_messages SET claimed_until = claimed_until WHERE id IN ({})",
            params_list(chunk.len(), 1)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            q = q.bind(*id);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The rows with these ids (those that exist), in no particular order.
pub async fn get_many(
    conn: &mut AnyConnection,
    ids: &[RawId],
) -> Result<Vec<RawRecord>, StoreError> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(INSERT_CHUNK * 4) {
        let sql = format!(
            "SELECT id, mailbox_id, source_kind, source_key, blob_sha256, received_at, state, \
             auth_results \
             FROM raw_messages WHERE id IN ({})",
            params_list(chunk.len(), 1)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            q = q.bind(id.0);
        }
        for r in q.fetch_all(&mut *conn).await? {
            out.push(RawRecord {
                id: RawId(get(&r, "id")?),
                mailbox_id: MailboxId(get(&r, "mailbox_id")?),
                source_kind: get(&r, "source_kind")?,
                source_key: get(&r, "source_key")?,
                blob_sha256: get(&r, "blob_sha256")?,
                received_at: get(&r, "received_at")?,
                state: get(&r, "state")?,
                auth_results: get(&r, "auth_results")?,
            });
        }
    }
    Ok(out)
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

/// How one message ended (see [`finish_many`]).
pub struct Finished {
    pub id: RawId,
    pub state: &'static str,
    pub message_id: Option<i64>,
    pub error: Option<String>,
}

/// [`finish`] for many rows in a few statements.
pub async fn finish_many(conn: &mut AnyConnection, rows: &[Finished]) -> Result<(), StoreError> {
    for chunk in rows.chunks(INSERT_CHUNK) {
        let mut state = String::from("CASE id");
        let mut message = String::from("CASE id");
        let mut error = String::from("CASE id");
        for i in 0..chunk.len() {
            let p = 1 + i * 4;
            state.push_str(&format!(" WHEN ${p} THEN ${}", p + 1));
            message.push_str(&format!(" WHEN ${p} THEN ${}", p + 2));
            error.push_str(&format!(" WHEN ${p} THEN ${}", p + 3));
        }
        let sql = format!(
            "UPDATE raw_messages SET state = {state} END, message_id = {message} END, \
             error = {error} END WHERE id IN ({})",
            params_list(chunk.len(), 1 + chunk.len() * 4)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for r in chunk {
            q = q
                .bind(r.id.0)
                .bind(r.state)
                .bind(r.message_id)
                .bind(r.error.as_deref());
        }
        for r in chunk {
            q = q.bind(r.id.0);
        }
        q.execute(&mut *conn).await?;
    }
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
