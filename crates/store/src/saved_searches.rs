//! Saved searches: a name and the search form (JSON), personal
//! (`user_id` set) or shared with the whole account (`user_id` NULL).

use crate::error::StoreError;
use crate::row::get;
use ecp_domain::{AccountId, UserId};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedSearchRecord {
    pub id: i64,
    pub account_id: AccountId,
    /// None: shared with everyone in the account.
    pub user_id: Option<UserId>,
    pub name: String,
    /// The search form as JSON.
    pub query: String,
    pub created_at: i64,
}

fn from_row(row: &AnyRow) -> Result<SavedSearchRecord, StoreError> {
    Ok(SavedSearchRecord {
        id: get(row, "id")?,
        account_id: AccountId(get(row, "account_id")?),
        user_id: get::<Option<i64>>(row, "user_id")?.map(UserId),
        name: get(row, "name")?,
        query: get(row, "query")?,
        created_at: get(row, "created_at")?,
    })
}

pub async fn insert(
    conn: &mut AnyConnection,
    account: AccountId,
    user: Option<UserId>,
    name: &str,
    query: &str,
    now: i64,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO saved_searches (account_id, user_id, name, query, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(account.0)
    .bind(user.map(|u| u.0))
    .bind(name)
    .bind(query)
    .bind(now)
    .fetch_one(conn)
    .await?)
}

/// The user's own and the account's shared searches, by name.
pub async fn list_for_user(
    conn: &mut AnyConnection,
    account: AccountId,
    user: UserId,
) -> Result<Vec<SavedSearchRecord>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, account_id, user_id, name, query, created_at FROM saved_searches \
         WHERE account_id = $1 AND (user_id IS NULL OR user_id = $2) ORDER BY LOWER(name), id",
    )
    .bind(account.0)
    .bind(user.0)
    .fetch_all(conn)
    .await?;
    rows.iter().map(from_row).collect()
}

/// One search the user may see (their own or shared), else None.
pub async fn get_for_user(
    conn: &mut AnyConnection,
    account: AccountId,
    user: UserId,
    id: i64,
) -> Result<Option<SavedSearchRecord>, StoreError> {
    let row = sqlx::query(
        "SELECT id, account_id, user_id, name, query, created_at FROM saved_searches \
         WHERE id = $1 AND account_id = $2 AND (user_id IS NULL OR user_id = $3)",
    )
    .bind(id)
    .bind(account.0)
    .bind(user.0)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn update(
    conn: &mut AnyConnection,
    id: i64,
    name: &str,
    query: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE saved_searches SET name = $1, query = $2 WHERE id = $3")
        .bind(name)
        .bind(query)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete(conn: &mut AnyConnection, id: i64) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM saved_searches WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn count_for_user(
    conn: &mut AnyConnection,
    account: AccountId,
    user: Option<UserId>,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM saved_searches WHERE account_id = $1 \
         AND ((user_id IS NULL AND $2 = 0) OR user_id = $2)",
    )
    .bind(account.0)
    .bind(user.map_or(0, |u| u.0))
    .fetch_one(conn)
    .await?)
}
