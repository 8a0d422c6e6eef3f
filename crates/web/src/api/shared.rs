//! Pieces every resource file uses: timestamps as text, the errors every
//! endpoint can answer, and renaming a use case's field names to the API's.

use crate::error::{ApiErrorBody, ApiErrorDetail};
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ecp_app::AppError;
use utoipa::IntoResponses;

/// Epoch milliseconds as RFC 3339 in UTC, the format JSON clients expect.
pub(crate) fn time(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// The refusals any endpoint can give before it runs.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub(crate) enum AuthErrors {
    /// Missing, unknown or revoked token.
    #[response(status = 401)]
    Unauthenticated(ApiErrorBody),
    /// The plan or the account's Enable API option forbids the API, or the
    /// user's role does not allow this.
    #[response(status = 403)]
    Forbidden(ApiErrorBody),
}

/// Where the use case names a field differently from the API's JSON body,
/// the API's name is what the caller must see.
pub(crate) fn rename_field(e: AppError, from: &str, to: &'static str) -> AppError {
    match e {
        AppError::Validation(list) => AppError::Validation(
            list.into_iter()
                .map(|mut f| {
                    if f.field == from {
                        f.field = to;
                    }
                    f
                })
                .collect(),
        ),
        other => other,
    }
}

/// An error in the API's format for the few answers that don't come from a
/// use case (routing, body size).
pub(crate) fn json_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = ApiErrorBody {
        error: ApiErrorDetail {
            code: code.into(),
            message: message.into(),
            fields: Vec::new(),
        },
    };
    (status, Json(body)).into_response()
}

/// A known path with a method it doesn't have, answered in the API's error
/// format rather than axum's empty 405.
pub(crate) fn method_not_allowed() -> Response {
    json_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "This endpoint doesn't take that HTTP method. The list is at /api/v1/openapi.json.",
    )
}
