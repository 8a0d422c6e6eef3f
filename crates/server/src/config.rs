//! Settings, from three layers: built-in defaults, an optional TOML file,
//! and `ECP_*` environment variables (which win). Each layer is a [`Layer`]
//! of optional values; [`resolve`] checks the merged result once, so the
//! rest of the program sees only valid settings.
//!
//! Adding a setting: a field in [`Layer`], a line in [`Layer::from_env`],
//! [`Layer::over`] and [`resolve`], a row in the README's table.

use crate::failure::{Failure, one_line};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The settings the program runs with, all checked.
#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub database_url: String,
    pub http_addr: SocketAddr,
    pub signup_enabled: bool,
    pub secure_cookies: bool,
    pub log: LogConfig,
    /// The inbound SMTP listener for mailboxes' direct addresses; `None`
    /// when turned off (`smtp_addr = "off"`).
    pub smtp: Option<SmtpListen>,
    /// Time between two polls of one connected POP account.
    pub pop_poll: std::time::Duration,
    /// Extra CA certificates (PEM) trusted for POP servers, besides the
    /// public ones: for a company's own mail server.
    pub pop_ca_file: Option<PathBuf>,
    /// Base64 key for stored third-party passwords; `None` uses (or
    /// creates) `secret.key` in the data directory.
    pub secret_key: Option<String>,
    /// Check SPF, DKIM and DMARC of incoming mail (needs DNS).
    pub mail_auth: bool,
    /// DNS servers for those checks; empty: the system's resolv.conf.
    pub dns_servers: Vec<SocketAddr>,
    /// Where outgoing mail is handed over (`smtp://`, `smtps://`); `None`:
    /// replies are queued but not sent until one is set.
    pub smtp_relay: Option<String>,
    /// Right-hand side of our Message-IDs; `None`: the send-as domain.
    pub message_id_domain: Option<String>,
    /// Extra CA certificates (PEM) trusted for mailboxes' own SMTP servers.
    pub smtp_ca_file: Option<PathBuf>,
    /// The autoresponder's loop breaker: at most this many auto-replies
    /// per mailbox within `autoreply_window`.
    pub autoreply_limit: u64,
    pub autoreply_window: std::time::Duration,
}

#[derive(Debug, Clone)]
pub struct SmtpListen {
    pub addr: SocketAddr,
    /// The name the listener greets with (EHLO).
    pub hostname: String,
    pub max_message_size: usize,
    /// Certificate and key (PEM) for STARTTLS; without them STARTTLS is
    /// not offered.
    pub tls: Option<(PathBuf, PathBuf)>,
}

