//! What every form page shares: per-field messages after a validation
//! failure, and a message for the whole form when a rule (role, plan,
//! read-only) refused it.

use crate::error::{PageError, status_of};
use axum::http::StatusCode;
use ecp_app::AppError;
use ecp_domain::ValidationError;

#[derive(Default, Debug)]
pub(crate) struct FieldErrors(Vec<(String, String)>);

impl FieldErrors {
    /// `rename` maps a use case's field names onto the form's, where two
    /// forms on one page would otherwise share a name ("name").
    pub fn from_list(list: Vec<ValidationError>, rename: &[(&str, &str)]) -> Self {
        Self(
            list.into_iter()
                .map(|e| {
                    let field = rename
                        .iter()
                        .find(|(from, _)| *from == e.field)
                        .map_or(e.field, |(_, to)| to);
                    (field.to_string(), e.message)
                })
                .collect(),
        )
    }

    pub fn one(field: &str, message: impl Into<String>) -> Self {
        Self(vec![(field.to_string(), message.into())])
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A refused form submission, shown on the form again with the input kept.
pub(crate) struct FormError {
    pub status: StatusCode,
    pub fields: FieldErrors,
    pub message: Option<String>,
}

impl FormError {
    pub fn fields(fields: FieldErrors) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            fields,
            message: None,
        }
    }

    /// Rule errors stay on the form; "not found" and internal errors become
    /// error pages (there is no form worth keeping).
    pub fn from_app(e: AppError, rename: &[(&str, &str)]) -> Result<Self, PageError> {
        match e {
            AppError::Validation(list) => Ok(Self::fields(FieldErrors::from_list(list, rename))),
            AppError::NotFound | AppError::Internal(_) => Err(e.into()),
            other => Ok(Self {
                status: status_of(&other),
                fields: FieldErrors::default(),
                message: Some(other.to_string()),
            }),
        }
    }
}

/// Gives a page struct the `error_for` that `field_error.html` calls.
macro_rules! form_page {
    ($($t:ty),+) => {$(
        impl $t {
            fn error_for(&self, field: &str) -> Option<&str> {
                self.errors.get(field)
            }
        }
    )+};
}
pub(crate) use form_page;

/// An id from the path; anything that isn't one is simply not found.
pub(crate) fn path_id(raw: &str) -> Result<i64, PageError> {
    raw.parse::<i64>().map_err(|_| {
        PageError::new(
            StatusCode::NOT_FOUND,
            "Not found: it doesn't exist or you don't have access to it.",
        )
    })
}
