//! A mailbox's own SMTP server for outgoing mail: the settings an
//! administrator types, checked, and the rule that an account requiring SSL
//! never sends mail over a connection without TLS.

use std::fmt;

use crate::validation::{ValidationError, single_line};
use crate::{AccountOptions, Plan};

/// How the connection to the server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain SMTP, no encryption (a relay on the same host or network).
    None,
    /// Plain connection upgraded with STARTTLS; refused if not offered.
    Starttls,
    /// TLS from the first byte (usually port 465).
    Tls,
}

impl SmtpTls {
    pub fn as_str(self) -> &'static str {
        match self {
            SmtpTls::None => "none",
            SmtpTls::Starttls => "starttls",
            SmtpTls::Tls => "tls",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "none" => Ok(SmtpTls::None),
            "starttls" => Ok(SmtpTls::Starttls),
            "tls" | "ssl" => Ok(SmtpTls::Tls),
            _ => Err(ValidationError::new(
                "tls",
                "The connection security must be none, starttls or tls.",
            )),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SmtpTls::None => "No encryption",
            SmtpTls::Starttls => "STARTTLS",
            SmtpTls::Tls => "TLS from the start (SSL)",
        }
    }

    /// The usual port for this mode.
    pub fn default_port(self) -> u16 {
        match self {
            SmtpTls::None => 25,
            SmtpTls::Starttls => 587,
            SmtpTls::Tls => 465,
        }
    }
}

/// Whether the account's SSL option applies: on, and on a plan that has
/// SSL (the same rule as for POP accounts).
pub fn tls_required(plan: Plan, options: &AccountOptions) -> bool {
    options.ssl_required && plan.limits().pop_over_ssl
}

/// The reason a server without TLS is refused when the account requires SSL.
pub fn check_tls_allowed(tls: SmtpTls, tls_required: bool) -> Result<(), ValidationError> {
    if tls_required && tls == SmtpTls::None {
        return Err(ValidationError::new(
            "tls",
            "This account requires SSL for all its mail (Account Options → SSL), so mail can't \
             leave through an SMTP server without encryption. Choose STARTTLS or TLS, or ask \
             the account owner to turn the SSL option off.",
        ));
    }
    Ok(())
}

/// The raw values a form or API call sends.
#[derive(Clone, Default)]
pub struct SmtpServerInput<'a> {
    pub enabled: bool,
    pub host: &'a str,
    /// Empty means the usual port of the TLS mode.
    pub port: &'a str,
    pub tls: &'a str,
    /// Empty: no AUTH.
    pub username: &'a str,
    /// Empty keeps the stored password (it is never sent back).
    pub password: &'a str,
}

// Hand-written so the password never reaches a log line.
impl fmt::Debug for SmtpServerInput<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpServerInput")
            .field("enabled", &self.enabled)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// Checked settings; `password` is `None` when the stored one is kept.
#[derive(Clone, PartialEq, Eq)]
pub struct ValidSmtpServer {
    pub enabled: bool,
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    /// Empty: no AUTH.
    pub username: String,
    pub password: Option<String>,
}

impl fmt::Debug for ValidSmtpServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ValidSmtpServer")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

impl SmtpServerInput<'_> {
    /// Every broken field is reported at once.
    pub fn validate(&self) -> Result<ValidSmtpServer, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let host = host(self.host).unwrap_or_else(|e| {
            errors.push(e);
            String::new()
        });
        let tls = SmtpTls::parse(self.tls).unwrap_or_else(|e| {
            errors.push(e);
            SmtpTls::Starttls
        });
        let port = port(self.port, tls).unwrap_or_else(|e| {
            errors.push(e);
            0
        });
        let username = match self.username.trim() {
            "" => String::new(),
            u => single_line("username", "The SMTP username", u, 254).unwrap_or_else(|e| {
                errors.push(e);
                String::new()
            }),
        };
        let password = password(self.password).unwrap_or_else(|e| {
            errors.push(e);
            None
        });
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ValidSmtpServer {
            enabled: self.enabled,
            host,
            port,
            tls,
            username,
            password,
        })
    }
}