#[derive(Debug, Clone)]
pub struct LogConfig {
    /// An `EnvFilter` directive such as `info` or `info,ecp_app=debug`;
    /// `None` picks a default that depends on the command.
    pub filter: Option<String>,
    pub format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

pub const DEFAULT_DATA_DIR: &str = "data";
pub const DEFAULT_HTTP_ADDR: &str = "127.0.0.1:8080";
pub const DEFAULT_SMTP_ADDR: &str = "127.0.0.1:2525";
/// 35 MB: what common providers accept, with room for encoding overhead.
pub const DEFAULT_SMTP_MAX_MESSAGE_SIZE: u64 = 36_700_160;
pub const DEFAULT_POP_POLL_SECONDS: u64 = 60;

/// One layer of settings; `None` means "not set here".
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layer {
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub http_addr: Option<String>,
    pub signup_enabled: Option<bool>,
    pub secure_cookies: Option<bool>,
    pub log: Option<String>,
    pub log_format: Option<LogFormat>,
    pub smtp_addr: Option<String>,
    pub smtp_hostname: Option<String>,
    pub smtp_max_message_size: Option<u64>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub pop_poll_seconds: Option<u64>,
    pub pop_ca_file: Option<PathBuf>,
    pub secret_key: Option<String>,
    pub mail_auth: Option<bool>,
    pub dns_servers: Option<String>,
    pub smtp_relay: Option<String>,
    pub message_id_domain: Option<String>,
    pub smtp_ca_file: Option<PathBuf>,
    pub autoreply_limit: Option<u64>,
    pub autoreply_window_minutes: Option<u64>,
}

impl Layer {
    /// Reads `ECP_*` variables through `get`; an empty value counts as unset,
    /// so `ECP_X=` in a unit file does not turn a setting into garbage.
    pub fn from_env(get: &dyn Fn(&str) -> Option<String>) -> Result<Layer, Failure> {
        let var = |key: &str| get(key).filter(|v| !v.trim().is_empty());
        Ok(Layer {
            data_dir: var("ECP_DATA_DIR").map(PathBuf::from),
            database_url: var("ECP_DATABASE_URL"),
            http_addr: var("ECP_HTTP_ADDR"),
            signup_enabled: env_bool(&var, "ECP_SIGNUP_ENABLED")?,
            secure_cookies: env_bool(&var, "ECP_SECURE_COOKIES")?,
            // RUST_LOG is what Rust people type out of habit; ECP_LOG wins.
            log: var("ECP_LOG").or_else(|| var("RUST_LOG")),
            log_format: match var("ECP_LOG_FORMAT") {
                None => None,
                Some(v) => Some(parse_log_format(&v).ok_or_else(|| {
                    Failure::config(format!(
                        "ECP_LOG_FORMAT={v:?} is not a log format: use text or json"
                    ))
                })?),
            },
            smtp_addr: var("ECP_SMTP_ADDR"),
            smtp_hostname: var("ECP_SMTP_HOSTNAME"),
            smtp_max_message_size: env_u64(&var, "ECP_SMTP_MAX_MESSAGE_SIZE")?,
            tls_cert: var("ECP_TLS_CERT").map(PathBuf::from),
            tls_key: var("ECP_TLS_KEY").map(PathBuf::from),
            pop_poll_seconds: env_u64(&var, "ECP_POP_POLL_SECONDS")?,
            pop_ca_file: var("ECP_POP_CA_FILE").map(PathBuf::from),
            secret_key: var("ECP_SECRET_KEY"),
            mail_auth: env_bool(&var, "ECP_MAIL_AUTH")?,
            dns_servers: var("ECP_DNS_SERVERS"),
            smtp_relay: var("ECP_SMTP_RELAY"),
            message_id_domain: var("ECP_MESSAGE_ID_DOMAIN"),
            smtp_ca_file: var("ECP_SMTP_CA_FILE").map(PathBuf::from),
            autoreply_limit: env_u64(&var, "ECP_AUTOREPLY_LIMIT")?,
            autoreply_window_minutes: env_u64(&var, "ECP_AUTOREPLY_WINDOW_MINUTES")?,
        })
    }

    /// Reads a TOML file; errors name the file and line.
    pub fn from_file(path: &Path) -> Result<Layer, Failure> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Failure::config(format!("cannot read config file {}: {e}", path.display()))
        })?;
        toml::from_str(&text).map_err(|e| {
            let line = e
                .span()
                .map(|s| format!(" line {}:", text[..s.start].matches('\n').count() + 1))
                .unwrap_or_default();
            Failure::config(format!(
                "config file {}:{line} {}",
                path.display(),
                one_line(e.message())
            ))
        })
    }

    /// `self` with every value that `top` sets replaced by `top`'s.
    pub fn over(self, top: Layer) -> Layer {
        Layer {
            data_dir: top.data_dir.or(self.data_dir),
            database_url: top.database_url.or(self.database_url),
            http_addr: top.http_addr.or(self.http_addr),
            signup_enabled: top.signup_enabled.or(self.signup_enabled),
            secure_cookies: top.secure_cookies.or(self.secure_cookies),
            log: top.log.or(self.log),
            log_format: top.log_format.or(self.log_format),
            smtp_addr: top.smtp_addr.or(self.smtp_addr),
            smtp_hostname: top.smtp_hostname.or(self.smtp_hostname),
            smtp_max_message_size: top.smtp_max_message_size.or(self.smtp_max_message_size),
            tls_cert: top.tls_cert.or(self.tls_cert),
            tls_key: top.tls_key.or(self.tls_key),
            pop_poll_seconds: top.pop_poll_seconds.or(self.pop_poll_seconds),
            pop_ca_file: top.pop_ca_file.or(self.pop_ca_file),
            secret_key: top.secret_key.or(self.secret_key),
            mail_auth: top.mail_auth.or(self.mail_auth),
            dns_servers: top.dns_servers.or(self.dns_servers),
            smtp_relay: top.smtp_relay.or(self.smtp_relay),
            message_id_domain: top.message_id_domain.or(self.message_id_domain),
            smtp_ca_file: top.smtp_ca_file.or(self.smtp_ca_file),
            autoreply_limit: top.autoreply_limit.or(self.autoreply_limit),
            autoreply_window_minutes: top
                .autoreply_window_minutes
                .or(self.autoreply_window_minutes),
        }
    }
}

