//! Who is viewing or replying to a conversation right now, and who is
//! online: rows refreshed while people work, counted only while recent.

use crate::error::StoreError;
use crate::row::get;
use ecp_domain::conversation::ConversationId;
use ecp_domain::{AccountId, UserId};
use sqlx::AnyConnection;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresenceRecord {
    pub user_id: UserId,
    pub name: String,
    /// viewing or replying
    pub state: String,
    pub seen_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnlineRecord {
    pub user_id: UserId,
    pub name: String,
    pub last_seen_at: i64,
}

pub async fn upsert(
    conn: &mut AnyConnection,
    user: UserId,
    conversation: ConversationId,
    state: &str,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(concat!(
        "INSERT INTO presence (user_id, conversation_id, state, seen_at) VALUES ($1, $2, $3, $4) ",
        "ON CONFLICT (user_id, conversation_id) DO UPDATE SET state = excluded.state, seen_at = excluded.seen_at"
    ))
    .bind(user.0)
    .bind(conversation.0)
    .bind(state)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Everyone seen on the conversation since `since`, active users only,
/// by name.
pub async fn list_for_conversation(
    conn: &mut AnyConnection,
    conversation: ConversationId,
    since: i64,
) -> Result<Vec<PresenceRecord>, StoreError> {
    let rows = sqlx::query(concat!(
        "SELECT p.user_id, u.name, p.state, p.seen_at FROM presence p JOIN users u ON u.id = p.user_id ",
        "WHERE p.conversation_id = $1 AND p.seen_at >= $2 AND u.active = 1 ORDER BY u.name, p.user_id"
    ))
    .bind(conversation.0)
    .bind(since)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(PresenceRecord {
                user_id: UserId(get(r, "user_id")?),
                name: get(r, "name")?,
                state: get(r, "state")?,
                seen_at: get(r, "seen_at")?,
            })
        })
        .collect()
}

/// Records a request of `user` at `now` unless one after `skip_after` is
/// already recorded: the caller passes a minute ago, so a busy user costs
/// at most one write a minute.
pub async fn touch_user(
    conn: &mut AnyConnection,
    user: UserId,
    now: i64,
    skip_after: i64,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET last_seen_at = $1 WHERE id = $2 AND last_seen_at < $3")
        .bind(now)
        .bind(user.0)
        .bind(skip_after)
        .execute(conn)
        .await?;
    Ok(())
}

/// The account's active users seen since `since`, by name.
pub async fn online(
    conn: &mut AnyConnection,
    account: AccountId,
    since: i64,
) -> Result<Vec<OnlineRecord>, StoreError> {
    let rows = sqlx::query(concat!(
        "SELECT id, name, last_seen_at FROM users ",
        "WHERE account_id = $1 AND active = 1 AND last_seen_at >= $2 ORDER BY name, id"
    ))
    .bind(account.0)
    .bind(since)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(OnlineRecord {
                user_id: UserId(get(r, "id")?),
                name: get(r, "name")?,
                last_seen_at: get(r, "last_seen_at")?,
            })
        })
        .collect()
}

/// The newest message of a conversation, to tell a page a reply came in.
pub async fn last_message_id(
    conn: &mut AnyConnection,
    conversation: ConversationId,
) -> Result<Option<i64>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT MAX(id) FROM messages WHERE conversation_id = $1")
            .bind(conversation.0)
            .fetch_one(conn)
            .await?,
    )
}
