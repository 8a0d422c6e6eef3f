//! Per-user choices beyond the profile: the "assigned to you" email and
//! the secret of the personal RSS feed (its hash only).

use crate::error::StoreError;
use ecp_domain::UserId;
use sqlx::AnyConnection;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserPreferences {
    pub notify_assigned: bool,
    pub has_rss_token: bool,
}

pub async fn get(
    conn: &mut AnyConnection,
    user: UserId,
) -> Result<Option<UserPreferences>, StoreError> {
    let row: Option<(i64, i64)> = sqlx::query_as(
        "SELECT notify_assigned, CASE WHEN rss_token_hash IS NULL THEN 0 ELSE 1 END FROM users WHERE id = $1",
    )
    .bind(user.0)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(n, r)| UserPreferences {
        notify_assigned: n != 0,
        has_rss_token: r != 0,
    }))
}

pub async fn set_notify_assigned(
    conn: &mut AnyConnection,
    user: UserId,
    on: bool,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET notify_assigned = $1 WHERE id = $2")
        .bind(i64::from(on))
        .bind(user.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// Sets (Some) or removes (None) the hash of the user's RSS token.
pub async fn set_rss_token_hash(
    conn: &mut AnyConnection,
    user: UserId,
    hash: Option<&str>,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET rss_token_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(user.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// The active user whose RSS token has this hash.
pub async fn user_by_rss_hash(
    conn: &mut AnyConnection,
    hash: &str,
) -> Result<Option<UserId>, StoreError> {
    let id: Option<i64> =
        sqlx::query_scalar("SELECT id FROM users WHERE rss_token_hash = $1 AND active = 1")
            .bind(hash)
            .fetch_optional(conn)
            .await?;
    Ok(id.map(UserId))
}
