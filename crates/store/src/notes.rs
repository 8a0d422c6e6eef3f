//! Internal notes on a conversation: written by the team, never sent.

use crate::error::StoreError;
use crate::row::get;
use ecp_domain::UserId;
use ecp_domain::conversation::ConversationId;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteRecord {
    pub id: i64,
    pub conversation_id: ConversationId,
    pub author_id: Option<UserId>,
    /// The author's name now; empty once the author is deleted.
    pub author_name: String,
    /// Sanitized before it was stored.
    pub body_html: String,
    pub created_at: i64,
}

pub async fn insert(
    conn: &mut AnyConnection,
    conversation: ConversationId,
    author: UserId,
    body_html: &str,
    now: i64,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(concat!(
        "INSERT INTO notes (conversation_id, author_id, body_html, created_at) ",
        "VALUES ($1, $2, $3, $4) RETURNING id"
    ))
    .bind(conversation.0)
    .bind(author.0)
    .bind(body_html)
    .bind(now)
    .fetch_one(conn)
    .await?)
}

fn from_row(r: &AnyRow) -> Result<NoteRecord, StoreError> {
    Ok(NoteRecord {
        id: get(r, "id")?,
        conversation_id: ConversationId(get(r, "conversation_id")?),
        author_id: get::<Option<i64>>(r, "author_id")?.map(UserId),
        author_name: get::<Option<String>>(r, "author_name")?.unwrap_or_default(),
        body_html: get(r, "body_html")?,
        created_at: get(r, "created_at")?,
    })
}

/// A conversation's notes, oldest first.
pub async fn list_for_conversation(
    conn: &mut AnyConnection,
    conversation: ConversationId,
) -> Result<Vec<NoteRecord>, StoreError> {
    let rows = sqlx::query(concat!(
        "SELECT n.id, n.conversation_id, n.author_id, u.name AS author_name, n.body_html, n.created_at ",
        "FROM notes n LEFT JOIN users u ON u.id = n.author_id ",
        "WHERE n.conversation_id = $1 ORDER BY n.created_at, n.id"
    ))
    .bind(conversation.0)
    .fetch_all(conn)
    .await?;
    rows.iter().map(from_row).collect()
}
