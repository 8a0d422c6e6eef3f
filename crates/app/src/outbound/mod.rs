//! Outbound mail: composing (reply, reply-all, forward, a new outgoing
//! conversation) and the durable outbox.
//!
//! Composing builds the MIME message ([`ecp_mail::compose`]) and writes the
//! message row and its outbox row in one transaction; nothing is sent there.
//! The sender ([`App::send_due_outbox`], run by the `outbox_sender` worker)
//! claims a row by lease, hands the stored bytes to the relay and records the
//! outcome:
//! - accepted: `sent`;
//! - temporary failure (4xx, connection, TLS, timeout): queued again after
//!   1, 2, 4, 8 ... minutes (capped at an hour), `failed` after
//!   [`OutboundConfig::max_attempts`] attempts;
//! - permanent failure (5xx): `failed` with the server's answer, shown on
//!   the conversation ([`App::outbox_for_conversation`]) until an agent
//!   retries ([`App::retry_outbox`]).
//!
//! Auto-BCC addresses go on the SMTP envelope only, never into headers.
//!
//! A mailbox with its own SMTP server ([`App::save_mailbox_smtp_server`])
//! sends through it instead of the main relay; when the account requires
//! SSL, a server without TLS is refused when saved and again when sending.
//! The lease on a message is renewed while a slow server takes its time,
//! so no second node sends it meanwhile.
//!
//! The one window that cannot be closed: the relay accepted the message and
//! the process stopped before `sent` was committed. The lease then expires
//! and the message is sent again, byte for byte, with the same Message-ID:
//! the recipient may see a duplicate, threading is unaffected.
//!
//! Conversation status after a reply is the agent's choice
//! (`status_after`); None leaves it as it is (a reply does not close or
//! set pending by itself).

pub(crate) mod compose;
mod dkim;
mod lease;
mod own_server;
mod relay;
mod routes;
mod send;
mod test_email;
mod transport;

pub use compose::{NewOutgoing, Queued, ReplyInput, ReplyKind};
pub use ecp_mail::compose::OutgoingAttachment;
pub use ecp_store::outbox::{OutboxId, OutboxState, OutboxStatus};
pub use own_server::SmtpServerView;
pub use relay::{RelayUrl, SendError};
pub use send::SendOutcome;
pub use test_email::SmtpTestResult;

use std::time::Duration;

/// Settings of outbound mail; the server fills them from its config.
#[derive(Debug, Clone)]
pub struct OutboundConfig {
    /// The main relay (`ECP_SMTP_RELAY`), one of:
    /// - `smtp://host:25` plain SMTP, no TLS (a relay on the same host or
    ///   network);
    /// - `smtp://user:pass@host:587?tls=required` STARTTLS, refused
    ///   without it (`?tls=opportunistic` uses it when offered);
    /// - `smtps://user:pass@host:465` TLS from the first byte.
    ///
    /// User and password are percent-encoded. `None`: mail is queued but not
    /// sent (the sender reports that it has no relay).
    pub smtp_relay: Option<String>,
    /// Attempts before a message that keeps failing temporarily is marked
    /// failed.
    pub max_attempts: i64,
    /// Wait after the first temporary failure; doubled each time.
    pub backoff_base: Duration,
    /// Longest wait between attempts.
    pub backoff_max: Duration,
    /// How long a claim holds a message; longer than one send can take.
    pub lease: Duration,
    /// Connection and command timeout towards the relay.
    pub timeout: Duration,
    /// Right-hand side of our Message-IDs; None uses the send-as domain.
    pub message_id_domain: Option<String>,
    /// Messages claimed per pass of the sender.
    pub batch: i64,
    /// Extra CA certificates (PEM) trusted for mailboxes' own SMTP servers,
    /// besides the public roots (`smtp_ca_file`; tests put their CA here).
    pub ca_pem: Option<Vec<u8>>,
}

impl Default for OutboundConfig {
    fn default() -> Self {
        Self {
            smtp_relay: None,
            max_attempts: 8,
            backoff_base: Duration::from_secs(60),
            backoff_max: Duration::from_secs(3600),
            lease: Duration::from_secs(120),
            timeout: Duration::from_secs(60),
            message_id_domain: None,
            batch: 50,
            ca_pem: None,
        }
    }
}

impl OutboundConfig {
    /// The wait before attempt `attempts + 1` after `attempts` failures.
    pub fn backoff(&self, attempts: i64) -> Duration {
        let shift = attempts.clamp(1, 30) - 1;
        let wait = self.backoff_base.saturating_mul(1u32 << shift);
        wait.min(self.backoff_max)
    }
}
