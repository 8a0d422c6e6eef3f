//! One-time links that let an added user choose their own password.

use crate::error::StoreError;
use ecp_domain::UserId;
use sqlx::AnyConnection;

pub async fn insert(
    conn: &mut AnyConnection,
    token_hash: &str,
    user: UserId,
    now: i64,
    expires_at: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO invites (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash)
    .bind(user.0)
    .bind(now)
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The user an unused, unexpired invite belongs to.
pub async fn find_valid(
    conn: &mut AnyConnection,
    token_hash: &str,
    now: i64,
) -> Result<Option<UserId>, StoreError> {
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT user_id FROM invites WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(conn)
    .await?;
    Ok(id.map(UserId))
}

/// Marks the invite used; false when it was already used (a second click
/// racing the first).
pub async fn mark_used(
    conn: &mut AnyConnection,
    token_hash: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let done =
        sqlx::query("UPDATE invites SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL")
            .bind(now)
            .bind(token_hash)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() > 0)
}
