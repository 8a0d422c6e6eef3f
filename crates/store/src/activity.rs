//! Recent Actions: an append-only record of who changed what, when.

use crate::error::StoreError;
use crate::row::get;
use ecp_domain::AccountId;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

/// One action to record. `user_id` None: the system did it.
#[derive(Debug, Clone)]
pub struct NewActivity<'a> {
    pub account_id: AccountId,
    pub mailbox_id: Option<i64>,
    pub conversation_id: Option<i64>,
    pub user_id: Option<i64>,
    pub action: &'a str,
    /// A JSON object; `{}` when there is nothing more to say.
    pub detail: &'a str,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityRecord {
    pub id: i64,
    pub mailbox_id: Option<i64>,
    pub conversation_id: Option<i64>,
    pub user_id: Option<i64>,
    /// The actor's name now, or None for the system or a deleted user.
    pub user_name: Option<String>,
    pub action: String,
    pub detail: String,
    pub at: i64,
}

pub async fn record(conn: &mut AnyConnection, a: &NewActivity<'_>) -> Result<i64, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO activity (account_id, mailbox_id, conversation_id, user_id, action, detail, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(a.account_id.0)
    .bind(a.mailbox_id)
    .bind(a.conversation_id)
    .bind(a.user_id)
    .bind(a.action)
    .bind(a.detail)
    .bind(a.at)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

fn from_row(r: &AnyRow) -> Result<ActivityRecord, StoreError> {
    Ok(ActivityRecord {
        id: get(r, "id")?,
        mailbox_id: get(r, "mailbox_id")?,
        conversation_id: get(r, "conversation_id")?,
        user_id: get(r, "user_id")?,
        user_name: get(r, "user_name")?,
        action: get(r, "action")?,
        detail: get(r, "detail")?,
        at: get(r, "at")?,
    })
}

/// The account's actions, newest first, older than `before` (an id).
/// `all_mailboxes` false: only account-wide actions and those of the
/// mailboxes in `mailboxes` (what the reader may see).
pub async fn list_for_account(
    conn: &mut AnyConnection,
    account: AccountId,
    all_mailboxes: bool,
    mailboxes: &[i64],
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<ActivityRecord>, StoreError> {
    // The permitted mailboxes are few (one account's); they go in as a
    // comma-separated list compared with instr/position, so the statement
    // stays static SQL on both backends.
    let list = format!(
        ",{},",
        mailboxes
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",")
    );
    let rows = sqlx::query(concat!(
        "SELECT a.id, a.mailbox_id, a.conversation_id, a.user_id, u.name AS user_name, \
         a.action, a.detail, a.at FROM activity a LEFT JOIN users u ON u.id = a.user_id ",
        "WHERE a.account_id = $1 AND a.id < $2 AND ($3 = 1 OR a.mailbox_id IS NULL \
         OR $4 LIKE '%,' || CAST(a.mailbox_id AS TEXT) || ',%') \
         ORDER BY a.id DESC LIMIT $5"
    ))
    .bind(account.0)
    .bind(before.unwrap_or(i64::MAX))
    .bind(i64::from(all_mailboxes))
    .bind(list)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(from_row).collect()
}

/// One conversation's actions, oldest first.
pub async fn list_for_conversation(
    conn: &mut AnyConnection,
    conversation: i64,
) -> Result<Vec<ActivityRecord>, StoreError> {
    let rows = sqlx::query(concat!(
        "SELECT a.id, a.mailbox_id, a.conversation_id, a.user_id, u.name AS user_name, \
         a.action, a.detail, a.at FROM activity a LEFT JOIN users u ON u.id = a.user_id ",
        "WHERE a.conversation_id = $1 ORDER BY a.id"
    ))
    .bind(conversation)
    .fetch_all(conn)
    .await?;
    rows.iter().map(from_row).collect()
}
