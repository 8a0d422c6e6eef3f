//! The Users tab: list, add (with a password or an invite link), read, and
//! change role or active state.

use crate::api::shared::{AuthErrors, time};
use crate::api::{ApiId, ApiJson, ApiUser};
use crate::error::{ApiError, ApiErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use ecp_app::user_changes::UserPatch;
use ecp_app::users::{NewUserInput, UserRecord};
use ecp_domain::UserId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user, update_user))
}

#[derive(Serialize, ToSchema)]
pub(crate) struct User {
    pub id: i64,
    pub name: String,
    pub email: String,
    /// owner, administrator or user
    pub role: String,
    pub active: bool,
    /// False for an invited user who has not chosen a password yet.
    pub has_password: bool,
    /// The plan's user limit makes this user read-only.
    pub over_plan_limit: bool,
    /// RFC 3339, UTC.
    pub created_at: String,
}

impl User {
    fn new(u: UserRecord, over_plan_limit: bool) -> Self {
        Self {
            id: u.id.0,
            name: u.name,
            email: u.email.to_string(),
            role: u.role.as_str().to_string(),
            active: u.active,
            has_password: u.has_password,
            over_plan_limit,
            created_at: time(u.created_at),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewUser {
    pub name: String,
    pub email: String,
    /// administrator or user (default user)
    #[serde(default)]
    pub role: Option<String>,
    /// Omit to get an invite link for the user to choose their own.
    #[serde(default)]
    pub password: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct CreatedUser {
    pub user: User,
    /// When no password was given: the secret of the invite link
    /// `/invite/{invite_token}`. Shown only this once.
    pub invite_token: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UserChange {
    /// administrator or user
    #[serde(default)]
    pub role: Option<String>,
    /// False deactivates: the user is signed out and their tokens revoked.
    #[serde(default)]
    pub active: Option<bool>,
}

/// Everyone in the account, oldest first.
#[utoipa::path(get, path = "/users", tag = "users",
    responses((status = 200, body = Vec<User>), AuthErrors))]
async fn list_users(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<Vec<User>>, ApiError> {
    let rows = s.app.list_users(&actor).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| User::new(r.user, r.over_plan_limit))
            .collect(),
    ))
}

/// Adds a user (owner and administrators).
#[utoipa::path(post, path = "/users", tag = "users", request_body = NewUser,
    responses(
        (status = 201, body = CreatedUser),
        (status = 400, description = "The body is not valid JSON for this endpoint", body = ApiErrorBody),
        (status = 422, description = "A field is invalid or the address is in use", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn create_user(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(body): ApiJson<NewUser>,
) -> Result<(StatusCode, Json<CreatedUser>), ApiError> {
    let input = NewUserInput {
        name: body.name,
        email: body.email,
        role: body.role.unwrap_or_default(),
        password: body.password.unwrap_or_default(),
    };
    let added = s.app.add_user(&actor, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedUser {
            user: User::new(added.user, false),
            invite_token: added.invite_token,
        }),
    ))
}

/// One user of the account.
#[utoipa::path(get, path = "/users/{id}", tag = "users",
    params(("id" = i64, Path, description = "User id")),
    responses(
        (status = 200, body = User),
        (status = 400, description = "The id is not a number", body = ApiErrorBody),
        (status = 404, description = "No such user in this account", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn get_user(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
) -> Result<Json<User>, ApiError> {
    let id = UserId(id);
    let rows = s.app.list_users(&actor).await?;
    let row = rows
        .into_iter()
        .find(|r| r.user.id == id)
        .ok_or(ecp_app::AppError::NotFound)?;
    Ok(Json(User::new(row.user, row.over_plan_limit)))
}

/// Changes a user's role or active state (owner and administrators; not
/// the owner, not oneself). Both change together or neither does.
#[utoipa::path(patch, path = "/users/{id}", tag = "users", request_body = UserChange,
    params(("id" = i64, Path, description = "User id")),
    responses(
        (status = 200, body = User),
        (status = 400, description = "The id or the body is not valid", body = ApiErrorBody),
        (status = 404, description = "No such user in this account", body = ApiErrorBody),
        (status = 422, description = "The role is not administrator or user", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn update_user(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<UserChange>,
) -> Result<Json<User>, ApiError> {
    let patch = UserPatch {
        role: body.role,
        active: body.active,
    };
    let user = s.app.update_user(&actor, UserId(id), &patch).await?;
    let over = s
        .app
        .list_users(&actor)
        .await?
        .into_iter()
        .any(|r| r.user.id == user.id && r.over_plan_limit);
    Ok(Json(User::new(user, over)))
}