fn host(input: &str) -> Result<String, ValidationError> {
    let host = single_line("host", "The SMTP server", input, 253)?;
    let allowed = |c: char| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ':');
    // A colon belongs in an IPv6 address only; "smtp.example.com:587" is a
    // port typed into the server field.
    let stray_port = host.contains(':') && host.parse::<std::net::Ipv6Addr>().is_err();
    if !host.chars().all(allowed) || stray_port {
        return Err(ValidationError::new(
            "host",
            "The SMTP server must be a server name such as smtp.example.com or an IP address, \
             without spaces, \"smtp://\" or a port.",
        ));
    }
    Ok(host.trim_end_matches('.').to_string())
}

fn port(input: &str, tls: SmtpTls) -> Result<u16, ValidationError> {
    let input = input.trim();
    if input.is_empty() {
        return Ok(tls.default_port());
    }
    match input.parse::<u16>() {
        Ok(p) if p > 0 => Ok(p),
        _ => Err(ValidationError::new(
            "port",
            "The port must be a number from 1 to 65535 (usually 587 with STARTTLS, 465 with TLS).",
        )),
    }
}

fn password(input: &str) -> Result<Option<String>, ValidationError> {
    if input.is_empty() {
        return Ok(None);
    }
    if input.chars().count() > 1024 {
        return Err(ValidationError::new(
            "password",
            "The SMTP password is too long: at most 1024 characters.",
        ));
    }
    // A line break would end the AUTH exchange and smuggle in a command.
    if input.chars().any(|c| matches!(c, '\r' | '\n' | '\0')) {
        return Err(ValidationError::new(
            "password",
            "The SMTP password cannot contain line breaks.",
        ));
    }
    Ok(Some(input.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> SmtpServerInput<'static> {
        SmtpServerInput {
            enabled: true,
            host: " smtp.example.com. ",
            port: "",
            tls: "starttls",
            username: "desk@example.com",
            password: "pw",
        }
    }

    #[test]
    fn defaults_and_trimming() {
        let v = input().validate().unwrap();
        assert_eq!(
            (v.host.as_str(), v.port, v.tls),
            ("smtp.example.com", 587, SmtpTls::Starttls)
        );
        for (tls, port) in [("none", 25), ("tls", 465), ("TLS", 465)] {
            let i = SmtpServerInput { tls, ..input() };
            assert_eq!(i.validate().unwrap().port, port);
        }
        let kept = SmtpServerInput {
            password: "",
            username: "",
            ..input()
        };
        let v = kept.validate().unwrap();
        assert_eq!((v.password, v.username.as_str()), (None, ""));
        assert!(format!("{:?}", input()).contains("<redacted>"));
        assert!(!format!("{:?}", input().validate().unwrap()).contains("pw"));
    }

    #[test]
    fn every_broken_field_is_named() {
        let bad = SmtpServerInput {
            host: "smtp://x y",
            port: "0",
            tls: "maybe",
            password: "a\r\nRSET",
            ..input()
        };
        let fields: Vec<_> = bad
            .validate()
            .unwrap_err()
            .iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["host", "tls", "port", "password"]);
        for (given, ok) in [("smtp.example.com:587", false), ("::1", true), ("", false)] {
            let typed = SmtpServerInput {
                host: given,
                ..input()
            };
            assert_eq!(typed.validate().is_ok(), ok, "{given}");
        }
        for port in ["65536", "-1", "x"] {
            assert!(
                SmtpServerInput { port, ..input() }.validate().is_err(),
                "{port}"
            );
        }
        assert_eq!(
            SmtpServerInput {
                port: "65535",
                ..input()
            }
            .validate()
            .unwrap()
            .port,
            65535
        );
    }

    #[test]
    fn ssl_option_refuses_plain_smtp() {
        let e = check_tls_allowed(SmtpTls::None, true).unwrap_err();
        assert_eq!(e.field, "tls");
        assert!(e.message.contains("requires SSL"), "{}", e.message);
        assert!(check_tls_allowed(SmtpTls::None, false).is_ok());
        assert!(check_tls_allowed(SmtpTls::Starttls, true).is_ok());
        assert!(check_tls_allowed(SmtpTls::Tls, true).is_ok());
        let mut o = AccountOptions::defaults();
        o.ssl_required = true;
        assert!(tls_required(Plan::Standard, &o));
        assert!(!tls_required(Plan::Free, &o));
    }
}
