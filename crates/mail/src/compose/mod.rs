//! Outgoing mail: replies, forwards, new conversations and auto-replies as
//! RFC 5322 bytes. Pure: the clock and randomness come in through
//! [`Stamp`], nothing is sent or stored here.
//!
//! What the message carries: From = the mailbox's send-as name and address;
//! To and Cc; never a Bcc header (Auto-BCC goes on the SMTP envelope only,
//! which is the sender's business); a unique Message-ID at the send-as or
//! a configured domain; In-Reply-To and References for replies; the
//! conversation token in the subject; text and HTML alternatives, with
//! attachments around them in multipart/mixed; and for auto-replies
//! `Auto-Submitted: auto-replied` (RFC 3834) and
//! `X-Auto-Response-Suppress: All`. RFC 3834 also suggests sending
//! auto-replies with an empty envelope sender (`MAIL FROM:<>`), which is
//! again the sender's choice.

mod assemble;
mod body;
mod error;
mod header_values;
mod message_id;
mod outgoing;
mod plain;
mod subject;
mod thread;

pub use assemble::Built;
pub use error::ComposeError;
pub use message_id::Stamp;
pub use outgoing::{Automatic, Kind, Outgoing, OutgoingAttachment, Parent, Person, Quoted};
pub use thread::MAX_REFERENCES;

/// Builds the message now, with a fresh Message-ID.
pub fn build(out: &Outgoing) -> Result<Built, ComposeError> {
    build_at(out, Stamp::now())
}

/// Builds the message with the given time and randomness. The same input
/// and stamp give the same headers and bodies (MIME boundaries still
/// differ).
pub fn build_at(out: &Outgoing, stamp: Stamp) -> Result<Built, ComposeError> {
    assemble::build_at(out, stamp)
}
