//! The Mailboxes tab's POP accounts: list, add, change, remove, "fetch
//! now", and the delivery ledger. Administrators only; a mailbox the actor
//! may not see is NotFound, like everywhere else.

use ecp_domain::plan::LimitKind;
use ecp_domain::{MailboxId, Plan};
use ecp_store::pop_accounts::{self, PopAccountId, PopAccountRecord, PopSettings};
use ecp_store::{Conn, mailboxes};

use super::input::{PopAccountInput, ValidPop};
use super::view::{PopAccountView, PopLedger};
use crate::actor::Actor;
use crate::error::AppError;
use crate::secret_box::{Purpose, SecretBox};
use crate::{App, AppResult, now_ms};

/// Ledger entries shown with the counts.
const LEDGER_RECENT: i64 = 50;

impl App {
    pub async fn pop_accounts(
        &self,
        actor: &Actor,
        mailbox: MailboxId,
    ) -> AppResult<Vec<PopAccountView>> {
        self.pop_admin_view(actor, mailbox).await?;
        let mut c = self.db.read().await?;
        let now = now_ms();
        Ok(pop_accounts::list_for_mailbox(&mut c, mailbox)
            .await?
            .into_iter()
            .map(|r| PopAccountView::new(r, now))
            .collect())
    }

    pub async fn pop_account(
        &self,
        actor: &Actor,
        mailbox: MailboxId,
        id: PopAccountId,
    ) -> AppResult<PopAccountView> {
        self.pop_admin_view(actor, mailbox).await?;
        let mut c = self.db.read().await?;
        let record = owned(&mut c, mailbox, id).await?;
        Ok(PopAccountView::new(record, now_ms()))
    }

    /// A POP account by its id alone (the API's `/pop-accounts/{id}`), under
    /// the same rules as through its mailbox: NotFound unless the actor may
    /// see that mailbox.
    pub async fn pop_account_by_id(
        &self,
        actor: &Actor,
        id: PopAccountId,
    ) -> AppResult<PopAccountView> {
        let mailbox = {
            let mut c = self.db.read().await?;
            pop_accounts::get_by_id(&mut c, id)
                .await?
                .ok_or(AppError::NotFound)?
                .mailbox_id
        };
        self.pop_account(actor, mailbox, id).await
    }

    pub async fn create_pop_account(
        &self,
        actor: &Actor,
        mailbox: MailboxId,
        input: &PopAccountInput<'_>,
    ) -> AppResult<PopAccountView> {
        self.mailbox(actor, mailbox).await?;
        actor.require_admin()?;
        let valid = input.validate(true)?;
        check_ssl_plan(actor.plan, valid.use_ssl, false)?;
        let sealer = self.secret_box()?;
        let password_enc = match &valid.password {
            Some(p) => seal(&sealer, p)?,
            None => {
                return Err(AppError::invalid(
                    "password",
                    "The POP password is required.",
                ));
            }
        };
        let now = now_ms();
        let mut tx = self.db.begin().await?;
        self.check_mailbox_writable(&mut tx, actor, mailbox).await?;
        let id =
            pop_accounts::insert(&mut tx, mailbox, &settings(&valid, &password_enc), now).await?;
        let record = owned(&mut tx, mailbox, id).await?;
        tx.commit().await?;
        tracing::info!(pop_account = %id, mailbox = %mailbox, by = %actor.user_id, "POP account added");
        Ok(PopAccountView::new(record, now))
    }

    /// Saves the form; an empty password keeps the stored one. The account
    /// becomes due at once so a fix shows its effect within seconds.
    pub async fn update_pop_account(
        &self,
        actor: &Actor,
        mailbox: MailboxId,
        id: PopAccountId,
        input: &PopAccountInput<'_>,
    ) -> AppResult<PopAccountView> {
        self.mailbox(actor, mailbox).await?;
        actor.require_admin()?;
        let valid = input.validate(false)?;
        let sealed = match &valid.password {
            Some(p) => Some(seal(&self.secret_box()?, p)?),
            None => None,
        };
        let now = now_ms();
        let mut tx = self.db.begin().await?;
        let current = owned(&mut tx, mailbox, id).await?;
        check_ssl_plan(actor.plan, valid.use_ssl, current.use_ssl)?;
        self.check_mailbox_writable(&mut tx, actor, mailbox).await?;
        let password_enc = sealed.unwrap_or(current.password_enc);
        pop_accounts::update(&mut tx, id, &settings(&valid, &password_enc), now).await?;
        let record = owned(&mut tx, mailbox, id).await?;
        tx.commit().await?;
        Ok(PopAccountView::new(record, now))
    }

    /// Allowed on a read-only mailbox: removing things is how an account
    /// gets back under its plan. What was fetched stays in the mailbox.
    pub async fn delete_pop_account(
        &self,
        actor: &Actor,
        mailbox: MailboxId,
        id: PopAccountId,
    ) -> AppResult<()> {
        self.mailbox(actor, mailbox).await?;
        actor.require_admin()?;
        let mut tx = self.db.begin().await?;
        owned(&mut tx, mailbox, id).await?;
        pop_accounts::delete(&mut tx, id).await?;
        tx.commit().await?;
        tracing::info!(pop_account = %id, mailbox = %mailbox, by = %actor.user_id, "POP account removed");
        Ok(())
    }

