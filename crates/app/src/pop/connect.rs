//! From stored settings to a POP3 session, and from its errors to words a
//! person can act on, naming the step that failed.

use std::sync::Arc;

use ecp_domain::{AccountOptions, Plan};
use ecp_net::pop3::{Pop3Config, Pop3Error, Security, Step, webpki_client_config};
use serde::Serialize;

use crate::error::AppError;
use crate::{App, AppResult};

/// Where a connection attempt stands or failed, in the order they happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TestStep {
    Settings,
    Dns,
    Tcp,
    Tls,
    /// Talking POP before logging in (greeting, capabilities).
    Server,
    Login,
    Mailbox,
    Done,
}

impl TestStep {
    pub fn label(self) -> &'static str {
        match self {
            TestStep::Settings => "Checking the settings",
            TestStep::Dns => "Finding the server (DNS)",
            TestStep::Tcp => "Connecting to the server (TCP)",
            TestStep::Tls => "Setting up the secure connection (TLS)",
            TestStep::Server => "Talking to the POP server",
            TestStep::Login => "Logging in",
            TestStep::Mailbox => "Reading the mailbox",
            TestStep::Done => "Done",
        }
    }

    pub(crate) fn of(err: &Pop3Error) -> Self {
        match err {
            Pop3Error::Dns { .. } => TestStep::Dns,
            Pop3Error::Connect { .. } => TestStep::Tcp,
            Pop3Error::Tls { .. } | Pop3Error::TlsUnavailable => TestStep::Tls,
            // Locked mailboxes and wrong passwords both answer the login.
            Pop3Error::Auth { .. } | Pop3Error::Unavailable { .. } => TestStep::Login,
            Pop3Error::InvalidSettings { .. } => TestStep::Settings,
            Pop3Error::Timeout { step }
            | Pop3Error::ConnectionClosed { step }
            | Pop3Error::Protocol { step, .. }
            | Pop3Error::Io { step, .. } => match step {
                Step::Resolve => TestStep::Dns,
                Step::Connect => TestStep::Tcp,
                Step::TlsHandshake | Step::StartTls => TestStep::Tls,
                Step::Greeting | Step::Capabilities => TestStep::Server,
                Step::Login => TestStep::Login,
                _ => TestStep::Mailbox,
            },
            _ => TestStep::Mailbox,
        }
    }
}

/// The answer of "Test connection".
#[derive(Debug, Clone, Serialize)]
pub struct ConnectionTest {
    pub ok: bool,
    /// The step that failed, or `Done`.
    pub step: TestStep,
    /// "ok", or the POP error's stable code (dns, tcp, tls, tls_unavailable,
    /// login, timeout, ...).
    pub kind: String,
    /// A sentence for a person.
    pub message: String,
    /// Whether the session ran over TLS (implicit or STLS).
    pub secure: bool,
    pub messages_on_server: Option<u32>,
}

impl ConnectionTest {
    pub(crate) fn failed(err: &Pop3Error, tls_required: bool) -> Self {
        let step = TestStep::of(err);
        Self {
            ok: false,
            step,
            kind: err.kind().to_string(),
            message: format!("{} failed. {}", step.label(), describe(err, tls_required)),
            secure: false,
            messages_on_server: None,
        }
    }
}

/// The POP error in words, with the reason when the account's SSL option
/// is what refused a connection without TLS.
pub(crate) fn describe(err: &Pop3Error, tls_required: bool) -> String {
    if tls_required && matches!(err, Pop3Error::TlsUnavailable) {
        format!(
            "{err} This account requires SSL for all its mail (Account Options → SSL), so the \
             password was not sent over an unencrypted connection. Turn on Use SSL with the \
             server's SSL port (usually 995), or ask the mail provider to offer STLS."
        )
    } else {
        err.to_string()
    }
}

/// Use SSL means TLS from the first byte; without it STLS is used when the
/// server offers it, and required when the account's SSL option (on a plan
/// that has it) demands TLS for all mail.
pub(crate) fn security(use_ssl: bool, tls_required: bool) -> Security {
    if use_ssl {
        Security::ImplicitTls
    } else if tls_required {
        Security::StartTls
    } else {
        Security::StartTlsIfOffered
    }
}

pub(crate) fn tls_required(plan: Plan, options: &AccountOptions) -> bool {
    options.ssl_required && plan.limits().pop_over_ssl
}

/// Settings for one session; the password is plain here and nowhere else.
pub(crate) struct Target<'a> {
    pub host: &'a str,
    pub port: u16,
    pub username: &'a str,
    pub password: String,
    pub use_ssl: bool,
    pub tls_required: bool,
}

impl App {
    pub(crate) fn pop3_config(&self, t: Target<'_>) -> AppResult<Pop3Config> {
        let tls = match &self.config.pop.tls {
            Some(tls) => Arc::clone(tls),
            None => webpki_client_config()
                .map_err(|e| AppError::Internal(format!("TLS client set-up failed: {e}")))?,
        };
        let mut cfg = Pop3Config::new(
            t.host,
            security(t.use_ssl, t.tls_required),
            t.username,
            t.password,
            tls,
        );
        cfg.port = t.port;
        cfg.connect_timeout = self.config.pop.connect_timeout;
        cfg.command_timeout = self.config.pop.command_timeout;
        Ok(cfg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_follows_use_ssl_and_the_ssl_option() {
        assert_eq!(security(true, false), Security::ImplicitTls);
        assert_eq!(security(true, true), Security::ImplicitTls);
        assert_eq!(security(false, true), Security::StartTls);
        assert_eq!(security(false, false), Security::StartTlsIfOffered);
        let mut o = AccountOptions::defaults();
        o.ssl_required = true;
        assert!(tls_required(Plan::Standard, &o));
        // "Where the plan supports it": Free has no POP over SSL.
        assert!(!tls_required(Plan::Free, &o));
    }

    #[test]
    fn steps_are_told_apart() {
        let io = || std::io::Error::other("x");
        let dns = Pop3Error::Dns {
            host: "h".into(),
            source: io(),
        };
        assert_eq!(TestStep::of(&dns), TestStep::Dns);
        let tcp = Pop3Error::Connect {
            host: "h".into(),
            port: 1,
            source: io(),
        };
        assert_eq!(TestStep::of(&tcp), TestStep::Tcp);
        assert_eq!(TestStep::of(&Pop3Error::TlsUnavailable), TestStep::Tls);
        let auth = Pop3Error::Auth {
            server_text: "no".into(),
        };
        assert_eq!(TestStep::of(&auth), TestStep::Login);
        let greeting = Pop3Error::Timeout {
            step: Step::Greeting,
        };
        assert_eq!(TestStep::of(&greeting), TestStep::Server);
        let why = describe(&Pop3Error::TlsUnavailable, true);
        assert!(why.contains("requires SSL"), "{why}");
        let t = ConnectionTest::failed(&auth, false);
        assert!(t.message.starts_with("Logging in failed."), "{}", t.message);
        assert_eq!(t.kind, "login");
    }
}
