//! Headers and MIME structure, written by mail-builder.

use mail_builder::MessageBuilder;
use mail_builder::headers::address::Address;
use mail_builder::headers::date::Date;
use mail_builder::headers::message_id::MessageId;
use mail_builder::headers::raw::Raw;
use mail_builder::headers::text::Text;

use crate::filename::{fallback_filename, sanitize_filename};

use super::body::bodies;
use super::error::ComposeError;
use super::header_values::{address, ascii_domain, display_name};
use super::message_id::{Stamp, generate};
use super::outgoing::{Automatic, Kind, Outgoing, OutgoingAttachment, Person};
use super::subject::subject;
use super::thread::{ThreadHeaders, thread_headers};

/// A built message and what the outbox and the conversation need to know
/// about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Built {
    /// The RFC 5322 message, CRLF line ends, ready for DATA (and DKIM).
    pub raw: Vec<u8>,
    /// Our Message-ID, without angle brackets. Record it with the
    /// conversation's message: the customer's reply names it.
    pub message_id: String,
    pub subject: String,
    /// The Date header, epoch milliseconds (the header itself has seconds).
    pub date_ms: i64,
    /// Without brackets; None for new messages and forwards.
    pub in_reply_to: Option<String>,
    /// Without brackets, oldest first.
    pub references: Vec<String>,
    /// The To and Cc addresses as written (ASCII, deduplicated), for the
    /// SMTP envelope. The sender adds Auto-BCC addresses to the envelope
    /// only; they never appear in `raw`.
    pub recipients: Vec<String>,
    /// The text/plain alternative as sent.
    pub text: String,
    /// The text/html alternative as sent.
    pub html: String,
}

pub(crate) fn build_at(out: &Outgoing, stamp: Stamp) -> Result<Built, ComposeError> {
    let from_address = address(&out.from.address)
        .ok_or_else(|| ComposeError::BadFrom(out.from.address.clone()))?;
    let mut seen: Vec<String> = Vec::new();
    let to = recipients(&out.to, &mut seen)?;
    let cc = recipients(&out.cc, &mut seen)?;
    if seen.is_empty() {
        return Err(ComposeError::NoRecipients);
    }
    let id_domain = match &out.message_id_domain {
        Some(d) => ascii_domain(d).ok_or_else(|| ComposeError::BadMessageIdDomain(d.clone()))?,
        None => from_address
            .rsplit_once('@')
            .map(|(_, d)| d.to_string())
            .ok_or_else(|| ComposeError::BadFrom(out.from.address.clone()))?,
    };
    let total: usize = out.attachments.iter().map(|a| a.bytes.len()).sum();
    if let Some(limit) = out.max_attachment_bytes
        && total > limit
    {
        return Err(ComposeError::AttachmentsTooLarge { total, limit });
    }

    let message_id = generate(stamp, &id_domain);
    let subject = subject(out.kind, &out.subject, out.conversation_token);
    let thread = match (out.kind, &out.parent) {
        (Kind::Reply, Some(parent)) => thread_headers(parent),
        _ => ThreadHeaders::default(),
    };
    let bodies = bodies(out);

    let from_name = display_name(out.from.name.as_deref(), &from_address);
    let mut builder = MessageBuilder::new()
        .from(Address::new_address(from_name, from_address))
        .subject(Text::new(subject.clone()))
        .date(Date::new(stamp.now_ms.div_euclid(1000)))
        .message_id(MessageId::new(message_id.clone()));
    if !to.is_empty() {
        builder = builder.to(Address::new_list(to));
    }
    if !cc.is_empty() {
        builder = builder.cc(Address::new_list(cc));
    }
    if let Some(parent) = &thread.in_reply_to {
        builder = builder.in_reply_to(MessageId::new(parent.clone()));
    }
    if !thread.references.is_empty() {
        builder = builder.references(MessageId::new_list(thread.references.iter().cloned()));
    }
    let auto_submitted = match out.automatic {
        Automatic::No => None,
        Automatic::Replied => Some("auto-replied"),
        Automatic::Generated => Some("auto-generated"),
    };
    if let Some(value) = auto_submitted {
        // RFC 3834 asks for Auto-Submitted; Exchange and Outlook also honour
        // their own suppress header. No Precedence: RFC 2076 discourages
        // it, and `bulk` would file an answer to a person as bulk mail.
        builder = builder
            .header("Auto-Submitted", Raw::new(value))
            .header("X-Auto-Response-Suppress", Raw::new("All"));
    }
    builder = builder
        .text_body(bodies.text.clone())
        .html_body(bodies.html.clone());
    for a in &out.attachments {
        builder = builder.attachment(content_type(a), filename(a), a.bytes.clone());
    }
    let raw = builder.write_to_vec().unwrap_or_default();

    Ok(Built {
        raw,
        message_id,
        subject,
        date_ms: stamp.now_ms,
        in_reply_to: thread.in_reply_to,
        references: thread.references,
        recipients: seen,
        text: bodies.text,
        html: bodies.html,
    })
}

/// Header addresses for one field, skipping any address already used in
/// To or Cc; `seen` collects the envelope recipients.
fn recipients(
    people: &[Person],
    seen: &mut Vec<String>,
) -> Result<Vec<Address<'static>>, ComposeError> {
    let mut list = Vec::new();
    for p in people {
        let addr =
            address(&p.address).ok_or_else(|| ComposeError::BadRecipient(p.address.clone()))?;
        if seen.contains(&addr) {
            continue;
        }
        seen.push(addr.clone());
        list.push(Address::new_address(
            display_name(p.name.as_deref(), &addr),
            addr,
        ));
    }
    Ok(list)
}

impl OutgoingAttachment {
    /// The file name the recipient sees (made safe), for recording what was
    /// sent.
    pub fn sent_filename(&self) -> String {
        filename(self)
    }

    /// The content type it goes out with.
    pub fn sent_content_type(&self) -> String {
        content_type(self)
    }
}

fn filename(a: &OutgoingAttachment) -> String {
    sanitize_filename(&a.filename).unwrap_or_else(|| fallback_filename(&content_type(a)))
}

/// `type/subtype` in lower case, or `application/octet-stream` when the
/// upload's claim is not a plain MIME type (parameters are dropped: the
/// bytes go out base64-encoded as they are).
fn content_type(a: &OutgoingAttachment) -> String {
    let essence = a
        .content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b))
    };
    match essence.split_once('/') {
        Some((t, s)) if token(t) && token(s) && !t.starts_with("multipart") => essence.clone(),
        _ => "application/octet-stream".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn att(name: &str, ct: &str) -> OutgoingAttachment {
        OutgoingAttachment {
            filename: name.into(),
            content_type: ct.into(),
            bytes: vec![1, 2, 3],
        }
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type(&att("a", "Image/PNG")), "image/png");
        assert_eq!(
            content_type(&att("a", "text/plain; charset=x")),
            "text/plain"
        );
        for bad in [
            "",
            "png",
            "text/plain\r\nBcc: x",
            "a b/c",
            "multipart/mixed",
            "/x",
        ] {
            assert_eq!(
                content_type(&att("a", bad)),
                "application/octet-stream",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn filenames() {
        assert_eq!(filename(&att("../../etc/passwd", "text/plain")), "passwd");
        assert_eq!(filename(&att("a\r\nb.pdf", "application/pdf")), "a__b.pdf");
        assert_eq!(filename(&att("...", "application/pdf")), "attachment.pdf");
    }
}
