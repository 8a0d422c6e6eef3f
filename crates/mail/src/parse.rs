//! Raw bytes to [`ParsedMessage`]. mail-parser does the MIME work; this file
//! decides what "unparseable" means and turns borrowed parser output into
//! owned values the rest of the system can keep.

use std::borrow::Cow;

use mail_parser::decoders::charsets::map::charset_decoder;
use mail_parser::{Address, Header, HeaderValue, Message, MessageParser, MimeHeaders};

use crate::body;
use crate::message::{MailAddress, ParsedMessage, ReturnPath, TriageHeaders};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("the message is empty")]
    Empty,
    #[error("no mail header was found; this does not look like an email message")]
    NoHeaders,
    #[error("the MIME parser failed on this message")]
    ParserFailed,
}

/// Parses one RFC 5322 message.
///
/// Only input without a single well-formed header field is rejected: a
/// broken MIME structure, a bad encoding or a missing body still yields a
/// message with whatever could be recovered, because a customer's mail must
/// not disappear over a sender's bug. Never panics.
pub fn parse(raw: &[u8]) -> Result<ParsedMessage, ParseError> {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(ParseError::Empty);
    }
    // mail-parser promises not to panic but has debug assertions and a few
    // internal unwraps; one hostile message must not take an ingest worker down.
    std::panic::catch_unwind(|| parse_unguarded(raw)).unwrap_or(Err(ParseError::ParserFailed))
}

fn parse_unguarded(raw: &[u8]) -> Result<ParsedMessage, ParseError> {
    let parser = MessageParser::default();
    let msg = parser.parse(raw).ok_or(ParseError::NoHeaders)?;
    let root = msg.parts.first().ok_or(ParseError::NoHeaders)?;
    if !root.headers.iter().any(|h| is_field_name(h.name.as_str())) {
        return Err(ParseError::NoHeaders);
    }

    let headers: &[Header<'_>] = &root.headers;
    let mut people = Readable::from_headers(headers);
    // Raw 8-bit headers are not UTF-8 in practice but the body's charset or
    // Windows-1252. Where mail-parser had to put replacement characters,
    // the header block re-read in that charset usually reads right.
    let header_block = raw.get(..root.offset_body as usize).unwrap_or(raw);
    if std::str::from_utf8(header_block).is_err() {
        let transcoded = transcode_8bit(header_block, &msg);
        if let Some(alt) = parser.parse_headers(&transcoded) {
            let alt_headers = alt.parts.first().map_or(&[][..], |p| p.headers.as_slice());
            people.repair_from(Readable::from_headers(alt_headers));
        }
    }

    let (text_body, html_body) = body::text_and_html(&msg);
    let attachments = body::attachments(&msg, html_body.as_deref());
    let mut triage = triage_headers(&msg, headers);
    if let Some(ct) = root.content_type() {
        triage.content_type = content_type_name(ct.ctype(), ct.subtype());
        triage.report_type = ct
            .attribute("report-type")
            .map(|v| v.trim().to_ascii_lowercase());
    }

    Ok(ParsedMessage {
        message_id: message_id(&msg, headers),
        in_reply_to: ids(value(headers, "In-Reply-To")),
        references: ids(value(headers, "References")),
        from: people.from,
        reply_to: people.reply_to,
        to: people.to,
        cc: people.cc,
        subject: people.subject,
        date_ms: value(headers, "Date")
            .and_then(HeaderValue::as_datetime)
            .filter(|d| d.is_valid())
            .and_then(|d| d.to_timestamp().checked_mul(1000)),
        text_body,
        html_body,
        attachments,
        triage,
        has_defects: msg.parts.iter().any(|p| p.is_encoding_problem),
    })
}

/// The header fields people read, the ones worth repairing.
struct Readable {
    subject: String,
    from: Option<MailAddress>,
    reply_to: Vec<MailAddress>,
    to: Vec<MailAddress>,
    cc: Vec<MailAddress>,
}

impl Readable {
    fn from_headers(headers: &[Header<'_>]) -> Self {
        Readable {
            subject: value(headers, "Subject")
                .and_then(HeaderValue::as_text)
                .map(|s| s.trim().to_string())
                .unwrap_or_default(),
            from: addresses(value(headers, "From")).into_iter().next(),
            reply_to: addresses(value(headers, "Reply-To")),
            to: addresses(value(headers, "To")),
            cc: addresses(value(headers, "Cc")),
        }
    }

    fn repair_from(&mut self, alt: Readable) {
        const BAD: char = '\u{fffd}';
        let garbled = |list: &[MailAddress]| {
            list.iter().any(|a| {
                a.address.contains(BAD) || a.name.as_deref().is_some_and(|n| n.contains(BAD))
            })
        };
        if self.subject.contains(BAD) && !alt.subject.contains(BAD) {
            self.subject = alt.subject;
        }
        if garbled(self.from.as_slice()) && !garbled(alt.from.as_slice()) {
            self.from = alt.from;
        }
        for (mine, theirs) in [
            (&mut self.reply_to, alt.reply_to),
            (&mut self.to, alt.to),
            (&mut self.cc, alt.cc),
        ] {
            if garbled(mine) && !garbled(&theirs) {
                *mine = theirs;
            }
        }
    }
}

/// RFC 5322 field names are printable ASCII without colon; mail-parser also
/// accepts any junk before a colon, which is how binary files "parse".
fn is_field_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| (33..=126).contains(&b) && b != b':')
}

