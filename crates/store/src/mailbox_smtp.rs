//! A mailbox's own SMTP server for outgoing mail (one row per mailbox at
//! most). The password arrives here already sealed; this module never sees
//! it.

use crate::error::StoreError;
use crate::outbox::OutboxId;
use crate::row::{flag, get, parse};
use ecp_domain::MailboxId;
use ecp_domain::smtp_server::SmtpTls;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

/// What an administrator sets.
#[derive(Debug, Clone)]
pub struct SmtpServerRow<'a> {
    pub enabled: bool,
    pub host: &'a str,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: &'a str,
    pub password_enc: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpServerRecord {
    pub mailbox_id: MailboxId,
    pub enabled: bool,
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: String,
    pub password_enc: Option<String>,
    pub updated_at: i64,
}

fn from_row(row: &AnyRow) -> Result<SmtpServerRecord, StoreError> {
    let port: i64 = get(row, "port")?;
    let tls: String = get(row, "tls")?;
    Ok(SmtpServerRecord {
        mailbox_id: MailboxId(get(row, "mailbox_id")?),
        enabled: flag(row, "enabled")?,
        host: get(row, "host")?,
        port: u16::try_from(port).map_err(|_| StoreError::Corrupt {
            table: "mailbox_smtp",
            column: "port",
            detail: format!("{port} is not a port number"),
        })?,
        tls: parse("mailbox_smtp", "tls", &tls, SmtpTls::parse)?,
        username: get(row, "username")?,
        password_enc: get(row, "password_enc")?,
        updated_at: get(row, "updated_at")?,
    })
}

pub async fn get_for_mailbox(
    conn: &mut AnyConnection,
    mailbox: MailboxId,
) -> Result<Option<SmtpServerRecord>, StoreError> {
    let row = sqlx::query(
        "SELECT mailbox_id, enabled, host, port, tls, username, password_enc, updated_at \
         FROM mailbox_smtp WHERE mailbox_id = $1",
    )
    .bind(mailbox.0)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// Creates or replaces the mailbox's server.
pub async fn upsert(
    conn: &mut AnyConnection,
    mailbox: MailboxId,
    s: &SmtpServerRow<'_>,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO mailbox_smtp (mailbox_id, enabled, host, port, tls, username, \
         password_enc, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (mailbox_id) DO UPDATE SET enabled = excluded.enabled, \
         host = excluded.host, port = excluded.port, tls = excluded.tls, \
         username = excluded.username, password_enc = excluded.password_enc, \
         updated_at = excluded.updated_at",
    )
    .bind(mailbox.0)
    .bind(i64::from(s.enabled))
    .bind(s.host)
    .bind(i64::from(s.port))
    .bind(s.tls.as_str())
    .bind(s.username)
    .bind(s.password_enc)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Back to the main relay. False when there was nothing to remove.
pub async fn delete(conn: &mut AnyConnection, mailbox: MailboxId) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM mailbox_smtp WHERE mailbox_id = $1")
        .bind(mailbox.0)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Like [`crate::outbox::due`], but only messages of mailboxes with an
/// enabled server of their own: what can be sent while no main relay is
/// configured (the others would fill the batch and starve these).
pub async fn due_via_own_server(
    conn: &mut AnyConnection,
    now: i64,
    limit: i64,
) -> Result<Vec<OutboxId>, StoreError> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT o.id FROM outbox o JOIN mailbox_smtp s ON s.mailbox_id = o.mailbox_id \
         WHERE s.enabled = 1 AND o.state IN ('queued', 'sending') AND o.next_attempt_at <= $1 \
         AND o.lease_until <= $1 ORDER BY o.next_attempt_at, o.id LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(ids.into_iter().map(OutboxId).collect())
}
