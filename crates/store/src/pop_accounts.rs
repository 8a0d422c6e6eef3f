//! Connected POP accounts: settings, poll status, the lease that keeps two
//! nodes from fetching one account at once, and the ledger of UIDLs taken
//! in. The password arrives here already sealed; this module never sees it.

use crate::error::StoreError;
use crate::row::{flag, get};
use ecp_domain::MailboxId;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PopAccountId(pub i64);

impl std::fmt::Display for PopAccountId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// What an administrator sets.
#[derive(Debug, Clone)]
pub struct PopSettings<'a> {
    pub active: bool,
    pub name: &'a str,
    pub host: &'a str,
    pub port: u16,
    pub username: &'a str,
    pub password_enc: &'a str,
    pub use_ssl: bool,
    pub copy_mail: bool,
}

#[derive(Debug, Clone)]
pub struct PopAccountRecord {
    pub id: PopAccountId,
    pub mailbox_id: MailboxId,
    pub active: bool,
    pub name: String,
    pub host: String,
    pub port: u16,
    pub username: String,
    pub password_enc: String,
    pub use_ssl: bool,
    pub copy_mail: bool,
    pub created_at: i64,
    pub last_success_at: Option<i64>,
    pub last_error: Option<String>,
    pub last_error_kind: Option<String>,
    pub last_error_at: Option<i64>,
    pub failures: i64,
    pub messages_fetched: i64,
    pub server_message_count: Option<i64>,
    pub server_taken_count: Option<i64>,
    pub last_checked_at: Option<i64>,
    pub lease_owner: Option<String>,
    pub lease_until: i64,
    pub next_poll_at: i64,
}

macro_rules! columns {
    () => {
        "id, mailbox_id, active, name, host, port, username, password_enc, use_ssl, copy_mail, \
         created_at, last_success_at, last_error, last_error_kind, last_error_at, failures, \
         messages_fetched, server_message_count, server_taken_count, last_checked_at, \
         lease_owner, lease_until, next_poll_at"
    };
}

fn from_row(row: &AnyRow) -> Result<PopAccountRecord, StoreError> {
    let port: i64 = get(row, "port")?;
    Ok(PopAccountRecord {
        id: PopAccountId(get(row, "id")?),
        mailbox_id: MailboxId(get(row, "mailbox_id")?),
        active: flag(row, "active")?,
        name: get(row, "name")?,
        host: get(row, "host")?,
        port: u16::try_from(port).map_err(|_| StoreError::Corrupt {
            table: "pop_accounts",
            column: "port",
            detail: format!("{port} is not a port number"),
        })?,
        username: get(row, "username")?,
        password_enc: get(row, "password_enc")?,
        use_ssl: flag(row, "use_ssl")?,
        copy_mail: flag(row, "copy_mail")?,
        created_at: get(row, "created_at")?,
        last_success_at: get(row, "last_success_at")?,
        last_error: get(row, "last_error")?,
        last_error_kind: get(row, "last_error_kind")?,
        last_error_at: get(row, "last_error_at")?,
        failures: get(row, "failures")?,
        messages_fetched: get(row, "messages_fetched")?,
        server_message_count: get(row, "server_message_count")?,
        server_taken_count: get(row, "server_taken_count")?,
        last_checked_at: get(row, "last_checked_at")?,
        lease_owner: get(row, "lease_owner")?,
        lease_until: get(row, "lease_until")?,
        next_poll_at: get(row, "next_poll_at")?,
    })
}

/// A new account is due at once, so "Save" is followed by a first fetch.
pub async fn insert(
    conn: &mut AnyConnection,
    mailbox: MailboxId,
    s: &PopSettings<'_>,
    now: i64,
) -> Result<PopAccountId, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO pop_accounts (mailbox_id, active, name, host, port, username, password_enc, \
         use_ssl, copy_mail, created_at, next_poll_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(mailbox.0)
    .bind(i64::from(s.active))
    .bind(s.name)
    .bind(s.host)
    .bind(i64::from(s.port))
    .bind(s.username)
    .bind(s.password_enc)
    .bind(i64::from(s.use_ssl))
    .bind(i64::from(s.copy_mail))
    .bind(now)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(PopAccountId(id))
}

