//! Reading columns into domain values; a value the domain refuses becomes
//! `StoreError::Corrupt` instead of a panic.

use crate::error::StoreError;
use sqlx::Row;
use sqlx::any::AnyRow;

pub(crate) fn get<'r, T>(row: &'r AnyRow, column: &'static str) -> Result<T, StoreError>
where
    T: sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    Ok(row.try_get::<T, _>(column)?)
}

pub(crate) fn flag(row: &AnyRow, column: &'static str) -> Result<bool, StoreError> {
    Ok(get::<i64>(row, column)? != 0)
}

pub(crate) fn parse<T, E: std::fmt::Display>(
    table: &'static str,
    column: &'static str,
    value: &str,
    f: impl FnOnce(&str) -> Result<T, E>,
) -> Result<T, StoreError> {
    f(value).map_err(|e| StoreError::Corrupt {
        table,
        column,
        detail: e.to_string(),
    })
}
