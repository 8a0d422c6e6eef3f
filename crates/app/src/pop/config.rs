use std::sync::Arc;
use std::time::Duration;

/// How POP accounts are fetched; the server fills it from its settings.
#[derive(Debug, Clone)]
pub struct PopConfig {
    /// Time between two polls of one account (after a failure the wait
    /// doubles, up to 16 times this).
    pub poll_interval: Duration,
    /// Limit for each of: name lookup, TCP connect, TLS handshake.
    pub connect_timeout: Duration,
    /// Longest a server may stay silent in the middle of a command.
    pub command_timeout: Duration,
    /// Trusted roots for POP servers; `None` means the public web PKI.
    /// Tests put their self-signed Dovecot certificate here.
    pub tls: Option<Arc<rustls::ClientConfig>>,
    /// Accounts fetched at the same time by one node.
    pub parallel_fetches: usize,
}

impl Default for PopConfig {
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(20),
            command_timeout: Duration::from_secs(60),
            tls: None,
            parallel_fetches: 4,
        }
    }
}
