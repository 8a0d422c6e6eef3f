//! "Send test email": a short message through the mailbox's own SMTP
//! server right away (not through the outbox) to the administrator who
//! asked, with the server's answer when it fails.

use ecp_domain::MailboxId;
use ecp_domain::smtp_server::check_tls_allowed;
use ecp_store::mailbox_smtp;
use lettre::Message;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use serde::Serialize;

use super::routes::account_requires_tls;
use crate::actor::Actor;
use crate::error::AppError;
use crate::{App, AppResult};

/// What the test came to, in words for the person who pressed the button.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SmtpTestResult {
    pub ok: bool,
    /// Where the test message went (the administrator's address).
    pub to: String,
    /// Success, or the server's answer (or what failed before it answered).
    pub message: String,
}

impl App {
    /// Tests the saved settings, enabled or not (so they can be checked
    /// before mail is switched over).
    pub async fn send_smtp_test_email(
        &self,
        actor: &Actor,
        mailbox: MailboxId,
    ) -> AppResult<SmtpTestResult> {
        let record = self.mailbox(actor, mailbox).await?;
        actor.require_admin()?;
        let (server, required) = {
            let mut c = self.db.read().await?;
            let server = mailbox_smtp::get_for_mailbox(&mut c, mailbox)
                .await?
                .ok_or_else(|| {
                    AppError::Conflict(
                        "This mailbox has no SMTP server of its own (its mail goes through the \
                         main relay): save one first."
                            .into(),
                    )
                })?;
            (server, account_requires_tls(&mut c, mailbox).await?)
        };
        let to = actor.email.to_string();
        let failed = |message: String| SmtpTestResult {
            ok: false,
            to: to.clone(),
            message,
        };
        if let Err(e) = check_tls_allowed(server.tls, required) {
            return Ok(failed(e.message));
        }
        let from = record.send_as_address.to_string();
        let raw = test_message(&record.send_as_name, &from, &actor.name, &to, &server.host)?;
        let relay = match self.open_own_server(&server) {
            Ok(r) => r,
            Err(e) => return Ok(failed(e.message().to_string())),
        };
        let where_ = format!("{}:{} ({})", server.host, server.port, server.tls.label());
        Ok(
            match relay.send(&from, std::slice::from_ref(&to), &raw).await {
                Ok(()) => SmtpTestResult {
                    ok: true,
                    message: format!(
                        "{where_} accepted a test message to {to}. If it does not arrive within a \
                     few minutes, look in the spam folder."
                    ),
                    to,
                },
                Err(e) => failed(format!("{where_} answered: {}", e.message())),
            },
        )
    }
}

fn test_message(
    from_name: &str,
    from: &str,
    to_name: &str,
    to: &str,
    host: &str,
) -> AppResult<Vec<u8>> {
    let mailbox = |name: &str, addr: &str| -> AppResult<Mailbox> {
        let addr = addr
            .parse()
            .map_err(|e| AppError::Internal(format!("address {addr:?}: {e}")))?;
        Ok(Mailbox::new(
            (!name.is_empty()).then(|| name.to_string()),
            addr,
        ))
    };
    let domain = from.rsplit_once('@').map_or("localhost", |(_, d)| d);
    let id = format!("<smtp-test.{:016x}@{domain}>", rand::random::<u64>());
    let message = Message::builder()
        .from(mailbox(from_name, from)?)
        .to(mailbox(to_name, to)?)
        .subject("Test email from Email Center Pro")
        .message_id(Some(id))
        .header(ContentType::TEXT_PLAIN)
        .body(format!(
            "This test message was sent through the SMTP server {host}.\r\n\
             Mail sent from this mailbox leaves through it.\r\n"
        ))
        .map_err(|e| AppError::Internal(format!("building the test message: {e}")))?;
    Ok(message.formatted())
}
