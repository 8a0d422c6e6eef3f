//! Parsing server replies: status lines and the lines of multi-line listings.
//! Pure functions over bytes, so they are tested without a server.

use super::error::{Pop3Error, Step};

/// RFC 2449 allows 512 octets per response line; real servers stay well below.
/// Anything past this is a broken or hostile server, and reading on would only
/// grow memory.
pub(crate) const MAX_LINE: usize = 4096;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Status {
    pub ok: bool,
    /// What follows `+OK` / `-ERR`, trimmed, safe to show to a person.
    pub text: String,
}

pub(crate) fn parse_status(step: Step, line: &[u8]) -> Result<Status, Pop3Error> {
    let (ok, rest) = if let Some(rest) = line.strip_prefix(b"+OK") {
        (true, rest)
    } else if let Some(rest) = line.strip_prefix(b"-ERR") {
        (false, rest)
    } else {
        return Err(Pop3Error::protocol(
            step,
            format!("expected +OK or -ERR, got \"{}\"", printable(line)),
        ));
    };
    // "+OKAY" is not "+OK": the status must end or be followed by a space.
    if !rest.is_empty() && !rest.starts_with(b" ") {
        return Err(Pop3Error::protocol(
            step,
            format!("malformed status \"{}\"", printable(line)),
        ));
    }
    Ok(Status {
        ok,
        text: printable(rest).trim().to_string(),
    })
}

/// Server text goes into error messages and the UI: drop control characters
/// so it cannot forge lines or terminal escapes.
pub(crate) fn printable(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// One line of a multi-line listing (CAPA, UIDL), without its line ending.
/// `None` is the terminating ".".
pub(crate) fn listing_line(line: &[u8]) -> Option<&[u8]> {
    match line.strip_prefix(b".") {
        Some([]) => None,
        Some(rest) => Some(rest),
        None => Some(line),
    }
}

/// Strips the trailing CRLF (or a bare LF, which some servers send).
pub(crate) fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// `STAT` answers `+OK <count> <octets>`.
pub(crate) fn parse_stat(text: &str) -> Result<(u32, u64), Pop3Error> {
    let mut parts = text.split_ascii_whitespace();
    let count = parts.next().and_then(|s| s.parse().ok());
    let octets = parts.next().and_then(|s| s.parse().ok());
    match (count, octets) {
        (Some(c), Some(o)) => Ok((c, o)),
        _ => Err(Pop3Error::protocol(
            Step::Stat,
            format!("cannot read \"{text}\" as a message count and size"),
        )),
    }
}

/// A `UIDL` listing line: `<msg-no> <uid>`, the uid being 1 to 70 printable
/// characters (RFC 1939).
pub(crate) fn parse_uidl_line(line: &[u8]) -> Result<(u32, String), Pop3Error> {
    let bad = || {
        Pop3Error::protocol(
            Step::Uidl,
            format!(
                "cannot read \"{}\" as a message number and id",
                printable(line)
            ),
        )
    };
    let text = std::str::from_utf8(line).map_err(|_| bad())?;
    let mut parts = text.split_ascii_whitespace();
    let number = parts.next().and_then(|s| s.parse::<u32>().ok());
    let uid = parts.next();
    match (number, uid, parts.next()) {
        (Some(n), Some(uid), None)
            if uid.len() <= 70 && uid.bytes().all(|b| (0x21..=0x7e).contains(&b)) =>
        {
            Ok((n, uid.to_string()))
        }
        _ => Err(bad()),
    }
}

pub(crate) fn capability_names(lines: &[String]) -> impl Iterator<Item = String> + '_ {
    lines.iter().filter_map(|line| {
        line.split_ascii_whitespace()
            .next()
            .map(|name| name.to_ascii_uppercase())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines() {
        let ok = parse_status(Step::Greeting, b"+OK Dovecot ready.").unwrap();
        assert!(ok.ok);
        assert_eq!(ok.text, "Dovecot ready.");
        let err = parse_status(Step::Login, b"-ERR [AUTH] Authentication failed.").unwrap();
        assert!(!err.ok);
        assert_eq!(err.text, "[AUTH] Authentication failed.");
        assert!(parse_status(Step::Login, b"+OK").unwrap().ok);
        assert!(parse_status(Step::Login, b"+OKAY").is_err());
        assert!(parse_status(Step::Login, b"* OK imap").is_err());
        let forged = parse_status(Step::Login, b"-ERR a\x1b[31mb").unwrap();
        assert_eq!(forged.text, "a?[31mb");
    }

    #[test]
    fn listings() {
        assert_eq!(listing_line(b"."), None);
        assert_eq!(listing_line(b"..x"), Some(&b".x"[..]));
        assert_eq!(listing_line(b"1 abc"), Some(&b"1 abc"[..]));
        assert_eq!(trim_eol(b"a\r\n"), b"a");
        assert_eq!(trim_eol(b"a\n"), b"a");
    }

    #[test]
    fn stat_and_uidl() {
        assert_eq!(parse_stat("2 320").unwrap(), (2, 320));
        assert!(parse_stat("two").is_err());
        assert_eq!(
            parse_uidl_line(b"1 000000016b07dced").unwrap(),
            (1, "000000016b07dced".to_string())
        );
        assert!(parse_uidl_line(b"1").is_err());
        assert!(parse_uidl_line(b"x abc").is_err());
        assert!(parse_uidl_line(b"1 a b").is_err());
        assert!(parse_uidl_line(&[b'1', b' ', 0xff]).is_err());
    }
}
