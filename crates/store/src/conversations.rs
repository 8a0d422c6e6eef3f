//! Conversations: one customer thread in one mailbox.

use crate::error::StoreError;
use crate::row::{flag, get, parse};
use ecp_domain::conversation::{ConversationId, Status};
use ecp_domain::{AccountId, MailboxId, UserId};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

#[derive(Debug, Clone)]
pub struct ConversationRecord {
    pub id: ConversationId,
    pub account_id: AccountId,
    pub mailbox_id: MailboxId,
    pub contact_id: Option<i64>,
    pub subject: String,
    pub status: Status,
    pub assignee_id: Option<UserId>,
    /// Points x 1000 (integers only in the database).
    pub spam_score_milli: i64,
    pub spam_reasons: String,
    pub unparseable: bool,
    pub autoreply_pending: bool,
    pub message_count: i64,
    pub created_at: i64,
    pub last_message_at: i64,
    /// The customer's address and name (from the contact).
    pub customer_email: String,
    pub customer_name: String,
}

macro_rules! select {
    () => {
        "SELECT c.id, c.account_id, c.mailbox_id, c.contact_id, c.subject, c.status, c.assignee_id, \
         c.spam_score_milli, c.spam_reasons, c.unparseable, c.autoreply_pending, c.message_count, \
         c.created_at, c.last_message_at, COALESCE(k.email, '') AS customer_email, COALESCE(k.name, '') AS customer_name \
         FROM conversations c LEFT JOIN contacts k ON k.id = c.contact_id "
    };
}
// Also the start of search's statements, whose rows are read by `from_row`.
pub(crate) use select;

pub(crate) fn from_row(row: &AnyRow) -> Result<ConversationRecord, StoreError> {
    let status: String = get(row, "status")?;
    Ok(ConversationRecord {
        id: ConversationId(get(row, "id")?),
        account_id: AccountId(get(row, "account_id")?),
        mailbox_id: MailboxId(get(row, "mailbox_id")?),
        contact_id: get(row, "contact_id")?,
        subject: get(row, "subject")?,
        status: parse("conversations", "status", &status, Status::parse)?,
        assignee_id: get::<Option<i64>>(row, "assignee_id")?.map(UserId),
        spam_score_milli: get(row, "spam_score_milli")?,
        spam_reasons: get(row, "spam_reasons")?,
        unparseable: flag(row, "unparseable")?,
        autoreply_pending: flag(row, "autoreply_pending")?,
        message_count: get(row, "message_count")?,
        created_at: get(row, "created_at")?,
        last_message_at: get(row, "last_message_at")?,
        customer_email: get(row, "customer_email")?,
        customer_name: get(row, "customer_name")?,
    })
}

pub struct NewConversation<'a> {
    pub account_id: AccountId,
    pub mailbox_id: MailboxId,
    pub contact_id: Option<i64>,
    pub subject: &'a str,
    pub status: Status,
    pub spam_score_milli: i64,
    pub spam_reasons: &'a str,
    pub unparseable: bool,
    pub autoreply_pending: bool,
    pub now: i64,
}

pub async fn insert(
    conn: &mut AnyConnection,
    c: NewConversation<'_>,
) -> Result<ConversationId, StoreError> {
    insert_counted(conn, c, 0).await
}

/// A new conversation that already counts its first message: the same as
/// [`insert`] then [`record_message`] with the conversation's own status,
/// no assignee and `c.now`, in one statement. (A new conversation has no
/// read state to clear.)
pub async fn insert_with_first_message(
    conn: &mut AnyConnection,
    c: NewConversation<'_>,
) -> Result<ConversationId, StoreError> {
    insert_counted(conn, c, 1).await
}

async fn insert_counted(
    conn: &mut AnyConnection,
    c: NewConversation<'_>,
    message_count: i64,
) -> Result<ConversationId, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO conversations (account_id, mailbox_id, contact_id, subject, status, spam_score_milli, \
         spam_reasons, unparseable, autoreply_pending, created_at, last_message_at, message_count) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11) RETURNING id",
    )
    .bind(c.account_id.0)
    .bind(c.mailbox_id.0)
    .bind(c.contact_id)
    .bind(c.subject)
    .bind(c.status.as_str())
    .bind(c.spam_score_milli)
    .bind(c.spam_reasons)
    .bind(i64::from(c.unparseable))
    .bind(i64::from(c.autoreply_pending))
    .bind(c.now)
    .bind(message_count)
    .fetch_one(conn)
    .await?;
    Ok(ConversationId(id))
}

pub async fn get_by_id(
    conn: &mut AnyConnection,
    id: ConversationId,
) -> Result<Option<ConversationRecord>, StoreError> {
    let row = sqlx::query(concat!(select!(), "WHERE c.id = $1"))
        .bind(id.0)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// A page of a mailbox's conversations, newest activity first, continuing
/// after `(before_at, before_id)` (keyset paging: stable while mail arrives).
pub async fn list_for_mailbox(
    conn: &mut AnyConnection,
    mailbox: MailboxId,
    status: Option<Status>,
    before: Option<(i64, i64)>,
    limit: i64,
) -> Result<Vec<ConversationRecord>, StoreError> {
    let (at, id) = before.unwrap_or((i64::MAX, i64::MAX));
    let rows = sqlx::query(concat!(
        select!(),
        "WHERE c.mailbox_id = $1 AND ($2 = '' OR c.status = $2) \
         AND (c.last_message_at < $3 OR (c.last_message_at = $3 AND c.id < $4)) \
         ORDER BY c.last_message_at DESC, c.id DESC LIMIT $5"
    ))
    .bind(mailbox.0)
    .bind(status.map(Status::as_str).unwrap_or(""))
    .bind(at)
    .bind(id)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(from_row).collect()
}

pub async fn count_for_mailbox(
    conn: &mut AnyConnection,
    mailbox: MailboxId,
) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM conversations WHERE mailbox_id = $1")
            .bind(mailbox.0)
            .fetch_one(conn)
            .await?,
    )
}