/// The file (if any) under the environment, checked.
pub fn load(file: Option<&Path>, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, Failure> {
    let from_file = match file {
        Some(path) => Layer::from_file(path)?,
        None => Layer::default(),
    };
    resolve(from_file.over(Layer::from_env(env)?))
}

pub fn resolve(layer: Layer) -> Result<Config, Failure> {
    let smtp = resolve_smtp(&layer)?;
    let data_dir = std::path::absolute(layer.data_dir.unwrap_or_else(|| DEFAULT_DATA_DIR.into()))
        .map_err(|e| Failure::config(format!("data_dir: {e}")))?;
    let database_url = match layer.database_url {
        Some(url) => url,
        None => sqlite_url(&data_dir.join("ecp.db"))?,
    };
    if !(database_url.starts_with("sqlite:")
        || database_url.starts_with("postgres:")
        || database_url.starts_with("postgresql:"))
    {
        return Err(Failure::config(format!(
            "database_url {}: use sqlite://PATH or postgres://USER@HOST/DATABASE",
            redact(&database_url)
        )));
    }
    let addr = layer.http_addr.as_deref().unwrap_or(DEFAULT_HTTP_ADDR);
    let http_addr = addr.trim().parse::<SocketAddr>().map_err(|_| {
        Failure::config(format!(
            "http_addr {addr:?} is not an address to listen on: write IP:PORT, e.g. 127.0.0.1:8080 or 0.0.0.0:8080"
        ))
    })?;
    let pop_poll_seconds = layer.pop_poll_seconds.unwrap_or(DEFAULT_POP_POLL_SECONDS);
    if pop_poll_seconds == 0 {
        return Err(Failure::config(
            "pop_poll_seconds must be at least 1 (the default is 60)",
        ));
    }
    Ok(Config {
        data_dir,
        database_url,
        http_addr,
        smtp,
        pop_poll: std::time::Duration::from_secs(pop_poll_seconds),
        pop_ca_file: layer.pop_ca_file,
        secret_key: layer.secret_key,
        mail_auth: layer.mail_auth.unwrap_or(true),
        dns_servers: parse_dns_servers(layer.dns_servers.as_deref())?,
        smtp_relay: match layer.smtp_relay {
            Some(url) => Some(
                ecp_app::outbound::RelayUrl::parse(url.trim())
                    .map(|_| url.trim().to_string())
                    .map_err(|e| Failure::config(format!("smtp_relay: {e}")))?,
            ),
            None => None,
        },
        message_id_domain: layer.message_id_domain,
        smtp_ca_file: layer.smtp_ca_file,
        autoreply_limit: match layer.autoreply_limit.unwrap_or(50) {
            0 => {
                return Err(Failure::config(
                    "autoreply_limit must be at least 1 (the default is 50); turn a mailbox's autoresponder off instead",
                ));
            }
            n => n,
        },
        autoreply_window: match layer.autoreply_window_minutes.unwrap_or(60) {
            0 => {
                return Err(Failure::config(
                    "autoreply_window_minutes must be at least 1 (the default is 60)",
                ));
            }
            m => std::time::Duration::from_secs(m.saturating_mul(60)),
        },
        signup_enabled: layer.signup_enabled.unwrap_or(false),
        secure_cookies: layer.secure_cookies.unwrap_or(false),
        log: LogConfig {
            filter: layer.log,
            format: layer.log_format.unwrap_or(LogFormat::Text),
        },
    })
}

fn resolve_smtp(layer: &Layer) -> Result<Option<SmtpListen>, Failure> {
    let addr = layer
        .smtp_addr
        .as_deref()
        .unwrap_or(DEFAULT_SMTP_ADDR)
        .trim();
    if addr.eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    let addr = addr.parse::<SocketAddr>().map_err(|_| {
        Failure::config(format!(
            "smtp_addr {addr:?} is not an address to listen on: write IP:PORT (e.g. 0.0.0.0:25), or off"
        ))
    })?;
    let tls = match (&layer.tls_cert, &layer.tls_key) {
        (Some(c), Some(k)) => Some((c.clone(), k.clone())),
        (None, None) => None,
        _ => {
            return Err(Failure::config(
                "tls_cert and tls_key go together: set both (PEM files) or neither",
            ));
        }
    };
    let max = layer
        .smtp_max_message_size
        .unwrap_or(DEFAULT_SMTP_MAX_MESSAGE_SIZE);
    if max < 1024 {
        return Err(Failure::config(
            "smtp_max_message_size is in bytes and must be at least 1024",
        ));
    }
    Ok(Some(SmtpListen {
        addr,
        hostname: layer
            .smtp_hostname
            .clone()
            .unwrap_or_else(|| "localhost".to_string()),
        max_message_size: usize::try_from(max).unwrap_or(usize::MAX),
        tls,
    }))
}

/// `IP` or `IP:PORT`, separated by commas or spaces; port 53 by default.
fn parse_dns_servers(list: Option<&str>) -> Result<Vec<SocketAddr>, Failure> {
    let Some(list) = list else {
        return Ok(Vec::new());
    };
    list.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<SocketAddr>()
                .or_else(|_| s.parse::<std::net::IpAddr>().map(|ip| SocketAddr::new(ip, 53)))
                .map_err(|_| {
                    Failure::config(format!(
                        "dns_servers: {s:?} is not an IP address (write e.g. 192.0.2.53 or 192.0.2.53:53)"
                    ))
                })
        })
        .collect()
}

