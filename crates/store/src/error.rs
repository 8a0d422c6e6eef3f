use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    /// A UNIQUE constraint refused the write; the name says which.
    #[error("duplicate value for {0}")]
    Duplicate(String),
    /// A row holds a value the domain does not accept (hand-edited data,
    /// or a bug): reported, never panicked on.
    #[error("invalid stored value in {table}.{column}: {detail}")]
    Corrupt {
        table: &'static str,
        column: &'static str,
        detail: String,
    },
    #[error("database error: {0}")]
    Db(sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let Some(db) = e.as_database_error()
            && db.is_unique_violation()
        {
            let which = db
                .constraint()
                .map(str::to_string)
                .unwrap_or_else(|| db.message().to_string());
            return StoreError::Duplicate(which);
        }
        StoreError::Db(e)
    }
}

impl StoreError {
    /// True when a UNIQUE violation mentions `needle` (a column or index
    /// name); SQLite reports `table.column`, PostgreSQL the constraint name.
    pub fn is_duplicate_of(&self, needle: &str) -> bool {
        matches!(self, StoreError::Duplicate(which) if which.contains(needle))
    }
}
