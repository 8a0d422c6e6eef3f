//! Contacts: every sender is recorded; people "add to Contacts" (saved),
//! which exempts the sender from spam.

use crate::error::StoreError;
use ecp_domain::AccountId;
use sqlx::AnyConnection;

/// Records the sender if new (keeping an existing name unless it was
/// empty); returns the contact id and whether it is saved in Contacts.
pub async fn upsert_sender(
    conn: &mut AnyConnection,
    account: AccountId,
    email: &str,
    name: &str,
    now: i64,
) -> Result<(i64, bool), StoreError> {
    let c = record_sender(conn, account, email, name, now).await?;
    Ok((c.id, c.saved))
}

/// A sender's contact as it stands after [`record_sender`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SenderContact {
    pub id: i64,
    pub saved: bool,
    /// Whether the contact has a name (a later empty or new name can't
    /// change it).
    pub named: bool,
}

/// [`upsert_sender`] in one statement, saying also whether the contact
/// has a name.
pub async fn record_sender(
    conn: &mut AnyConnection,
    account: AccountId,
    email: &str,
    name: &str,
    now: i64,
) -> Result<SenderContact, StoreError> {
    let (id, saved, name): (i64, i64, String) = sqlx::query_as(
        "INSERT INTO contacts (account_id, email, name, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (account_id, email) DO UPDATE SET name = CASE WHEN contacts.name = '' THEN excluded.name ELSE contacts.name END \
         RETURNING id, saved, name",
    )
    .bind(account.0)
    .bind(email)
    .bind(name)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(SenderContact {
        id,
        saved: saved != 0,
        named: !name.is_empty(),
    })
}

pub async fn set_saved(
    conn: &mut AnyConnection,
    account: AccountId,
    email: &str,
    saved: bool,
) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE contacts SET saved = $1 WHERE account_id = $2 AND email = $3")
        .bind(i64::from(saved))
        .bind(account.0)
        .bind(email)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}
