//! Working a conversation: assign, status, read state, tags, merge, move,
//! and the same to many at once. Every change checks the mailbox policy
//! (404 for what the actor may not see) and records Recent Actions in its
//! own transaction.

use crate::activity::{ActivityScope, record};
use crate::actor::Actor;
use crate::error::AppError;
use crate::{App, AppResult, now_ms};
use ecp_domain::activity::Action;
use ecp_domain::conversation::{ConversationId, Status};
use ecp_domain::workspace::{BulkAction, MAX_BULK, TagName};
use ecp_domain::{MailboxId, UserId, permission};
use ecp_store::conversations::ConversationRecord;
use ecp_store::{Conn, conversation_changes as changes, mailboxes, users};
use serde_json::json;

/// Someone a conversation of a mailbox can be assigned to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignee {
    pub id: UserId,
    pub name: String,
}

impl App {
    /// One the actor may change: visible, not merged away, actor writable.
    async fn changeable(&self, actor: &Actor, id: ConversationId) -> AppResult<ConversationRecord> {
        actor.require_writable()?;
        let conversation = self.visible_conversation(actor, id).await?;
        let mut c = self.db.read().await?;
        if let Some(target) = changes::merged_into(&mut c, id).await? {
            return Err(AppError::Conflict(format!(
                "Conversation #{id} was merged into #{target}; work on #{target} instead."
            )));
        }
        Ok(conversation)
    }

    /// Where a merged conversation lives on, for redirects (None if it
    /// was not merged). NotFound if the actor may not see it.
    pub async fn merged_target(
        &self,
        actor: &Actor,
        id: ConversationId,
    ) -> AppResult<Option<ConversationId>> {
        self.visible_conversation(actor, id).await?;
        let mut c = self.db.read().await?;
        Ok(changes::merged_into(&mut c, id).await?)
    }

    /// Active users who may see the mailbox: the people it can be assigned to.
    pub async fn assignees(&self, actor: &Actor, mailbox: MailboxId) -> AppResult<Vec<Assignee>> {
        self.mailbox(actor, mailbox).await?;
        let mut c = self.db.read().await?;
        assignees_of(&mut c, actor, mailbox).await
    }

