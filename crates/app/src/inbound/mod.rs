//! Inbound mail, in two steps that never lose or repeat a message:
//! `receive` commits the raw bytes under their source identity (after which
//! the sender may be acknowledged), `process` files them into a
//! conversation in one transaction and can be re-run after a crash.

mod process;
mod receive;
mod smtp_sink;

pub use process::ProcessOutcome;
pub(crate) use process::{Parsed, analyze};
pub use receive::{Received, Source};
pub use smtp_sink::SmtpSink;
