//! Inbound SMTP listener for mailboxes' direct addresses (an MX-like
//! receiver: no AUTH, no relaying). Commands are parsed by `smtp-proto`; the
//! session loop, limits and TLS upgrade live here, one file per concern.
//!
//! Storage is the application's job, reached through [`InboundSink`]. The
//! final `250` is sent only after [`InboundSink::deliver`] returned `Ok`:
//! the application commits the message before returning, so an
//! acknowledged message is never lost.

mod config;
mod conn;
mod data;
mod ehlo;
mod id;
mod mail_from;
mod rcpt;
mod reply;
mod server;
mod session;
#[cfg(test)]
mod session_tests;
mod spool;
mod starttls;
mod unstuff;

use std::future::Future;
use std::net::SocketAddr;

pub use config::{SmtpServerConfig, Timeouts, TlsSetupError, load_tls_config};
pub use server::{run, serve};
pub use spool::SpooledMessage;

/// The application side of the listener: recipient lookup and durable storage.
///
/// Methods return `Send` futures because every session runs in its own
/// spawned task; implementations may simply write `async fn`.
pub trait InboundSink: Send + Sync + 'static {
    /// Decides whether `rcpt` (the address inside `RCPT TO:<...>`) is ours.
    fn check_recipient(&self, rcpt: &str) -> impl Future<Output = RcptVerdict> + Send;

    /// Stores one message durably. Returning `Ok` is the promise that the
    /// message survives a crash: only then does the client get `250`.
    fn deliver(
        &self,
        envelope: &Envelope,
        message: SpooledMessage,
    ) -> impl Future<Output = Result<(), DeliverError>> + Send;
}

/// What the SMTP client told us about one message, beside its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// Unique per message (`<session_id>.<n>`), sortable by time: the
    /// source identity the application dedupes on.
    pub id: String,
    pub session_id: String,
    pub peer: SocketAddr,
    /// The EHLO/HELO argument, as the client sent it (unverified).
    pub helo: String,
    /// Empty for the null reverse-path `<>` (bounces).
    pub mail_from: String,
    /// Accepted recipients, in order, without duplicates.
    pub rcpt_to: Vec<String>,
    /// The message arrived over TLS (after STARTTLS).
    pub tls: bool,
    /// The client asked for SMTPUTF8 (UTF-8 addresses or headers).
    pub smtputf8: bool,
}

/// The sink's answer to `RCPT TO`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RcptVerdict {
    Accept,
    /// `550 5.1.1`: no such mailbox.
    UnknownUser,
    /// `451 4.3.0`: try later (e.g. the database is unreachable).
    TemporaryFailure,
}

/// Why [`InboundSink::deliver`] did not store the message.
#[derive(Debug, thiserror::Error)]
pub enum DeliverError {
    /// `451 4.3.0`: the client keeps the message and retries.
    #[error("temporary delivery failure: {0}")]
    Temporary(String),
    /// `554 5.0.0`: the client bounces the message.
    #[error("permanent delivery failure: {0}")]
    Permanent(String),
}
