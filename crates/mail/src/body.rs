//! Bodies and attachments out of a parsed MIME tree.

use mail_parser::decoders::html::{html_to_text, text_to_html};
use mail_parser::{Message, MessagePart, MimeHeaders, PartType};

use crate::filename::{fallback_filename, sanitize_filename};
use crate::message::Attachment;
use crate::parse::content_type_name;

/// The text body joins every part mail-parser put in the text flow (several
/// inline parts of a multipart/mixed are one body to a reader); HTML-only
/// mail gets a text rendering so search and previews always have text.
pub(crate) fn text_and_html(msg: &Message<'_>) -> (String, Option<String>) {
    let parts = |ids: &[u32]| -> Vec<&MessagePart<'_>> {
        ids.iter()
            .filter_map(|id| msg.parts.get(*id as usize))
            .collect()
    };
    let text: Vec<String> = parts(&msg.text_body)
        .into_iter()
        .filter_map(|p| match &p.body {
            PartType::Text(t) => Some(t.to_string()),
            PartType::Html(h) => Some(html_to_text(h)),
            _ => None,
        })
        .collect();
    let html_parts = parts(&msg.html_body);
    let has_real_html = html_parts
        .iter()
        .any(|p| matches!(p.body, PartType::Html(_)));
    let html = has_real_html.then(|| {
        html_parts
            .iter()
            .filter_map(|p| match &p.body {
                PartType::Html(h) => Some(h.to_string()),
                PartType::Text(t) => Some(text_to_html(t)),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    let text = match broken_multipart_text(msg) {
        Some(raw) if text.is_empty() && html.is_none() => raw,
        _ => text.join("\n"),
    };
    (text, html)
}

/// A top-level multipart whose boundary never shows up is handed back by
/// mail-parser as one opaque text part; its content is what the sender
/// wrote, so it is the body rather than an attachment.
fn broken_multipart_text(msg: &Message<'_>) -> Option<String> {
    let root = msg.parts.first()?;
    let declared_multipart = root
        .content_type()
        .is_some_and(|ct| ct.ctype().eq_ignore_ascii_case("multipart"));
    if !declared_multipart || !msg.text_body.is_empty() || !msg.html_body.is_empty() {
        return None;
    }
    match &root.body {
        PartType::Text(t) => Some(t.to_string()),
        PartType::Binary(b) | PartType::InlineBinary(b) => {
            std::str::from_utf8(b).ok().map(str::to_string)
        }
        _ => None,
    }
}

pub(crate) fn attachments(msg: &Message<'_>, html: Option<&str>) -> Vec<Attachment> {
    let html_lower = html.map(str::to_lowercase).unwrap_or_default();
    let root_is_body = broken_multipart_text(msg).is_some();
    msg.attachments
        .iter()
        .filter(|id| !(root_is_body && **id == 0))
        .filter_map(|id| msg.parts.get(*id as usize))
        .filter_map(|part| attachment(part, &html_lower))
        .collect()
}

fn attachment(part: &MessagePart<'_>, html_lower: &str) -> Option<Attachment> {
    let declared = part
        .content_type()
        .map(|ct| content_type_name(ct.ctype(), ct.subtype()));
    let (bytes, content_type, nested_subject) = match &part.body {
        PartType::Multipart(_) => return None,
        PartType::Text(t) | PartType::Html(t) => {
            let ct = declared.unwrap_or_else(|| "text/plain".into());
            (t.as_bytes().to_vec(), format!("{ct}; charset=utf-8"), None)
        }
        PartType::Binary(b) | PartType::InlineBinary(b) => (
            b.to_vec(),
            declared.unwrap_or_else(|| "application/octet-stream".into()),
            None,
        ),
        PartType::Message(m) => (
            m.raw_message.to_vec(),
            declared.unwrap_or_else(|| "message/rfc822".into()),
            m.parts
                .first()
                .and_then(|p| {
                    p.headers
                        .iter()
                        .find(|h| h.name.as_str().eq_ignore_ascii_case("Subject"))
                })
                .and_then(|h| h.value.as_text())
                .map(str::to_string),
        ),
    };
    let content_id = part
        .content_id()
        .map(|id| {
            id.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .trim()
                .to_string()
        })
        .filter(|id| !id.is_empty());
    let inline = content_id
        .as_ref()
        .is_some_and(|id| html_lower.contains(&format!("cid:{}", id.to_lowercase())));
    let filename = part
        .attachment_name()
        .and_then(sanitize_filename)
        .or_else(|| {
            nested_subject
                .as_deref()
                .and_then(sanitize_filename)
                .map(|s| format!("{s}.eml"))
        })
        .unwrap_or_else(|| fallback_filename(&content_type));
    Some(Attachment {
        filename,
        content_type,
        content_id,
        inline,
        size: bytes.len(),
        bytes,
    })
}