/// After a new message: bump activity and counts, set status and assignee.
pub async fn record_message(
    conn: &mut AnyConnection,
    id: ConversationId,
    status: Status,
    assignee: Option<UserId>,
    at: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE conversations SET message_count = message_count + 1, status = $1, assignee_id = $2, \
         last_message_at = CASE WHEN last_message_at > $3 THEN last_message_at ELSE $3 END WHERE id = $4",
    )
    .bind(status.as_str())
    .bind(assignee.map(|u| u.0))
    .bind(at)
    .bind(id.0)
    .execute(conn)
    .await?;
    Ok(())
}

/// What [`record_messages_many`] applies to one conversation: the same as
/// `added` calls of [`record_message`], the last with `status` and
/// `assignee`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordedMessages {
    pub id: ConversationId,
    pub added: i64,
    pub status: Status,
    pub assignee: Option<UserId>,
    pub at: i64,
}

/// [`record_message`] for many conversations in a few statements.
pub async fn record_messages_many(
    conn: &mut AnyConnection,
    rows: &[RecordedMessages],
) -> Result<(), StoreError> {
    for chunk in rows.chunks(crate::raw_messages::rows_per_statement(conn, 50, 6)) {
        let mut added = String::from("CASE id");
        let mut status = String::from("CASE id");
        let mut assignee = String::from("CASE id");
        let mut at = String::from("CASE id");
        for i in 0..chunk.len() {
            let p = 1 + i * 5;
            added.push_str(&format!(" WHEN ${p} THEN ${}", p + 1));
            status.push_str(&format!(" WHEN ${p} THEN ${}", p + 2));
            assignee.push_str(&format!(" WHEN ${p} THEN ${}", p + 3));
            at.push_str(&format!(" WHEN ${p} THEN ${}", p + 4));
        }
        let sql = format!(
            "UPDATE conversations SET message_count = message_count + {added} END, \
             status = {status} END, assignee_id = {assignee} END, \
             last_message_at = CASE WHEN last_message_at > {at} END THEN last_message_at ELSE {at} END END \
             WHERE id IN ({})",
            crate::raw_messages::params_list(chunk.len(), 1 + chunk.len() * 5)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for r in chunk {
            q = q
                .bind(r.id.0)
                .bind(r.added)
                .bind(r.status.as_str())
                .bind(r.assignee.map(|u| u.0))
                .bind(r.at);
        }
        for r in chunk {
            q = q.bind(r.id.0);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// [`mark_unread_for_all`] for many conversations in a few statements.
pub async fn mark_unread_many(
    conn: &mut AnyConnection,
    ids: &[ConversationId],
) -> Result<(), StoreError> {
    for chunk in ids.chunks(crate::raw_messages::rows_per_statement(conn, 200, 1)) {
        let sql = format!(
            "DELETE FROM conversation_reads WHERE conversation_id IN ({})",
            crate::raw_messages::params_list(chunk.len(), 1)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            q = q.bind(id.0);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Adds people to the conversation (ignores those already in it), in one
/// statement.
pub async fn add_participants(
    conn: &mut AnyConnection,
    id: ConversationId,
    emails: &[String],
) -> Result<(), StoreError> {
    let pairs: Vec<(ConversationId, &str)> = emails.iter().map(|e| (id, e.as_str())).collect();
    add_participants_many(conn, &pairs).await
}

/// [`add_participants`] for several conversations at once (bulk filing).
pub async fn add_participants_many(
    conn: &mut AnyConnection,
    pairs: &[(ConversationId, &str)],
) -> Result<(), StoreError> {
    let mut seen = std::collections::HashSet::with_capacity(pairs.len());
    let unique: Vec<(ConversationId, &str)> = pairs
        .iter()
        .filter(|(c, e)| seen.insert((c.0, *e)))
        .copied()
        .collect();
    for chunk in unique.chunks(crate::raw_messages::rows_per_statement(conn, 100, 2)) {
        let sql = format!(
            "INSERT INTO conversation_participants (conversation_id, email) VALUES {} \
             ON CONFLICT (conversation_id, email) DO NOTHING",
            crate::raw_messages::values_list(chunk.len(), 2, 1)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (id, email) in chunk {
            q = q.bind(id.0).bind(*email);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

pub async fn has_participant(
    conn: &mut AnyConnection,
    id: ConversationId,
    email: &str,
) -> Result<bool, StoreError> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM conversation_participants WHERE conversation_id = $1 AND email = $2",
    )
    .bind(id.0)
    .bind(email)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// A new customer message makes the conversation unread for everyone.
pub async fn mark_unread_for_all(
    conn: &mut AnyConnection,
    id: ConversationId,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM conversation_reads WHERE conversation_id = $1")
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// The author of the team's latest reply, for Maintain assignments.
pub async fn latest_replier(
    conn: &mut AnyConnection,
    id: ConversationId,
) -> Result<Option<UserId>, StoreError> {
    let author: Option<Option<i64>> = sqlx::query_scalar(
        "SELECT author_id FROM messages WHERE conversation_id = $1 AND direction = 'out' \
         ORDER BY id DESC LIMIT 1",
    )
    .bind(id.0)
    .fetch_optional(conn)
    .await?;
    Ok(author.flatten().map(UserId))
}
