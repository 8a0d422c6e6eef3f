//! Mail protocols over tokio + rustls: the POP3 client that fetches connected
//! accounts and the inbound SMTP server for mailboxes' direct addresses.
//! Protocol code only: storing mail is the caller's job, reached through the
//! small traits each module defines.

pub mod authenticate;
pub mod pop3;
pub mod smtp_in;
