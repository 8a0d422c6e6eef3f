//! RCPT TO: each recipient is checked with the sink before it is accepted,
//! so mail for unknown addresses is refused in the session, never bounced.

use std::borrow::Cow;

use smtp_proto::RcptTo;

use super::session::Session;
use super::{InboundSink, RcptVerdict};

impl<K: InboundSink> Session<'_, K> {
    pub(super) async fn rcpt(&mut self, to: RcptTo<Cow<'_, str>>) {
        let Some(smtputf8) = self.tx.as_ref().map(|tx| tx.smtputf8) else {
            return self.reply(503, [5, 5, 1], "Need MAIL before RCPT");
        };
        if !self.check_address(&to.address, smtputf8) {
            return;
        }
        // smtp-proto reports `<postmaster>` (RFC 5321 §4.5.1) as empty.
        let address = match to.address {
            a if a.is_empty() => "postmaster".to_string(),
            a => a.into_owned(),
        };
        let known = self
            .tx
            .as_ref()
            .is_some_and(|tx| tx.rcpt_to.iter().any(|r| r.eq_ignore_ascii_case(&address)));
        if known {
            return self.reply(250, [2, 1, 5], "Recipient OK");
        }
        if self
            .tx
            .as_ref()
            .is_some_and(|tx| tx.rcpt_to.len() >= self.cfg.max_recipients)
        {
            return self.reply(452, [4, 5, 3], "Too many recipients");
        }
        match self.sink.check_recipient(&address).await {
            RcptVerdict::Accept => {
                if let Some(tx) = self.tx.as_mut() {
                    tx.rcpt_to.push(address);
                }
                self.reply(250, [2, 1, 5], "Recipient OK");
            }
            RcptVerdict::UnknownUser => self.reply(550, [5, 1, 1], "No such user here"),
            RcptVerdict::TemporaryFailure => {
                self.reply(451, [4, 3, 0], "Temporary failure, try again later")
            }
        }
    }
}
