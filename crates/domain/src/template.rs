//! Templates (canned replies): their validated fields, the limits that keep
//! a rendering cheap, and the placeholders people may use in them. Agents
//! insert them into replies; the autoresponder sends one on its own.

use crate::validation::{ValidationError, single_line};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TemplateId(pub i64);

impl std::fmt::Display for TemplateId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Stored body HTML (after sanitizing): a long canned reply, never a page.
pub const MAX_BODY_BYTES: usize = 50_000;
/// The subject is a header line; mail clients cut long ones anyway.
pub const MAX_SUBJECT_CHARS: usize = 200;
/// Rendered body HTML; a template that would write more is stopped.
pub const MAX_RENDERED_BYTES: usize = 200_000;
/// Work budget of one rendering (minijinja fuel: about one unit per
/// instruction or per 64 bytes produced). A real canned reply uses a few
/// hundred; a loop that would run for minutes stops within milliseconds.
pub const RENDER_FUEL: u64 = 100_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct TemplateName(String);

impl TemplateName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        single_line("name", "Template name", input, Self::MAX_CHARS).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for TemplateName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Optional subject (used when the template starts a message, e.g. the
/// autoresponder); empty means "keep the conversation's subject".
pub fn parse_subject(input: &str) -> Result<String, ValidationError> {
    if input.trim().is_empty() {
        return Ok(String::new());
    }
    single_line("subject", "Subject", input, MAX_SUBJECT_CHARS)
}

/// Checks an already sanitized body and its plain text. A body without
/// text (say `<p> </p>`) is refused: inserting nothing is never what was
/// meant.
pub fn check_body(sanitized_html: &str, plain_text: &str) -> Result<(), ValidationError> {
    if plain_text.trim().is_empty() {
        return Err(ValidationError::new(
            "body_html",
            "The template text is empty: write the reply it should insert.",
        ));
    }
    if sanitized_html.len() > MAX_BODY_BYTES {
        return Err(ValidationError::new(
            "body_html",
            format!(
                "The template text is too long: at most {} KB after formatting is cleaned. \
                 Shorten it or split it into two templates.",
                MAX_BODY_BYTES / 1000
            ),
        ));
    }
    Ok(())
}

/// A value a template can show, as people write it: `{{ customer.name }}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Placeholder {
    /// What to type, with the braces.
    pub code: &'static str,
    pub description: &'static str,
    /// Shown by Preview.
    pub sample: &'static str,
}

/// Every variable a rendering provides; anything else renders empty.
pub const PLACEHOLDERS: &[Placeholder] = &[
    Placeholder {
        code: "{{ customer.name }}",
        description: "The customer's name (empty when their mail had none)",
        sample: "Jane Customer",
    },
    Placeholder {
        code: "{{ customer.email }}",
        description: "The customer's email address",
        sample: "jane@example.com",
    },
    Placeholder {
        code: "{{ mailbox.name }}",
        description: "The name of the mailbox the conversation is in",
        sample: "Support",
    },
    Placeholder {
        code: "{{ agent.name }}",
        description: "Your name, or the name of whoever sends the reply",
        sample: "Alex Agent",
    },
    Placeholder {
        code: "{{ conversation.number }}",
        description: "The conversation's number",
        sample: "1234",
    },
];

/// The values one rendering fills in. Empty strings render as nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateContext {
    pub customer_name: String,
    pub customer_email: String,
    pub mailbox_name: String,
    pub agent_name: String,
    pub conversation_number: Option<i64>,
}

impl TemplateContext {
    /// The values Preview shows, matching `PLACEHOLDERS`' samples.
    pub fn sample() -> Self {
        Self {
            customer_name: "Jane Customer".into(),
            customer_email: "jane@example.com".into(),
            mailbox_name: "Support".into(),
            agent_name: "Alex Agent".into(),
            conversation_number: Some(1234),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_rules() {
        assert_eq!(TemplateName::parse("  Thanks ").unwrap().as_str(), "Thanks");
        assert_eq!(TemplateName::parse(" ").unwrap_err().field, "name");
        assert!(TemplateName::parse(&"x".repeat(101)).is_err());
        assert!(TemplateName::parse(&"é".repeat(100)).is_ok());
        assert!(TemplateName::parse("a\nb").is_err());
    }

    #[test]
    fn subject_is_optional_and_one_line() {
        assert_eq!(parse_subject("  ").unwrap(), "");
        assert_eq!(parse_subject(" Re: hi ").unwrap(), "Re: hi");
        assert_eq!(parse_subject("a\r\nBcc: x").unwrap_err().field, "subject");
        assert!(parse_subject(&"s".repeat(201)).is_err());
    }

    #[test]
    fn body_limits() {
        assert_eq!(check_body("<p> </p>", " ").unwrap_err().field, "body_html");
        let long = "x".repeat(MAX_BODY_BYTES + 1);
        assert!(check_body(&long, &long).is_err());
        assert!(check_body("<p>Hi</p>", "Hi").is_ok());
    }

    #[test]
    fn samples_match_the_placeholder_list() {
        let s = TemplateContext::sample();
        let samples: Vec<_> = PLACEHOLDERS.iter().map(|p| p.sample).collect();
        assert_eq!(
            samples,
            [
                s.customer_name.as_str(),
                &s.customer_email,
                &s.mailbox_name,
                &s.agent_name,
                "1234"
            ]
        );
    }
}
