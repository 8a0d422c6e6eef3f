//! Mailboxes: what a user may see (the permission policy applied), and the
//! Mailboxes tab's administration.

use crate::actor::Actor;
use crate::error::AppError;
use crate::{App, AppResult, now_ms};
use ecp_domain::plan::LimitKind;
use ecp_domain::{MailboxId, MailboxInput, MailboxSettings, UserId, permission};
use ecp_store::{StoreError, mailboxes, users};

pub use ecp_store::mailboxes::MailboxRecord;

/// A mailbox with what its editor needs: who is permitted, and whether a
/// plan downgrade made it read-only.
#[derive(Debug, Clone)]
pub struct MailboxDetail {
    pub mailbox: MailboxRecord,
    pub permitted_users: Vec<UserId>,
    pub read_only: bool,
}

/// What deleting a mailbox loses, for the confirmation.
#[derive(Debug, Clone)]
pub struct DeleteImpact {
    pub name: String,
    pub permitted_users: usize,
}

impl DeleteImpact {
    pub fn describe(&self) -> String {
        format!(
            "Deleting \"{}\" removes the mailbox, its address, signature, Auto-BCC and the permissions of {} user(s), \
             and every conversation filed in it. This can't be undone.",
            self.name, self.permitted_users
        )
    }
}

/// Turns a UNIQUE clash on the direct address into a message for a person.
pub(crate) fn address_conflict(e: StoreError) -> AppError {
    if e.is_duplicate_of("direct_address") {
        AppError::invalid(
            "direct_address",
            "This mailbox email address is already used by another mailbox. Each mailbox needs its own address.",
        )
    } else {
        e.into()
    }
}

impl App {
    /// The mailboxes the actor may see, oldest first.
    pub async fn visible_mailboxes(&self, actor: &Actor) -> AppResult<Vec<MailboxRecord>> {
        let mut c = self.db.read().await?;
        let all = mailboxes::list_for_account(&mut c, actor.account_id).await?;
        if permission::can_see_mailbox(actor.role, actor.plan, false) {
            return Ok(all);
        }
        let listed = mailboxes::listed_for_user(&mut c, actor.user_id).await?;
        Ok(all
            .into_iter()
            .filter(|m| permission::can_see_mailbox(actor.role, actor.plan, listed.contains(&m.id)))
            .collect())
    }

    /// A mailbox the actor may see, or NotFound (also when it exists but is
    /// not theirs to see: the two are never told apart).
    pub async fn mailbox(&self, actor: &Actor, id: MailboxId) -> AppResult<MailboxRecord> {
        let mut c = self.db.read().await?;
        let mailbox = mailboxes::get_by_id(&mut c, id)
            .await?
            .filter(|m| m.account_id == actor.account_id)
            .ok_or(AppError::NotFound)?;
        let listed = if permission::can_see_mailbox(actor.role, actor.plan, false) {
            true
        } else {
            mailboxes::permitted_users(&mut c, id)
                .await?
                .contains(&actor.user_id)
        };
        if permission::can_see_mailbox(actor.role, actor.plan, listed) {
            Ok(mailbox)
        } else {
            Err(AppError::NotFound)
        }
    }

    /// The mailbox with its permissions, for administrators.
    pub async fn mailbox_detail(&self, actor: &Actor, id: MailboxId) -> AppResult<MailboxDetail> {
        let mailbox = self.mailbox(actor, id).await?;
        if !actor.is_admin() {
            return Err(AppError::Forbidden(
                "Only the account owner and administrators can change mailboxes.".into(),
            ));
        }
        let mut c = self.db.read().await?;
        let permitted_users = mailboxes::permitted_users(&mut c, id).await?;
        let read_only = self.mailbox_over_limit(&mut c, actor, id).await?;
        Ok(MailboxDetail {
            mailbox,
            permitted_users,
            read_only,
        })
    }

    async fn mailbox_over_limit(
        &self,
        c: &mut ecp_store::Conn,
        actor: &Actor,
        id: MailboxId,
    ) -> AppResult<bool> {
        let ids: Vec<MailboxId> = mailboxes::list_for_account(c, actor.account_id)
            .await?
            .into_iter()
            .map(|m| m.id)
            .collect();
        Ok(actor
            .plan
            .over_limit(&ids, LimitKind::Mailboxes)
            .contains(&id))
    }

