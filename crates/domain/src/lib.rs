//! The rules of Email Center Pro as plain types and functions: who may see
//! what, what a plan allows, what a valid address or name is. No I/O, no
//! async, no database or HTTP types: everything here is unit-testable.

pub mod activity;
pub mod autoresponder;
pub mod conversation;
pub mod dkim;
pub mod email;
pub mod ids;
pub mod mailbox;
pub mod names;
pub mod options;
pub mod password;
pub mod permission;
pub mod plan;
pub mod role;
pub mod search;
pub mod smtp_server;
pub mod template;
pub mod time_zone;
pub mod validation;
pub mod workspace;

pub use email::EmailAddress;
pub use ids::{AccountId, ApiTokenId, MailboxId, UserId};
pub use mailbox::{MailboxInput, MailboxSettings};
pub use names::{AccountName, MailboxName, PersonName, TokenName};
pub use options::{AccountOptions, SpamThreshold};
pub use password::NewPassword;
pub use plan::{Plan, PlanLimits};
pub use role::Role;
pub use time_zone::TimeZoneName;
pub use validation::ValidationError;
