//! The inbound SMTP listener's storage side: recipients are mailboxes'
//! direct addresses, a message's SPF, DKIM and DMARC are checked (when an
//! authenticator is configured) and kept with it, and it is acknowledged
//! only once stored.

use crate::App;
use crate::inbound::Source;
use ecp_domain::EmailAddress;
use ecp_net::smtp_in::{DeliverError, Envelope, InboundSink, RcptVerdict, SpooledMessage};
use ecp_store::mailboxes;

pub struct SmtpSink {
    app: App,
}

impl SmtpSink {
    pub fn new(app: App) -> Self {
        Self { app }
    }

    async fn mailbox_for(
        &self,
        rcpt: &str,
    ) -> Result<Option<mailboxes::MailboxRecord>, ecp_store::StoreError> {
        let Ok(addr) = EmailAddress::parse(rcpt) else {
            return Ok(None);
        };
        let mut c = self.app.db().read().await?;
        mailboxes::find_by_direct_address(&mut c, &addr).await
    }
}

impl InboundSink for SmtpSink {
    async fn check_recipient(&self, rcpt: &str) -> RcptVerdict {
        match self.mailbox_for(rcpt).await {
            Ok(Some(_)) => RcptVerdict::Accept,
            Ok(None) => RcptVerdict::UnknownUser,
            Err(e) => {
                tracing::error!(error = %e, "recipient lookup failed");
                RcptVerdict::TemporaryFailure
            }
        }
    }

    async fn deliver(
        &self,
        envelope: &Envelope,
        message: SpooledMessage,
    ) -> Result<(), DeliverError> {
        let bytes = message
            .read_to_vec()
            .await
            .map_err(|e| DeliverError::Temporary(format!("spool read failed: {e}")))?;
        let source = Source::Smtp {
            envelope_id: envelope.id.clone(),
        };
        // SPF, DKIM and DMARC while the client waits (a few seconds at
        // most); the result is kept with the message and scored at filing.
        let auth_results = match &self.app.config().authenticator {
            Some(authenticator) => {
                let results = authenticator
                    .check(
                        &bytes,
                        envelope.peer.ip().to_canonical(),
                        &envelope.helo,
                        &envelope.mail_from,
                    )
                    .await;
                tracing::debug!(envelope = %envelope.id, results = %results.summary, "authenticated");
                Some(results.summary)
            }
            None => None,
        };
        // Every recipient mailbox is stored before anything is acknowledged;
        // a failure in any answers 451 and the client retries (the ones
        // already stored are recognised by the same envelope id).
        let mut seen = Vec::new();
        let mut raws = Vec::new();
        for rcpt in &envelope.rcpt_to {
            let mailbox = match self.mailbox_for(rcpt).await {
                Ok(Some(m)) => m,
                Ok(None) => continue,
                Err(e) => return Err(DeliverError::Temporary(format!("lookup failed: {e}"))),
            };
            if seen.contains(&mailbox.id) {
                continue;
            }
            seen.push(mailbox.id);
            let received = self
                .app
                .receive_raw_verified(mailbox.id, &source, &bytes, auth_results.as_deref())
                .await
                .map_err(|e| DeliverError::Temporary(format!("storage failed: {e}")))?;
            raws.push(received.raw_id);
        }
        for raw in raws {
            if let Err(e) = self.app.process_raw(raw).await {
                tracing::warn!(raw = raw.0, error = %e, "filing failed; the message stays pending");
            }
        }
        Ok(())
    }
}
