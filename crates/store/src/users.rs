use crate::error::StoreError;
use crate::row::{flag, get, parse};
use ecp_domain::{AccountId, EmailAddress, Role, UserId};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

#[derive(Debug, Clone)]
pub struct UserRecord {
    pub id: UserId,
    pub account_id: AccountId,
    pub name: String,
    pub email: EmailAddress,
    pub role: Role,
    pub active: bool,
    pub signature_html: String,
    /// False for an invited user who has not chosen a password yet.
    pub has_password: bool,
    pub created_at: i64,
}

macro_rules! columns {
    () => {
        "id, account_id, name, email, role, active, signature_html, \
         CASE WHEN password_hash IS NULL THEN 0 ELSE 1 END AS has_password, created_at"
    };
}

fn from_row(row: &AnyRow) -> Result<UserRecord, StoreError> {
    let email: String = get(row, "email")?;
    let role: String = get(row, "role")?;
    Ok(UserRecord {
        id: UserId(get(row, "id")?),
        account_id: AccountId(get(row, "account_id")?),
        name: get(row, "name")?,
        email: parse("users", "email", &email, EmailAddress::parse)?,
        role: parse("users", "role", &role, Role::parse)?,
        active: flag(row, "active")?,
        signature_html: get(row, "signature_html")?,
        has_password: flag(row, "has_password")?,
        created_at: get(row, "created_at")?,
    })
}

pub struct NewUser<'a> {
    pub account_id: AccountId,
    pub name: &'a str,
    pub email: &'a EmailAddress,
    pub password_hash: Option<&'a str>,
    pub role: Role,
    pub now: i64,
}

pub async fn insert(conn: &mut AnyConnection, u: NewUser<'_>) -> Result<UserId, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (account_id, name, email, password_hash, role, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(u.account_id.0)
    .bind(u.name)
    .bind(u.email.as_str())
    .bind(u.password_hash)
    .bind(u.role.as_str())
    .bind(u.now)
    .fetch_one(conn)
    .await?;
    Ok(UserId(id))
}

pub async fn get_by_id(
    conn: &mut AnyConnection,
    id: UserId,
) -> Result<Option<UserRecord>, StoreError> {
    let row = sqlx::query(concat!("SELECT ", columns!(), " FROM users WHERE id = $1"))
        .bind(id.0)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// The user and their password hash, for signing in.
pub async fn find_for_login(
    conn: &mut AnyConnection,
    email: &EmailAddress,
) -> Result<Option<(UserRecord, Option<String>)>, StoreError> {
    let row = sqlx::query(concat!(
        "SELECT ",
        columns!(),
        ", password_hash FROM users WHERE email = $1"
    ))
    .bind(email.as_str())
    .fetch_optional(conn)
    .await?;
    match row {
        Some(row) => Ok(Some((from_row(&row)?, get(&row, "password_hash")?))),
        None => Ok(None),
    }
}

pub async fn password_hash(
    conn: &mut AnyConnection,
    id: UserId,
) -> Result<Option<String>, StoreError> {
    let hash: Option<Option<String>> =
        sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
            .bind(id.0)
            .fetch_optional(conn)
            .await?;
    Ok(hash.flatten())
}

/// Everyone in the account, the owner first, then in the order they joined
/// (the order plan limits count in).
pub async fn list_for_account(
    conn: &mut AnyConnection,
    account: AccountId,
) -> Result<Vec<UserRecord>, StoreError> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        columns!(),
        " FROM users WHERE account_id = $1 \
         ORDER BY CASE WHEN role = 'owner' THEN 0 ELSE 1 END, id"
    ))
    .bind(account.0)
    .fetch_all(conn)
    .await?;
    rows.iter().map(from_row).collect()
}

pub async fn count_active(conn: &mut AnyConnection, account: AccountId) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE account_id = $1 AND active = 1")
            .bind(account.0)
            .fetch_one(conn)
            .await?,
    )
}

pub async fn set_role(conn: &mut AnyConnection, id: UserId, role: Role) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
        .bind(role.as_str())
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_active(
    conn: &mut AnyConnection,
    id: UserId,
    active: bool,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET active = $1 WHERE id = $2")
        .bind(i64::from(active))
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_password_hash(
    conn: &mut AnyConnection,
    id: UserId,
    hash: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_profile(
    conn: &mut AnyConnection,
    id: UserId,
    name: &str,
    email: &EmailAddress,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET name = $1, email = $2 WHERE id = $3")
        .bind(name)
        .bind(email.as_str())
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_signature(
    conn: &mut AnyConnection,
    id: UserId,
    html: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET signature_html = $1 WHERE id = $2")
        .bind(html)
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}