    /// "Fetch now": the next poller pass (within seconds) takes it.
    pub async fn fetch_pop_account_soon(
        &self,
        actor: &Actor,
        mailbox: MailboxId,
        id: PopAccountId,
    ) -> AppResult<PopAccountView> {
        self.mailbox(actor, mailbox).await?;
        actor.require_admin()?;
        let now = now_ms();
        let mut tx = self.db.begin().await?;
        owned(&mut tx, mailbox, id).await?;
        pop_accounts::request_poll(&mut tx, id, now).await?;
        let record = owned(&mut tx, mailbox, id).await?;
        tx.commit().await?;
        Ok(PopAccountView::new(record, now))
    }

    /// Messages on the server against messages taken in.
    pub async fn pop_ledger(
        &self,
        actor: &Actor,
        mailbox: MailboxId,
        id: PopAccountId,
    ) -> AppResult<PopLedger> {
        self.pop_admin_view(actor, mailbox).await?;
        let mut c = self.db.read().await?;
        let record = owned(&mut c, mailbox, id).await?;
        let counts = pop_accounts::ledger_counts(&mut c, id).await?;
        let recent = pop_accounts::ledger_recent(&mut c, id, LEDGER_RECENT).await?;
        Ok(PopLedger::new(&record, counts, recent))
    }

    /// Reading POP settings is for administrators too (they hold server
    /// names and usernames); read-only administrators may still look.
    async fn pop_admin_view(&self, actor: &Actor, mailbox: MailboxId) -> AppResult<()> {
        self.mailbox(actor, mailbox).await?;
        if actor.is_admin() {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "Only the account owner and administrators can see POP accounts.".into(),
            ))
        }
    }

    pub(crate) async fn check_mailbox_writable(
        &self,
        c: &mut Conn,
        actor: &Actor,
        mailbox: MailboxId,
    ) -> AppResult<()> {
        let all = mailboxes::list_for_account(c, actor.account_id).await?;
        let ids: Vec<MailboxId> = all.iter().map(|m| m.id).collect();
        if !actor
            .plan
            .over_limit(&ids, LimitKind::Mailboxes)
            .contains(&mailbox)
        {
            return Ok(());
        }
        let name = all
            .iter()
            .find(|m| m.id == mailbox)
            .map(|m| m.name.as_str())
            .unwrap_or_default();
        Err(AppError::ReadOnly(format!(
            "Mailbox \"{name}\" is read-only: the {} plan allows {} mailboxes and this account has more. \
             Upgrade the plan or delete a mailbox.",
            actor.plan.label(),
            actor.plan.limits().max_mailboxes
        )))
    }

    pub(crate) fn secret_box(&self) -> AppResult<SecretBox> {
        self.config
            .secret_key
            .as_ref()
            .map(SecretBox::new)
            .ok_or_else(|| {
                AppError::Internal(
                    "no secret key is configured, so POP passwords cannot be stored or used".into(),
                )
            })
    }
}

/// The account, if it belongs to `mailbox` (else NotFound: an id from
/// another mailbox or account is never confirmed to exist).
pub(crate) async fn owned(
    c: &mut Conn,
    mailbox: MailboxId,
    id: PopAccountId,
) -> AppResult<PopAccountRecord> {
    pop_accounts::get_by_id(c, id)
        .await?
        .filter(|r| r.mailbox_id == mailbox)
        .ok_or(AppError::NotFound)
}

/// Use SSL is not on the Free plan. An account that already has it (set on
/// a paid plan before a downgrade) keeps it: going down a plan must not
/// quietly send its password without encryption.
pub(crate) fn check_ssl_plan(plan: Plan, use_ssl: bool, had_ssl: bool) -> AppResult<()> {
    if use_ssl && !had_ssl && !plan.limits().pop_over_ssl {
        return Err(AppError::invalid(
            "use_ssl",
            format!(
                "Use SSL is not available on the {} plan, which this account is on. \
                 The account owner can upgrade to Standard or Premium to fetch mail over SSL/TLS.",
                plan.label()
            ),
        ));
    }
    Ok(())
}

fn seal(sealer: &SecretBox, password: &str) -> AppResult<String> {
    sealer
        .seal(Purpose::PopPassword, password)
        .map_err(|e| AppError::Internal(format!("sealing the POP password failed: {e}")))
}

fn settings<'a>(v: &'a ValidPop, password_enc: &'a str) -> PopSettings<'a> {
    PopSettings {
        active: v.active,
        name: &v.name,
        host: &v.host,
        port: v.port,
        username: &v.username,
        password_enc,
        use_ssl: v.use_ssl,
        copy_mail: v.copy_mail,
    }
}