    pub async fn assign(
        &self,
        actor: &Actor,
        id: ConversationId,
        assignee: Option<UserId>,
    ) -> AppResult<()> {
        let conv = self.changeable(actor, id).await?;
        let mut tx = self.db.begin().await?;
        apply(
            self,
            &mut tx,
            actor,
            &conv,
            &BulkAction::Assign(assignee.map(|u| u.0)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn set_status(
        &self,
        actor: &Actor,
        id: ConversationId,
        status: Status,
    ) -> AppResult<()> {
        let conv = self.changeable(actor, id).await?;
        let mut tx = self.db.begin().await?;
        apply(self, &mut tx, actor, &conv, &BulkAction::Status(status)).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn add_tag(&self, actor: &Actor, id: ConversationId, tag: &str) -> AppResult<()> {
        let tag = TagName::parse(tag)?;
        let conv = self.changeable(actor, id).await?;
        let mut tx = self.db.begin().await?;
        apply(self, &mut tx, actor, &conv, &BulkAction::Tag(tag)).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn remove_tag(&self, actor: &Actor, id: ConversationId, tag: &str) -> AppResult<()> {
        let tag = TagName::parse(tag)?;
        let conv = self.changeable(actor, id).await?;
        let mut tx = self.db.begin().await?;
        if changes::remove_tag(&mut tx, actor.account_id, id, &tag).await? {
            let scope = ActivityScope::conversation(actor, conv.mailbox_id, id);
            record(
                &mut tx,
                scope,
                Action::Untagged,
                json!({"tag": tag.as_str()}),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn conversation_tags(
        &self,
        actor: &Actor,
        id: ConversationId,
    ) -> AppResult<Vec<String>> {
        self.visible_conversation(actor, id).await?;
        let mut c = self.db.read().await?;
        Ok(changes::tags_of(&mut c, id).await?)
    }

    /// The account's tags with how often each is used.
    pub async fn account_tags(&self, actor: &Actor) -> AppResult<Vec<(String, i64)>> {
        let mut c = self.db.read().await?;
        Ok(changes::account_tags(&mut c, actor.account_id).await?)
    }

    /// Opening a conversation marks it read for the actor (even a
    /// read-only one: it is their own state, not the team's).
    pub async fn mark_read(&self, actor: &Actor, id: ConversationId) -> AppResult<()> {
        self.visible_conversation(actor, id).await?;
        let mut c = self.db.read().await?;
        changes::mark_read(&mut c, id, actor.user_id, now_ms()).await?;
        Ok(())
    }

    pub async fn mark_unread(&self, actor: &Actor, id: ConversationId) -> AppResult<()> {
        self.visible_conversation(actor, id).await?;
        let mut c = self.db.read().await?;
        changes::mark_unread(&mut c, id, actor.user_id).await?;
        Ok(())
    }

    pub async fn is_read(&self, actor: &Actor, id: ConversationId) -> AppResult<bool> {
        self.visible_conversation(actor, id).await?;
        let mut c = self.db.read().await?;
        Ok(changes::is_read(&mut c, id, actor.user_id).await?)
    }

    /// Merges `source` into `target` (same mailbox): `source`'s messages,
    /// notes, tags and people join `target`, and `source` redirects there.
    pub async fn merge(
        &self,
        actor: &Actor,
        target: ConversationId,
        source: ConversationId,
    ) -> AppResult<()> {
        if target == source {
            return Err(AppError::invalid(
                "conversation",
                "A conversation can't be merged with itself; give the number of another one.",
            ));
        }
        let t = self.changeable(actor, target).await?;
        let s = self.changeable(actor, source).await.map_err(|e| match e {
            AppError::NotFound => AppError::invalid(
                "conversation",
                format!("There is no conversation #{source} that you can see."),
            ),
            other => other,
        })?;
        if t.mailbox_id != s.mailbox_id {
            return Err(AppError::invalid(
                "conversation",
                format!(
                    "#{source} is in another mailbox: move it to this mailbox first, then merge."
                ),
            ));
        }
        let mut tx = self.db.begin().await?;
        changes::merge(&mut tx, source, target).await?;
        let scope = ActivityScope::conversation(actor, t.mailbox_id, target);
        record(
            &mut tx,
            scope,
            Action::Merged,
            json!({"from": source.0, "from_subject": s.subject}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Moves a conversation to another mailbox the actor may see. An
    /// assignee who may not see that mailbox is unassigned.
    pub async fn move_conversation(
        &self,
        actor: &Actor,
        id: ConversationId,
        to: MailboxId,
    ) -> AppResult<()> {
        let conv = self.changeable(actor, id).await?;
        let from = self.mailbox(actor, conv.mailbox_id).await?;
        let target = self.mailbox(actor, to).await?;
        if from.id == target.id {
            return Ok(());
        }
        let mut tx = self.db.begin().await?;
        changes::move_to(&mut tx, id, to).await.map_err(|e| {
            if e.is_duplicate_of("message") {
                AppError::Conflict(format!(
                    "{} already holds one of this conversation's messages, so it can't be moved there.",
                    target.name
                ))
            } else {
                e.into()
            }
        })?;
        let mut unassigned = false;
        if let Some(a) = conv.assignee_id
            && !assignees_of(&mut tx, actor, to)
                .await?
                .iter()
                .any(|u| u.id == a)
        {
            changes::set_assignee(&mut tx, id, None).await?;
            unassigned = true;
        }
        let scope = ActivityScope::conversation(actor, to, id);
        record(
            &mut tx,
            scope,
            Action::Moved,
            json!({"from": from.name, "to": target.name, "unassigned": unassigned}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The same action on many conversations, all or nothing: one the
    /// actor may not see fails the whole request with NotFound.
    /// Returns how many were given.
    pub async fn bulk(
        &self,
        actor: &Actor,
        ids: &[ConversationId],
        action: &BulkAction,
    ) -> AppResult<usize> {
        let mut ids = ids.to_vec();
        ids.sort();
        ids.dedup();
        if ids.is_empty() {
            return Err(AppError::invalid(
                "conversations",
                "Select at least one conversation.",
            ));
        }
        if ids.len() > MAX_BULK {
            return Err(AppError::invalid(
                "conversations",
                format!("Select at most {MAX_BULK} conversations at a time."),
            ));
        }
        let mut convs = Vec::with_capacity(ids.len());
        for id in &ids {
            convs.push(self.changeable(actor, *id).await?);
        }
        let mut tx = self.db.begin().await?;
        for conv in &convs {
            apply(self, &mut tx, actor, conv, action).await?;
        }
        tx.commit().await?;
        Ok(convs.len())
    }
}

async fn assignees_of(c: &mut Conn, actor: &Actor, mailbox: MailboxId) -> AppResult<Vec<Assignee>> {
    let listed = mailboxes::permitted_users(c, mailbox).await?;
    Ok(users::list_for_account(c, actor.account_id)
        .await?
        .into_iter()
        .filter(|u| {
            u.active && permission::can_see_mailbox(u.role, actor.plan, listed.contains(&u.id))
        })
        .map(|u| Assignee {
            id: u.id,
            name: u.name,
        })
        .collect())
}

/// One change to one conversation with its record; nothing when it
/// changes nothing.
async fn apply(
    app: &App,
    tx: &mut Conn,
    actor: &Actor,
    conv: &ConversationRecord,
    action: &BulkAction,
) -> AppResult<()> {
    let scope = ActivityScope::conversation(actor, conv.mailbox_id, conv.id);
    match action {
        BulkAction::Assign(to) => {
            let to = to.map(UserId);
            if to == conv.assignee_id {
                return Ok(());
            }
            let Some(user) = to else {
                changes::set_assignee(tx, conv.id, None).await?;
                return record(tx, scope, Action::Unassigned, json!({})).await;
            };
            let Some(a) = assignees_of(tx, actor, conv.mailbox_id)
                .await?
                .into_iter()
                .find(|a| a.id == user)
            else {
                return Err(AppError::invalid(
                    "assignee",
                    "That user can't be assigned here: choose an active user who may see this mailbox.",
                ));
            };
            changes::set_assignee(tx, conv.id, Some(user)).await?;
            record(
                tx,
                scope,
                Action::Assigned,
                json!({"assignee_id": user.0, "assignee": a.name}),
            )
            .await?;
            // The "assigned to you" email lands with the assignment or not
            // at all (it decides itself whether the person wants it).
            app.notify_assigned_in(tx, conv.id, user, actor).await?;
            Ok(())
        }
        BulkAction::Status(status) => {
            if *status == conv.status {
                return Ok(());
            }
            changes::set_status(tx, conv.id, *status).await?;
            let what = match (conv.status, status) {
                (_, Status::Spam) => Action::MarkedSpam,
                (Status::Spam, _) => Action::NotSpam,
                _ => Action::StatusChanged,
            };
            record(
                tx,
                scope,
                what,
                json!({"from": conv.status.as_str(), "to": status.as_str()}),
            )
            .await
        }
        BulkAction::Tag(tag) => {
            if changes::add_tag(tx, actor.account_id, conv.id, tag, now_ms()).await? {
                record(tx, scope, Action::Tagged, json!({"tag": tag.as_str()})).await?;
            }
            Ok(())
        }
    }
}
