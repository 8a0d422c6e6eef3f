//! The Users tab: listing, adding (with a password or an invite link),
//! changing roles, deactivating and reactivating; and one's own profile.

use crate::actor::Actor;
use crate::error::AppError;
use crate::secrets::{hash_token, random_token};
use crate::user_changes::{PreferencesPatch, UserPatch, email_taken};
use crate::{App, AppResult, now_ms, passwords};
use ecp_domain::plan::LimitKind;
use ecp_domain::role::assignable_role;
use ecp_domain::{
    EmailAddress, NewPassword, PersonName, Role, UserId, ValidationError, permission,
};
use ecp_store::{invites, users};

pub use ecp_store::users::UserRecord;

#[derive(Debug, Clone, Default)]
pub struct NewUserInput {
    pub name: String,
    pub email: String,
    pub role: String,
    /// Empty: the user gets an invite link to choose a password.
    pub password: String,
}

#[derive(Debug, Clone)]
pub struct AddedUser {
    pub user: UserRecord,
    /// The secret part of the invite link (`/invite/{token}`), when no
    /// password was given. Shown once; only its hash is stored.
    pub invite_token: Option<String>,
}

/// A user as the Users tab shows them, with whether the plan made them
/// read-only.
#[derive(Debug, Clone)]
pub struct UserRow {
    pub user: UserRecord,
    pub over_plan_limit: bool,
}

impl App {
    /// Everyone in the actor's account. Any user may see their colleagues
    /// (assignment needs it); only admins change them.
    pub async fn list_users(&self, actor: &Actor) -> AppResult<Vec<UserRow>> {
        let mut c = self.db.read().await?;
        let all = users::list_for_account(&mut c, actor.account_id).await?;
        let active: Vec<UserId> = all.iter().filter(|u| u.active).map(|u| u.id).collect();
        let over = actor.plan.over_limit(&active, LimitKind::Users);
        Ok(all
            .into_iter()
            .map(|u| UserRow {
                over_plan_limit: over.contains(&u.id),
                user: u,
            })
            .collect())
    }

    pub async fn get_user(&self, actor: &Actor, id: UserId) -> AppResult<UserRecord> {
        let mut c = self.db.read().await?;
        users::get_by_id(&mut c, id)
            .await?
            .filter(|u| u.account_id == actor.account_id)
            .ok_or(AppError::NotFound)
    }

    pub async fn add_user(&self, actor: &Actor, input: &NewUserInput) -> AppResult<AddedUser> {
        actor.require_admin()?;
        let mut errors: Vec<ValidationError> = Vec::new();
        let name = PersonName::parse(&input.name)
            .map_err(|e| errors.push(e))
            .ok();
        let email = EmailAddress::parse(&input.email)
            .map_err(|e| errors.push(e))
            .ok();
        let role = if input.role.trim().is_empty() {
            Some(Role::User)
        } else {
            assignable_role(&input.role)
                .map_err(|e| errors.push(e))
                .ok()
        };
        let password = if input.password.is_empty() {
            None
        } else {
            NewPassword::parse(&input.password)
                .map_err(|e| errors.push(e))
                .ok()
        };
        let (Some(name), Some(email), Some(role)) = (name, email, role) else {
            return Err(AppError::Validation(errors));
        };
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        let hash = match &password {
            Some(p) => Some(passwords::hash(p.expose().to_string()).await?),
            None => None,
        };
        let now = now_ms();
        let mut tx = self.db.begin().await?;
        // Counted inside the write transaction so two admins adding at once
        // can't both slip under the cap.
        let active = users::count_active(&mut tx, actor.account_id).await?;
        actor
            .plan
            .check_add_user(u32::try_from(active).unwrap_or(u32::MAX))?;
        let id = users::insert(
            &mut tx,
            users::NewUser {
                account_id: actor.account_id,
                name: name.as_str(),
                email: &email,
                password_hash: hash.as_deref(),
                role,
                now,
            },
        )
        .await
        .map_err(|e| email_taken(e, &email))?;
        let invite_token = if password.is_none() {
            let token = random_token();
            invites::insert(
                &mut tx,
                &hash_token(&token),
                id,
                now,
                now + self.config.invite_ttl_ms,
            )
            .await?;
            Some(token)
        } else {
            None
        };
        let user = users::get_by_id(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(AddedUser { user, invite_token })
    }

    /// A new invite link for a user who has not set a password (or lost it).
    pub async fn reissue_invite(&self, actor: &Actor, id: UserId) -> AppResult<String> {
        actor.require_admin()?;
        let target = self.get_user(actor, id).await?;
        permission::can_manage_user(actor.role, actor.user_id == id, target.role)
            .map_err(forbidden)?;
        let token = random_token();
        let now = now_ms();
        let mut c = self.db.read().await?;
        invites::insert(
            &mut c,
            &hash_token(&token),
            id,
            now,
            now + self.config.invite_ttl_ms,
        )
        .await?;
        Ok(token)
    }

    pub async fn change_role(
        &self,
        actor: &Actor,
        id: UserId,
        role: &str,
    ) -> AppResult<UserRecord> {
        let patch = UserPatch {
            role: Some(role.to_string()),
            active: None,
        };
        self.update_user(actor, id, &patch).await
    }

    /// Deactivating keeps the user's history; they are signed out and their
    /// API tokens stop working.
    pub async fn set_user_active(
        &self,
        actor: &Actor,
        id: UserId,
        active: bool,
    ) -> AppResult<UserRecord> {
        let patch = UserPatch {
            role: None,
            active: Some(active),
        };
        self.update_user(actor, id, &patch).await
    }

    /// One's own name and email (Preferences).
    pub async fn update_profile(
        &self,
        actor: &Actor,
        name: &str,
        email: &str,
    ) -> AppResult<UserRecord> {
        let patch = PreferencesPatch {
            name: Some(name.to_string()),
            email: Some(email.to_string()),
            signature_html: None,
        };
        self.update_preferences(actor, &patch).await
    }

    /// One's personal signature, which goes above the mailbox signature.
    pub async fn update_personal_signature(&self, actor: &Actor, html: &str) -> AppResult<String> {
        let patch = PreferencesPatch {
            signature_html: Some(html.to_string()),
            ..Default::default()
        };
        Ok(self.update_preferences(actor, &patch).await?.signature_html)
    }
}

fn forbidden(msg: &'static str) -> AppError {
    AppError::Forbidden(msg.to_string())
}
