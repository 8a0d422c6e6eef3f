//! Connected POP accounts: the Mailboxes tab's settings (admins only), the
//! "Test connection" button, and the fetch that the poller runs.
//!
//! Exactly once: a message is acknowledged to the server (DELE, or its UIDL
//! remembered under Copy mail) only after its raw copy and its ledger row
//! are committed; a copy stored twice is recognised by (account, UIDL) in
//! the ledger and by the raw store's source key, and the same Message-ID
//! within a mailbox is filed once by ingest.

mod config;
mod connect;
mod fetch;
mod input;
mod lease;
mod manage;
mod poll;
mod test_connection;
mod view;

pub use config::PopConfig;
pub use connect::{ConnectionTest, TestStep};
pub use ecp_store::pop_accounts::PopAccountId;
pub use fetch::{FetchOutcome, FetchReport};
pub use input::PopAccountInput;
pub use poll::PollSummary;
pub use view::{PopAccountView, PopLedger, PopLedgerEntry};
