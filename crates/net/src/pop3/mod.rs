//! Our own POP3 client, since no maintained crate does STLS on tokio. It
//! streams messages to a writer and never holds a whole message or mailbox;
//! what to do with the bytes (store first, then DELE) is the caller's job.

mod client;
mod config;
mod connection;
mod dot;
mod error;
mod response;
mod tls;

pub use client::{MailboxStat, Pop3Client};
pub use config::{Pop3Config, Security};
pub use error::{Pop3Error, Step};
pub use tls::webpki_client_config;
