//! EHLO / HELO: (re)starts the session state and lists the extensions.

use std::borrow::Cow;

use super::InboundSink;
use super::session::{Helo, Session};

impl<K: InboundSink> Session<'_, K> {
    pub(super) fn ehlo(&mut self, host: Cow<'_, str>, extended: bool) {
        // RFC 5321 §4.1.4: a new EHLO implies RSET.
        self.tx = None;
        self.helo = Some(Helo {
            name: host.into_owned(),
        });
        let hostname = &self.cfg.hostname;
        if !extended {
            self.conn.queue(format!("250 {hostname}\r\n").as_bytes());
            return;
        }
        let mut lines = vec![format!("{hostname} at your service")];
        if self.cfg.tls.is_some() && !self.tls {
            lines.push("STARTTLS".into());
        }
        lines.push(format!("SIZE {}", self.cfg.max_message_size));
        for keyword in ["8BITMIME", "PIPELINING", "SMTPUTF8", "ENHANCEDSTATUSCODES"] {
            lines.push(keyword.into());
        }
        self.reply_lines(250, &lines);
    }
}
