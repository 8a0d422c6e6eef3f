//! /me: who the token belongs to, and their Preferences.

use crate::api::shared::{AuthErrors, rename_field};
use crate::api::{ApiJson, ApiUser};
use crate::error::{ApiError, ApiErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use ecp_app::Actor;
use ecp_app::user_changes::PreferencesPatch;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(me, update_me))
        .routes(routes!(change_password))
}

#[derive(Serialize, ToSchema)]
pub(crate) struct Me {
    pub id: i64,
    pub name: String,
    pub email: String,
    /// owner, administrator or user
    pub role: String,
    /// Personal signature (sanitized HTML), above the mailbox signature in
    /// replies.
    pub signature_html: String,
    pub account_id: i64,
    pub account_name: String,
    /// free, standard or premium
    pub plan: String,
    /// True when the plan's user limit makes this user read-only.
    pub read_only: bool,
}

/// Fields left out keep their value; on any invalid field nothing changes.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct MeChange {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// Sanitized: only simple formatting and http(s)/mailto links are kept.
    #[serde(default)]
    pub signature_html: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PasswordChange {
    pub current_password: String,
    /// At least 10 characters.
    pub new_password: String,
}

async fn load(s: &AppState, actor: &Actor) -> Result<Me, ApiError> {
    let account = s.app.account(actor).await?;
    let user = s.app.get_user(actor, actor.user_id).await?;
    Ok(Me {
        id: user.id.0,
        name: user.name,
        email: user.email.to_string(),
        role: user.role.as_str().to_string(),
        signature_html: user.signature_html,
        account_id: account.id.0,
        account_name: account.name,
        plan: account.plan.as_str().to_string(),
        read_only: actor.read_only,
    })
}

/// The user the token belongs to, and their account.
#[utoipa::path(get, path = "/me", tag = "me",
    responses((status = 200, body = Me), AuthErrors))]
async fn me(State(s): State<AppState>, ApiUser(actor): ApiUser) -> Result<Json<Me>, ApiError> {
    Ok(Json(load(&s, &actor).await?))
}

/// Changes one's own name, email or personal signature.
#[utoipa::path(patch, path = "/me", tag = "me", request_body = MeChange,
    responses(
        (status = 200, body = Me),
        (status = 400, description = "The body is not valid JSON for this endpoint", body = ApiErrorBody),
        (status = 422, description = "A field is invalid or the address is in use", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn update_me(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(body): ApiJson<MeChange>,
) -> Result<Json<Me>, ApiError> {
    let patch = PreferencesPatch {
        name: body.name,
        email: body.email,
        signature_html: body.signature_html,
    };
    s.app.update_preferences(&actor, &patch).await?;
    Ok(Json(load(&s, &actor).await?))
}

/// Changes one's own password. Every web session of the user ends; API
/// tokens keep working.
#[utoipa::path(post, path = "/me/password", tag = "me", request_body = PasswordChange,
    responses(
        (status = 204, description = "Changed"),
        (status = 400, description = "The body is not valid JSON for this endpoint", body = ApiErrorBody),
        (status = 422, description = "The current password is wrong or the new one breaks a rule", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn change_password(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(body): ApiJson<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    s.app
        .change_password(&actor, &body.current_password, &body.new_password, None)
        .await
        .map_err(|e| rename_field(e, "password", "new_password"))?;
    Ok(StatusCode::NO_CONTENT)
}
