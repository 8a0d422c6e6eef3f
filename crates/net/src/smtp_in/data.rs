//! DATA: the message is unstuffed and streamed to a spool file as it
//! arrives; `250` is sent only once the sink has stored it.

use tokio::time::Instant;

use super::conn::ConnError;
use super::session::{Next, Session};
use super::spool::SpoolWriter;
use super::unstuff::Unstuffer;
use super::{DeliverError, Envelope, InboundSink};

/// Where the incoming bytes go. Dropping a writer removes its file.
enum Spool {
    Writing(SpoolWriter),
    TooBig,
    Failed,
}

impl<K: InboundSink> Session<'_, K> {
    pub(super) async fn data(&mut self) -> Result<Next, ConnError> {
        let Some(tx) = self.tx.as_ref() else {
            self.reply(503, [5, 5, 1], "Need MAIL and RCPT before DATA");
            return Ok(Next::Continue);
        };
        if tx.rcpt_to.is_empty() {
            // RFC 2920 §3.1: the answer to DATA after only rejected RCPTs.
            self.reply(554, [5, 5, 1], "No valid recipients");
            return Ok(Next::Continue);
        }
        self.data_count += 1;
        let envelope_id = format!("{}.{}", self.id, self.data_count);
        let mut spool = match SpoolWriter::create(&self.cfg.spool_dir, &envelope_id).await {
            Ok(writer) => Spool::Writing(writer),
            Err(e) => {
                tracing::error!(error = %e, dir = %self.cfg.spool_dir.display(), "cannot create spool file");
                self.reply(451, [4, 3, 0], "Temporary local problem, try again later");
                return Ok(Next::Continue);
            }
        };
        self.conn.queue(b"354 End data with <CR><LF>.<CR><LF>\r\n");

        // Past the limit, or after a local write error, we stop writing but
        // read on to the end of the data, so that our reply lines up with
        // the client's next command.
        let mut unstuffer = Unstuffer::new();
        let mut chunk = Vec::with_capacity(64 * 1024);
        let mut size = 0usize;
        loop {
            chunk.clear();
            let end = unstuffer.feed(self.conn.buffered(), &mut chunk);
            let consumed = end.unwrap_or(self.conn.buffered().len());
            self.conn.consume(consumed);
            size = size.saturating_add(chunk.len());
            if size > self.cfg.max_message_size {
                spool = Spool::TooBig;
            }
            if let Spool::Writing(writer) = &mut spool
                && let Err(e) = writer.write(&chunk).await
            {
                tracing::error!(error = %e, "cannot write spool file");
                spool = Spool::Failed;
            }
            if end.is_some() {
                break;
            }
            let deadline = Instant::now() + self.cfg.timeouts.data;
            self.conn.fill(deadline, None).await?;
        }

        let (Some(tx), Spool::Writing(writer)) = (self.tx.take(), spool) else {
            if size > self.cfg.max_message_size {
                self.reply(552, [5, 3, 4], "Message too big");
            } else {
                self.reply(451, [4, 3, 0], "Temporary local problem, try again later");
            }
            return Ok(Next::Continue);
        };
        let message = match writer.finish().await {
            Ok(message) => message,
            Err(e) => {
                tracing::error!(error = %e, "cannot finish spool file");
                self.reply(451, [4, 3, 0], "Temporary local problem, try again later");
                return Ok(Next::Continue);
            }
        };
        let envelope = Envelope {
            id: envelope_id,
            session_id: self.id.clone(),
            peer: self.peer,
            helo: self
                .helo
                .as_ref()
                .map(|h| h.name.clone())
                .unwrap_or_default(),
            mail_from: tx.mail_from,
            rcpt_to: tx.rcpt_to,
            tls: self.tls,
            smtputf8: tx.smtputf8,
        };
        let bytes = message.size();
        match self.sink.deliver(&envelope, message).await {
            Ok(()) => {
                tracing::info!(id = %envelope.id, bytes, rcpts = envelope.rcpt_to.len(), "message accepted");
                self.reply(250, [2, 0, 0], &format!("OK queued as {}", envelope.id));
            }
            Err(DeliverError::Temporary(reason)) => {
                tracing::warn!(id = %envelope.id, %reason, "delivery failed temporarily");
                self.reply(451, [4, 3, 0], "Temporary failure, try again later");
            }
            Err(DeliverError::Permanent(reason)) => {
                tracing::warn!(id = %envelope.id, %reason, "delivery refused");
                self.reply(554, [5, 0, 0], "Message refused");
            }
        }
        Ok(Next::Continue)
    }
}
