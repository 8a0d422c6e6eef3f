//! Telling the account when the loop breaker stops a mailbox's
//! autoresponder: a Recent Actions entry and an email to every active
//! owner and administrator, queued in the same transaction as the stop.

use crate::activity::{self, ActivityScope};
use crate::outbound::compose::Target;
use crate::{App, AppResult};
use ecp_domain::activity::Action;
use ecp_domain::autoresponder::LoopBreaker;
use ecp_domain::conversation::Status;
use ecp_mail::compose::{Automatic, Kind, Outgoing, Person};
use ecp_store::mailboxes::MailboxRecord;
use ecp_store::{Tx, users};
use serde_json::json;

pub(super) async fn loop_breaker_tripped(
    app: &App,
    tx: &mut Tx,
    mailbox: &MailboxRecord,
    sent: i64,
    breaker: LoopBreaker,
) -> AppResult<()> {
    let minutes = breaker.window_ms / 60_000;
    tracing::warn!(
        mailbox = mailbox.id.0,
        sent,
        minutes,
        "autoresponder stopped by the loop breaker"
    );
    activity::record(
        tx,
        ActivityScope {
            account: mailbox.account_id,
            mailbox: Some(mailbox.id),
            conversation: None,
            user: None,
        },
        Action::AutoReplyStopped,
        json!({ "sent": sent, "window_minutes": minutes, "limit": breaker.max_replies }),
    )
    .await?;
    let admins: Vec<Person> = users::list_for_account(tx, mailbox.account_id)
        .await?
        .into_iter()
        .filter(|u| u.active && u.role.is_admin())
        .map(|u| Person {
            name: Some(u.name),
            address: u.email.as_str().to_string(),
        })
        .collect();
    if admins.is_empty() {
        return Ok(());
    }
    let body = format!(
        "<p>The autoresponder of the mailbox <strong>{name}</strong> sent {sent} automatic replies \
         in the last {minutes} minutes, the most allowed, and has been stopped so that it cannot \
         take part in a mail loop or answer a flood of messages.</p>\
         <p>No auto-replies go out from this mailbox until an administrator turns the autoresponder \
         on again in Account &amp; Tools &rarr; Mailboxes &rarr; {name} &rarr; Auto Reply. \
         Check the mailbox's recent conversations first for a loop with another robot.</p>",
        name = html_escape(&mailbox.name),
    );
    let out = Outgoing {
        kind: Kind::New,
        from: Person {
            name: (!mailbox.send_as_name.is_empty()).then(|| mailbox.send_as_name.clone()),
            address: mailbox.send_as_address.as_str().to_string(),
        },
        to: admins,
        subject: format!("Auto-replies stopped for mailbox {}", mailbox.name),
        body_html: body,
        // Marked automatic so that no robot, ours included, answers it.
        automatic: Automatic::Generated,
        message_id_domain: app.config.outbound.message_id_domain.clone(),
        ..Outgoing::default()
    };
    app.queue_in(tx, None, mailbox, out, Target::New, Some(Status::Closed))
        .await?;
    Ok(())
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
