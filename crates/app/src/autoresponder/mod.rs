//! The autoresponder: each new conversation of a mailbox that has it on gets
//! one automatic answer built from a chosen template.
//!
//! Never answered (RFC 3834 and common sense): automated mail (decided at
//! filing, see `ecp_mail::is_automated`: Auto-Submitted, Precedence
//! bulk/list/junk, List-Id/List-Unsubscribe, an empty Return-Path, robot
//! senders), spam, imported mail, the mailbox's own addresses, and a sender
//! already answered within the mailbox's period. Answers carry
//! `Auto-Submitted: auto-replied` and go through the outbox like an agent's
//! reply.
//!
//! The loop breaker: a mailbox that would send more than
//! [`LoopBreaker::max_replies`] auto-replies within its window stops
//! auto-replying, records `auto_reply_stopped`, emails every administrator
//! and shows a notice in the Mailboxes tab until an administrator turns it on
//! again.

mod alert;
mod pass;

pub use ecp_domain::autoresponder::{AutoReplySettings, LoopBreaker};
pub use pass::AutoReplyOutcome;

use crate::actor::Actor;
use crate::error::AppError;
use crate::{App, AppResult, now_ms};
use ecp_domain::MailboxId;
use ecp_domain::template::TemplateId;
use ecp_store::{autoresponder, templates};

/// Settings of the autoresponder pass; the server fills them from its config.
#[derive(Debug, Clone, Copy)]
pub struct AutoresponderConfig {
    pub breaker: LoopBreaker,
    /// Conversations looked at per pass.
    pub batch: i64,
}

impl Default for AutoresponderConfig {
    fn default() -> Self {
        Self {
            breaker: LoopBreaker::default(),
            batch: 50,
        }
    }
}

/// A mailbox's autoresponder as its editor shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoresponderView {
    pub mailbox: MailboxId,
    pub settings: AutoReplySettings,
    /// The chosen template's name, if it still exists.
    pub template_name: Option<String>,
    /// When the loop breaker stopped it; None while it may answer.
    pub stopped_at: Option<i64>,
}

impl App {
    /// The autoresponder of a mailbox the actor may see.
    pub async fn autoresponder(
        &self,
        actor: &Actor,
        id: MailboxId,
    ) -> AppResult<AutoresponderView> {
        let mailbox = self.mailbox(actor, id).await?;
        let mut c = self.db.read().await?;
        let record = autoresponder::get_for_mailbox(&mut c, id).await?;
        let template_name = match record.settings.template {
            Some(t) => templates::get_in_account(&mut c, mailbox.account_id, t)
                .await?
                .map(|t| t.name),
            None => None,
        };
        Ok(AutoresponderView {
            mailbox: id,
            settings: record.settings,
            template_name,
            stopped_at: record.tripped_at,
        })
    }

    /// Changes a mailbox's autoresponder (owner and administrators).
    /// Saving it enabled also turns it on again after the loop breaker
    /// stopped it. `period_hours` as typed; empty is the default.
    pub async fn set_autoresponder(
        &self,
        actor: &Actor,
        id: MailboxId,
        enabled: bool,
        template: Option<i64>,
        period_hours: &str,
    ) -> AppResult<AutoresponderView> {
        actor.require_admin()?;
        let detail = self.mailbox_detail(actor, id).await?;
        if detail.read_only {
            return Err(AppError::ReadOnly(
                "This mailbox is read-only after a plan downgrade, so its autoresponder can't be changed."
                    .into(),
            ));
        }
        let template = template.map(TemplateId);
        let settings = AutoReplySettings::parse(enabled, template, period_hours)?;
        let mut tx = self.db.begin().await?;
        if let Some(t) = template
            && templates::get_in_account(&mut tx, actor.account_id, t)
                .await?
                .is_none()
        {
            return Err(AppError::invalid(
                "template_id",
                "That template does not exist any more: choose one of the account's templates.",
            ));
        }
        autoresponder::save(&mut tx, id, &settings, now_ms()).await?;
        tx.commit().await?;
        self.autoresponder(actor, id).await
    }
}
