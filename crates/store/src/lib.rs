//! The database: one codebase for SQLite and PostgreSQL through sqlx's Any
//! driver. One module per aggregate; functions take a connection so that the
//! application layer decides what runs in one transaction.

pub mod accounts;
pub mod activity;
pub mod api_tokens;
pub mod blobs;
pub mod contacts;
pub mod conversation_changes;
pub mod conversations;
mod db;
mod error;
pub mod folders;
pub mod invites;
pub mod login_failures;
pub mod mailboxes;
pub mod messages;
pub mod outbox;
pub mod pop_accounts;
pub mod raw_messages;
mod row;
pub mod search;
pub mod sessions;
pub mod templates;
pub mod users;

pub use db::{Backend, Db, Tx};
pub use error::StoreError;
pub use sqlx::AnyConnection as Conn;
/// The driver's error, so callers can `?` a transaction's commit.
pub use sqlx::Error as DbError;
