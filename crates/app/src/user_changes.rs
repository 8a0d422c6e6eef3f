//! Partial changes to a user, each in one transaction: an administrator's
//! change of role and active state, and one's own Preferences. Everything is
//! validated before anything is written, so a refused change leaves nothing
//! half-done.

use crate::actor::Actor;
use crate::error::AppError;
use crate::{App, AppResult, now_ms};
use ecp_domain::role::assignable_role;
use ecp_domain::{EmailAddress, PersonName, UserId, permission};
use ecp_store::{StoreError, api_tokens, sessions, users};

pub use ecp_store::users::UserRecord;

/// What an administrator changes about another user; `None` keeps it.
#[derive(Debug, Clone, Default)]
pub struct UserPatch {
    pub role: Option<String>,
    pub active: Option<bool>,
}

/// One's own Preferences; `None` keeps a field as it is.
#[derive(Debug, Clone, Default)]
pub struct PreferencesPatch {
    pub name: Option<String>,
    pub email: Option<String>,
    /// Sanitized before it is stored.
    pub signature_html: Option<String>,
}

impl App {
    /// Deactivating keeps the user's history; they are signed out and their
    /// API tokens stop working.
    pub async fn update_user(
        &self,
        actor: &Actor,
        id: UserId,
        patch: &UserPatch,
    ) -> AppResult<UserRecord> {
        actor.require_admin()?;
        let role = patch.role.as_deref().map(assignable_role).transpose()?;
        let target = self.get_user(actor, id).await?;
        permission::can_manage_user(actor.role, actor.user_id == id, target.role)
            .map_err(|m| AppError::Forbidden(m.to_string()))?;
        let now = now_ms();
        let mut tx = self.db.begin().await?;
        if let Some(active) = patch.active {
            if active && !target.active {
                let count = users::count_active(&mut tx, actor.account_id).await?;
                actor
                    .plan
                    .check_add_user(u32::try_from(count).unwrap_or(u32::MAX))?;
            }
            users::set_active(&mut tx, id, active).await?;
            if !active {
                sessions::delete_for_user(&mut tx, id, None).await?;
                api_tokens::revoke_all_for_user(&mut tx, id, now).await?;
            }
        }
        if let Some(role) = role {
            users::set_role(&mut tx, id, role).await?;
        }
        let user = users::get_by_id(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(user)
    }

    /// Name, email and personal signature (which goes above the mailbox
    /// signature in replies).
    pub async fn update_preferences(
        &self,
        actor: &Actor,
        patch: &PreferencesPatch,
    ) -> AppResult<UserRecord> {
        actor.require_writable()?;
        let current = self.get_user(actor, actor.user_id).await?;
        let mut errors = Vec::new();
        let name = PersonName::parse(patch.name.as_deref().unwrap_or(&current.name))
            .map_err(|e| errors.push(e))
            .ok();
        let email = EmailAddress::parse(patch.email.as_deref().unwrap_or(current.email.as_str()))
            .map_err(|e| errors.push(e))
            .ok();
        let signature = patch
            .signature_html
            .as_deref()
            .map(ecp_mail::html::sanitize_signature);
        if signature
            .as_ref()
            .is_some_and(|s| s.len() > ecp_domain::mailbox::MAX_SIGNATURE_BYTES)
        {
            errors.push(ecp_domain::ValidationError::new(
                "signature_html",
                "The signature is too long: keep it under 20,000 characters of formatted text.",
            ));
        }
        let (Some(name), Some(email)) = (name, email) else {
            return Err(AppError::Validation(errors));
        };
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        let mut tx = self.db.begin().await?;
        if patch.name.is_some() || patch.email.is_some() {
            users::set_profile(&mut tx, actor.user_id, name.as_str(), &email)
                .await
                .map_err(|e| email_taken(e, &email))?;
        }
        if let Some(signature) = &signature {
            users::set_signature(&mut tx, actor.user_id, signature).await?;
        }
        let user = users::get_by_id(&mut tx, actor.user_id)
            .await?
            .ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(user)
    }
}

pub(crate) fn email_taken(e: StoreError, email: &EmailAddress) -> AppError {
    if e.is_duplicate_of("email") {
        AppError::invalid(
            "email",
            format!("{email} already has a user in Email Center Pro."),
        )
    } else {
        e.into()
    }
}
