use ecp_domain::ValidationError;
use ecp_domain::plan::PlanLimitError;
use ecp_store::StoreError;
use thiserror::Error;

/// What a use case can answer besides success. Adapters map each variant to
/// their own form (HTTP status, CLI exit code) in one place.
#[derive(Debug, Error)]
pub enum AppError {
    /// Input broke a rule; every broken field is listed.
    #[error("{}", .0.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join(" "))]
    Validation(Vec<ValidationError>),
    /// Missing, or not visible to this user: the two are never told apart.
    #[error("Not found.")]
    NotFound,
    /// The user is known but their role, plan or account settings forbid it.
    #[error("{0}")]
    Forbidden(String),
    /// Clashes with existing data (an address already in use, ...).
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    PlanLimit(#[from] PlanLimitError),
    /// The thing exists but is over the plan's limits after a downgrade.
    #[error("{0}")]
    ReadOnly(String),
    /// Wrong credentials, expired session, bad token.
    #[error("{0}")]
    Unauthenticated(String),
    #[error(
        "Too many failed sign-in attempts. Wait {retry_after_minutes} minute(s) and try again."
    )]
    TooManyAttempts { retry_after_minutes: i64 },
    /// Anything unexpected; the cause is logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        AppError::Validation(vec![ValidationError::new(field, message)])
    }
}

impl From<ValidationError> for AppError {
    fn from(e: ValidationError) -> Self {
        AppError::Validation(vec![e])
    }
}

impl From<Vec<ValidationError>> for AppError {
    fn from(e: Vec<ValidationError>) -> Self {
        AppError::Validation(e)
    }
}

impl From<ecp_store::DbError> for AppError {
    fn from(e: ecp_store::DbError) -> Self {
        StoreError::from(e).into()
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Duplicate(which) => {
                AppError::Conflict(format!("That value is already in use ({which})."))
            }
            other => AppError::Internal(other.to_string()),
        }
    }
}
