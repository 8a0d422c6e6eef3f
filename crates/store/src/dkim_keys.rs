//! DKIM keys per account and sending domain. The private key arrives here
//! already sealed; this module never sees it in the clear. Every lookup is
//! scoped by the account.

use crate::error::StoreError;
use crate::row::{flag, get, parse};
use ecp_domain::AccountId;
use ecp_domain::dkim::DkimAlgorithm;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DkimKeyId(pub i64);

impl std::fmt::Display for DkimKeyId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DkimKeyRecord {
    pub id: DkimKeyId,
    pub account_id: AccountId,
    pub domain: String,
    pub selector: String,
    pub algorithm: DkimAlgorithm,
    pub private_key_enc: String,
    /// Base64, as in the DNS record's `p=`.
    pub public_key: String,
    pub created_at: i64,
    pub active: bool,
}

/// A key to store; `private_key_enc` is sealed by the caller.
#[derive(Debug, Clone, Copy)]
pub struct NewDkimKey<'a> {
    pub domain: &'a str,
    pub selector: &'a str,
    pub algorithm: DkimAlgorithm,
    pub private_key_enc: &'a str,
    pub public_key: &'a str,
}

macro_rules! columns {
    () => {
        "id, account_id, domain, selector, algorithm, private_key_enc, public_key, created_at, active"
    };
}

fn from_row(row: &AnyRow) -> Result<DkimKeyRecord, StoreError> {
    let algorithm: String = get(row, "algorithm")?;
    Ok(DkimKeyRecord {
        id: DkimKeyId(get(row, "id")?),
        account_id: AccountId(get(row, "account_id")?),
        domain: get(row, "domain")?,
        selector: get(row, "selector")?,
        algorithm: parse("dkim_keys", "algorithm", &algorithm, DkimAlgorithm::parse)?,
        private_key_enc: get(row, "private_key_enc")?,
        public_key: get(row, "public_key")?,
        created_at: get(row, "created_at")?,
        active: flag(row, "active")?,
    })
}

/// Whether a write failed on the (account, domain, selector) index.
pub fn is_duplicate_selector(e: &StoreError) -> bool {
    e.is_duplicate_of("dkim_keys")
}

/// Stores a new active key for its domain; the domain's previous active key
/// becomes inactive (kept, so its selector can stay published a while).
pub async fn insert_active(
    conn: &mut AnyConnection,
    account: AccountId,
    key: NewDkimKey<'_>,
    now: i64,
) -> Result<DkimKeyId, StoreError> {
    sqlx::query(
        "UPDATE dkim_keys SET active = 0 WHERE account_id = $1 AND domain = $2 AND active = 1",
    )
    .bind(account.0)
    .bind(key.domain)
    .execute(&mut *conn)
    .await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO dkim_keys (account_id, domain, selector, algorithm, private_key_enc, \
         public_key, created_at, active) VALUES ($1, $2, $3, $4, $5, $6, $7, 1) RETURNING id",
    )
    .bind(account.0)
    .bind(key.domain)
    .bind(key.selector)
    .bind(key.algorithm.as_str())
    .bind(key.private_key_enc)
    .bind(key.public_key)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(DkimKeyId(id))
}

/// The key that signs mail from `domain` (lowercase), if any.
pub async fn active_for(
    conn: &mut AnyConnection,
    account: AccountId,
    domain: &str,
) -> Result<Option<DkimKeyRecord>, StoreError> {
    let row = sqlx::query(concat!(
        "SELECT ",
        columns!(),
        " FROM dkim_keys WHERE account_id = $1 AND domain = $2 AND active = 1"
    ))
    .bind(account.0)
    .bind(domain)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn get_in_account(
    conn: &mut AnyConnection,
    account: AccountId,
    id: DkimKeyId,
) -> Result<Option<DkimKeyRecord>, StoreError> {
    let row = sqlx::query(concat!(
        "SELECT ",
        columns!(),
        " FROM dkim_keys WHERE id = $1 AND account_id = $2"
    ))
    .bind(id.0)
    .bind(account.0)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// Every key of the account by domain, the active one first, then newest.
pub async fn list_for_account(
    conn: &mut AnyConnection,
    account: AccountId,
) -> Result<Vec<DkimKeyRecord>, StoreError> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        columns!(),
        " FROM dkim_keys WHERE account_id = $1 ORDER BY domain, active DESC, created_at DESC, id DESC"
    ))
    .bind(account.0)
    .fetch_all(conn)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Deletes a key of `account`; false when there is none with that id.
pub async fn delete(
    conn: &mut AnyConnection,
    account: AccountId,
    id: DkimKeyId,
) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM dkim_keys WHERE id = $1 AND account_id = $2")
        .bind(id.0)
        .bind(account.0)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}
