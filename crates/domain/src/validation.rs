//! The one error type for input that breaks a rule: it names the field and
//! says, in words for a person, what is wrong and how to fix it.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    pub field: &'static str,
    pub message: String,
}

impl ValidationError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for ValidationError {}

/// Trims and checks a one-line piece of text: not empty, not longer than
/// `max` characters, no control characters (which would break headers and
/// layouts).
pub fn single_line(
    field: &'static str,
    label: &str,
    input: &str,
    max: usize,
) -> Result<String, ValidationError> {
    let value = input.trim();
    if value.is_empty() {
        return Err(ValidationError::new(field, format!("{label} is required.")));
    }
    if value.chars().count() > max {
        return Err(ValidationError::new(
            field,
            format!("{label} is too long: at most {max} characters."),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(ValidationError::new(
            field,
            format!("{label} must be one line without control characters."),
        ));
    }
    Ok(value.to_string())
}
