//! The SMTP relay: lettre's transport built from the configured URL, and the
//! classification of what went wrong.

use lettre::address::{Address, Envelope};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::time::Duration;

/// A relay URL that lettre accepted, with the password never printed.
#[derive(Clone)]
pub struct RelayUrl(String);

impl std::fmt::Debug for RelayUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // scheme://host part only: the user info may hold a password.
        let shown = match (self.0.split_once("://"), self.0.rsplit_once('@')) {
            (Some((scheme, _)), Some((_, host))) => format!("{scheme}://***@{host}"),
            _ => self.0.clone(),
        };
        f.write_str(&shown)
    }
}

impl RelayUrl {
    /// Checks the URL (scheme `smtp` or `smtps`, a host, a valid `tls`
    /// parameter) without connecting.
    pub fn parse(url: &str) -> Result<RelayUrl, String> {
        if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
            return Err(format!(
                "the SMTP relay must start with smtp:// or smtps:// (got {:?})",
                RelayUrl(url.to_string())
            ));
        }
        AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("the SMTP relay URL is not usable: {e}"))?;
        Ok(RelayUrl(url.to_string()))
    }
}

/// Why a send did not go through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// Worth trying again later: 4xx, connection, TLS, timeout.
    Temporary(String),
    /// The server refused for good (5xx), or the message cannot be sent as
    /// it is (an envelope address lettre refuses).
    Permanent(String),
}

impl SendError {
    pub fn message(&self) -> &str {
        match self {
            SendError::Temporary(m) | SendError::Permanent(m) => m,
        }
    }
}

/// A connection (pool) to the relay, for one pass of the sender.
pub(crate) struct Relay {
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl Relay {
    pub(crate) fn from_transport(transport: AsyncSmtpTransport<Tokio1Executor>) -> Relay {
        Relay { transport }
    }

    pub(crate) fn open(url: &RelayUrl, timeout: Duration) -> Result<Relay, SendError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&url.0)
            .map_err(|e| SendError::Temporary(format!("SMTP relay: {e}")))?
            .timeout(Some(timeout))
            .build();
        Ok(Relay { transport })
    }

    pub(crate) async fn send(
        &self,
        from: &str,
        to: &[String],
        raw: &[u8],
    ) -> Result<(), SendError> {
        let from: Address = from
            .parse()
            .map_err(|e| SendError::Permanent(format!("envelope sender {from:?}: {e}")))?;
        let mut rcpt = Vec::with_capacity(to.len());
        for t in to {
            rcpt.push(
                t.parse::<Address>()
                    .map_err(|e| SendError::Permanent(format!("recipient {t:?}: {e}")))?,
            );
        }
        let envelope = Envelope::new(Some(from), rcpt)
            .map_err(|e| SendError::Permanent(format!("envelope: {e}")))?;
        match self.transport.send_raw(&envelope, raw).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(SendError::Permanent(describe(&e))),
            Err(e) => Err(SendError::Temporary(describe(&e))),
        }
    }
}

/// The server's answer when there is one ("550 5.1.1 no such user"), else
/// what failed (connection refused, TLS, timeout).
fn describe(e: &lettre::transport::smtp::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}