fn env_u64(var: &dyn Fn(&str) -> Option<String>, key: &str) -> Result<Option<u64>, Failure> {
    let Some(v) = var(key) else { return Ok(None) };
    v.trim()
        .parse::<u64>()
        .map(Some)
        .map_err(|_| Failure::config(format!("{key}={v:?} is not a whole number")))
}

/// A SQLite URL for `path`. sqlx percent-decodes the path, so the
/// characters that would be misread are encoded.
fn sqlite_url(path: &Path) -> Result<String, Failure> {
    let text = path.to_str().ok_or_else(|| {
        Failure::config(format!(
            "data_dir {} is not valid UTF-8: pick another directory",
            path.display()
        ))
    })?;
    let mut url = String::from("sqlite://");
    for c in text.chars() {
        match c {
            '%' => url.push_str("%25"),
            '?' => url.push_str("%3F"),
            '#' => url.push_str("%23"),
            ' ' => url.push_str("%20"),
            c => url.push(c),
        }
    }
    Ok(url)
}

/// The URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((userinfo, host)) = rest.rsplit_once('@') else {
        return url.to_string();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

fn env_bool(var: &dyn Fn(&str) -> Option<String>, key: &str) -> Result<Option<bool>, Failure> {
    let Some(v) = var(key) else { return Ok(None) };
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(Some(true)),
        "0" | "false" | "no" | "off" => Ok(Some(false)),
        _ => Err(Failure::config(format!(
            "{key}={v:?} is not a switch: use true or false"
        ))),
    }
}

