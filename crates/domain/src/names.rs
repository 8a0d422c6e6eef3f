//! Names people type: trimmed, one line, bounded. HTML in a name is kept as
//! text (templates escape it), never interpreted.

use crate::validation::{ValidationError, single_line};
use serde::Serialize;

macro_rules! name_type {
    ($name:ident, $field:literal, $label:literal, $max:literal) => {
        #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub const MAX_CHARS: usize = $max;

            pub fn parse(input: &str) -> Result<Self, ValidationError> {
                single_line($field, $label, input, $max).map(Self)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

name_type!(AccountName, "account_name", "Account name", 100);
name_type!(PersonName, "name", "Name", 100);
name_type!(MailboxName, "name", "Mailbox name", 100);
name_type!(TokenName, "name", "Token name", 60);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_bounds() {
        assert_eq!(PersonName::parse("  Ann  ").unwrap().as_str(), "Ann");
        assert_eq!(PersonName::parse("   ").unwrap_err().field, "name");
        assert!(PersonName::parse(&"x".repeat(101)).is_err());
        assert!(PersonName::parse(&"é".repeat(100)).is_ok());
        assert!(MailboxName::parse("Sales\nSupport").is_err());
    }

    #[test]
    fn html_is_kept_as_text() {
        let n = AccountName::parse("<script>alert(1)</script>").unwrap();
        assert_eq!(n.as_str(), "<script>alert(1)</script>");
    }
}
