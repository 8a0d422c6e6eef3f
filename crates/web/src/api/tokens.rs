//! The token user's own API tokens. A secret is shown once, when created;
//! the database keeps only its hash.

use crate::api::shared::{AuthErrors, time};
use crate::api::{ApiId, ApiJson, ApiUser};
use crate::error::{ApiError, ApiErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use ecp_domain::ApiTokenId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
}

#[derive(Serialize, ToSchema)]
pub(crate) struct Token {
    pub id: i64,
    pub name: String,
    /// The first characters of the secret, to tell tokens apart.
    pub prefix: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub last_used_at: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewToken {
    /// What the token is for, to recognise it later.
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct CreatedToken {
    pub id: i64,
    pub name: String,
    /// Send as `Authorization: Bearer <secret>`. Shown only this once.
    pub secret: String,
}

/// The token user's active tokens.
#[utoipa::path(get, path = "/tokens", tag = "tokens",
    responses((status = 200, body = Vec<Token>), AuthErrors))]
async fn list_tokens(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<Vec<Token>>, ApiError> {
    let list = s.app.list_tokens(&actor).await?;
    Ok(Json(
        list.into_iter()
            .map(|t| Token {
                id: t.id.0,
                name: t.name,
                prefix: t.prefix,
                created_at: time(t.created_at),
                last_used_at: t.last_used_at.map(time),
            })
            .collect(),
    ))
}

/// Creates a token for the token user.
#[utoipa::path(post, path = "/tokens", tag = "tokens", request_body = NewToken,
    responses(
        (status = 201, body = CreatedToken),
        (status = 400, description = "The body is not valid JSON for this endpoint", body = ApiErrorBody),
        (status = 409, description = "Too many tokens", body = ApiErrorBody),
        (status = 422, description = "The name is empty or too long", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn create_token(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(body): ApiJson<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    let t = s.app.create_token(&actor, &body.name).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            id: t.id.0,
            name: t.name,
            secret: t.secret,
        }),
    ))
}

/// Revokes one of the token user's tokens; it stops working at once.
#[utoipa::path(delete, path = "/tokens/{id}", tag = "tokens",
    params(("id" = i64, Path, description = "Token id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 400, description = "The id is not a number", body = ApiErrorBody),
        (status = 404, description = "No such active token of this user", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn revoke_token(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
) -> Result<StatusCode, ApiError> {
    s.app.revoke_token(&actor, ApiTokenId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
