//! The token user's notification choice and personal RSS token.

use crate::api::shared::AuthErrors;
use crate::api::{ApiJson, ApiUser};
use crate::error::{ApiError, ApiErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_notifications, set_notifications))
        .routes(routes!(new_rss_token, revoke_rss_token))
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Notifications {
    /// Email me when a conversation is assigned to me.
    pub assigned: bool,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct NotificationsAndFeed {
    /// Email me when a conversation is assigned to me.
    pub assigned: bool,
    /// Whether an RSS token exists (the secret is never shown again).
    pub has_rss_token: bool,
}

/// The token user's notification choices.
#[utoipa::path(get, path = "/me/notifications", tag = "me",
    responses((status = 200, body = NotificationsAndFeed), AuthErrors))]
async fn get_notifications(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<NotificationsAndFeed>, ApiError> {
    let p = s.app.preferences(&actor).await?;
    Ok(Json(NotificationsAndFeed {
        assigned: p.notify_assigned,
        has_rss_token: p.has_rss_token,
    }))
}

/// Changes the token user's notification choices.
#[utoipa::path(put, path = "/me/notifications", tag = "me", request_body = Notifications,
    responses(
        (status = 200, body = NotificationsAndFeed),
        (status = 400, description = "The body is not valid JSON for this endpoint", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn set_notifications(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(body): ApiJson<Notifications>,
) -> Result<Json<NotificationsAndFeed>, ApiError> {
    s.app.set_notify_assigned(&actor, body.assigned).await?;
    get_notifications(State(s), ApiUser(actor)).await
}

#[derive(Serialize, ToSchema)]
pub(crate) struct RssToken {
    /// The secret for the personal feed URLs. Shown only this once; a new
    /// one replaces the old.
    pub secret: String,
}

/// Makes a new RSS token (the previous one stops working).
#[utoipa::path(post, path = "/me/rss-token", tag = "me",
    responses((status = 201, body = RssToken), AuthErrors))]
async fn new_rss_token(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<(StatusCode, Json<RssToken>), ApiError> {
    let secret = s.app.regenerate_rss_token(&actor).await?;
    Ok((StatusCode::CREATED, Json(RssToken { secret })))
}

/// Revokes the RSS token.
#[utoipa::path(delete, path = "/me/rss-token", tag = "me",
    responses(
        (status = 204, description = "Revoked"),
        AuthErrors,
    ))]
async fn revoke_rss_token(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<StatusCode, ApiError> {
    s.app.revoke_rss_token(&actor).await?;
    Ok(StatusCode::NO_CONTENT)
}
