//! Templates (canned replies) of an account. Every lookup is scoped by the
//! account, so a template id from another account simply isn't found.

use crate::error::StoreError;
use crate::row::get;
use ecp_domain::template::{TemplateId, TemplateName};
use ecp_domain::{AccountId, UserId};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateRecord {
    pub id: TemplateId,
    pub account_id: AccountId,
    pub name: String,
    /// Empty when the template has no subject of its own.
    pub subject: String,
    /// Sanitized HTML with placeholders, as saved.
    pub body_html: String,
    /// `None` once the author's user is deleted.
    pub created_by: Option<UserId>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A template's fields as validated by the caller.
#[derive(Debug, Clone, Copy)]
pub struct TemplateFields<'a> {
    pub name: &'a TemplateName,
    pub subject: &'a str,
    pub body_html: &'a str,
}

macro_rules! columns {
    () => {
        "id, account_id, name, subject, body_html, created_by, created_at, updated_at"
    };
}

fn from_row(row: &AnyRow) -> Result<TemplateRecord, StoreError> {
    Ok(TemplateRecord {
        id: TemplateId(get(row, "id")?),
        account_id: AccountId(get(row, "account_id")?),
        name: get(row, "name")?,
        subject: get(row, "subject")?,
        body_html: get(row, "body_html")?,
        created_by: get::<Option<i64>>(row, "created_by")?.map(UserId),
        created_at: get(row, "created_at")?,
        updated_at: get(row, "updated_at")?,
    })
}

/// Whether a write failed on the account's unique template name.
pub fn is_duplicate_name(e: &StoreError) -> bool {
    // SQLite names the columns (templates.name), PostgreSQL the index.
    e.is_duplicate_of("templates")
}

pub async fn insert(
    conn: &mut AnyConnection,
    account: AccountId,
    fields: TemplateFields<'_>,
    created_by: UserId,
    now: i64,
) -> Result<TemplateId, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO templates (account_id, name, subject, body_html, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(account.0)
    .bind(fields.name.as_str())
    .bind(fields.subject)
    .bind(fields.body_html)
    .bind(created_by.0)
    .bind(now)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(TemplateId(id))
}

/// Changes a template of `account`; false when there is none with that id.
pub async fn update(
    conn: &mut AnyConnection,
    account: AccountId,
    id: TemplateId,
    fields: TemplateFields<'_>,
    now: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE templates SET name = $1, subject = $2, body_html = $3, updated_at = $4 \
         WHERE id = $5 AND account_id = $6",
    )
    .bind(fields.name.as_str())
    .bind(fields.subject)
    .bind(fields.body_html)
    .bind(now)
    .bind(id.0)
    .bind(account.0)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn get_in_account(
    conn: &mut AnyConnection,
    account: AccountId,
    id: TemplateId,
) -> Result<Option<TemplateRecord>, StoreError> {
    let row = sqlx::query(concat!(
        "SELECT ",
        columns!(),
        " FROM templates WHERE id = $1 AND account_id = $2"
    ))
    .bind(id.0)
    .bind(account.0)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// The account's templates by name (the order the pickers show).
pub async fn list_for_account(
    conn: &mut AnyConnection,
    account: AccountId,
) -> Result<Vec<TemplateRecord>, StoreError> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        columns!(),
        " FROM templates WHERE account_id = $1 ORDER BY LOWER(name), id"
    ))
    .bind(account.0)
    .fetch_all(conn)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Deletes a template of `account`; false when there is none with that id.
pub async fn delete(
    conn: &mut AnyConnection,
    account: AccountId,
    id: TemplateId,
) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM templates WHERE id = $1 AND account_id = $2")
        .bind(id.0)
        .bind(account.0)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}
