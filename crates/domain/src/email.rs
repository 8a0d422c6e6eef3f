//! Email addresses as the product accepts them from people: one mailbox
//! address (no display name), compared case-insensitively, so that
//! `Sales@Example.com` and `sales@example.com` are the same mailbox.

use crate::validation::ValidationError;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        Self::parse_field("email", input)
    }

    /// Like [`EmailAddress::parse`], naming `field` in the error.
    pub fn parse_field(field: &'static str, input: &str) -> Result<Self, ValidationError> {
        let value = input.trim();
        let bad = |why: &str| {
            Err(ValidationError::new(
                field,
                format!("\"{}\" is not a valid email address: {why}", shorten(value)),
            ))
        };
        if value.is_empty() {
            return Err(ValidationError::new(field, "An email address is required."));
        }
        if value.len() > 254 {
            return bad("it is longer than 254 characters.");
        }
        let Some((local, domain)) = value.rsplit_once('@') else {
            return bad("it has no @.");
        };
        if local.is_empty() || local.len() > 64 {
            return bad("the part before @ must have 1 to 64 characters.");
        }
        if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return bad("dots can't start, end or repeat before the @.");
        }
        const SPECIAL: &[char] = &['(', ')', '<', '>', '[', ']', '\\', ',', ';', ':', '@', '"'];
        if local
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || SPECIAL.contains(&c))
        {
            return bad("it contains a space or a character that isn't allowed.");
        }
        if !valid_domain(domain) {
            return bad("the part after @ must be a domain name like example.com.");
        }
        Ok(Self(value.to_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or("")
    }
}

impl std::fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn valid_domain(domain: &str) -> bool {
    if domain.is_empty() || domain.len() > 253 || !domain.contains('.') {
        return false;
    }
    domain.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
    })
}

fn shorten(s: &str) -> String {
    if s.chars().count() > 60 {
        let head: String = s.chars().take(57).collect();
        format!("{head}...")
    } else {
        s.to_string()
    }
}

/// Parses a list of addresses separated by commas, semicolons, spaces or
/// new lines (how people paste them), dropping duplicates.
pub fn parse_list(field: &'static str, input: &str) -> Result<Vec<EmailAddress>, ValidationError> {
    let mut out: Vec<EmailAddress> = Vec::new();
    for part in input.split(|c: char| c == ',' || c == ';' || c.is_whitespace()) {
        if part.is_empty() {
            continue;
        }
        let addr = EmailAddress::parse_field(field, part)?;
        if !out.contains(&addr) {
            out.push(addr);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_lowercases() {
        assert_eq!(
            EmailAddress::parse(" Sales@Example.COM ").unwrap().as_str(),
            "sales@example.com"
        );
        assert!(EmailAddress::parse("first.last+tag@sub.example.co.uk").is_ok());
        assert!(EmailAddress::parse("jörg@bücher.example").is_ok());
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@b",
            "a b@example.com",
            "a@exa mple.com",
            "<a@example.com>",
            "a..b@example.com",
            "a@-x.com",
            "a@example..com",
            "\"quoted\"@example.com",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "accepted {bad:?}");
        }
        let long = format!("{}@example.com", "a".repeat(65));
        assert!(EmailAddress::parse(&long).is_err());
    }

    #[test]
    fn lists() {
        let l = parse_list("auto_bcc", "a@x.com, b@x.com;\nA@X.com").unwrap();
        assert_eq!(l.len(), 2);
        assert_eq!(parse_list("auto_bcc", "  ").unwrap().len(), 0);
        let e = parse_list("auto_bcc", "a@x.com, nope").unwrap_err();
        assert_eq!(e.field, "auto_bcc");
    }
}
