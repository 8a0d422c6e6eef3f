//! GET /me: who the token belongs to.

use crate::api::ApiUser;
use crate::error::{ApiError, ApiErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(me))
}

#[derive(Serialize, ToSchema)]
pub(crate) struct Me {
    pub id: i64,
    pub name: String,
    pub email: String,
    /// owner, administrator or user
    pub role: String,
    pub account_id: i64,
    pub account_name: String,
    /// free, standard or premium
    pub plan: String,
    /// True when the plan's user limit makes this user read-only.
    pub read_only: bool,
}

/// The user the token belongs to, and their account.
#[utoipa::path(get, path = "/me", tag = "me",
    responses(
        (status = 200, body = Me),
        (status = 401, description = "Missing, unknown or revoked token", body = ApiErrorBody),
        (status = 403, description = "The plan or the account's options forbid the API", body = ApiErrorBody),
    ))]
async fn me(State(s): State<AppState>, ApiUser(actor): ApiUser) -> Result<Json<Me>, ApiError> {
    let account = s.app.account(&actor).await?;
    Ok(Json(Me {
        id: actor.user_id.0,
        name: actor.name,
        email: actor.email.to_string(),
        role: actor.role.as_str().to_string(),
        account_id: account.id.0,
        account_name: account.name,
        plan: account.plan.as_str().to_string(),
        read_only: actor.read_only,
    }))
}
