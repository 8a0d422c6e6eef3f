use crate::error::StoreError;
use crate::row::{get, parse};
use ecp_domain::email::parse_list;
use ecp_domain::{AccountId, EmailAddress, MailboxId, MailboxSettings, UserId};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

#[derive(Debug, Clone)]
pub struct MailboxRecord {
    pub id: MailboxId,
    pub account_id: AccountId,
    pub name: String,
    pub direct_address: EmailAddress,
    pub send_as_name: String,
    pub send_as_address: EmailAddress,
    pub signature_html: String,
    pub auto_bcc: Vec<EmailAddress>,
    pub created_at: i64,
}

macro_rules! columns {
    () => {
        "id, account_id, name, direct_address, send_as_name, send_as_address, \
         signature_html, auto_bcc, created_at"
    };
}

fn from_row(row: &AnyRow) -> Result<MailboxRecord, StoreError> {
    let direct: String = get(row, "direct_address")?;
    let send_as: String = get(row, "send_as_address")?;
    let bcc: String = get(row, "auto_bcc")?;
    Ok(MailboxRecord {
        id: MailboxId(get(row, "id")?),
        account_id: AccountId(get(row, "account_id")?),
        name: get(row, "name")?,
        direct_address: parse("mailboxes", "direct_address", &direct, EmailAddress::parse)?,
        send_as_name: get(row, "send_as_name")?,
        send_as_address: parse(
            "mailboxes",
            "send_as_address",
            &send_as,
            EmailAddress::parse,
        )?,
        signature_html: get(row, "signature_html")?,
        auto_bcc: parse("mailboxes", "auto_bcc", &bcc, |s| parse_list("auto_bcc", s))?,
        created_at: get(row, "created_at")?,
    })
}

fn bcc_text(list: &[EmailAddress]) -> String {
    list.iter()
        .map(EmailAddress::as_str)
        .collect::<Vec<_>>()
        .join(",")
}

pub async fn insert(
    conn: &mut AnyConnection,
    account: AccountId,
    s: &MailboxSettings,
    now: i64,
) -> Result<MailboxId, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO mailboxes (account_id, name, direct_address, send_as_name, send_as_address, \
         signature_html, auto_bcc, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(account.0)
    .bind(s.name.as_str())
    .bind(s.direct_address.as_str())
    .bind(s.send_as_name.as_str())
    .bind(s.send_as_address.as_str())
    .bind(s.signature_html.as_str())
    .bind(bcc_text(&s.auto_bcc))
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(MailboxId(id))
}

pub async fn update(
    conn: &mut AnyConnection,
    id: MailboxId,
    s: &MailboxSettings,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE mailboxes SET name = $1, direct_address = $2, send_as_name = $3, send_as_address = $4, \
         signature_html = $5, auto_bcc = $6 WHERE id = $7",
    )
    .bind(s.name.as_str())
    .bind(s.direct_address.as_str())
    .bind(s.send_as_name.as_str())
    .bind(s.send_as_address.as_str())
    .bind(s.signature_html.as_str())
    .bind(bcc_text(&s.auto_bcc))
    .bind(id.0)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get_by_id(
    conn: &mut AnyConnection,
    id: MailboxId,
) -> Result<Option<MailboxRecord>, StoreError> {
    let row = sqlx::query(concat!(
        "SELECT ",
        columns!(),
        " FROM mailboxes WHERE id = $1"
    ))
    .bind(id.0)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn find_by_direct_address(
    conn: &mut AnyConnection,
    address: &EmailAddress,
) -> Result<Option<MailboxRecord>, StoreError> {
    let row = sqlx::query(concat!(
        "SELECT ",
        columns!(),
        " FROM mailboxes WHERE direct_address = $1"
    ))
    .bind(address.as_str())
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// The account's mailboxes, oldest first (the order plan limits count in).
pub async fn list_for_account(
    conn: &mut AnyConnection,
    account: AccountId,
) -> Result<Vec<MailboxRecord>, StoreError> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        columns!(),
        " FROM mailboxes WHERE account_id = $1 ORDER BY id"
    ))
    .bind(account.0)
    .fetch_all(conn)
    .await?;
    rows.iter().map(from_row).collect()
}

pub async fn count_for_account(
    conn: &mut AnyConnection,
    account: AccountId,
) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM mailboxes WHERE account_id = $1")
            .bind(account.0)
            .fetch_one(conn)
            .await?,
    )
}

pub async fn delete(conn: &mut AnyConnection, id: MailboxId) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM mailboxes WHERE id = $1")
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn permitted_users(
    conn: &mut AnyConnection,
    id: MailboxId,
) -> Result<Vec<UserId>, StoreError> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT user_id FROM mailbox_permissions WHERE mailbox_id = $1 ORDER BY user_id",
    )
    .bind(id.0)
    .fetch_all(conn)
    .await?;
    Ok(ids.into_iter().map(UserId).collect())
}

/// Replaces the list of users permitted on a mailbox.
pub async fn set_permitted_users(
    conn: &mut AnyConnection,
    id: MailboxId,
    users: &[UserId],
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM mailbox_permissions WHERE mailbox_id = $1")
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    for user in users {
        sqlx::query("INSERT INTO mailbox_permissions (mailbox_id, user_id) VALUES ($1, $2)")
            .bind(id.0)
            .bind(user.0)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The mailboxes a user is listed on (whether the plan applies the list is
/// the domain's call, not the store's).
pub async fn listed_for_user(
    conn: &mut AnyConnection,
    user: UserId,
) -> Result<Vec<MailboxId>, StoreError> {
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT mailbox_id FROM mailbox_permissions WHERE user_id = $1")
            .bind(user.0)
            .fetch_all(conn)
            .await?;
    Ok(ids.into_iter().map(MailboxId).collect())
}