/// Saves new settings and makes the account due now with a clean error
/// count: whatever failed before may have been fixed by this change.
pub async fn update(
    conn: &mut AnyConnection,
    id: PopAccountId,
    s: &PopSettings<'_>,
    now: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE pop_accounts SET active = $1, name = $2, host = $3, port = $4, username = $5, \
         password_enc = $6, use_ssl = $7, copy_mail = $8, failures = 0, next_poll_at = $9 \
         WHERE id = $10",
    )
    .bind(i64::from(s.active))
    .bind(s.name)
    .bind(s.host)
    .bind(i64::from(s.port))
    .bind(s.username)
    .bind(s.password_enc)
    .bind(i64::from(s.use_ssl))
    .bind(i64::from(s.copy_mail))
    .bind(now)
    .bind(id.0)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn get_by_id(
    conn: &mut AnyConnection,
    id: PopAccountId,
) -> Result<Option<PopAccountRecord>, StoreError> {
    let row = sqlx::query(concat!(
        "SELECT ",
        columns!(),
        " FROM pop_accounts WHERE id = $1"
    ))
    .bind(id.0)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn list_for_mailbox(
    conn: &mut AnyConnection,
    mailbox: MailboxId,
) -> Result<Vec<PopAccountRecord>, StoreError> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        columns!(),
        " FROM pop_accounts WHERE mailbox_id = $1 ORDER BY id"
    ))
    .bind(mailbox.0)
    .fetch_all(conn)
    .await?;
    rows.iter().map(from_row).collect()
}

pub async fn delete(conn: &mut AnyConnection, id: PopAccountId) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM pop_accounts WHERE id = $1")
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Moves the next poll to `at` ("Fetch now").
pub async fn request_poll(
    conn: &mut AnyConnection,
    id: PopAccountId,
    at: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE pop_accounts SET next_poll_at = $1 WHERE id = $2")
        .bind(at)
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Active accounts whose poll is due and that nobody holds, most overdue
/// first. Only a hint: `claim` decides.
pub async fn due(
    conn: &mut AnyConnection,
    now: i64,
    limit: i64,
) -> Result<Vec<PopAccountId>, StoreError> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM pop_accounts WHERE active = 1 AND next_poll_at <= $1 AND lease_until <= $2 \
         ORDER BY next_poll_at, id LIMIT $3",
    )
    .bind(now)
    .bind(now)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(ids.into_iter().map(PopAccountId).collect())
}

/// Takes the account's lease for `owner` if it is free or expired. One
/// conditional UPDATE: PostgreSQL re-checks the condition on the locked row
/// and SQLite has a single writer, so of two racing nodes exactly one wins.
pub async fn claim(
    conn: &mut AnyConnection,
    id: PopAccountId,
    owner: &str,
    now: i64,
    lease_ms: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE pop_accounts SET lease_owner = $1, lease_until = $2 \
         WHERE id = $3 AND (lease_owner IS NULL OR lease_until <= $4)",
    )
    .bind(owner)
    .bind(now + lease_ms)
    .bind(id.0)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Extends a lease still held by `owner`; false means it was lost (it
/// expired and another node took it), and the holder must stop.
pub async fn renew(
    conn: &mut AnyConnection,
    id: PopAccountId,
    owner: &str,
    now: i64,
    lease_ms: i64,
) -> Result<bool, StoreError> {
    let done =
        sqlx::query("UPDATE pop_accounts SET lease_until = $1 WHERE id = $2 AND lease_owner = $3")
            .bind(now + lease_ms)
            .bind(id.0)
            .bind(owner)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Frees the lease if `owner` still holds it and schedules the next poll.
pub async fn release(
    conn: &mut AnyConnection,
    id: PopAccountId,
    owner: &str,
    next_poll_at: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE pop_accounts SET lease_owner = NULL, lease_until = 0, next_poll_at = $1 \
         WHERE id = $2 AND lease_owner = $3",
    )
    .bind(next_poll_at)
    .bind(id.0)
    .bind(owner)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// What one poll found, for the account's status line.
#[derive(Debug, Clone)]
pub struct PollRecord<'a> {
    pub now: i64,
    /// New messages stored by this poll (counted even when it then failed).
    pub fetched: i64,
    /// Messages on the server and how many of those were already taken in,
    /// when the poll got as far as listing them.
    pub server: Option<(i64, i64)>,
    /// `(kind, message)` when the poll failed.
    pub error: Option<(&'a str, &'a str)>,
}

pub async fn record_poll(
    conn: &mut AnyConnection,
    id: PopAccountId,
    poll: &PollRecord<'_>,
) -> Result<(), StoreError> {
    match poll.server {
        Some((on_server, taken)) => {
            sqlx::query(
                "UPDATE pop_accounts SET messages_fetched = messages_fetched + $1, \
                 server_message_count = $2, server_taken_count = $3, last_checked_at = $4 \
                 WHERE id = $5",
            )
            .bind(poll.fetched)
            .bind(on_server)
            .bind(taken)
            .bind(poll.now)
            .bind(id.0)
            .execute(&mut *conn)
            .await?;
        }
        None => {
            sqlx::query(
                "UPDATE pop_accounts SET messages_fetched = messages_fetched + $1 WHERE id = $2",
            )
            .bind(poll.fetched)
            .bind(id.0)
            .execute(&mut *conn)
            .await?;
        }
    }
    match poll.error {
        None => {
            sqlx::query("UPDATE pop_accounts SET last_success_at = $1, failures = 0 WHERE id = $2")
                .bind(poll.now)
                .bind(id.0)
                .execute(conn)
                .await?;
        }
        Some((kind, message)) => {
            sqlx::query(
                "UPDATE pop_accounts SET last_error = $1, last_error_kind = $2, \
                 last_error_at = $3, failures = failures + 1 WHERE id = $4",
            )
            .bind(message)
            .bind(kind)
            .bind(poll.now)
            .bind(id.0)
            .execute(conn)
            .await?;
        }
    }
    Ok(())
}

/// The UIDLs this account has taken in, each with whether the server has
/// confirmed its deletion.
pub async fn ledger_uidls(
    conn: &mut AnyConnection,
    id: PopAccountId,
) -> Result<Vec<(String, bool)>, StoreError> {
    let rows: Vec<(String, Option<i64>)> =
        sqlx::query_as("SELECT uidl, deleted_at FROM pop_ledger WHERE pop_account_id = $1")
            .bind(id.0)
            .fetch_all(conn)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(uidl, deleted)| (uidl, deleted.is_some()))
        .collect())
}

