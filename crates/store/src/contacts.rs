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
    sqlx::query(
        "INSERT INTO contacts (account_id, email, name, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (account_id, email) DO UPDATE SET name = CASE WHEN contacts.name = '' THEN excluded.name ELSE contacts.name END",
    )
    .bind(account.0)
    .bind(email)
    .bind(name)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let (id, saved): (i64, i64) =
        sqlx::query_as("SELECT id, saved FROM contacts WHERE account_id = $1 AND email = $2")
            .bind(account.0)
            .bind(email)
            .fetch_one(conn)
            .await?;
    Ok((id, saved != 0))
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
