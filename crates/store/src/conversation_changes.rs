//! Changes people make to conversations: assignee, status, read state,
//! tags, merging two into one, moving one to another mailbox. Each takes
//! the caller's connection so the change and its Recent Actions record
//! share a transaction.

use crate::error::StoreError;
use ecp_domain::conversation::{ConversationId, Status};
use ecp_domain::workspace::TagName;
use ecp_domain::{AccountId, MailboxId, UserId};
use sqlx::AnyConnection;

pub async fn set_assignee(
    conn: &mut AnyConnection,
    id: ConversationId,
    assignee: Option<UserId>,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE conversations SET assignee_id = $1 WHERE id = $2")
        .bind(assignee.map(|u| u.0))
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_status(
    conn: &mut AnyConnection,
    id: ConversationId,
    status: Status,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE conversations SET status = $1 WHERE id = $2")
        .bind(status.as_str())
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn mark_read(
    conn: &mut AnyConnection,
    id: ConversationId,
    user: UserId,
    at: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO conversation_reads (conversation_id, user_id, read_at) VALUES ($1, $2, $3) \
         ON CONFLICT (conversation_id, user_id) DO UPDATE SET read_at = excluded.read_at",
    )
    .bind(id.0)
    .bind(user.0)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn mark_unread(
    conn: &mut AnyConnection,
    id: ConversationId,
    user: UserId,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM conversation_reads WHERE conversation_id = $1 AND user_id = $2")
        .bind(id.0)
        .bind(user.0)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn is_read(
    conn: &mut AnyConnection,
    id: ConversationId,
    user: UserId,
) -> Result<bool, StoreError> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM conversation_reads WHERE conversation_id = $1 AND user_id = $2",
    )
    .bind(id.0)
    .bind(user.0)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// Tags the conversation (creating the account's tag on first use).
/// False when it already had the tag.
pub async fn add_tag(
    conn: &mut AnyConnection,
    account: AccountId,
    id: ConversationId,
    tag: &TagName,
    now: i64,
) -> Result<bool, StoreError> {
    sqlx::query(
        "INSERT INTO tags (account_id, name, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (account_id, name) DO NOTHING",
    )
    .bind(account.0)
    .bind(tag.as_str())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let added = sqlx::query(
        "INSERT INTO conversation_tags (conversation_id, tag_id) \
         SELECT $1, id FROM tags WHERE account_id = $2 AND name = $3 \
         ON CONFLICT (conversation_id, tag_id) DO NOTHING",
    )
    .bind(id.0)
    .bind(account.0)
    .bind(tag.as_str())
    .execute(conn)
    .await?;
    Ok(added.rows_affected() > 0)
}

/// False when the conversation did not have the tag.
pub async fn remove_tag(
    conn: &mut AnyConnection,
    account: AccountId,
    id: ConversationId,
    tag: &TagName,
) -> Result<bool, StoreError> {
    let removed = sqlx::query(
        "DELETE FROM conversation_tags WHERE conversation_id = $1 \
         AND tag_id IN (SELECT id FROM tags WHERE account_id = $2 AND name = $3)",
    )
    .bind(id.0)
    .bind(account.0)
    .bind(tag.as_str())
    .execute(conn)
    .await?;
    Ok(removed.rows_affected() > 0)
}

/// The conversation's tags, by name.
pub async fn tags_of(
    conn: &mut AnyConnection,
    id: ConversationId,
) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT t.name FROM conversation_tags ct JOIN tags t ON t.id = ct.tag_id \
         WHERE ct.conversation_id = $1 ORDER BY t.name",
    )
    .bind(id.0)
    .fetch_all(conn)
    .await?)
}

/// (conversation, tag) for a page of conversations, in one query.
pub async fn tags_of_many(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<Vec<(i64, String)>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT ct.conversation_id, t.name FROM conversation_tags ct JOIN tags t ON t.id = ct.tag_id \
         WHERE {} ORDER BY t.name",
        crate::id_list::in_list("ct.conversation_id", ids)
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .persistent(false)
        .fetch_all(conn)
        .await?)
}

/// Every tag of the account with how many conversations carry it.
pub async fn account_tags(
    conn: &mut AnyConnection,
    account: AccountId,
) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT t.name, COUNT(ct.conversation_id) AS n FROM tags t \
         LEFT JOIN conversation_tags ct ON ct.tag_id = t.id WHERE t.account_id = $1 \
         GROUP BY t.id, t.name ORDER BY t.name",
    )
    .bind(account.0)
    .fetch_all(conn)
    .await?)
}

/// The conversation that `id` was merged into, if it was.
pub async fn merged_into(
    conn: &mut AnyConnection,
    id: ConversationId,
) -> Result<Option<ConversationId>, StoreError> {
    let target: Option<Option<i64>> =
        sqlx::query_scalar("SELECT merged_into_id FROM conversations WHERE id = $1")
            .bind(id.0)
            .fetch_optional(conn)
            .await?;
    Ok(target.flatten().map(ConversationId))
}

/// Everything of `source` (messages, notes, tags, participants, outgoing
/// mail, its history) becomes `target`'s; `source` stays as a closed
/// redirect in no folder, and what was merged into it now points at
/// `target`. Both must be in the same mailbox (Message-IDs are unique per
/// mailbox).
pub async fn merge(
    conn: &mut AnyConnection,
    source: ConversationId,
    target: ConversationId,
) -> Result<(), StoreError> {
    for sql in [
        "UPDATE messages SET conversation_id = $2 WHERE conversation_id = $1",
        "UPDATE notes SET conversation_id = $2 WHERE conversation_id = $1",
        "UPDATE outbox SET conversation_id = $2 WHERE conversation_id = $1",
        "UPDATE activity SET conversation_id = $2 WHERE conversation_id = $1",
        "INSERT INTO conversation_tags (conversation_id, tag_id) \
         SELECT $2, tag_id FROM conversation_tags WHERE conversation_id = $1 \
         ON CONFLICT (conversation_id, tag_id) DO NOTHING",
        "INSERT INTO conversation_participants (conversation_id, email) \
         SELECT $2, email FROM conversation_participants WHERE conversation_id = $1 \
         ON CONFLICT (conversation_id, email) DO NOTHING",
        "UPDATE conversations SET \
         message_count = message_count + (SELECT s.message_count FROM conversations s WHERE s.id = $1), \
         last_message_at = (SELECT CASE WHEN s.last_message_at > conversations.last_message_at \
           THEN s.last_message_at ELSE conversations.last_message_at END FROM conversations s WHERE s.id = $1) \
         WHERE id = $2",
        "UPDATE conversations SET merged_into_id = $2 WHERE merged_into_id = $1",
        "UPDATE conversations SET merged_into_id = $2, message_count = 0, status = 'closed' \
         WHERE id = $1",
    ] {
        sqlx::query(sql)
            .bind(source.0)
            .bind(target.0)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Moves the conversation and its messages to another mailbox. A message
/// whose Message-ID the target mailbox already holds refuses the move
/// ([`StoreError::Duplicate`]).
pub async fn move_to(
    conn: &mut AnyConnection,
    id: ConversationId,
    mailbox: MailboxId,
) -> Result<(), StoreError> {
    for sql in [
        "UPDATE conversations SET mailbox_id = $2 WHERE id = $1",
        "UPDATE messages SET mailbox_id = $2 WHERE conversation_id = $1",
    ] {
        sqlx::query(sql)
            .bind(id.0)
            .bind(mailbox.0)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
