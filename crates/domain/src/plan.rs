//! Plans (account levels) and what each allows. Enforced here, shown by the
//! UI from the same numbers.

use crate::validation::ValidationError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Plan {
    Free,
    Standard,
    Premium,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PlanLimits {
    pub max_mailboxes: u32,
    pub max_users: u32,
    /// Without it every user sees every mailbox (permissions are kept but
    /// not applied).
    pub per_mailbox_permissions: bool,
    pub pop_over_ssl: bool,
    pub api: bool,
}

impl Plan {
    pub const ALL: [Plan; 3] = [Plan::Free, Plan::Standard, Plan::Premium];

    pub fn limits(self) -> PlanLimits {
        match self {
            Plan::Free => PlanLimits {
                max_mailboxes: 2,
                max_users: 3,
                per_mailbox_permissions: false,
                pop_over_ssl: false,
                api: false,
            },
            Plan::Standard => PlanLimits {
                max_mailboxes: 10,
                max_users: 25,
                per_mailbox_permissions: true,
                pop_over_ssl: true,
                api: true,
            },
            Plan::Premium => PlanLimits {
                max_mailboxes: 100,
                max_users: 250,
                per_mailbox_permissions: true,
                pop_over_ssl: true,
                api: true,
            },
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Plan::Free => "free",
            Plan::Standard => "standard",
            Plan::Premium => "premium",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Plan::Free => "Free",
            Plan::Standard => "Standard",
            Plan::Premium => "Premium",
        }
    }

    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        match input.trim().to_ascii_lowercase().as_str() {
            "free" => Ok(Plan::Free),
            "standard" => Ok(Plan::Standard),
            "premium" => Ok(Plan::Premium),
            _ => Err(ValidationError::new(
                "plan",
                "The plan must be free, standard or premium.",
            )),
        }
    }

    /// Refuses adding one more mailbox when `current` already reaches the cap.
    pub fn check_add_mailbox(self, current: u32) -> Result<(), PlanLimitError> {
        let max = self.limits().max_mailboxes;
        if current >= max {
            return Err(PlanLimitError {
                plan: self,
                what: "mailboxes",
                limit: max,
            });
        }
        Ok(())
    }

    /// Refuses adding one more active user when `current` already reaches the cap.
    pub fn check_add_user(self, current: u32) -> Result<(), PlanLimitError> {
        let max = self.limits().max_users;
        if current >= max {
            return Err(PlanLimitError {
                plan: self,
                what: "users",
                limit: max,
            });
        }
        Ok(())
    }

    /// Given items in the order they were created, which are over this
    /// plan's cap. The oldest stay writable: going down a plan never deletes,
    /// it makes the newest extras read-only until the account resolves it.
    pub fn over_limit<T: Copy>(self, items_oldest_first: &[T], what: LimitKind) -> Vec<T> {
        let max = match what {
            LimitKind::Mailboxes => self.limits().max_mailboxes,
            LimitKind::Users => self.limits().max_users,
        } as usize;
        items_oldest_first.iter().skip(max).copied().collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitKind {
    Mailboxes,
    Users,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanLimitError {
    pub plan: Plan,
    pub what: &'static str,
    pub limit: u32,
}

impl std::fmt::Display for PlanLimitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "The {} plan allows at most {} {}. Upgrade the plan or remove one first.",
            self.plan.label(),
            self.limit,
            self.what
        )
    }
}

impl std::error::Error for PlanLimitError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps() {
        assert!(Plan::Free.check_add_mailbox(1).is_ok());
        let e = Plan::Free.check_add_mailbox(2).unwrap_err();
        assert_eq!(
            e.to_string(),
            "The Free plan allows at most 2 mailboxes. Upgrade the plan or remove one first."
        );
        assert!(Plan::Standard.check_add_user(24).is_ok());
        assert!(Plan::Standard.check_add_user(25).is_err());
    }

    #[test]
    fn features() {
        assert!(!Plan::Free.limits().api);
        assert!(!Plan::Free.limits().per_mailbox_permissions);
        assert!(!Plan::Free.limits().pop_over_ssl);
        assert!(Plan::Standard.limits().api && Plan::Premium.limits().api);
    }

    #[test]
    fn newest_extras_go_read_only() {
        assert_eq!(
            Plan::Free.over_limit(&[1, 2, 3, 4], LimitKind::Mailboxes),
            vec![3, 4]
        );
        assert!(
            Plan::Premium
                .over_limit(&[1, 2, 3], LimitKind::Users)
                .is_empty()
        );
    }

    #[test]
    fn parse() {
        assert_eq!(Plan::parse(" Standard ").unwrap(), Plan::Standard);
        assert!(Plan::parse("gold").is_err());
    }
}
