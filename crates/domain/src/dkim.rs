//! DKIM keys as the team sees them: which algorithm, what selector, and the
//! DNS TXT record to publish. The keys themselves are made and used by the
//! application layer.

use crate::validation::ValidationError;

/// The signing algorithms offered. Ed25519 is small and modern; RSA-2048 is
/// what every receiver understands (not all verify Ed25519 yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DkimAlgorithm {
    Ed25519,
    RsaSha256,
}

impl DkimAlgorithm {
    pub const ALL: [DkimAlgorithm; 2] = [DkimAlgorithm::Ed25519, DkimAlgorithm::RsaSha256];

    /// As stored and in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            DkimAlgorithm::Ed25519 => "ed25519",
            DkimAlgorithm::RsaSha256 => "rsa-sha256",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DkimAlgorithm::Ed25519 => "Ed25519",
            DkimAlgorithm::RsaSha256 => "RSA-2048",
        }
    }

    /// The `k=` tag of the DNS record.
    pub fn key_type(self) -> &'static str {
        match self {
            DkimAlgorithm::Ed25519 => "ed25519",
            DkimAlgorithm::RsaSha256 => "rsa",
        }
    }

    /// Accepts the stored names and the obvious spellings people type.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        match input.trim().to_ascii_lowercase().as_str() {
            "ed25519" | "ed25519-sha256" => Ok(DkimAlgorithm::Ed25519),
            "rsa" | "rsa-sha256" | "rsa-2048" | "rsa2048" => Ok(DkimAlgorithm::RsaSha256),
            _ => Err(ValidationError::new(
                "algorithm",
                "Choose the key type: ed25519 or rsa-sha256 (RSA-2048).",
            )),
        }
    }
}

/// The longest selector accepted; DNS labels are at most 63 bytes.
const MAX_SELECTOR: usize = 63;

/// A selector: one DNS label (letters, digits, hyphens; not at either end),
/// lowercased.
pub fn parse_selector(input: &str) -> Result<String, ValidationError> {
    let s = input.trim().to_ascii_lowercase();
    let bad = |m: &str| Err(ValidationError::new("selector", m));
    if s.is_empty() {
        return bad("The selector is required, e.g. ecp20260301.");
    }
    if s.len() > MAX_SELECTOR {
        return bad("The selector is too long: at most 63 characters.");
    }
    if !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        || s.starts_with('-')
        || s.ends_with('-')
    {
        return bad(
            "The selector may hold only letters, digits and hyphens (not first or last), e.g. ecp20260301.",
        );
    }
    Ok(s)
}

/// The selector offered for a key made on `date` (`yyyymmdd`).
pub fn default_selector(yyyymmdd: &str) -> String {
    format!("ecp{yyyymmdd}")
}

/// What to publish for one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsRecord {
    /// `<selector>._domainkey.<domain>`
    pub name: String,
    /// `v=DKIM1; k=...; p=...` in one piece.
    pub value: String,
}

/// One TXT string holds at most 255 bytes.
const TXT_STRING_MAX: usize = 255;

impl DnsRecord {
    pub fn new(domain: &str, selector: &str, algorithm: DkimAlgorithm, public_b64: &str) -> Self {
        Self {
            name: format!("{selector}._domainkey.{domain}"),
            value: format!("v=DKIM1; k={}; p={public_b64}", algorithm.key_type()),
        }
    }

    /// The value cut into quoted strings of at most 255 bytes, as a zone
    /// file needs for an RSA key (the record is the strings joined).
    pub fn zone_strings(&self) -> Vec<String> {
        // The value is ASCII (tags and base64), so byte cuts are char cuts.
        self.value
            .as_bytes()
            .chunks(TXT_STRING_MAX)
            .map(|c| format!("\"{}\"", String::from_utf8_lossy(c)))
            .collect()
    }

    /// `name. IN TXT ( "..." "..." )`, ready for a zone file.
    pub fn zone_line(&self) -> String {
        let strings = self.zone_strings();
        if strings.len() == 1 {
            format!("{}. IN TXT {}", self.name, strings.join(""))
        } else {
            format!("{}. IN TXT ( {} )", self.name, strings.join("\n    "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algorithms_round_trip() {
        for a in DkimAlgorithm::ALL {
            assert_eq!(DkimAlgorithm::parse(a.as_str()), Ok(a));
        }
        assert_eq!(DkimAlgorithm::parse(" RSA "), Ok(DkimAlgorithm::RsaSha256));
        assert!(DkimAlgorithm::parse("dsa").is_err());
    }

    #[test]
    fn selectors() {
        assert_eq!(parse_selector(" Ecp20260301 ").unwrap(), "ecp20260301");
        assert_eq!(parse_selector("mail-2").unwrap(), "mail-2");
        for bad in ["", "-a", "a-", "a.b", "a b", "ä", &"x".repeat(64)] {
            let e = parse_selector(bad).unwrap_err();
            assert_eq!(e.field, "selector", "{bad}");
        }
        assert_eq!(default_selector("20260301"), "ecp20260301");
    }

    #[test]
    fn long_records_are_split_into_255_byte_strings() {
        let short = DnsRecord::new("acme.example", "s1", DkimAlgorithm::Ed25519, "QUJD");
        assert_eq!(short.name, "s1._domainkey.acme.example");
        assert_eq!(short.value, "v=DKIM1; k=ed25519; p=QUJD");
        assert_eq!(
            short.zone_line(),
            "s1._domainkey.acme.example. IN TXT \"v=DKIM1; k=ed25519; p=QUJD\""
        );
        let long = DnsRecord::new(
            "acme.example",
            "s1",
            DkimAlgorithm::RsaSha256,
            &"A".repeat(392),
        );
        let strings = long.zone_strings();
        assert_eq!(strings.len(), 2);
        assert_eq!(strings[0].len(), 255 + 2);
        let joined: String = strings.iter().map(|s| s.trim_matches('"')).collect();
        assert_eq!(joined, long.value);
        assert!(long.zone_line().contains("( \"v=DKIM1; k=rsa; p=AAA"));
    }
}