fn parse_log_format(v: &str) -> Option<LogFormat> {
    match v.trim().to_ascii_lowercase().as_str() {
        "text" => Some(LogFormat::Text),
        "json" => Some(LogFormat::Json),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    fn file(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ecp.toml");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn inbound_mail_settings() {
        let c = load(None, &env(&[])).unwrap();
        let smtp = c.smtp.unwrap();
        assert_eq!(smtp.addr.to_string(), "127.0.0.1:2525");
        assert_eq!(smtp.max_message_size, 36_700_160);
        assert!(smtp.tls.is_none());
        assert!(c.mail_auth);
        assert!(c.dns_servers.is_empty());
        assert_eq!(c.pop_poll.as_secs(), 60);

        let c = load(
            None,
            &env(&[
                ("ECP_SMTP_ADDR", "off"),
                ("ECP_MAIL_AUTH", "off"),
                ("ECP_DNS_SERVERS", "192.0.2.53, 192.0.2.54:5353"),
                ("ECP_POP_POLL_SECONDS", "5"),
            ]),
        )
        .unwrap();
        assert!(c.smtp.is_none());
        assert!(!c.mail_auth);
        assert_eq!(
            c.dns_servers
                .iter()
                .map(|a| a.to_string())
                .collect::<Vec<_>>(),
            ["192.0.2.53:53", "192.0.2.54:5353"]
        );
        assert_eq!(c.pop_poll.as_secs(), 5);
        let c = load(
            None,
            &env(&[("ECP_SMTP_RELAY", "smtps://u:p@relay.example:465")]),
        )
        .unwrap();
        assert_eq!(
            c.smtp_relay.as_deref(),
            Some("smtps://u:p@relay.example:465")
        );

        for (key, value) in [
            ("ECP_SMTP_ADDR", "port 25"),
            ("ECP_DNS_SERVERS", "dns.example"),
            ("ECP_POP_POLL_SECONDS", "0"),
            ("ECP_SMTP_MAX_MESSAGE_SIZE", "lots"),
            ("ECP_TLS_CERT", "cert.pem"),
            ("ECP_SMTP_RELAY", "mail.example:25"),
        ] {
            let e = load(None, &env(&[(key, value)])).unwrap_err();
            assert_eq!(e.code, 2, "{key}={value}: {}", e.message);
        }
    }

    #[test]
    fn defaults_need_nothing() {
        let c = load(None, &env(&[])).unwrap();
        assert_eq!(c.http_addr.to_string(), "127.0.0.1:8080");
        assert!(c.data_dir.ends_with("data"));
        assert!(c.data_dir.is_absolute());
        assert!(c.database_url.starts_with("sqlite:///"));
        assert!(c.database_url.ends_with("/data/ecp.db"));
        assert!(!c.signup_enabled);
        assert!(!c.secure_cookies);
        assert_eq!(c.log.format, LogFormat::Text);
        assert_eq!(c.log.filter, None);
    }

    #[test]
    fn environment_wins_over_the_file() {
        let (_d, path) = file(
            "data_dir = \"/srv/file\"\nhttp_addr = \"0.0.0.0:9000\"\nsignup_enabled = true\nlog_format = \"json\"\nlog = \"debug\"\n",
        );
        let c = load(
            Some(&path),
            &env(&[
                ("ECP_DATA_DIR", "/srv/env"),
                ("ECP_SIGNUP_ENABLED", "false"),
                ("RUST_LOG", "warn"),
                ("ECP_SECURE_COOKIES", "on"),
            ]),
        )
        .unwrap();
        assert_eq!(c.data_dir, PathBuf::from("/srv/env"));
        assert_eq!(c.database_url, "sqlite:///srv/env/ecp.db");
        assert_eq!(c.http_addr.to_string(), "0.0.0.0:9000");
        assert!(!c.signup_enabled);
        assert!(c.secure_cookies);
        assert_eq!(c.log.format, LogFormat::Json);
        assert_eq!(c.log.filter.as_deref(), Some("warn"));
    }

    #[test]
    fn ecp_log_wins_over_rust_log_and_empty_means_unset() {
        let c = load(
            None,
            &env(&[
                ("ECP_LOG", "debug"),
                ("RUST_LOG", "warn"),
                ("ECP_HTTP_ADDR", ""),
            ]),
        )
        .unwrap();
        assert_eq!(c.log.filter.as_deref(), Some("debug"));
        assert_eq!(c.http_addr.to_string(), "127.0.0.1:8080");
    }

    #[test]
    fn sqlite_url_escapes_what_sqlx_would_decode() {
        let url = sqlite_url(Path::new("/tmp/a b%?#/ecp.db")).unwrap();
        assert_eq!(url, "sqlite:///tmp/a%20b%25%3F%23/ecp.db");
    }

    #[test]
    fn errors_are_one_line_and_name_the_problem() {
        let (_d, bad_toml) = file("data_dir = \n");
        let (_e, unknown) = file("http_addr = \"127.0.0.1:1\"\nsmtp_relay = \"x\"\n");
        let (_f, wrong_type) = file("signup_enabled = \"yes please\"\n");
        // (file, environment, words the message must contain)
        type Case<'a> = (Option<&'a Path>, Vec<(&'a str, &'a str)>, &'a str);
        let cases: Vec<Case> = vec![
            (Some(bad_toml.as_path()), vec![], "line 1"),
            (Some(unknown.as_path()), vec![], "smtp_relay"),
            (Some(wrong_type.as_path()), vec![], "line 1"),
            (
                Some(Path::new("/nonexistent/ecp.toml")),
                vec![],
                "cannot read",
            ),
            (None, vec![("ECP_HTTP_ADDR", "localhost")], "http_addr"),
            (
                None,
                vec![("ECP_SIGNUP_ENABLED", "maybe")],
                "ECP_SIGNUP_ENABLED",
            ),
            (None, vec![("ECP_LOG_FORMAT", "xml")], "ECP_LOG_FORMAT"),
            (
                None,
                vec![("ECP_DATABASE_URL", "mysql://x")],
                "database_url",
            ),
        ];
        for (path, vars, needle) in cases {
            let e = load(path, &env(&vars)).unwrap_err();
            assert_eq!(e.code, 2, "{}", e.message);
            assert!(e.message.contains(needle), "{needle}: {}", e.message);
            assert!(!e.message.contains('\n'), "{}", e.message);
        }
    }

    #[test]
    fn redact_hides_only_the_password() {
        assert_eq!(
            redact("postgres://ecp:s3cret@db:5432/ecp"),
            "postgres://ecp:***@db:5432/ecp"
        );
        assert_eq!(redact("postgres://ecp@db/ecp"), "postgres://ecp@db/ecp");
        assert_eq!(redact("sqlite:///x/ecp.db"), "sqlite:///x/ecp.db");
    }

    #[test]
    fn autoreply_loop_breaker_keys() {
        let c = load(None, &|_: &str| None).unwrap();
        assert_eq!(c.autoreply_limit, 50);
        assert_eq!(c.autoreply_window, std::time::Duration::from_secs(3600));
        let env = |k: &str| match k {
            "ECP_AUTOREPLY_LIMIT" => Some("5".to_string()),
            "ECP_AUTOREPLY_WINDOW_MINUTES" => Some("10".to_string()),
            _ => None,
        };
        let c = load(None, &env).unwrap();
        assert_eq!(c.autoreply_limit, 5);
        assert_eq!(c.autoreply_window, std::time::Duration::from_secs(600));
        for key in ["ECP_AUTOREPLY_LIMIT", "ECP_AUTOREPLY_WINDOW_MINUTES"] {
            let zero = |k: &str| (k == key).then(|| "0".to_string());
            let Err(e) = load(None, &zero) else {
                panic!("{key}=0 was accepted");
            };
            assert!(e.message.contains("at least 1"), "{key}: {}", e.message);
        }
    }
}
