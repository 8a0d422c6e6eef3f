//! Extractors that answer in JSON: the token's user, a JSON body and path
//! parameters whose errors say what was wrong with them.

use crate::api::shared::json_error;
use crate::error::ApiError;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use ecp_app::{Actor, AppError};
use serde::de::DeserializeOwned;

/// The user behind `Authorization: Bearer <token>`, after the plan and the
/// account's Enable API option have been checked.
pub(crate) struct ApiUser(pub Actor);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                ApiError::from(AppError::Unauthenticated(
                    "Send your API token as 'Authorization: Bearer <token>'. Create one in Preferences.".into(),
                ))
            })?;
        let actor = s.app.api_actor(token).await?;
        crate::ui::presence::note_seen(s, actor.user_id).await;
        Ok(ApiUser(actor))
    }
}

/// A JSON object as the request body. Every body of this API is an object;
/// serde would also take a JSON array for a struct, which no caller means,
/// so anything else is refused. Errors answer in the API's error format.
pub(crate) struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|m| {
                let m = m.trim().to_ascii_lowercase();
                m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
            })
            .unwrap_or(false);
        if !is_json {
            return Err(ApiError::bad_request(
                "Send the request body as JSON with the header 'Content-Type: application/json'.",
            )
            .into_response());
        }
        let bytes = match Bytes::from_request(req, state).await {
            Ok(b) => b,
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(json_error(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too_large",
                    "The request body is too large.",
                ));
            }
            Err(rejection) => {
                return Err(ApiError::bad_request(format!(
                    "The request body could not be read: {}",
                    rejection.body_text()
                ))
                .into_response());
            }
        };
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            return Err(
                ApiError::bad_request("The request body must be a JSON object: {...}.")
                    .into_response(),
            );
        }
        match axum::Json::<T>::from_bytes(&bytes) {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(ApiError::bad_request(format!(
                "The request body is not valid: {}",
                rejection.body_text()
            ))
            .into_response()),
        }
    }
}

/// An id from the URL. Axum's own rejection is plain text; an API caller
/// gets the API's JSON error instead.
pub(crate) struct ApiId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for ApiId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let raw = axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::bad_request("The URL needs exactly one id."))?;
        match raw.0.parse::<i64>() {
            Ok(id) if id > 0 => Ok(ApiId(id)),
            _ => Err(ApiError::bad_request(format!(
                "\"{}\" is not an id: ids are positive whole numbers.",
                raw.0.chars().take(40).collect::<String>()
            ))),
        }
    }
}
