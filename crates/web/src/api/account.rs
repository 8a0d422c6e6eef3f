//! The account: plan, limits and usage; Account Options; changing plan;
//! handing ownership to another user.

use crate::api::shared::{AuthErrors, rename_field, time};
use crate::api::{ApiJson, ApiUser};
use crate::error::{ApiError, ApiErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use ecp_app::account::{AccountRecord, AccountSummary, OptionsPatch};
use ecp_domain::UserId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_account))
        .routes(routes!(get_options, update_options))
        .routes(routes!(change_plan))
        .routes(routes!(transfer_owner))
}

#[derive(Serialize, ToSchema)]
pub(crate) struct Limits {
    pub max_mailboxes: u32,
    pub max_users: u32,
    /// Without it every user sees every mailbox.
    pub per_mailbox_permissions: bool,
    pub pop_over_ssl: bool,
    pub api: bool,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct Usage {
    pub mailboxes: u32,
    pub active_users: u32,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct Account {
    pub id: i64,
    pub name: String,
    /// free, standard or premium
    pub plan: String,
    pub limits: Limits,
    pub usage: Usage,
    /// Mailboxes over the plan's limit after a downgrade: readable, not
    /// changeable, until the account is back under the limit.
    pub read_only_mailboxes: Vec<String>,
    /// Users over the plan's limit after a downgrade.
    pub read_only_users: Vec<String>,
    /// RFC 3339, UTC.
    pub created_at: String,
}

impl From<AccountSummary> for Account {
    fn from(s: AccountSummary) -> Self {
        let l = s.account.plan.limits();
        Self {
            id: s.account.id.0,
            name: s.account.name,
            plan: s.account.plan.as_str().to_string(),
            limits: Limits {
                max_mailboxes: l.max_mailboxes,
                max_users: l.max_users,
                per_mailbox_permissions: l.per_mailbox_permissions,
                pop_over_ssl: l.pop_over_ssl,
                api: l.api,
            },
            usage: Usage {
                mailboxes: s.mailboxes,
                active_users: s.active_users,
            },
            read_only_mailboxes: s.read_only_mailboxes,
            read_only_users: s.read_only_users,
            created_at: time(s.account.created_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub(crate) struct Options {
    /// IANA time zone name; every time and day-based metric uses it.
    pub time_zone: String,
    pub ssl_required: bool,
    pub maintain_assignments: bool,
    pub admin_only_dashboards: bool,
    pub rss_enabled: bool,
    /// Paid plans only.
    pub api_enabled: bool,
    /// 1 (almost everything is spam) to 10 (almost nothing is).
    pub spam_threshold: u8,
}

impl From<AccountRecord> for Options {
    fn from(a: AccountRecord) -> Self {
        let o = a.options;
        Self {
            time_zone: o.time_zone.to_string(),
            ssl_required: o.ssl_required,
            maintain_assignments: o.maintain_assignments,
            admin_only_dashboards: o.admin_only_dashboards,
            rss_enabled: o.rss_enabled,
            api_enabled: o.api_enabled,
            spam_threshold: o.spam_threshold.value(),
        }
    }
}

/// Fields left out keep their value.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct OptionsChange {
    #[serde(default)]
    pub time_zone: Option<String>,
    #[serde(default)]
    pub ssl_required: Option<bool>,
    #[serde(default)]
    pub maintain_assignments: Option<bool>,
    #[serde(default)]
    pub admin_only_dashboards: Option<bool>,
    #[serde(default)]
    pub rss_enabled: Option<bool>,
    #[serde(default)]
    pub api_enabled: Option<bool>,
    #[serde(default)]
    pub spam_threshold: Option<i64>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PlanChange {
    /// free, standard or premium
    pub plan: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct OwnerTransfer {
    /// The active user who becomes the owner.
    pub user_id: i64,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct OwnerTransferred {
    pub owner_id: i64,
    /// Now an administrator, signed out of the web UI everywhere.
    pub previous_owner_id: i64,
}

/// The plan, its limits and the usage (owner and administrators).
#[utoipa::path(get, path = "/account", tag = "account",
    responses((status = 200, body = Account), AuthErrors))]
async fn get_account(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<Account>, ApiError> {
    Ok(Json(s.app.plan_usage(&actor).await?.into()))
}

/// Account Options (owner only).
#[utoipa::path(get, path = "/account/options", tag = "account",
    responses((status = 200, body = Options), AuthErrors))]
async fn get_options(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<Options>, ApiError> {
    Ok(Json(s.app.account_options(&actor).await?.into()))
}

/// Changes Account Options (owner only). On any invalid field nothing is
/// changed. Turning `api_enabled` off also ends this token's access.
#[utoipa::path(patch, path = "/account/options", tag = "account", request_body = OptionsChange,
    responses(
        (status = 200, body = Options),
        (status = 400, description = "The body is not valid JSON for this endpoint", body = ApiErrorBody),
        (status = 422, description = "A field is invalid", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn update_options(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(body): ApiJson<OptionsChange>,
) -> Result<Json<Options>, ApiError> {
    let patch = OptionsPatch {
        time_zone: body.time_zone,
        ssl_required: body.ssl_required,
        maintain_assignments: body.maintain_assignments,
        admin_only_dashboards: body.admin_only_dashboards,
        rss_enabled: body.rss_enabled,
        api_enabled: body.api_enabled,
        spam_threshold: body.spam_threshold,
    };
    Ok(Json(s.app.update_options(&actor, &patch).await?.into()))
}

/// Changes the plan (owner only). Going down deletes nothing: what exceeds
/// the new limits becomes read-only, and the API itself stops answering on
/// the Free plan.
#[utoipa::path(put, path = "/account/plan", tag = "account", request_body = PlanChange,
    responses(
        (status = 200, body = Account),
        (status = 400, description = "The body is not valid JSON for this endpoint", body = ApiErrorBody),
        (status = 422, description = "Not a plan name", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn change_plan(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(body): ApiJson<PlanChange>,
) -> Result<Json<Account>, ApiError> {
    Ok(Json(s.app.change_plan(&actor, &body.plan).await?.into()))
}

/// Hands ownership to another active user (owner only). The old owner
/// becomes an administrator and is signed out of the web UI.
#[utoipa::path(post, path = "/account/owner", tag = "account", request_body = OwnerTransfer,
    responses(
        (status = 200, body = OwnerTransferred),
        (status = 400, description = "The body is not valid JSON for this endpoint", body = ApiErrorBody),
        (status = 422, description = "Not another active user of this account", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn transfer_owner(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(body): ApiJson<OwnerTransfer>,
) -> Result<Json<OwnerTransferred>, ApiError> {
    s.app
        .transfer_ownership(&actor, UserId(body.user_id))
        .await
        .map_err(|e| rename_field(e, "new_owner", "user_id"))?;
    Ok(Json(OwnerTransferred {
        owner_id: body.user_id,
        previous_owner_id: actor.user_id.0,
    }))
}
