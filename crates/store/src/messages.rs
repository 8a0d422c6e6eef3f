//! Messages inside conversations, and their attachments.

use crate::error::StoreError;
use crate::row::{flag, get};
use ecp_domain::conversation::ConversationId;
use ecp_domain::{MailboxId, UserId};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

#[derive(Debug, Clone)]
pub struct MessageRecord {
    pub id: i64,
    pub conversation_id: ConversationId,
    pub raw_id: Option<i64>,
    pub direction: String,
    pub author_id: Option<UserId>,
    pub message_id_header: Option<String>,
    pub from_name: String,
    pub from_address: String,
    pub to_list: String,
    pub cc_list: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: Option<String>,
    pub sent_at: Option<i64>,
    pub created_at: i64,
    pub spam_score_milli: i64,
    pub spam_reasons: String,
    pub automated: String,
}

pub struct NewMessage<'a> {
    pub conversation_id: ConversationId,
    pub mailbox_id: MailboxId,
    pub raw_id: Option<i64>,
    pub direction: &'a str,
    pub author_id: Option<UserId>,
    pub message_id_header: Option<&'a str>,
    pub in_reply_to: &'a str,
    pub references: &'a str,
    pub from_name: &'a str,
    pub from_address: &'a str,
    pub to_list: &'a str,
    pub cc_list: &'a str,
    pub subject: &'a str,
    pub text_body: &'a str,
    pub html_body: Option<&'a str>,
    pub sent_at: Option<i64>,
    pub now: i64,
    pub spam_score_milli: i64,
    pub spam_reasons: &'a str,
    pub automated: &'a str,
}

pub async fn insert(conn: &mut AnyConnection, m: NewMessage<'_>) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO messages (conversation_id, mailbox_id, raw_id, direction, author_id, message_id_header, \
         in_reply_to, references_header, from_name, from_address, to_list, cc_list, subject, text_body, html_body, \
         sent_at, created_at, spam_score_milli, spam_reasons, automated) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) RETURNING id",
    )
    .bind(m.conversation_id.0)
    .bind(m.mailbox_id.0)
    .bind(m.raw_id)
    .bind(m.direction)
    .bind(m.author_id.map(|u| u.0))
    .bind(m.message_id_header)
    .bind(m.in_reply_to)
    .bind(m.references)
    .bind(m.from_name)
    .bind(m.from_address)
    .bind(m.to_list)
    .bind(m.cc_list)
    .bind(m.subject)
    .bind(m.text_body)
    .bind(m.html_body)
    .bind(m.sent_at)
    .bind(m.now)
    .bind(m.spam_score_milli)
    .bind(m.spam_reasons)
    .bind(m.automated)
    .fetch_one(conn)
    .await?)
}

/// Ids for `n` messages that [`insert_many`] will insert later in the
/// caller's transaction, in increasing order. They are taken from the
/// table's sequence now, so that [`insert`] (and any other writer) never
/// hands them out; ids not used leave a gap, as a rolled-back insert does.
pub async fn reserve_ids(conn: &mut AnyConnection, n: usize) -> Result<Vec<i64>, StoreError> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let n = i64::try_from(n).unwrap_or(i64::MAX);
    if conn.backend_name() == "PostgreSQL" {
        let mut ids: Vec<i64> = sqlx::query_scalar(
            "SELECT nextval(pg_get_serial_sequence('messages', 'id')) FROM generate_series(1, $1)",
        )
        .bind(n)
        .fetch_all(conn)
        .await?;
        ids.sort_unstable();
        return Ok(ids);
    }
    // SQLite (AUTOINCREMENT): a new row's id is one more than the larger
    // of sqlite_sequence's value and the largest id; moving the sequence
    // past the reserved range keeps other inserts out of it. The write
    // transaction (BEGIN IMMEDIATE) holds the database meanwhile.
    sqlx::query(
        "INSERT INTO sqlite_sequence (name, seq) SELECT 'messages', 0 \
         WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'messages')",
    )
    .execute(&mut *conn)
    .await?;
    let last: i64 = sqlx::query_scalar(
        "UPDATE sqlite_sequence SET seq = MAX(seq, (SELECT COALESCE(MAX(id), 0) FROM messages)) + $1 \
         WHERE name = 'messages' RETURNING seq",
    )
    .bind(n)
    .fetch_one(conn)
    .await?;
    Ok((last - n + 1..=last).collect())
}

