//! The New Account Wizard and its CLI twin: an account, its owner and
//! (optionally) its first mailbox, in one transaction.

use crate::error::AppError;
use crate::{App, AppResult, now_ms, passwords};
use ecp_domain::{
    AccountId, AccountName, EmailAddress, MailboxId, MailboxInput, MailboxSettings, NewPassword,
    PersonName, Plan, TimeZoneName, UserId, ValidationError,
};
use ecp_store::{accounts, mailboxes, users};

#[derive(Debug, Clone, Default)]
pub struct SignupInput {
    pub account_name: String,
    pub owner_name: String,
    pub owner_email: String,
    pub password: String,
    pub time_zone: String,
    pub plan: String,
    /// Empty name and address: no first mailbox.
    pub mailbox_name: String,
    pub mailbox_address: String,
}

#[derive(Debug, Clone, Copy)]
pub struct SignupOutcome {
    pub account_id: AccountId,
    pub owner_id: UserId,
    pub mailbox_id: Option<MailboxId>,
}

impl App {
    /// Whether the installation has no account yet (first visit shows the
    /// wizard).
    pub async fn needs_first_account(&self) -> AppResult<bool> {
        let mut c = self.db.read().await?;
        Ok(accounts::count(&mut c).await? == 0)
    }

    /// Whether the web sign-up page is open: always for the first account,
    /// afterwards only when the config enables it.
    pub async fn signup_open(&self) -> AppResult<bool> {
        Ok(self.config.signup_enabled || self.needs_first_account().await?)
    }

    pub async fn create_account(&self, input: &SignupInput) -> AppResult<SignupOutcome> {
        let mut errors: Vec<ValidationError> = Vec::new();
        let name = AccountName::parse(&input.account_name)
            .map_err(|e| errors.push(e))
            .ok();
        let owner_name = PersonName::parse(&input.owner_name)
            .map_err(|e| errors.push(e))
            .ok();
        let owner_email = EmailAddress::parse(&input.owner_email)
            .map_err(|e| errors.push(e))
            .ok();
        let password = NewPassword::parse(&input.password)
            .map_err(|e| errors.push(e))
            .ok();
        let tz = if input.time_zone.trim().is_empty() {
            Some(TimeZoneName::default_zone())
        } else {
            TimeZoneName::parse(&input.time_zone)
                .map_err(|e| errors.push(e))
                .ok()
        };
        let plan = if input.plan.trim().is_empty() {
            Some(Plan::Free)
        } else {
            Plan::parse(&input.plan).map_err(|e| errors.push(e)).ok()
        };
        let wants_mailbox =
            !(input.mailbox_name.trim().is_empty() && input.mailbox_address.trim().is_empty());
        let mailbox = if wants_mailbox {
            MailboxSettings::parse(
                &MailboxInput {
                    name: &input.mailbox_name,
                    direct_address: &input.mailbox_address,
                    ..Default::default()
                },
                String::new(),
            )
            .map_err(|e| errors.extend(e))
            .ok()
        } else {
            None
        };
        let (Some(name), Some(owner_name), Some(owner_email), Some(password), Some(tz), Some(plan)) =
            (name, owner_name, owner_email, password, tz, plan)
        else {
            return Err(AppError::Validation(errors));
        };
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }

        let hash = passwords::hash(password.expose().to_string()).await?;
        let now = now_ms();
        let mut tx = self.db.begin().await?;
        let account_id = accounts::insert(&mut tx, &name, plan, &tz, now).await?;
        let owner_id = users::insert(
            &mut tx,
            users::NewUser {
                account_id,
                name: owner_name.as_str(),
                email: &owner_email,
                password_hash: Some(&hash),
                role: ecp_domain::Role::Owner,
                now,
            },
        )
        .await
        .map_err(|e| {
            if e.is_duplicate_of("email") {
                AppError::invalid(
                    "owner_email",
                    "A user with this email address already exists: sign in instead.",
                )
            } else {
                e.into()
            }
        })?;
        let mailbox_id = match mailbox {
            Some(m) => Some(
                mailboxes::insert(&mut tx, account_id, &m, now)
                    .await
                    .map_err(crate::mailboxes::address_conflict)?,
            ),
            None => None,
        };
        tx.commit().await?;
        tracing::info!(account = %account_id, owner = %owner_id, "account created");
        Ok(SignupOutcome {
            account_id,
            owner_id,
            mailbox_id,
        })
    }
}
