//! API tokens: stored as a hash plus a short visible prefix, so people can
//! tell their tokens apart without the secret ever being readable again.

use crate::error::StoreError;
use crate::row::get;
use ecp_domain::{ApiTokenId, UserId};
use sqlx::AnyConnection;

#[derive(Debug, Clone)]
pub struct ApiTokenRecord {
    pub id: ApiTokenId,
    pub user_id: UserId,
    pub name: String,
    pub prefix: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

pub async fn insert(
    conn: &mut AnyConnection,
    user: UserId,
    name: &str,
    token_hash: &str,
    prefix: &str,
    now: i64,
) -> Result<ApiTokenId, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(user.0)
    .bind(name)
    .bind(token_hash)
    .bind(prefix)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(ApiTokenId(id))
}

/// The live (not revoked) token with this hash.
pub async fn find_active(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> Result<Option<(ApiTokenId, UserId)>, StoreError> {
    let row = sqlx::query(
        "SELECT id, user_id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
    )
    .bind(token_hash)
    .fetch_optional(conn)
    .await?;
    match row {
        Some(row) => Ok(Some((
            ApiTokenId(get(&row, "id")?),
            UserId(get(&row, "user_id")?),
        ))),
        None => Ok(None),
    }
}

pub async fn list_active_for_user(
    conn: &mut AnyConnection,
    user: UserId,
) -> Result<Vec<ApiTokenRecord>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, user_id, name, prefix, created_at, last_used_at FROM api_tokens \
         WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id",
    )
    .bind(user.0)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(ApiTokenRecord {
                id: ApiTokenId(get(row, "id")?),
                user_id: UserId(get(row, "user_id")?),
                name: get(row, "name")?,
                prefix: get(row, "prefix")?,
                created_at: get(row, "created_at")?,
                last_used_at: get(row, "last_used_at")?,
            })
        })
        .collect()
}

/// Revokes one of the user's tokens; false when the user has no such live token.
pub async fn revoke(
    conn: &mut AnyConnection,
    user: UserId,
    id: ApiTokenId,
    now: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL")
        .bind(now)
        .bind(id.0)
        .bind(user.0)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn revoke_all_for_user(
    conn: &mut AnyConnection,
    user: UserId,
    now: i64,
) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(user.0)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

pub async fn touch(conn: &mut AnyConnection, id: ApiTokenId, now: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}
