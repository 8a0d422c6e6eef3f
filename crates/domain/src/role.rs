//! The three roles of an account's people.

use crate::validation::ValidationError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Exactly one per account: a super-administrator who alone sees
    /// Account Options and billing.
    Owner,
    Administrator,
    User,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Administrator => "administrator",
            Role::User => "user",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Owner => "Account owner",
            Role::Administrator => "Administrator",
            Role::User => "User",
        }
    }

    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        match input.trim().to_ascii_lowercase().as_str() {
            "owner" => Ok(Role::Owner),
            "administrator" | "admin" => Ok(Role::Administrator),
            "user" => Ok(Role::User),
            _ => Err(ValidationError::new(
                "role",
                "The role must be administrator or user.",
            )),
        }
    }

    /// Owner and administrators manage mailboxes and users and are never
    /// excluded from a mailbox.
    pub fn is_admin(self) -> bool {
        matches!(self, Role::Owner | Role::Administrator)
    }
}

/// A role that can be given through "change role" or "add user": ownership
/// only moves by transfer, so `owner` is refused here.
pub fn assignable_role(input: &str) -> Result<Role, ValidationError> {
    match Role::parse(input)? {
        Role::Owner => Err(ValidationError::new(
            "role",
            "Ownership can't be given by changing a role: the owner transfers it in Account Options.",
        )),
        r => Ok(r),
    }
}
