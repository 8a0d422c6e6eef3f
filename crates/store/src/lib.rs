//! The database: one codebase for SQLite and PostgreSQL through sqlx's Any
//! driver. One module per aggregate; functions take a connection so that the
//! application layer decides what runs in one transaction.

pub mod accounts;
pub mod activity;
pub mod api_tokens;
pub mod autoresponder;
pub mod blobs;
pub mod contacts;
pub mod conversation_changes;
pub mod conversation_search;
pub mod conversations;
mod db;
pub mod dkim_keys;
mod error;
pub mod folders;
mod id_list;
pub mod invites;
pub mod login_failures;
pub mod mailbox_smtp;
pub mod mailboxes;
pub mod messages;
pub mod notes;
pub mod outbox;
pub mod pop_accounts;
pub mod presence;
pub mod raw_messages;
mod row;
pub mod saved_searches;
pub mod search;
pub mod sessions;
pub mod templates;
pub mod user_preferences;
pub mod users;

pub use db::{Backend, Db, Tx};
pub use error::StoreError;
pub use sqlx::AnyConnection as Conn;
/// The driver's error, so callers can `?` a transaction's commit.
pub use sqlx::Error as DbError;
