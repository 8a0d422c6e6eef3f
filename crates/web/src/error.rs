//! One mapping from use-case errors to HTTP answers: an HTML page for the
//! UI, a JSON body for the API. Unknown errors are logged and answered with
//! a generic message; their cause is never shown.

use askama::Template;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use ecp_app::AppError;
use serde::Serialize;

pub(crate) fn status_of(e: &AppError) -> StatusCode {
    match e {
        AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::Forbidden(_) | AppError::PlanLimit(_) | AppError::ReadOnly(_) => {
            StatusCode::FORBIDDEN
        }
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        AppError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

pub(crate) fn code_of(e: &AppError) -> &'static str {
    match e {
        AppError::Validation(_) => "validation",
        AppError::NotFound => "not_found",
        AppError::Forbidden(_) => "forbidden",
        AppError::PlanLimit(_) => "plan_limit",
        AppError::ReadOnly(_) => "read_only",
        AppError::Conflict(_) => "conflict",
        AppError::Unauthenticated(_) => "unauthenticated",
        AppError::TooManyAttempts { .. } => "too_many_attempts",
        AppError::Internal(_) => "internal",
    }
}

fn public_message(e: &AppError) -> String {
    match e {
        AppError::Internal(cause) => {
            tracing::error!(%cause, "internal error");
            "Something went wrong on our side. Nothing was changed; try again in a moment."
                .to_string()
        }
        AppError::NotFound => {
            "Not found: it doesn't exist or you don't have access to it.".to_string()
        }
        other => other.to_string(),
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    title: &'a str,
    message: &'a str,
}

/// An error answered with an HTML page.
#[derive(Debug)]
pub(crate) struct PageError {
    status: StatusCode,
    message: String,
}

impl PageError {
    pub fn new(status: StatusCode, message: &str) -> Self {
        Self {
            status,
            message: message.to_string(),
        }
    }

    pub fn bad_request(message: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn forbidden(message: &str) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong on our side. Nothing was changed; try again in a moment.",
        )
    }
}

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        Self {
            status: status_of(&e),
            message: public_message(&e),
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let title = self.status.canonical_reason().unwrap_or("Error");
        let page = ErrorPage {
            status: self.status.as_u16(),
            title,
            message: &self.message,
        };
        match page.render() {
            Ok(body) => (self.status, Html(body)).into_response(),
            Err(_) => (self.status, self.message).into_response(),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ApiErrorBody {
    pub error: ApiErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ApiErrorDetail {
    /// Stable machine-readable code: validation, not_found, forbidden,
    /// plan_limit, read_only, conflict, unauthenticated, too_many_attempts,
    /// internal, bad_request.
    pub code: String,
    /// What went wrong and what to do, for a person.
    pub message: String,
    /// For validation errors: each field and what is wrong with it.
    pub fields: Vec<FieldError>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct FieldError {
    pub field: String,
    pub message: String,
}

/// An error answered with JSON.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    fields: Vec<(String, String)>,
}

impl ApiError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: "bad_request",
            message: message.into(),
            fields: Vec::new(),
        }
    }
}

impl ApiError {
    pub fn not_found_route() -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            code: "not_found",
            message: "No such API endpoint. The list is at /api/v1/openapi.json.".into(),
            fields: Vec::new(),
        }
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        let fields = match &e {
            AppError::Validation(list) => list
                .iter()
                .map(|f| (f.field.to_string(), f.message.clone()))
                .collect(),
            _ => Vec::new(),
        };
        Self {
            status: status_of(&e),
            code: code_of(&e),
            message: public_message(&e),
            fields,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ApiErrorBody {
            error: ApiErrorDetail {
                code: self.code.to_string(),
                message: self.message,
                fields: self
                    .fields
                    .into_iter()
                    .map(|(field, message)| FieldError { field, message })
                    .collect(),
            },
        };
        (self.status, Json(body)).into_response()
    }
}
