//! Contacts: every sender is recorded; people "add to Contacts" (saved),
//! which exempts the sender from spam.

pub use crate::conversation_search::Scope;
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

/// A contact as its page and the Contacts list show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactRecord {
    pub id: i64,
    pub account_id: AccountId,
    pub email: String,
    pub name: String,
    pub notes: String,
    pub saved: bool,
    pub created_at: i64,
}

fn from_row(row: &sqlx::any::AnyRow) -> Result<ContactRecord, StoreError> {
    use crate::row::{flag, get};
    Ok(ContactRecord {
        id: get(row, "id")?,
        account_id: AccountId(get(row, "account_id")?),
        email: get(row, "email")?,
        name: get(row, "name")?,
        notes: get(row, "notes")?,
        saved: flag(row, "saved")?,
        created_at: get(row, "created_at")?,
    })
}

/// Seen by a reader with every mailbox (`$all` = 1), or through one of
/// their conversations in a permitted mailbox (`$list`, the comma list).
macro_rules! visible {
    ($all:literal, $list:literal) => {
        concat!(
            "AND (",
            $all,
            " = 1 OR EXISTS (SELECT 1 FROM conversations c WHERE c.contact_id = contacts.id AND ",
            $list,
            " LIKE '%,' || CAST(c.mailbox_id AS TEXT) || ',%'))"
        )
    };
}

macro_rules! contact_columns {
    () => {
        "SELECT id, account_id, email, name, notes, saved, created_at FROM contacts "
    };
}

/// ",1,2," for the permitted-mailbox checks below (compared with LIKE so
/// that the statements stay static SQL on both backends).
fn id_list(ids: &[i64]) -> String {
    format!(
        ",{},",
        ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
    )
}

/// A page of the contacts the reader may see (with every mailbox, all of
/// the account's; else those with a conversation in a permitted mailbox)
/// whose name or address contains `search` (all when empty), saved ones
/// only if asked, by address, after the address `after`.
pub async fn list(
    conn: &mut AnyConnection,
    scope: Scope<'_>,
    search: &str,
    saved_only: bool,
    after: &str,
    limit: i64,
) -> Result<Vec<ContactRecord>, StoreError> {
    let pattern = format!(
        "%{}%",
        search
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    let rows = sqlx::query(concat!(
        contact_columns!(),
        "WHERE account_id = $1 AND ($2 = 0 OR saved = 1) AND email > $3 \
         AND (LOWER(email) LIKE $4 ESCAPE '\\' OR LOWER(name) LIKE $4 ESCAPE '\\') ",
        visible!("$5", "$6"),
        " ORDER BY email LIMIT $7"
    ))
    .bind(scope.account.0)
    .bind(i64::from(saved_only))
    .bind(after)
    .bind(pattern)
    .bind(i64::from(scope.all_mailboxes))
    .bind(id_list(scope.mailboxes))
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(from_row).collect()
}

/// A contact the reader may see (as in [`list`]), else None.
pub async fn get_by_id(
    conn: &mut AnyConnection,
    scope: Scope<'_>,
    id: i64,
) -> Result<Option<ContactRecord>, StoreError> {
    let row = sqlx::query(concat!(
        contact_columns!(),
        "WHERE id = $1 AND account_id = $2 ",
        visible!("$3", "$4")
    ))
    .bind(id)
    .bind(scope.account.0)
    .bind(i64::from(scope.all_mailboxes))
    .bind(id_list(scope.mailboxes))
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn update(
    conn: &mut AnyConnection,
    id: i64,
    name: &str,
    notes: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE contacts SET name = $1, notes = $2 WHERE id = $3")
        .bind(name)
        .bind(notes)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_saved_by_id(
    conn: &mut AnyConnection,
    id: i64,
    saved: bool,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE contacts SET saved = $1 WHERE id = $2")
        .bind(i64::from(saved))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The contact's spam conversations (id, mailbox), for moving them back.
pub async fn spam_conversations(
    conn: &mut AnyConnection,
    contact: i64,
) -> Result<Vec<(i64, i64)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, mailbox_id FROM conversations WHERE contact_id = $1 AND status = 'spam' ORDER BY id",
    )
    .bind(contact)
    .fetch_all(conn)
    .await?)
}

/// Moves one spam conversation back to open (only if it is still spam).
pub async fn unspam_conversation(conn: &mut AnyConnection, id: i64) -> Result<bool, StoreError> {
    let done =
        sqlx::query("UPDATE conversations SET status = 'open' WHERE id = $1 AND status = 'spam'")
            .bind(id)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() > 0)
}

/// The contact's conversations in the permitted mailboxes, newest first,
/// keyset paged like the mailbox lists.
pub async fn history(
    conn: &mut AnyConnection,
    contact: i64,
    scope: Scope<'_>,
    before: Option<(i64, i64)>,
    limit: i64,
) -> Result<Vec<crate::conversations::ConversationRecord>, StoreError> {
    let (at, id) = before.unwrap_or((i64::MAX, i64::MAX));
    let rows = sqlx::query(
        "SELECT c.id, c.account_id, c.mailbox_id, c.contact_id, c.subject, c.status, c.assignee_id, \
         c.spam_score_milli, c.spam_reasons, c.unparseable, c.autoreply_pending, c.message_count, \
         c.created_at, c.last_message_at, COALESCE(k.email, '') AS customer_email, COALESCE(k.name, '') AS customer_name \
         FROM conversations c LEFT JOIN contacts k ON k.id = c.contact_id \
         WHERE c.contact_id = $1 AND c.merged_into_id IS NULL \
         AND ($2 = 1 OR $3 LIKE '%,' || CAST(c.mailbox_id AS TEXT) || ',%') \
         AND (c.last_message_at < $4 OR (c.last_message_at = $4 AND c.id < $5)) \
         ORDER BY c.last_message_at DESC, c.id DESC LIMIT $6",
    )
    .bind(contact)
    .bind(i64::from(scope.all_mailboxes))
    .bind(id_list(scope.mailboxes))
    .bind(at)
    .bind(id)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(crate::conversations::from_row).collect()
}
