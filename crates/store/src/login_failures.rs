//! Failed sign-ins, kept in the database so that the limit holds across
//! every `ecp` process sharing it.

use crate::error::StoreError;
use sqlx::AnyConnection;

pub async fn record(conn: &mut AnyConnection, key: &str, now: i64) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO login_failures (throttle_key, at) VALUES ($1, $2)")
        .bind(key)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

/// How many failures `key` had since `since`, and the oldest of them (the
/// one whose expiry frees the next attempt).
pub async fn recent(
    conn: &mut AnyConnection,
    key: &str,
    since: i64,
) -> Result<(i64, Option<i64>), StoreError> {
    let row: (i64, Option<i64>) = sqlx::query_as(
        "SELECT COUNT(*), MIN(at) FROM login_failures WHERE throttle_key = $1 AND at >= $2",
    )
    .bind(key)
    .bind(since)
    .fetch_one(conn)
    .await?;
    Ok(row)
}

pub async fn clear(conn: &mut AnyConnection, key: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM login_failures WHERE throttle_key = $1")
        .bind(key)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn prune(conn: &mut AnyConnection, before: i64) -> Result<u64, StoreError> {
    let done = sqlx::query("DELETE FROM login_failures WHERE at < $1")
        .bind(before)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}
