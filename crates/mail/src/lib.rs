//! Mail formats without a network: parsing raw messages, building outgoing
//! MIME, and making mail HTML safe to show. Nothing here does I/O, so all of
//! it can be unit-tested and fuzzed.

pub mod auto_reply;
mod body;
pub mod compose;
pub mod display;
pub mod filename;
pub mod html;
pub mod mbox;
pub mod message;
pub mod parse;
pub mod spam;
pub mod thread_keys;

pub use auto_reply::{AutomatedReason, is_automated};
pub use display::{DisplayHtml, DisplayOptions, sanitize_mail_html};
pub use message::{Attachment, MailAddress, ParsedMessage, ReturnPath, TriageHeaders};
pub use parse::{ParseError, parse};
