use crate::error::StoreError;
use crate::row::{flag, get, parse};
use ecp_domain::{AccountId, AccountName, AccountOptions, Plan, SpamThreshold, TimeZoneName};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

#[derive(Debug, Clone)]
pub struct AccountRecord {
    pub id: AccountId,
    pub name: String,
    pub plan: Plan,
    pub options: AccountOptions,
    pub created_at: i64,
}

macro_rules! columns {
    () => {
        "id, name, plan, time_zone, ssl_required, maintain_assignments, \
         admin_only_dashboards, rss_enabled, api_enabled, spam_threshold, created_at"
    };
}

fn from_row(row: &AnyRow) -> Result<AccountRecord, StoreError> {
    let plan: String = get(row, "plan")?;
    let tz: String = get(row, "time_zone")?;
    let threshold: i64 = get(row, "spam_threshold")?;
    Ok(AccountRecord {
        id: AccountId(get(row, "id")?),
        name: get(row, "name")?,
        plan: parse("accounts", "plan", &plan, Plan::parse)?,
        options: AccountOptions {
            time_zone: parse("accounts", "time_zone", &tz, TimeZoneName::parse)?,
            ssl_required: flag(row, "ssl_required")?,
            maintain_assignments: flag(row, "maintain_assignments")?,
            admin_only_dashboards: flag(row, "admin_only_dashboards")?,
            rss_enabled: flag(row, "rss_enabled")?,
            api_enabled: flag(row, "api_enabled")?,
            spam_threshold: parse("accounts", "spam_threshold", "", |_| {
                SpamThreshold::new(threshold)
            })?,
        },
        created_at: get(row, "created_at")?,
    })
}

pub async fn insert(
    conn: &mut AnyConnection,
    name: &AccountName,
    plan: Plan,
    time_zone: &TimeZoneName,
    now: i64,
) -> Result<AccountId, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO accounts (name, plan, time_zone, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(name.as_str())
    .bind(plan.as_str())
    .bind(time_zone.as_str())
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(AccountId(id))
}

pub async fn get_by_id(
    conn: &mut AnyConnection,
    id: AccountId,
) -> Result<Option<AccountRecord>, StoreError> {
    let row = sqlx::query(concat!(
        "SELECT ",
        columns!(),
        " FROM accounts WHERE id = $1"
    ))
    .bind(id.0)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn list(conn: &mut AnyConnection) -> Result<Vec<AccountRecord>, StoreError> {
    let rows = sqlx::query(concat!("SELECT ", columns!(), " FROM accounts ORDER BY id"))
        .fetch_all(conn)
        .await?;
    rows.iter().map(from_row).collect()
}

pub async fn count(conn: &mut AnyConnection) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
        .fetch_one(conn)
        .await?)
}

pub async fn update_options(
    conn: &mut AnyConnection,
    id: AccountId,
    o: &AccountOptions,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE accounts SET time_zone = $1, ssl_required = $2, maintain_assignments = $3, \
         admin_only_dashboards = $4, rss_enabled = $5, api_enabled = $6, spam_threshold = $7 WHERE id = $8",
    )
    .bind(o.time_zone.as_str())
    .bind(i64::from(o.ssl_required))
    .bind(i64::from(o.maintain_assignments))
    .bind(i64::from(o.admin_only_dashboards))
    .bind(i64::from(o.rss_enabled))
    .bind(i64::from(o.api_enabled))
    .bind(i64::from(o.spam_threshold.value()))
    .bind(id.0)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_plan(
    conn: &mut AnyConnection,
    id: AccountId,
    plan: Plan,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE accounts SET plan = $1 WHERE id = $2")
        .bind(plan.as_str())
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn rename(
    conn: &mut AnyConnection,
    id: AccountId,
    name: &AccountName,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE accounts SET name = $1 WHERE id = $2")
        .bind(name.as_str())
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}
