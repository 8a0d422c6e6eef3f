use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// How the connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// TLS from the first byte ("pop3s", usually port 995).
    ImplicitTls,
    /// Plain connect, then STLS; fails if the server does not offer it.
    StartTls,
    /// STLS when the server lists it, plain otherwise.
    StartTlsIfOffered,
    /// No TLS at all: the password crosses the network readable.
    Plain,
}

impl Security {
    pub fn default_port(self) -> u16 {
        match self {
            Security::ImplicitTls => 995,
            _ => 110,
        }
    }
}

#[derive(Clone)]
pub struct Pop3Config {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: String,
    pub password: String,
    /// Limit for each of: name lookup, TCP connect, TLS handshake.
    pub connect_timeout: Duration,
    /// Longest the server may stay silent while we wait on it; for RETR this
    /// is per read, so a large message on a slow line is not cut off.
    pub command_timeout: Duration,
    pub tls: Arc<rustls::ClientConfig>,
}

impl Pop3Config {
    /// Settings with the usual port for `security` and timeouts that suit a
    /// background poller.
    pub fn new(
        host: impl Into<String>,
        security: Security,
        username: impl Into<String>,
        password: impl Into<String>,
        tls: Arc<rustls::ClientConfig>,
    ) -> Self {
        Self {
            host: host.into(),
            port: security.default_port(),
            security,
            username: username.into(),
            password: password.into(),
            connect_timeout: Duration::from_secs(20),
            command_timeout: Duration::from_secs(60),
            tls,
        }
    }
}

// Hand-written so the password never reaches a log line.
impl fmt::Debug for Pop3Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pop3Config")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("connect_timeout", &self.connect_timeout)
            .field("command_timeout", &self.command_timeout)
            .finish_non_exhaustive()
    }
}
