//! Extractors that answer in JSON: the token's user, and a JSON body whose
//! errors say what was wrong with it.

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
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
        Ok(ApiUser(s.app.api_actor(token).await?))
    }
}

/// A JSON request body. Malformed JSON or wrong types answer 400 with the
/// parser's explanation, in the API's error format.
pub(crate) struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(ApiError::bad_request(format!(
                "The request body is not valid: {}",
                rejection.body_text()
            ))),
        }
    }
}
