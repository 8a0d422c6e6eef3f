//! Who is acting: the signed-in user, their account's plan, and whether the
//! plan has made them read-only.

use crate::error::AppError;
use crate::{App, AppResult};
use ecp_domain::plan::LimitKind;
use ecp_domain::{AccountId, EmailAddress, Plan, Role, UserId, permission};
use ecp_store::{accounts, users};

#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: UserId,
    pub account_id: AccountId,
    pub name: String,
    pub email: EmailAddress,
    pub role: Role,
    pub plan: Plan,
    /// Over the plan's user limit after a downgrade: may read, not change.
    pub read_only: bool,
}

impl Actor {
    pub fn is_admin(&self) -> bool {
        self.role.is_admin()
    }

    pub fn is_owner(&self) -> bool {
        self.role == Role::Owner
    }

    pub(crate) fn require_admin(&self) -> AppResult<()> {
        self.require_writable()?;
        if permission::can_administer(self.role) {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "Only the account owner and administrators can do this.".into(),
            ))
        }
    }

    pub(crate) fn require_owner(&self) -> AppResult<()> {
        self.require_writable()?;
        if permission::is_owner(self.role) {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "Only the account owner can do this.".into(),
            ))
        }
    }

    pub(crate) fn require_writable(&self) -> AppResult<()> {
        if self.read_only {
            return Err(AppError::ReadOnly(format!(
                "Your user is read-only: the {} plan allows {} users and this account has more. \
                 The owner can upgrade the plan or an administrator can deactivate users.",
                self.plan.label(),
                self.plan.limits().max_users
            )));
        }
        Ok(())
    }
}

impl App {
    /// Loads the actor for a signed-in user; inactive or unknown users are
    /// not actors.
    pub async fn actor(&self, user: UserId) -> AppResult<Actor> {
        let mut c = self.db.read().await?;
        let u = users::get_by_id(&mut c, user)
            .await?
            .filter(|u| u.active)
            .ok_or_else(|| AppError::Unauthenticated("Please sign in again.".into()))?;
        let account = accounts::get_by_id(&mut c, u.account_id)
            .await?
            .ok_or_else(|| AppError::Internal(format!("user {user} has no account")))?;
        let max = account.plan.limits().max_users as i64;
        let read_only = if users::count_active(&mut c, u.account_id).await? > max {
            let active: Vec<UserId> = users::list_for_account(&mut c, u.account_id)
                .await?
                .into_iter()
                .filter(|u| u.active)
                .map(|u| u.id)
                .collect();
            account
                .plan
                .over_limit(&active, LimitKind::Users)
                .contains(&u.id)
        } else {
            false
        };
        Ok(Actor {
            user_id: u.id,
            account_id: u.account_id,
            name: u.name,
            email: u.email,
            role: u.role,
            plan: account.plan,
            read_only,
        })
    }
}
