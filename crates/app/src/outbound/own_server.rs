//! A mailbox's own SMTP server: read, save, remove. Administrators only; a
//! mailbox the actor may not see is NotFound. The password is sealed before
//! it is stored and never sent back (`has_password` only).

use ecp_domain::MailboxId;
use ecp_domain::smtp_server::{SmtpServerInput, SmtpTls, check_tls_allowed, tls_required};
use ecp_store::accounts;
use ecp_store::mailbox_smtp::{self, SmtpServerRecord, SmtpServerRow};
use serde::Serialize;

use crate::actor::Actor;
use crate::error::AppError;
use crate::secret_box::Purpose;
use crate::{App, AppResult, now_ms};

/// The settings as shown: no password, only whether one is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SmtpServerView {
    pub enabled: bool,
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: String,
    pub has_password: bool,
    pub updated_at: i64,
}

impl From<SmtpServerRecord> for SmtpServerView {
    fn from(r: SmtpServerRecord) -> Self {
        Self {
            enabled: r.enabled,
            host: r.host,
            port: r.port,
            tls: r.tls,
            username: r.username,
            has_password: r.password_enc.is_some(),
            updated_at: r.updated_at,
        }
    }
}

impl App {
    /// `None`: the mailbox sends through the main relay.
    pub async fn mailbox_smtp_server(
        &self,
        actor: &Actor,
        mailbox: MailboxId,
    ) -> AppResult<Option<SmtpServerView>> {
        self.smtp_admin_view(actor, mailbox).await?;
        let mut c = self.db.read().await?;
        Ok(mailbox_smtp::get_for_mailbox(&mut c, mailbox)
            .await?
            .map(SmtpServerView::from))
    }

    /// Saves the settings; an empty password keeps the stored one, an
    /// empty username means no AUTH (and forgets the password). Refused
    /// without TLS when the account requires SSL.
    pub async fn save_mailbox_smtp_server(
        &self,
        actor: &Actor,
        mailbox: MailboxId,
        input: &SmtpServerInput<'_>,
    ) -> AppResult<SmtpServerView> {
        self.mailbox(actor, mailbox).await?;
        actor.require_admin()?;
        let valid = input.validate()?;
        let options = {
            let mut c = self.db.read().await?;
            accounts::get_by_id(&mut c, actor.account_id)
                .await?
                .ok_or(AppError::NotFound)?
                .options
        };
        check_tls_allowed(valid.tls, tls_required(actor.plan, &options))
            .map_err(|e| AppError::Validation(vec![e]))?;
        let sealed = match &valid.password {
            Some(p) if !valid.username.is_empty() => Some(
                self.secret_box()?
                    .seal(Purpose::SmtpPassword, p)
                    .map_err(|e| AppError::Internal(format!("sealing the SMTP password: {e}")))?,
            ),
            _ => None,
        };
        let now = now_ms();
        let mut tx = self.db.begin().await?;
        self.check_mailbox_writable(&mut tx, actor, mailbox).await?;
        let current = mailbox_smtp::get_for_mailbox(&mut tx, mailbox).await?;
        let password_enc = match (valid.username.is_empty(), sealed, current) {
            (true, _, _) => None,
            (false, Some(new), _) => Some(new),
            (false, None, Some(c)) if c.username == valid.username => c.password_enc,
            (false, None, _) => None,
        };
        if !valid.username.is_empty() && password_enc.is_none() {
            return Err(AppError::invalid(
                "password",
                "The SMTP password is required with a username (or leave the username empty \
                 for a server that needs no login).",
            ));
        }
        let row = SmtpServerRow {
            enabled: valid.enabled,
            host: &valid.host,
            port: valid.port,
            tls: valid.tls,
            username: &valid.username,
            password_enc: password_enc.as_deref(),
        };
        mailbox_smtp::upsert(&mut tx, mailbox, &row, now).await?;
        let saved = mailbox_smtp::get_for_mailbox(&mut tx, mailbox)
            .await?
            .ok_or_else(|| AppError::Internal("the saved SMTP server vanished".into()))?;
        tx.commit().await?;
        tracing::info!(mailbox = %mailbox, by = %actor.user_id, host = %saved.host, "mailbox SMTP server saved");
        Ok(saved.into())
    }

    /// Back to the main relay. Allowed on a read-only mailbox, like removing
    /// a POP account. NotFound when the mailbox had no server of its own.
    pub async fn delete_mailbox_smtp_server(
        &self,
        actor: &Actor,
        mailbox: MailboxId,
    ) -> AppResult<()> {
        self.mailbox(actor, mailbox).await?;
        actor.require_admin()?;
        let mut tx = self.db.begin().await?;
        let removed = mailbox_smtp::delete(&mut tx, mailbox).await?;
        tx.commit().await?;
        if !removed {
            return Err(AppError::NotFound);
        }
        tracing::info!(mailbox = %mailbox, by = %actor.user_id, "mailbox SMTP server removed");
        Ok(())
    }

    /// Server names and usernames are for administrators (read-only ones
    /// may still look).
    pub(crate) async fn smtp_admin_view(&self, actor: &Actor, mailbox: MailboxId) -> AppResult<()> {
        self.mailbox(actor, mailbox).await?;
        if actor.is_admin() {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "Only the account owner and administrators can see SMTP settings.".into(),
            ))
        }
    }
}
