//! The autoresponder pass: answers conversations flagged
//! `autoreply_pending` at filing. Each conversation is handled in one
//! transaction that starts by clearing the flag (the claim), so the answer,
//! the ledger entry and the cleared flag commit together or not at all.

use super::alert;
use crate::activity::{self, ActivityScope};
use crate::error::AppError;
use crate::outbound::compose::Target;
use crate::templates::render;
use crate::{App, AppResult, now_ms};
use ecp_domain::EmailAddress;
use ecp_domain::activity::Action;
use ecp_domain::autoresponder::is_own_address;
use ecp_domain::conversation::{ConversationId, Status};
use ecp_domain::template::TemplateContext;
use ecp_mail::compose::{Automatic, Kind, Outgoing, Parent, Person};
use ecp_store::autoresponder::{self, OpeningMessage};
use ecp_store::{Tx, conversations, mailboxes, templates};
use serde_json::json;

/// What the pass did with one flagged conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AutoReplyOutcome {
    /// Answered: the auto-reply is queued in the outbox.
    Queued,
    /// Another node or an earlier pass took it.
    NotClaimed,
    /// The mailbox's autoresponder is off or has no template.
    Off,
    /// The loop breaker has stopped the mailbox's autoresponder.
    Stopped,
    /// The sender had an auto-reply within the period.
    Budget,
    /// Must not be answered; why.
    Skipped(&'static str),
}

impl App {
    /// One pass over the conversations waiting for an auto-reply.
    pub async fn send_due_autoreplies(&self) -> AppResult<Vec<(ConversationId, AutoReplyOutcome)>> {
        let due = {
            let mut c = self.db.read().await?;
            autoresponder::pending(&mut c, self.config.autoresponder.batch).await?
        };
        let mut done = Vec::with_capacity(due.len());
        for id in due {
            let mut tx = self.db.begin().await?;
            if !autoresponder::claim(&mut tx, id).await? {
                done.push((id, AutoReplyOutcome::NotClaimed));
                continue;
            }
            let outcome = self.answer(&mut tx, id).await?;
            tx.commit().await?;
            if let AutoReplyOutcome::Skipped(why) = outcome {
                tracing::debug!(conversation = id.0, why, "no auto-reply");
            }
            done.push((id, outcome));
        }
        Ok(done)
    }

    async fn answer(&self, tx: &mut Tx, id: ConversationId) -> AppResult<AutoReplyOutcome> {
        use AutoReplyOutcome::*;
        let Some(conv) = conversations::get_by_id(tx, id).await? else {
            return Ok(Skipped("conversation gone"));
        };
        let Some(mailbox) = mailboxes::get_by_id(tx, conv.mailbox_id).await? else {
            return Ok(Skipped("mailbox gone"));
        };
        let state = autoresponder::get_for_mailbox(tx, mailbox.id).await?;
        let settings = state.settings;
        let Some(template_id) = settings.template.filter(|_| settings.enabled) else {
            return Ok(Off);
        };
        if state.tripped_at.is_some() {
            return Ok(Stopped);
        }
        if conv.status == Status::Spam {
            return Ok(Skipped("spam"));
        }
        let Some(opening) = autoresponder::opening_message(tx, id).await? else {
            return Ok(Skipped("no customer message"));
        };
        if let Some(why) = not_answerable(&opening) {
            return Ok(Skipped(why));
        }
        let Ok(sender) = EmailAddress::parse(&opening.from_address) else {
            return Ok(Skipped("sender address unusable"));
        };
        let own = [
            mailbox.direct_address.as_str(),
            mailbox.send_as_address.as_str(),
        ];
        if is_own_address(sender.as_str(), &own) {
            return Ok(Skipped("own address"));
        }
        let now = now_ms();
        let breaker = self.config.autoresponder.breaker;
        let window_start = now - breaker.window_ms;
        let sent = autoresponder::sent_since(tx, mailbox.id, window_start).await?;
        if breaker.trips(sent) {
            if autoresponder::trip(tx, mailbox.id, now).await? {
                alert::loop_breaker_tripped(self, tx, &mailbox, sent, breaker).await?;
            }
            return Ok(Stopped);
        }
        let cutoff = now - settings.period_ms();
        if !autoresponder::take_budget(tx, mailbox.id, sender.as_str(), now, cutoff).await? {
            return Ok(Budget);
        }
        let Some(template) = templates::get_in_account(tx, mailbox.account_id, template_id).await?
        else {
            return Ok(Off);
        };
        let customer_name = if opening.from_name.is_empty() {
            conv.customer_name.clone()
        } else {
            opening.from_name.clone()
        };
        let ctx = TemplateContext {
            customer_name: customer_name.clone(),
            customer_email: sender.as_str().to_string(),
            mailbox_name: mailbox.name.clone(),
            agent_name: mailbox.send_as_name.clone(),
            conversation_number: Some(id.0),
        };
        let rendered = match render(&template.body_html, &template.subject, &ctx) {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(conversation = id.0, error = %e, "the autoresponder's template does not render");
                return Ok(Skipped("template does not render"));
            }
        };
        let out = Outgoing {
            kind: Kind::Reply,
            from: Person {
                name: (!mailbox.send_as_name.is_empty()).then(|| mailbox.send_as_name.clone()),
                address: mailbox.send_as_address.as_str().to_string(),
            },
            to: vec![Person {
                name: (!customer_name.is_empty()).then_some(customer_name),
                address: sender.as_str().to_string(),
            }],
            // The conversation's subject keeps the answer in the customer's
            // thread; the template's own subject is for new mail.
            subject: conv.subject.clone(),
            body_html: rendered.html,
            body_text: Some(rendered.text),
            mailbox_signature_html: mailbox.signature_html.clone(),
            conversation_token: u64::try_from(id.0).ok(),
            parent: opening.message_id_header.as_ref().map(|mid| Parent {
                message_id: mid.clone(),
                references: opening
                    .references
                    .split_whitespace()
                    .map(str::to_string)
                    .collect(),
            }),
            automatic: Automatic::Replied,
            message_id_domain: self.config.outbound.message_id_domain.clone(),
            ..Outgoing::default()
        };
        let queued = match self
            .queue_in(tx, None, &mailbox, out, Target::Existing(id), None)
            .await
        {
            Ok(q) => q,
            // Nothing is written before the message is built: only the
            // claim and the ledger commit, so it is not tried forever.
            Err(AppError::Validation(e)) => {
                tracing::warn!(conversation = id.0, error = ?e, "the auto-reply can't be built");
                return Ok(Skipped("message can't be built"));
            }
            Err(e) => return Err(e),
        };
        autoresponder::record_sent(tx, mailbox.id, now, window_start).await?;
        activity::record(
            tx,
            ActivityScope {
                account: mailbox.account_id,
                mailbox: Some(mailbox.id),
                conversation: Some(id),
                user: None,
            },
            Action::AutoReplied,
            json!({ "to": sender.as_str(), "template": template.name, "outbox": queued.outbox.0 }),
        )
        .await?;
        Ok(Queued)
    }
}

/// Filing already leaves these unflagged; checked again because the flag
/// may predate a rule, and imported mail is history, not a new request.
fn not_answerable(m: &OpeningMessage) -> Option<&'static str> {
    if !m.automated.is_empty() {
        return Some("automated mail (RFC 3834)");
    }
    if m.source_kind.as_deref() == Some("import") {
        return Some("imported");
    }
    None
}
