//! Errors a POP3 session can end in. The Display texts are shown as-is by the
//! "Test connection" button, so they speak to the person who typed the
//! settings, not to a developer; `kind()` is the stable code for logs, metrics
//! and the API.

use std::fmt;
use std::io;

/// What the client was doing when something went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Resolve,
    Connect,
    Greeting,
    TlsHandshake,
    Capabilities,
    StartTls,
    Login,
    Stat,
    Uidl,
    Retr,
    Dele,
    Noop,
    Quit,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Step::Resolve => "looking up the server name",
            Step::Connect => "connecting",
            Step::Greeting => "waiting for the server's greeting",
            Step::TlsHandshake => "setting up the secure connection",
            Step::Capabilities => "asking what the server supports",
            Step::StartTls => "switching to a secure connection",
            Step::Login => "logging in",
            Step::Stat => "counting messages",
            Step::Uidl => "listing messages",
            Step::Retr => "downloading a message",
            Step::Dele => "deleting a message",
            Step::Noop => "checking the connection",
            Step::Quit => "logging out",
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Pop3Error {
    #[error("Could not find the POP server \"{host}\". Check the server name. ({source})")]
    Dns { host: String, source: io::Error },

    #[error(
        "Could not connect to the POP server {host} on port {port}: {}. \
         Check the server name and port, and that the server is running.",
        connect_reason(source)
    )]
    Connect {
        host: String,
        port: u16,
        source: io::Error,
    },

    #[error("A secure connection to the POP server could not be set up: {detail}.")]
    Tls { detail: String },

    #[error(
        "The POP server does not offer a secure connection (STLS), but this account requires one. \
         Choose another security setting or port."
    )]
    TlsUnavailable,

    #[error("The POP server refused the username or password: {server_text}")]
    Auth { server_text: String },

    #[error("The POP server is not available right now, try again later: {server_text}")]
    Unavailable { server_text: String },

    #[error(
        "The POP server does not support the {command} command, which is needed: {server_text}"
    )]
    Unsupported {
        command: &'static str,
        server_text: String,
    },

    #[error("The POP server gave an unexpected answer while {step}: {detail}")]
    Protocol { step: Step, detail: String },

    #[error("The POP server did not answer in time while {step}.")]
    Timeout { step: Step },

    #[error("The POP server closed the connection while {step}.")]
    ConnectionClosed { step: Step },

    #[error("The connection to the POP server broke off after an earlier error; connect again.")]
    Unusable,

    #[error("The account settings are not valid: {detail}.")]
    InvalidSettings { detail: String },

    #[error("A network or file error happened while {step}: {source}")]
    Io { step: Step, source: io::Error },
}

impl Pop3Error {
    /// A short code that never changes, for logs, metrics and API clients.
    pub fn kind(&self) -> &'static str {
        match self {
            Pop3Error::Dns { .. } => "dns",
            Pop3Error::Connect { .. } => "tcp",
            Pop3Error::Tls { .. } => "tls",
            Pop3Error::TlsUnavailable => "tls_unavailable",
            Pop3Error::Auth { .. } => "login",
            Pop3Error::Unavailable { .. } => "unavailable",
            Pop3Error::Unsupported { .. } => "unsupported",
            Pop3Error::Protocol { .. } => "protocol",
            Pop3Error::Timeout { .. } => "timeout",
            Pop3Error::ConnectionClosed { .. } => "closed",
            Pop3Error::Unusable => "unusable",
            Pop3Error::InvalidSettings { .. } => "settings",
            Pop3Error::Io { .. } => "io",
        }
    }

    /// Whether trying again later, with the same settings, may succeed; a
    /// poller backs off on these and flags the account on the others.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Pop3Error::Timeout { .. }
                | Pop3Error::ConnectionClosed { .. }
                | Pop3Error::Unavailable { .. }
                | Pop3Error::Unusable
                | Pop3Error::Io { .. }
        )
    }

    pub(crate) fn protocol(step: Step, detail: impl Into<String>) -> Self {
        Pop3Error::Protocol {
            step,
            detail: detail.into(),
        }
    }

    /// Sorts an I/O error from the server connection: a dropped line is the
    /// common case and deserves its own words; a broken TLS record is a TLS
    /// problem even after the handshake.
    pub(crate) fn from_io(step: Step, err: io::Error) -> Self {
        use io::ErrorKind as K;
        match err.kind() {
            K::UnexpectedEof | K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe => {
                Pop3Error::ConnectionClosed { step }
            }
            K::InvalidData if rustls_error(&err).is_some() => Pop3Error::Tls {
                detail: super::tls::describe_io(&err),
            },
            _ => Pop3Error::Io { step, source: err },
        }
    }
}

pub(crate) fn rustls_error(err: &io::Error) -> Option<&rustls::Error> {
    err.get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
}

fn connect_reason(err: &io::Error) -> String {
    match err.kind() {
        io::ErrorKind::ConnectionRefused => "the server refused the connection".to_string(),
        io::ErrorKind::HostUnreachable | io::ErrorKind::NetworkUnreachable => {
            "the server cannot be reached from here".to_string()
        }
        _ => err.to_string(),
    }
}