/// [`insert`] for many messages whose ids were reserved with
/// [`reserve_ids`], in a few statements (bulk filing).
pub async fn insert_many(
    conn: &mut AnyConnection,
    rows: &[(i64, NewMessage<'_>)],
) -> Result<(), StoreError> {
    let per_statement = crate::raw_messages::rows_per_statement(conn, 20, 21);
    for chunk in rows.chunks(per_statement) {
        let sql = format!(
            "INSERT INTO messages (id, conversation_id, mailbox_id, raw_id, direction, author_id, message_id_header, \
             in_reply_to, references_header, from_name, from_address, to_list, cc_list, subject, text_body, html_body, \
             sent_at, created_at, spam_score_milli, spam_reasons, automated) VALUES {}",
            crate::raw_messages::values_list(chunk.len(), 21, 1)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (id, m) in chunk {
            q = q
                .bind(*id)
                .bind(m.conversation_id.0)
                .bind(m.mailbox_id.0)
                .bind(m.raw_id)
                .bind(m.direction)
                .bind(m.author_id.map(|u| u.0))
                .bind(m.message_id_header)
                .bind(m.in_reply_to)
                .bind(m.references)
                .bind(m.from_name)
                .bind(m.from_address)
                .bind(m.to_list)
                .bind(m.cc_list)
                .bind(m.subject)
                .bind(m.text_body)
                .bind(m.html_body)
                .bind(m.sent_at)
                .bind(m.now)
                .bind(m.spam_score_milli)
                .bind(m.spam_reasons)
                .bind(m.automated);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The id of the message with this Message-ID in the mailbox, if any.
pub async fn find_by_message_id(
    conn: &mut AnyConnection,
    mailbox: MailboxId,
    message_id: &str,
) -> Result<Option<i64>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM messages WHERE mailbox_id = $1 AND message_id_header = $2",
    )
    .bind(mailbox.0)
    .bind(message_id)
    .fetch_optional(conn)
    .await?)
}

/// The conversation holding the newest of the given Message-IDs in the
/// mailbox (the ids a reply names in In-Reply-To and References).
pub async fn conversation_for_any(
    conn: &mut AnyConnection,
    mailbox: MailboxId,
    message_ids: &[String],
) -> Result<Option<ConversationId>, StoreError> {
    let mut best: Option<(i64, i64)> = None;
    for mid in message_ids.iter().take(50) {
        let row: Option<(i64, i64)> = sqlx::query_as(
            "SELECT id, conversation_id FROM messages WHERE mailbox_id = $1 AND message_id_header = $2",
        )
        .bind(mailbox.0)
        .bind(mid)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some((id, conv)) = row
            && best.is_none_or(|(b, _)| id > b)
        {
            best = Some((id, conv));
        }
    }
    Ok(best.map(|(_, c)| ConversationId(c)))
}

/// A message found by its Message-ID (see [`find_by_message_ids`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageIdMatch {
    pub id: i64,
    pub conversation_id: ConversationId,
    pub message_id_header: String,
}

/// The mailbox's messages whose Message-ID is one of `message_ids`, in
/// one query per 200 ids (a new message's own id and the ids it refers to,
/// or those of a whole batch).
pub async fn find_by_message_ids(
    conn: &mut AnyConnection,
    mailbox: MailboxId,
    message_ids: &[&str],
) -> Result<Vec<MessageIdMatch>, StoreError> {
    let mut out = Vec::new();
    for chunk in message_ids.chunks(200) {
        let sql = format!(
            "SELECT id, conversation_id, message_id_header FROM messages \
             WHERE mailbox_id = $1 AND message_id_header IN ({})",
            crate::raw_messages::params_list(chunk.len(), 2)
        );
        let mut q =
            sqlx::query_as::<_, (i64, i64, String)>(sqlx::AssertSqlSafe(sql)).bind(mailbox.0);
        for mid in chunk {
            q = q.bind(*mid);
        }
        out.extend(
            q.fetch_all(&mut *conn)
                .await?
                .into_iter()
                .map(|(id, conversation, header)| MessageIdMatch {
                    id,
                    conversation_id: ConversationId(conversation),
                    message_id_header: header,
                }),
        );
    }
    Ok(out)
}

fn from_row(row: &AnyRow) -> Result<MessageRecord, StoreError> {
    Ok(MessageRecord {
        id: get(row, "id")?,
        conversation_id: ConversationId(get(row, "conversation_id")?),
        raw_id: get(row, "raw_id")?,
        direction: get(row, "direction")?,
        author_id: get::<Option<i64>>(row, "author_id")?.map(UserId),
        message_id_header: get(row, "message_id_header")?,
        from_name: get(row, "from_name")?,
        from_address: get(row, "from_address")?,
        to_list: get(row, "to_list")?,
        cc_list: get(row, "cc_list")?,
        subject: get(row, "subject")?,
        text_body: get(row, "text_body")?,
        html_body: get(row, "html_body")?,
        sent_at: get(row, "sent_at")?,
        created_at: get(row, "created_at")?,
        spam_score_milli: get(row, "spam_score_milli")?,
        spam_reasons: get(row, "spam_reasons")?,
        automated: get(row, "automated")?,
    })
}

pub async fn list_for_conversation(
    conn: &mut AnyConnection,
    id: ConversationId,
) -> Result<Vec<MessageRecord>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, conversation_id, raw_id, direction, author_id, message_id_header, from_name, from_address, \
         to_list, cc_list, subject, text_body, html_body, sent_at, created_at, spam_score_milli, spam_reasons, automated \
         FROM messages WHERE conversation_id = $1 ORDER BY id",
    )
    .bind(id.0)
    .fetch_all(conn)
    .await?;
    rows.iter().map(from_row).collect()
}

