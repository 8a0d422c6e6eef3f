//! MAIL FROM: starts a transaction; the declared SIZE is checked up front so
//! a client does not send megabytes only to have them refused.

use std::borrow::Cow;

use smtp_proto::{MAIL_BODY_BINARYMIME, MAIL_SMTPUTF8, MailFrom};

use super::InboundSink;
use super::session::{Session, Transaction};

impl<K: InboundSink> Session<'_, K> {
    pub(super) fn mail_from(&mut self, from: MailFrom<Cow<'_, str>>) {
        if self.helo.is_none() {
            return self.reply(503, [5, 5, 1], "Send EHLO or HELO first");
        }
        if self.tx.is_some() {
            return self.reply(503, [5, 5, 1], "Sender already specified");
        }
        if from.size > self.cfg.max_message_size {
            return self.reply(
                552,
                [5, 3, 4],
                "Message size exceeds fixed maximum message size",
            );
        }
        if from.flags & MAIL_BODY_BINARYMIME != 0 {
            return self.reply(555, [5, 5, 4], "BINARYMIME is not supported");
        }
        let smtputf8 = from.flags & MAIL_SMTPUTF8 != 0;
        if !self.check_address(&from.address, smtputf8) {
            return;
        }
        self.tx = Some(Transaction {
            mail_from: from.address.into_owned(),
            rcpt_to: Vec::new(),
            smtputf8,
        });
        self.reply(250, [2, 1, 0], "Sender OK");
    }
}
