//! One SMTP connection on a socket with Nagle's algorithm off, for relays
//! without credentials (`smtp://host:port`, optionally `?tls=required` or
//! `?tls=opportunistic` for STARTTLS): a local Postfix, say.
//!
//! Why not lettre's transport: lettre 0.11.23 leaves TCP_NODELAY off and
//! writes the message and the final `.` line separately, so every message
//! waits for the server's delayed ACK (40 ms on Linux): about 23 messages a
//! second, whatever the server can do (see BENCHMARKS.md, outbox). Lettre's
//! connection, handed our own socket, speaks the same protocol without the
//! stall. Relays with credentials or implicit TLS still go through lettre's
//! transport until a release with its fix.

use super::relay::{SendError, classify};
use lettre::address::Envelope;
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::Mutex;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StartTls {
    No,
    Opportunistic,
    Required,
}

pub(crate) struct Direct {
    host: String,
    port: u16,
    starttls: StartTls,
    timeout: Duration,
    conn: Mutex<Option<AsyncSmtpConnection>>,
}

impl Direct {
    /// `Some` for the URLs this path serves: `smtp://host[:port]` with at
    /// most a `tls` parameter, no user info.
    pub(crate) fn for_url(url: &str, timeout: Duration) -> Option<Direct> {
        let rest = url.strip_prefix("smtp://")?;
        let (authority, query) = match rest.split_once('?') {
            Some((a, q)) => (a, Some(q)),
            None => (rest, None),
        };
        let authority = authority.trim_end_matches('/');
        if authority.is_empty() || authority.contains(['@', '/', '[']) {
            return None;
        }
        let starttls = match query {
            None | Some("") => StartTls::No,
            Some("tls=opportunistic") => StartTls::Opportunistic,
            Some("tls=required") => StartTls::Required,
            Some(_) => return None,
        };
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) => (h, p.parse().ok()?),
            None => (authority, 25),
        };
        Some(Direct {
            host: host.to_string(),
            port,
            starttls,
            timeout,
            conn: Mutex::new(None),
        })
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        let hello = ClientId::default();
        let at = format!("{}:{}", self.host, self.port);
        let tcp = tokio::time::timeout(
            self.timeout,
            TcpStream::connect((self.host.as_str(), self.port)),
        )
        .await
        .map_err(|_| temporary(format!("SMTP relay {at}: connection timed out")))?
        .map_err(|e| temporary(format!("SMTP relay {at}: {e}")))?;
        tcp.set_nodelay(true)
            .map_err(|e| temporary(format!("SMTP relay {at}: {e}")))?;
        let mut conn = tokio::time::timeout(
            self.timeout,
            AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &hello),
        )
        .await
        .map_err(|_| temporary(format!("SMTP relay {at}: no greeting in time")))?
        .map_err(|e| classify(&e))?;
        let tls = || TlsParameters::new(self.host.clone()).map_err(|e| classify(&e));
        match self.starttls {
            StartTls::Required => {
                conn.starttls(tls()?, &hello)
                    .await
                    .map_err(|e| classify(&e))?;
            }
            StartTls::Opportunistic if conn.can_starttls() => {
                conn.starttls(tls()?, &hello)
                    .await
                    .map_err(|e| classify(&e))?;
            }
            _ => {}
        }
        Ok(conn)
    }

    /// Sends over the open connection (opened first if needed); a failed
    /// send closes it, so the next one starts afresh.
    pub(crate) async fn send(&self, envelope: &Envelope, raw: &[u8]) -> Result<(), SendError> {
        let mut slot = self.conn.lock().await;
        let mut conn = match slot.take() {
            Some(c) if !c.has_broken() => c,
            _ => self.connect().await?,
        };
        let sent = tokio::time::timeout(self.timeout, conn.send(envelope, raw))
            .await
            .map_err(|_| temporary("SMTP relay: no answer in time".to_string()))?;
        match sent {
            Ok(_) => {
                *slot = Some(conn);
                Ok(())
            }
            Err(e) => {
                // The session may still be usable after a refusal, but
                // after a failure it is not worth trusting: start afresh.
                let _ = tokio::time::timeout(Duration::from_secs(2), conn.abort()).await;
                Err(classify(&e))
            }
        }
    }
}

impl Drop for Direct {
    fn drop(&mut self) {
        // Say goodbye rather than vanish mid-session.
        if let Some(mut conn) = self.conn.get_mut().take()
            && let Ok(rt) = tokio::runtime::Handle::try_current()
        {
            rt.spawn(async move {
                let _ = tokio::time::timeout(Duration::from_secs(2), conn.quit()).await;
            });
        }
    }
}

fn temporary(text: String) -> SendError {
    SendError::Temporary(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serves_plain_and_starttls_urls_only() {
        let t = Duration::from_secs(1);
        let d = Direct::for_url("smtp://127.0.0.1:2525", t).expect("plain");
        assert_eq!(
            (d.host.as_str(), d.port, d.starttls),
            ("127.0.0.1", 2525, StartTls::No)
        );
        let d = Direct::for_url("smtp://relay.example?tls=required", t).expect("starttls");
        assert_eq!(
            (d.host.as_str(), d.port, d.starttls),
            ("relay.example", 25, StartTls::Required)
        );
        let d = Direct::for_url("smtp://relay.example:587/?tls=opportunistic", t).expect("opp");
        assert_eq!(d.starttls, StartTls::Opportunistic);
        for lettre_only in [
            "smtps://relay.example:465",
            "smtp://user:pass@relay.example:587?tls=required",
            "smtp://relay.example?tls=wrapper",
            "smtp://relay.example:notaport",
            "smtp://[::1]:25",
            "smtp://",
        ] {
            assert!(Direct::for_url(lettre_only, t).is_none(), "{lettre_only}");
        }
    }
}