#[derive(Debug, Clone)]
pub struct AttachmentRecord {
    pub id: i64,
    pub message_id: i64,
    pub filename: String,
    pub content_type: String,
    pub content_id: Option<String>,
    pub inline_part: bool,
    pub size: i64,
    pub blob_sha256: String,
}

pub struct NewAttachment<'a> {
    pub message_id: i64,
    pub filename: &'a str,
    pub content_type: &'a str,
    pub content_id: Option<&'a str>,
    pub inline_part: bool,
    pub size: i64,
    pub blob_sha256: &'a str,
}

pub async fn insert_attachment(
    conn: &mut AnyConnection,
    a: NewAttachment<'_>,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO message_attachments (message_id, filename, content_type, content_id, inline_part, size, blob_sha256) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(a.message_id)
    .bind(a.filename)
    .bind(a.content_type)
    .bind(a.content_id)
    .bind(i64::from(a.inline_part))
    .bind(a.size)
    .bind(a.blob_sha256)
    .fetch_one(conn)
    .await?)
}

/// [`insert_attachment`] for many attachments in a few statements (bulk
/// filing; the new rows' ids are not returned).
pub async fn insert_attachments_many(
    conn: &mut AnyConnection,
    rows: &[NewAttachment<'_>],
) -> Result<(), StoreError> {
    let per_statement = crate::raw_messages::rows_per_statement(conn, 50, 7);
    for chunk in rows.chunks(per_statement) {
        let sql = format!(
            "INSERT INTO message_attachments (message_id, filename, content_type, content_id, inline_part, size, blob_sha256) \
             VALUES {}",
            crate::raw_messages::values_list(chunk.len(), 7, 1)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for a in chunk {
            q = q
                .bind(a.message_id)
                .bind(a.filename)
                .bind(a.content_type)
                .bind(a.content_id)
                .bind(i64::from(a.inline_part))
                .bind(a.size)
                .bind(a.blob_sha256);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

pub async fn attachments_for_conversation(
    conn: &mut AnyConnection,
    id: ConversationId,
) -> Result<Vec<AttachmentRecord>, StoreError> {
    let rows = sqlx::query(
        "SELECT a.id, a.message_id, a.filename, a.content_type, a.content_id, a.inline_part, a.size, a.blob_sha256 \
         FROM message_attachments a JOIN messages m ON m.id = a.message_id WHERE m.conversation_id = $1 ORDER BY a.id",
    )
    .bind(id.0)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(AttachmentRecord {
                id: get(r, "id")?,
                message_id: get(r, "message_id")?,
                filename: get(r, "filename")?,
                content_type: get(r, "content_type")?,
                content_id: get(r, "content_id")?,
                inline_part: flag(r, "inline_part")?,
                size: get(r, "size")?,
                blob_sha256: get(r, "blob_sha256")?,
            })
        })
        .collect()
}

/// The conversation a message belongs to.
pub async fn conversation_of(
    conn: &mut AnyConnection,
    message: i64,
) -> Result<Option<ConversationId>, StoreError> {
    let id: Option<i64> = sqlx::query_scalar("SELECT conversation_id FROM messages WHERE id = $1")
        .bind(message)
        .fetch_optional(conn)
        .await?;
    Ok(id.map(ConversationId))
}

/// The conversation an attachment belongs to.
pub async fn conversation_of_attachment(
    conn: &mut AnyConnection,
    attachment: i64,
) -> Result<Option<ConversationId>, StoreError> {
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT m.conversation_id FROM message_attachments a JOIN messages m ON m.id = a.message_id WHERE a.id = $1",
    )
    .bind(attachment)
    .fetch_optional(conn)
    .await?;
    Ok(id.map(ConversationId))
}