fn transcode_8bit(block: &[u8], msg: &Message<'_>) -> Vec<u8> {
    let declared = msg
        .parts
        .first()
        .and_then(|p| p.content_type())
        .and_then(|ct| ct.attribute("charset"))
        .filter(|cs| !cs.eq_ignore_ascii_case("utf-8") && !cs.eq_ignore_ascii_case("us-ascii"))
        .and_then(|cs| charset_decoder(cs.as_bytes()));
    match declared.or_else(|| charset_decoder(b"windows-1252")) {
        Some(decode) => decode(block).into_bytes(),
        None => String::from_utf8_lossy(block).into_owned().into_bytes(),
    }
}

pub(crate) fn content_type_name(ctype: &str, subtype: Option<&str>) -> String {
    format!(
        "{}/{}",
        ctype.trim(),
        subtype.unwrap_or("octet-stream").trim()
    )
    .to_ascii_lowercase()
}

fn find<'h, 'x>(headers: &'h [Header<'x>], name: &str) -> Option<&'h Header<'x>> {
    headers
        .iter()
        .find(|h| h.name.as_str().eq_ignore_ascii_case(name))
}

fn value<'h, 'x>(headers: &'h [Header<'x>], name: &str) -> Option<&'h HeaderValue<'x>> {
    find(headers, name).map(|h| &h.value)
}

/// The header's text as written, unfolded and trimmed; structured parsing
/// would lose detail (comments, `<>`) that the triage rules care about.
fn raw_text(msg: &Message<'_>, header: &Header<'_>) -> String {
    let bytes = msg
        .raw_message
        .get(header.offset_start as usize..header.offset_end as usize)
        .unwrap_or_default();
    String::from_utf8_lossy(bytes)
        .replace(['\r', '\n'], "")
        .trim()
        .to_string()
}

fn normalize_id(id: &str) -> Option<String> {
    let id: String = id
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .split_whitespace()
        .collect();
    (!id.is_empty()).then_some(id)
}

fn ids(value: Option<&HeaderValue<'_>>) -> Vec<String> {
    let raw: Vec<&str> = match value {
        Some(HeaderValue::Text(t)) => vec![t.as_ref()],
        Some(HeaderValue::TextList(list)) => list.iter().map(Cow::as_ref).collect(),
        _ => Vec::new(),
    };
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for id in raw.into_iter().filter_map(normalize_id) {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

fn message_id(msg: &Message<'_>, headers: &[Header<'_>]) -> Option<String> {
    let header = find(headers, "Message-ID")?;
    ids(Some(&header.value))
        .into_iter()
        .next()
        .or_else(|| normalize_id(&raw_text(msg, header)))
}

fn addresses(value: Option<&HeaderValue<'_>>) -> Vec<MailAddress> {
    let Some(HeaderValue::Address(list)) = value else {
        return Vec::new();
    };
    let iter: Box<dyn Iterator<Item = _>> = match list {
        Address::List(addrs) => Box::new(addrs.iter()),
        Address::Group(groups) => Box::new(groups.iter().flat_map(|g| g.addresses.iter())),
    };
    iter.filter_map(|a| {
        let address = a.address.as_deref()?.trim();
        if address.is_empty() {
            return None;
        }
        let name = a
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty() && *n != address)
            .map(str::to_string);
        Some(MailAddress {
            name,
            address: address.to_string(),
        })
    })
    .collect()
}

fn triage_headers(msg: &Message<'_>, headers: &[Header<'_>]) -> TriageHeaders {
    let mut t = TriageHeaders {
        content_type: "text/plain".into(),
        ..TriageHeaders::default()
    };
    let mut return_path = None;
    for h in headers {
        let name = h.name.as_str().to_ascii_lowercase();
        let slot = match name.as_str() {
            "auto-submitted" => &mut t.auto_submitted,
            "precedence" => &mut t.precedence,
            "list-id" => &mut t.list_id,
            "list-unsubscribe" => &mut t.list_unsubscribe,
            "x-auto-response-suppress" => &mut t.x_auto_response_suppress,
            "return-path" => &mut return_path,
            "received" => {
                t.received_count += 1;
                continue;
            }
            "authentication-results" => {
                t.authentication_results.push(raw_text(msg, h));
                continue;
            }
            n if n.starts_with("x-spam") => {
                t.x_spam
                    .push((h.name.as_str().to_string(), raw_text(msg, h)));
                continue;
            }
            _ => continue,
        };
        // The topmost instance is the one added last, by the receiving side.
        if slot.is_none() {
            *slot = Some(raw_text(msg, h));
        }
    }
    t.return_path = return_path.map_or(ReturnPath::Missing, |v| parse_return_path(&v));
    t
}

/// A blank Return-Path counts as null: answering it risks a mail loop and
/// there is nobody to answer anyway.
fn parse_return_path(value: &str) -> ReturnPath {
    let v = value.trim();
    let inner = match v.strip_prefix('<') {
        Some(rest) => rest.split('>').next().unwrap_or_default(),
        None => v,
    };
    match inner.trim() {
        "" => ReturnPath::Null,
        addr => ReturnPath::Address(addr.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_path_forms() {
        assert_eq!(parse_return_path("<>"), ReturnPath::Null);
        assert_eq!(parse_return_path(" < > "), ReturnPath::Null);
        assert_eq!(parse_return_path(""), ReturnPath::Null);
        assert_eq!(
            parse_return_path("<a@b.test>"),
            ReturnPath::Address("a@b.test".into())
        );
        assert_eq!(
            parse_return_path("a@b.test"),
            ReturnPath::Address("a@b.test".into())
        );
    }

    #[test]
    fn field_names() {
        assert!(is_field_name("X-Spam-Score"));
        assert!(!is_field_name("From foo@bar Mon Jan  1 00"));
        assert!(!is_field_name("\u{fffd}PNG"));
    }
}