    pub async fn create_mailbox(
        &self,
        actor: &Actor,
        input: &MailboxInput<'_>,
        permitted: &[UserId],
    ) -> AppResult<MailboxDetail> {
        actor.require_admin()?;
        let settings = MailboxSettings::parse(
            input,
            ecp_mail::html::sanitize_signature(input.signature_html),
        )?;
        let mut tx = self.db.begin().await?;
        let count = mailboxes::count_for_account(&mut tx, actor.account_id).await?;
        actor
            .plan
            .check_add_mailbox(u32::try_from(count).unwrap_or(u32::MAX))?;
        let permitted = self.check_users(&mut tx, actor, permitted).await?;
        let id = mailboxes::insert(&mut tx, actor.account_id, &settings, now_ms())
            .await
            .map_err(address_conflict)?;
        mailboxes::set_permitted_users(&mut tx, id, &permitted).await?;
        tx.commit().await?;
        self.mailbox_detail(actor, id).await
    }

    /// Saves the Mailboxes tab for one mailbox. `permitted: None` leaves the
    /// permission list as it is.
    pub async fn update_mailbox(
        &self,
        actor: &Actor,
        id: MailboxId,
        input: &MailboxInput<'_>,
        permitted: Option<&[UserId]>,
    ) -> AppResult<MailboxDetail> {
        // Visibility first: a mailbox the actor may not see answers 404,
        // never a 403 that would confirm it exists.
        let current = self.mailbox(actor, id).await?;
        actor.require_admin()?;
        let settings = MailboxSettings::parse(
            input,
            ecp_mail::html::sanitize_signature(input.signature_html),
        )?;
        let mut tx = self.db.begin().await?;
        if self.mailbox_over_limit(&mut tx, actor, id).await? {
            return Err(read_only_mailbox(actor, &current.name));
        }
        mailboxes::update(&mut tx, id, &settings)
            .await
            .map_err(address_conflict)?;
        if let Some(permitted) = permitted {
            let permitted = self.check_users(&mut tx, actor, permitted).await?;
            mailboxes::set_permitted_users(&mut tx, id, &permitted).await?;
        }
        tx.commit().await?;
        self.mailbox_detail(actor, id).await
    }

    pub async fn set_mailbox_permissions(
        &self,
        actor: &Actor,
        id: MailboxId,
        permitted: &[UserId],
    ) -> AppResult<MailboxDetail> {
        let current = self.mailbox(actor, id).await?;
        actor.require_admin()?;
        let mut tx = self.db.begin().await?;
        if self.mailbox_over_limit(&mut tx, actor, id).await? {
            return Err(read_only_mailbox(actor, &current.name));
        }
        let permitted = self.check_users(&mut tx, actor, permitted).await?;
        mailboxes::set_permitted_users(&mut tx, id, &permitted).await?;
        tx.commit().await?;
        self.mailbox_detail(actor, id).await
    }

    pub async fn mailbox_delete_impact(
        &self,
        actor: &Actor,
        id: MailboxId,
    ) -> AppResult<DeleteImpact> {
        let detail = self.mailbox_detail(actor, id).await?;
        Ok(DeleteImpact {
            name: detail.mailbox.name,
            permitted_users: detail.permitted_users.len(),
        })
    }

    /// Deleting is allowed even when read-only: it is how an account gets
    /// back under its plan's limit.
    pub async fn delete_mailbox(&self, actor: &Actor, id: MailboxId) -> AppResult<()> {
        self.mailbox(actor, id).await?;
        actor.require_admin()?;
        let mut tx = self.db.begin().await?;
        ecp_store::search::forget_mailbox(&mut tx, self.db.backend(), id.0).await?;
        if !mailboxes::delete(&mut tx, id).await? {
            return Err(AppError::NotFound);
        }
        tx.commit().await?;
        tracing::info!(mailbox = %id, by = %actor.user_id, "mailbox deleted");
        Ok(())
    }

    /// Keeps only ids of users in the actor's account; anything else is an
    /// error rather than silently dropped.
    async fn check_users(
        &self,
        c: &mut ecp_store::Conn,
        actor: &Actor,
        ids: &[UserId],
    ) -> AppResult<Vec<UserId>> {
        let members: Vec<UserId> = users::list_for_account(c, actor.account_id)
            .await?
            .into_iter()
            .map(|u| u.id)
            .collect();
        let mut out = Vec::new();
        for id in ids {
            if !members.contains(id) {
                return Err(AppError::invalid(
                    "permissions",
                    format!("User {id} is not a user of this account."),
                ));
            }
            if !out.contains(id) {
                out.push(*id);
            }
        }
        Ok(out)
    }
}

fn read_only_mailbox(actor: &Actor, name: &str) -> AppError {
    AppError::ReadOnly(format!(
        "Mailbox \"{name}\" is read-only: the {} plan allows {} mailboxes and this account has more. \
         Upgrade the plan or delete a mailbox.",
        actor.plan.label(),
        actor.plan.limits().max_mailboxes
    ))
}
