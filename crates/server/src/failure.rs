use ecp_app::AppError;

/// Why the process stops early: printed as one line on stderr, with an
/// exit code a supervisor or script can act on.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    /// Exit code 2, like clap's usage errors: the operator must fix the
    /// configuration (file, environment, database address) before retrying.
    pub fn config(message: impl Into<String>) -> Self {
        Self {
            code: 2,
            message: message.into(),
        }
    }

    /// Exit code 1: the command ran and was refused or failed.
    pub fn failed(message: impl Into<String>) -> Self {
        Self {
            code: 1,
            message: message.into(),
        }
    }
}

impl From<AppError> for Failure {
    fn from(e: AppError) -> Self {
        Failure::failed(e.to_string())
    }
}

/// Library errors (TOML, sqlx) can span lines; a failure is printed as one.
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
