//! Values that go into header fields. Names, subjects and ids come from
//! people and from other mail, so anything that could end a header line or
//! start a new one is taken out before mail-builder sees it.

use ecp_domain::email::EmailAddress;

/// Longest display name or subject kept; longer is surely junk, and RFC 2047
/// words for it would fill many folded lines.
const MAX_PHRASE_CHARS: usize = 500;
/// Longest Message-ID we copy from someone else's mail.
const MAX_ID_BYTES: usize = 250;

/// Free text for a header: every control character (CR, LF, TAB, NUL...)
/// and Unicode line or paragraph separator becomes a space, runs of spaces
/// shrink to one. Non-ASCII stays: mail-builder encodes it (RFC 2047).
pub(crate) fn one_line(text: &str) -> String {
    let spaced: String = text
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{85}') {
                ' '
            } else {
                c
            }
        })
        .take(MAX_PHRASE_CHARS)
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A display name, or None when nothing printable is left or it only
/// repeats the address.
pub(crate) fn display_name(name: Option<&str>, address: &str) -> Option<String> {
    let name = one_line(name?);
    (!name.is_empty() && !name.eq_ignore_ascii_case(address)).then_some(name)
}

/// An address fit for a header and the SMTP envelope: validated by the
/// domain's rules, an internationalized domain turned into its ASCII form.
/// A non-ASCII local part would need SMTPUTF8, which the relay may not
/// offer, so it is refused rather than sent garbled.
pub(crate) fn address(input: &str) -> Option<String> {
    let (local, domain) = input.trim().rsplit_once('@')?;
    if !local.is_ascii() {
        return None;
    }
    let domain = ascii_domain(domain)?;
    EmailAddress::parse(&format!("{local}@{domain}"))
        .ok()
        .map(|a| a.as_str().to_string())
}

/// A domain name in ASCII (IDNA), lower case, or None for anything else
/// (IP literals, empty labels, stray characters).
pub(crate) fn ascii_domain(domain: &str) -> Option<String> {
    let host = url::Host::parse(domain.trim()).ok()?;
    let url::Host::Domain(ascii) = host else {
        return None;
    };
    let ok = ascii.contains('.')
        && ascii.len() <= 253
        && ascii.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    ok.then_some(ascii)
}

/// A Message-ID from other mail, without brackets, or None when it could
/// not be written back safely (spaces, brackets, control or non-ASCII
/// characters, absurd length).
pub(crate) fn message_id(id: &str) -> Option<String> {
    let id = id.trim();
    let id = id.strip_prefix('<').unwrap_or(id);
    let id = id.strip_suffix('>').unwrap_or(id).trim();
    let ok = !id.is_empty()
        && id.len() <= MAX_ID_BYTES
        && id
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'<' && b != b'>');
    ok.then(|| id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_removes_breaks() {
        assert_eq!(one_line("a\r\nBcc: x@y.test"), "a Bcc: x@y.test");
        assert_eq!(one_line("  a\t\u{0}b\u{2028}c  "), "a b c");
        assert_eq!(one_line("Grüße aus Köln"), "Grüße aus Köln");
        assert_eq!(one_line(&"x".repeat(2000)).len(), MAX_PHRASE_CHARS);
    }

    #[test]
    fn names() {
        assert_eq!(display_name(Some(" \r\n "), "a@b.test"), None);
        assert_eq!(display_name(Some("A@B.test"), "a@b.test"), None);
        assert_eq!(display_name(None, "a@b.test"), None);
        assert_eq!(
            display_name(Some("Ann\r\nTo: evil@x.test"), "a@b.test").as_deref(),
            Some("Ann To: evil@x.test")
        );
    }

    #[test]
    fn addresses() {
        assert_eq!(
            address(" Ann@Example.test ").as_deref(),
            Some("ann@example.test")
        );
        assert_eq!(
            address("ann@bücher.example").as_deref(),
            Some("ann@xn--bcher-kva.example")
        );
        for bad in [
            "",
            "ann",
            "ann@",
            "@x.test",
            "ann@x.test\r\nBcc: e@x.test",
            "ann@x.test>, <e@x.test",
            "a nn@x.test",
            "jöe@x.test",
            "ann@1.2.3.4",
            "ann@[127.0.0.1]",
            "ann@localhost",
        ] {
            assert_eq!(address(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn ids() {
        assert_eq!(message_id(" <a.b@c> ").as_deref(), Some("a.b@c"));
        assert_eq!(message_id("a.b@c").as_deref(), Some("a.b@c"));
        assert_eq!(message_id("<a b@c>"), None);
        assert_eq!(message_id("<a@c>\r\nBcc: x"), None);
        assert_eq!(message_id("<a<b@c>"), None);
        assert_eq!(message_id("<>"), None);
        assert_eq!(message_id("<é@c>"), None);
        assert_eq!(message_id(&"x".repeat(300)), None);
    }
}
