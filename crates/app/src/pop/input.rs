//! The POP account form (or API body) checked into settings.

use std::fmt;

use ecp_domain::ValidationError;
use ecp_domain::validation::single_line;

/// The raw values a form or API call sends.
#[derive(Clone, Default)]
pub struct PopAccountInput<'a> {
    pub active: bool,
    pub name: &'a str,
    pub host: &'a str,
    /// Empty means the usual port: 995 with Use SSL, 110 without.
    pub port: &'a str,
    pub username: &'a str,
    /// Empty when editing keeps the stored password (it is never sent back
    /// to the form, so an untouched field arrives empty).
    pub password: &'a str,
    pub use_ssl: bool,
    pub copy_mail: bool,
}

// Hand-written so the password never reaches a log line.
impl fmt::Debug for PopAccountInput<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PopAccountInput")
            .field("active", &self.active)
            .field("name", &self.name)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("use_ssl", &self.use_ssl)
            .field("copy_mail", &self.copy_mail)
            .finish()
    }
}

/// Checked settings; `password` is `None` when the stored one is kept.
pub(crate) struct ValidPop {
    pub active: bool,
    pub name: String,
    pub host: String,
    pub port: u16,
    pub username: String,
    pub password: Option<String>,
    pub use_ssl: bool,
    pub copy_mail: bool,
}

impl PopAccountInput<'_> {
    /// Every broken field is reported at once. `password_required` is true
    /// for a new account.
    pub(crate) fn validate(
        &self,
        password_required: bool,
    ) -> Result<ValidPop, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let mut keep = |r: Result<String, ValidationError>| match r {
            Ok(v) => v,
            Err(e) => {
                errors.push(e);
                String::new()
            }
        };
        let name = keep(single_line("name", "The POP account name", self.name, 100));
        let host = keep(host(self.host));
        let username = keep(single_line(
            "username",
            "The POP username",
            self.username,
            254,
        ));
        let port = match port(self.port, self.use_ssl) {
            Ok(p) => p,
            Err(e) => {
                errors.push(e);
                0
            }
        };
        let password = match password(self.password, password_required) {
            Ok(p) => p,
            Err(e) => {
                errors.push(e);
                None
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ValidPop {
            active: self.active,
            name,
            host,
            port,
            username,
            password,
            use_ssl: self.use_ssl,
            copy_mail: self.copy_mail,
        })
    }
}

fn host(input: &str) -> Result<String, ValidationError> {
    let host = single_line("host", "The POP server", input, 253)?;
    let allowed = |c: char| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ':');
    // A colon belongs in an IPv6 address only; "pop.example.com:995" is a
    // port typed into the server field.
    let stray_port = host.contains(':') && host.parse::<std::net::Ipv6Addr>().is_err();
    if !host.chars().all(allowed) || stray_port {
        return Err(ValidationError::new(
            "host",
            "The POP server must be a server name such as pop.example.com or an IP address, \
             without spaces, \"pop3://\" or a port.",
        ));
    }
    Ok(host.trim_end_matches('.').to_string())
}

fn port(input: &str, use_ssl: bool) -> Result<u16, ValidationError> {
    let input = input.trim();
    if input.is_empty() {
        return Ok(if use_ssl { 995 } else { 110 });
    }
    match input.parse::<u16>() {
        Ok(p) if p > 0 => Ok(p),
        _ => Err(ValidationError::new(
            "port",
            "The port must be a number from 1 to 65535 (usually 995 with Use SSL, 110 without).",
        )),
    }
}

fn password(input: &str, required: bool) -> Result<Option<String>, ValidationError> {
    if input.is_empty() {
        return if required {
            Err(ValidationError::new(
                "password",
                "The POP password is required.",
            ))
        } else {
            Ok(None)
        };
    }
    if input.chars().count() > 1024 {
        return Err(ValidationError::new(
            "password",
            "The POP password is too long: at most 1024 characters.",
        ));
    }
    // A line break would end the PASS command and smuggle in another one.
    if input.chars().any(|c| matches!(c, '\r' | '\n' | '\0')) {
        return Err(ValidationError::new(
            "password",
            "The POP password cannot contain line breaks.",
        ));
    }
    Ok(Some(input.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> PopAccountInput<'static> {
        PopAccountInput {
            active: true,
            name: " Sales ",
            host: "pop.example.com.",
            port: "",
            username: "sales@example.com",
            password: "pw",
            use_ssl: true,
            copy_mail: false,
        }
    }

    #[test]
    fn defaults_and_trimming() {
        let v = input().validate(true).unwrap();
        assert_eq!(
            (v.name.as_str(), v.host.as_str(), v.port),
            ("Sales", "pop.example.com", 995)
        );
        let plain = PopAccountInput {
            use_ssl: false,
            ..input()
        };
        assert_eq!(plain.validate(true).unwrap().port, 110);
        let kept = PopAccountInput {
            password: "",
            ..input()
        };
        assert!(kept.validate(false).unwrap().password.is_none());
    }

    #[test]
    fn every_broken_field_is_named() {
        let bad = PopAccountInput {
            name: "",
            host: "pop3://x y",
            port: "70000",
            username: "",
            password: "",
            ..input()
        };
        let fields: Vec<_> = bad
            .validate(true)
            .err()
            .unwrap()
            .iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["name", "host", "username", "port", "password"]);
        for (given, ok) in [
            ("pop.example.com:995", false),
            ("::1", true),
            ("2001:db8::1", true),
        ] {
            let typed = PopAccountInput {
                host: given,
                ..input()
            };
            assert_eq!(typed.validate(true).is_ok(), ok, "{given}");
        }
        let smuggled = PopAccountInput {
            password: "a\r\nDELE 1",
            ..input()
        };
        assert!(smuggled.validate(true).is_err());
        assert!(format!("{:?}", input()).contains("<redacted>"));
    }
}
