//! The account as its owner manages it: Account Options, the plan, and
//! handing ownership to someone else.

use crate::actor::Actor;
use crate::error::AppError;
use crate::{App, AppResult};
use ecp_domain::plan::LimitKind;
use ecp_domain::{AccountId, AccountOptions, Plan, Role, SpamThreshold, TimeZoneName, UserId};
use ecp_store::{accounts, mailboxes, sessions, users};

pub use ecp_store::accounts::AccountRecord;

/// The account with its usage against the plan.
#[derive(Debug, Clone)]
pub struct AccountSummary {
    pub account: AccountRecord,
    pub mailboxes: u32,
    pub active_users: u32,
    /// Names of mailboxes and users that are read-only after a downgrade.
    pub read_only_mailboxes: Vec<String>,
    pub read_only_users: Vec<String>,
}

/// A change to Account Options; `None` leaves a field as it is (the API
/// takes partial updates, the form sends everything).
#[derive(Debug, Clone, Default)]
pub struct OptionsPatch {
    pub time_zone: Option<String>,
    pub ssl_required: Option<bool>,
    pub maintain_assignments: Option<bool>,
    pub admin_only_dashboards: Option<bool>,
    pub rss_enabled: Option<bool>,
    pub api_enabled: Option<bool>,
    pub spam_threshold: Option<i64>,
}

impl OptionsPatch {
    fn apply(&self, mut o: AccountOptions) -> AppResult<AccountOptions> {
        let mut errors = Vec::new();
        if let Some(tz) = &self.time_zone {
            match TimeZoneName::parse(tz) {
                Ok(tz) => o.time_zone = tz,
                Err(e) => errors.push(e),
            }
        }
        if let Some(t) = self.spam_threshold {
            match SpamThreshold::new(t) {
                Ok(t) => o.spam_threshold = t,
                Err(e) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        o.ssl_required = self.ssl_required.unwrap_or(o.ssl_required);
        o.maintain_assignments = self.maintain_assignments.unwrap_or(o.maintain_assignments);
        o.admin_only_dashboards = self
            .admin_only_dashboards
            .unwrap_or(o.admin_only_dashboards);
        o.rss_enabled = self.rss_enabled.unwrap_or(o.rss_enabled);
        o.api_enabled = self.api_enabled.unwrap_or(o.api_enabled);
        Ok(o)
    }
}

impl App {
    pub async fn account(&self, actor: &Actor) -> AppResult<AccountRecord> {
        let mut c = self.db.read().await?;
        accounts::get_by_id(&mut c, actor.account_id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// The account by id, for the CLI (which acts as the operator, not as a user).
    pub async fn account_by_id(&self, id: AccountId) -> AppResult<AccountRecord> {
        let mut c = self.db.read().await?;
        accounts::get_by_id(&mut c, id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// Account Options as stored, for the owner alone (the spec keeps
    /// them from administrators too).
    pub async fn account_options(&self, actor: &Actor) -> AppResult<AccountRecord> {
        if !actor.is_owner() {
            return Err(AppError::Forbidden(
                "Only the account owner can see Account Options.".into(),
            ));
        }
        self.account(actor).await
    }

    /// The plan, its limits and the usage, for the owner and
    /// administrators: it counts and names every mailbox, which a user
    /// without permission for some of them must not learn.
    pub async fn plan_usage(&self, actor: &Actor) -> AppResult<AccountSummary> {
        if !actor.is_admin() {
            return Err(AppError::Forbidden(
                "Only the account owner and administrators can see the plan and its usage.".into(),
            ));
        }
        self.account_summary(actor).await
    }

    pub async fn account_summary(&self, actor: &Actor) -> AppResult<AccountSummary> {
        let account = self.account(actor).await?;
        let mut c = self.db.read().await?;
        let boxes = mailboxes::list_for_account(&mut c, account.id).await?;
        let people: Vec<_> = users::list_for_account(&mut c, account.id)
            .await?
            .into_iter()
            .filter(|u| u.active)
            .collect();
        let box_ids: Vec<usize> = (0..boxes.len()).collect();
        let user_ids: Vec<usize> = (0..people.len()).collect();
        Ok(AccountSummary {
            mailboxes: boxes.len() as u32,
            active_users: people.len() as u32,
            read_only_mailboxes: account
                .plan
                .over_limit(&box_ids, LimitKind::Mailboxes)
                .into_iter()
                .map(|i| boxes[i].name.clone())
                .collect(),
            read_only_users: account
                .plan
                .over_limit(&user_ids, LimitKind::Users)
                .into_iter()
                .map(|i| people[i].name.clone())
                .collect(),
            account,
        })
    }

    /// Account Options (owner only).
    pub async fn update_options(
        &self,
        actor: &Actor,
        patch: &OptionsPatch,
    ) -> AppResult<AccountRecord> {
        actor.require_owner()?;
        self.set_options(actor.account_id, patch).await
    }

    /// The same without a signed-in owner, for the operator's CLI.
    pub async fn set_options(
        &self,
        account: AccountId,
        patch: &OptionsPatch,
    ) -> AppResult<AccountRecord> {
        let mut tx = self.db.begin().await?;
        let current = accounts::get_by_id(&mut tx, account)
            .await?
            .ok_or(AppError::NotFound)?;
        let options = patch.apply(current.options)?;
        // Only switching the API on is refused: after a downgrade the stored
        // "on" stays (calls are refused anyway) and must not block saving
        // the other options.
        if patch.api_enabled == Some(true) {
            options.check_against(current.plan)?;
        }
        accounts::update_options(&mut tx, account, &options).await?;
        let updated = accounts::get_by_id(&mut tx, account)
            .await?
            .ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(updated)
    }

    /// Changes the plan (owner only). Going down deletes nothing: extras
    /// become read-only, and a switched-on API stays stored but refused.
    pub async fn change_plan(&self, actor: &Actor, plan: &str) -> AppResult<AccountSummary> {
        actor.require_owner()?;
        let plan = Plan::parse(plan)?;
        let mut tx = self.db.begin().await?;
        accounts::set_plan(&mut tx, actor.account_id, plan).await?;
        tx.commit().await?;
        let mut refreshed = actor.clone();
        refreshed.plan = plan;
        self.account_summary(&refreshed).await
    }

    /// Hands ownership to another active user of the account. The old owner
    /// becomes an administrator and every session of theirs ends.
    pub async fn transfer_ownership(&self, actor: &Actor, to: UserId) -> AppResult<()> {
        actor.require_owner()?;
        if to == actor.user_id {
            return Err(AppError::invalid(
                "new_owner",
                "You already are the account owner: pick another user.",
            ));
        }
        let mut tx = self.db.begin().await?;
        let target = users::get_by_id(&mut tx, to)
            .await?
            .filter(|u| u.account_id == actor.account_id)
            .ok_or_else(|| AppError::invalid("new_owner", "Pick a user of this account."))?;
        if !target.active {
            return Err(AppError::invalid(
                "new_owner",
                format!(
                    "{} is deactivated: reactivate them before making them the owner.",
                    target.name
                ),
            ));
        }
        // Demote first: the database allows one owner per account at any instant.
        users::set_role(&mut tx, actor.user_id, Role::Administrator).await?;
        users::set_role(&mut tx, to, Role::Owner).await?;
        sessions::delete_for_user(&mut tx, actor.user_id, None).await?;
        tx.commit().await?;
        tracing::info!(account = %actor.account_id, from = %actor.user_id, to = %to, "ownership transferred");
        Ok(())
    }
}
