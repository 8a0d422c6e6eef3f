//! A mailbox's settings as the Mailboxes tab edits them, validated.

use crate::email::{EmailAddress, parse_list};
use crate::names::{MailboxName, PersonName};
use crate::validation::{ValidationError, single_line};

/// Auto-BCC is for a few archive or supervisor addresses, not a mailing list.
pub const MAX_AUTO_BCC: usize = 10;
/// Stored signature HTML (after sanitizing) is capped so a pasted page
/// can't bloat every outgoing message.
pub const MAX_SIGNATURE_BYTES: usize = 20_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxSettings {
    pub name: MailboxName,
    /// The mailbox's own address, delivered by the built-in SMTP listener.
    pub direct_address: EmailAddress,
    pub send_as_name: String,
    pub send_as_address: EmailAddress,
    /// Already sanitized HTML.
    pub signature_html: String,
    pub auto_bcc: Vec<EmailAddress>,
}

/// The raw strings a form or API call sends.
#[derive(Debug, Clone, Default)]
pub struct MailboxInput<'a> {
    pub name: &'a str,
    pub direct_address: &'a str,
    pub send_as_name: &'a str,
    pub send_as_address: &'a str,
    pub signature_html: &'a str,
    pub auto_bcc: &'a str,
}

impl MailboxSettings {
    /// Validates every field; `sanitized_signature` is the signature after
    /// the HTML allow-list (done by the caller, which owns the sanitizer).
    /// An empty send-as name falls back to the mailbox name, an empty
    /// send-as address to the direct address.
    pub fn parse(
        input: &MailboxInput<'_>,
        sanitized_signature: String,
    ) -> Result<Self, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let name = MailboxName::parse(input.name)
            .map_err(|e| errors.push(e))
            .ok();
        let direct_address = EmailAddress::parse_field("direct_address", input.direct_address)
            .map_err(|e| errors.push(e))
            .ok();
        let send_as_name = if input.send_as_name.trim().is_empty() {
            name.as_ref().map(|n| n.as_str().to_string())
        } else {
            single_line(
                "send_as_name",
                "Send-as name",
                input.send_as_name,
                PersonName::MAX_CHARS,
            )
            .map_err(|e| errors.push(e))
            .ok()
        };
        let send_as_address = if input.send_as_address.trim().is_empty() {
            direct_address.clone()
        } else {
            EmailAddress::parse_field("send_as_address", input.send_as_address)
                .map_err(|e| errors.push(e))
                .ok()
        };
        let auto_bcc = match parse_list("auto_bcc", input.auto_bcc) {
            Ok(list) if list.len() > MAX_AUTO_BCC => {
                errors.push(ValidationError::new(
                    "auto_bcc",
                    format!("At most {MAX_AUTO_BCC} Auto-BCC addresses."),
                ));
                None
            }
            Ok(list) => Some(list),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        if sanitized_signature.len() > MAX_SIGNATURE_BYTES {
            errors.push(ValidationError::new(
                "signature_html",
                "The signature is too long: keep it under 20,000 characters of formatted text.",
            ));
        }
        match (
            name,
            direct_address,
            send_as_name,
            send_as_address,
            auto_bcc,
        ) {
            (
                Some(name),
                Some(direct_address),
                Some(send_as_name),
                Some(send_as_address),
                Some(auto_bcc),
            ) if errors.is_empty() => Ok(Self {
                name,
                direct_address,
                send_as_name,
                send_as_address,
                signature_html: sanitized_signature,
                auto_bcc,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_errors() {
        let ok = MailboxSettings::parse(
            &MailboxInput {
                name: "Sales",
                direct_address: "sales@in.example.com",
                auto_bcc: "archive@example.com",
                ..Default::default()
            },
            String::new(),
        )
        .unwrap();
        assert_eq!(ok.send_as_name, "Sales");
        assert_eq!(ok.send_as_address.as_str(), "sales@in.example.com");
        assert_eq!(ok.auto_bcc.len(), 1);

        let errs = MailboxSettings::parse(
            &MailboxInput {
                name: "",
                direct_address: "nope",
                auto_bcc: "x",
                ..Default::default()
            },
            String::new(),
        )
        .unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["name", "direct_address", "auto_bcc"]);
    }
}
