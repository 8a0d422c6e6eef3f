//! STARTTLS (RFC 3207). Anything the client sent after the command, before
//! the handshake, would be read as if it had come over TLS: that is the
//! command-injection attack (CVE-2011-0411), so such a client is dropped.

use super::InboundSink;
use super::conn::ConnError;
use super::session::{Next, Session};

impl<K: InboundSink> Session<'_, K> {
    pub(super) async fn starttls(&mut self) -> Result<Next, ConnError> {
        if self.tls {
            self.reply(503, [5, 5, 1], "TLS already active");
            return Ok(Next::Continue);
        }
        let Some(config) = self.cfg.tls.clone() else {
            self.reply(502, [5, 5, 1], "STARTTLS not available");
            return Ok(Next::Continue);
        };
        if !self.conn.buffered().is_empty() {
            return Err(ConnError::Dropped("input pipelined after STARTTLS"));
        }
        self.reply(220, [2, 0, 0], "Ready to start TLS");
        self.conn.upgrade(config, self.cfg.timeouts.command).await?;
        // RFC 3207 §4.2: forget everything learned before the handshake.
        self.tls = true;
        self.helo = None;
        self.tx = None;
        Ok(Next::Continue)
    }
}
