//! Emails to agents about their work ("a conversation was assigned to
//! you"), sent through the same durable outbox as replies: queued in the
//! caller's transaction, delivered and retried by the outbox sender.

use crate::actor::Actor;
use crate::error::AppError;
use crate::{App, AppResult, now_ms};
use ecp_domain::conversation::ConversationId;
use ecp_domain::{UserId, permission};
use ecp_mail::compose::{self, Automatic, Kind, Outgoing, Person};
use ecp_store::outbox::{self, OutboxId};
use ecp_store::{Conn, accounts, conversations, mailboxes, user_preferences, users};

impl App {
    /// Tells `assignee` by email that `by` assigned them `conversation`,
    /// in its own transaction. See [`App::notify_assigned_in`].
    pub async fn notify_assigned(
        &self,
        conversation: ConversationId,
        assignee: UserId,
        by: &Actor,
    ) -> AppResult<Option<OutboxId>> {
        let mut tx = self.db.begin().await?;
        let queued = self
            .notify_assigned_in(&mut tx, conversation, assignee, by)
            .await?;
        tx.commit().await?;
        Ok(queued)
    }

    /// Queues the "assigned to you" email on `conn` (call it inside the
    /// transaction that assigns, so both land or neither). Nothing is
    /// queued (Ok(None)) when people assign to themselves, when the
    /// assignee is deactivated, in another account, turned the email off
    /// in Preferences, or may not see the conversation's mailbox.
    ///
    /// The message comes From the mailbox's send-as address, To the
    /// assignee; its subject names the conversation's number and subject
    /// and the body gives the conversation's path (`/conversations/{id}`;
    /// there is no configured public URL to make it absolute). It is
    /// marked as automatic (`Auto-Submitted`) so that no robot answers it.
    pub async fn notify_assigned_in(
        &self,
        conn: &mut Conn,
        conversation: ConversationId,
        assignee: UserId,
        by: &Actor,
    ) -> AppResult<Option<OutboxId>> {
        if assignee == by.user_id {
            return Ok(None);
        }
        let conv = conversations::get_by_id(conn, conversation)
            .await?
            .filter(|c| c.account_id == by.account_id)
            .ok_or(AppError::NotFound)?;
        let Some(user) = users::get_by_id(conn, assignee)
            .await?
            .filter(|u| u.active && u.account_id == by.account_id)
        else {
            return Ok(None);
        };
        let wants = user_preferences::get(conn, assignee)
            .await?
            .is_some_and(|p| p.notify_assigned);
        if !wants {
            return Ok(None);
        }
        let account = accounts::get_by_id(conn, by.account_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let listed = mailboxes::permitted_users(conn, conv.mailbox_id)
            .await?
            .contains(&assignee);
        if !permission::can_see_mailbox(user.role, account.plan, listed) {
            return Ok(None);
        }
        let mailbox = mailboxes::get_by_id(conn, conv.mailbox_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let path = format!("/conversations/{}", conv.id);
        let body_html = format!(
            "<p>{by_name} assigned you conversation #{id} &ldquo;{subject}&rdquo; in the mailbox {mailbox}.</p>\
             <p>Open it in Email Center Pro at {path}</p>",
            by_name = escape(&by.name),
            id = conv.id,
            subject = escape(&conv.subject),
            mailbox = escape(&mailbox.name),
        );
        let out = Outgoing {
            kind: Kind::New,
            from: Person {
                name: (!mailbox.send_as_name.is_empty()).then(|| mailbox.send_as_name.clone()),
                address: mailbox.send_as_address.as_str().to_string(),
            },
            to: vec![Person::new(user.name.clone(), user.email.as_str())],
            subject: format!("Assigned to you: {}", conv.subject),
            body_html,
            conversation_token: u64::try_from(conv.id.0).ok(),
            automatic: Automatic::Generated,
            message_id_domain: self.config.outbound.message_id_domain.clone(),
            ..Outgoing::default()
        };
        let built = compose::build(&out).map_err(|e| AppError::Internal(e.to_string()))?;
        let id = outbox::insert_notification(
            conn,
            conv.mailbox_id,
            conv.id,
            &built.raw,
            mailbox.send_as_address.as_str(),
            &[user.email.as_str().to_string()],
            now_ms(),
        )
        .await?;
        Ok(Some(id))
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