/// Records a message as taken in; false if it already was.
pub async fn ledger_insert(
    conn: &mut AnyConnection,
    id: PopAccountId,
    uidl: &str,
    raw_id: Option<i64>,
    now: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO pop_ledger (pop_account_id, uidl, raw_id, fetched_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (pop_account_id, uidl) DO NOTHING",
    )
    .bind(id.0)
    .bind(uidl)
    .bind(raw_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Notes that the server applied the deletion of these messages.
pub async fn ledger_mark_deleted(
    conn: &mut AnyConnection,
    id: PopAccountId,
    uidls: &[String],
    now: i64,
) -> Result<(), StoreError> {
    for uidl in uidls {
        sqlx::query(
            "UPDATE pop_ledger SET deleted_at = $1 \
             WHERE pop_account_id = $2 AND uidl = $3 AND deleted_at IS NULL",
        )
        .bind(now)
        .bind(id.0)
        .bind(uidl)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LedgerCounts {
    pub taken_in: i64,
    pub deleted_from_server: i64,
    /// By the raw message's state (pending, processed, duplicate,
    /// unparseable); "empty" for messages the server sent with no bytes.
    pub by_state: Vec<(String, i64)>,
}

pub async fn ledger_counts(
    conn: &mut AnyConnection,
    id: PopAccountId,
) -> Result<LedgerCounts, StoreError> {
    let (taken_in, deleted): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COUNT(deleted_at) FROM pop_ledger WHERE pop_account_id = $1",
    )
    .bind(id.0)
    .fetch_one(&mut *conn)
    .await?;
    let by_state: Vec<(String, i64)> = sqlx::query_as(
        "SELECT COALESCE(r.state, 'empty') AS state, COUNT(*) FROM pop_ledger l \
         LEFT JOIN raw_messages r ON r.id = l.raw_id \
         WHERE l.pop_account_id = $1 GROUP BY COALESCE(r.state, 'empty') ORDER BY 1",
    )
    .bind(id.0)
    .fetch_all(conn)
    .await?;
    Ok(LedgerCounts {
        taken_in,
        deleted_from_server: deleted,
        by_state,
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    pub uidl: String,
    pub raw_id: Option<i64>,
    pub fetched_at: i64,
    pub deleted_at: Option<i64>,
    /// The raw message's state; `None` when nothing was stored (empty).
    pub state: Option<String>,
}

/// The latest entries, newest first.
pub async fn ledger_recent(
    conn: &mut AnyConnection,
    id: PopAccountId,
    limit: i64,
) -> Result<Vec<LedgerEntry>, StoreError> {
    let rows = sqlx::query(
        "SELECT l.uidl, l.raw_id, l.fetched_at, l.deleted_at, r.state FROM pop_ledger l \
         LEFT JOIN raw_messages r ON r.id = l.raw_id \
         WHERE l.pop_account_id = $1 ORDER BY l.fetched_at DESC, l.uidl DESC LIMIT $2",
    )
    .bind(id.0)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(LedgerEntry {
                uidl: get(r, "uidl")?,
                raw_id: get(r, "raw_id")?,
                fetched_at: get(r, "fetched_at")?,
                deleted_at: get(r, "deleted_at")?,
                state: get(r, "state")?,
            })
        })
        .collect()
}

/// Claims a freshly stored raw message for filing by the fetch that stored
/// it, with the same conditional UPDATE the inbound sweeper uses, so the
/// two never file one message at the same time. False if someone else
/// (the sweeper) already holds it or it is filed.
pub async fn claim_raw_for_filing(
    conn: &mut AnyConnection,
    raw_id: i64,
    now: i64,
    lease_ms: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE raw_messages SET claimed_until = $1 \
         WHERE id = $2 AND state = 'pending' AND claimed_until < $3",
    )
    .bind(now + lease_ms)
    .bind(raw_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
