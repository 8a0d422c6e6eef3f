//! The permission policy, in one place. Everything mailbox-scoped asks
//! [`can_see_mailbox`]; callers turn a "no" into 404 so that a user learns
//! nothing about a mailbox they may not see.

use crate::plan::Plan;
use crate::role::Role;

/// A user sees a mailbox when they are owner or administrator, or the plan
/// has no per-mailbox permissions, or they are listed on it.
pub fn can_see_mailbox(role: Role, plan: Plan, listed: bool) -> bool {
    role.is_admin() || !plan.limits().per_mailbox_permissions || listed
}

/// Adding, editing and deleting mailboxes and users.
pub fn can_administer(role: Role) -> bool {
    role.is_admin()
}

/// Account Options, plan changes, owner transfer: the owner alone.
pub fn is_owner(role: Role) -> bool {
    role == Role::Owner
}

/// Whether `actor` may change the role of, or deactivate, `target`.
/// Nobody changes the owner this way (ownership moves only by transfer),
/// and nobody demotes or deactivates themselves, which would lock them out.
pub fn can_manage_user(
    actor: Role,
    actor_is_target: bool,
    target: Role,
) -> Result<(), &'static str> {
    if !actor.is_admin() {
        return Err("Only the account owner and administrators manage users.");
    }
    if target == Role::Owner {
        return Err(
            "The account owner can't be changed or deactivated; the owner can transfer ownership in Account Options.",
        );
    }
    if actor_is_target {
        return Err(
            "You can't change your own role or deactivate yourself; ask the owner or another administrator.",
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mailbox_visibility_matrix() {
        for plan in Plan::ALL {
            for listed in [false, true] {
                assert!(can_see_mailbox(Role::Owner, plan, listed));
                assert!(can_see_mailbox(Role::Administrator, plan, listed));
            }
        }
        assert!(can_see_mailbox(Role::User, Plan::Free, false));
        assert!(!can_see_mailbox(Role::User, Plan::Standard, false));
        assert!(!can_see_mailbox(Role::User, Plan::Premium, false));
        assert!(can_see_mailbox(Role::User, Plan::Standard, true));
    }

    #[test]
    fn managing_users() {
        assert!(can_manage_user(Role::User, false, Role::User).is_err());
        assert!(can_manage_user(Role::Administrator, false, Role::Owner).is_err());
        assert!(can_manage_user(Role::Owner, true, Role::Owner).is_err());
        assert!(can_manage_user(Role::Administrator, true, Role::Administrator).is_err());
        assert!(can_manage_user(Role::Administrator, false, Role::Administrator).is_ok());
        assert!(can_manage_user(Role::Owner, false, Role::User).is_ok());
    }
}
