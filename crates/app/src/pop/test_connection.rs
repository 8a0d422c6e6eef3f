//! "Test connection": connect, log in, count, log out, and say in plain
//! words which step failed (DNS, TCP, TLS, login, ...). Nothing is fetched
//! or deleted.

use ecp_domain::MailboxId;
use ecp_net::pop3::Pop3Client;
use ecp_store::accounts;
use ecp_store::pop_accounts::PopAccountId;

use super::connect::{ConnectionTest, Target, TestStep, tls_required};
use super::input::PopAccountInput;
use super::manage::{check_ssl_plan, owned};
use crate::actor::Actor;
use crate::error::AppError;
use crate::secret_box::Purpose;
use crate::{App, AppResult};

impl App {
    /// Tests the settings in the form. When editing (`existing`), an empty
    /// password means the stored one. Invalid input is a Validation error;
    /// a server problem is an `Ok` answer with `ok: false`.
    pub async fn test_pop_connection(
        &self,
        actor: &Actor,
        mailbox: MailboxId,
        input: &PopAccountInput<'_>,
        existing: Option<PopAccountId>,
    ) -> AppResult<ConnectionTest> {
        self.mailbox(actor, mailbox).await?;
        actor.require_admin()?;
        let valid = input.validate(existing.is_none())?;
        let (options, stored) = {
            let mut c = self.db.read().await?;
            let account = accounts::get_by_id(&mut c, actor.account_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let stored = match existing {
                Some(id) => Some(owned(&mut c, mailbox, id).await?),
                None => None,
            };
            (account.options, stored)
        };
        check_ssl_plan(
            actor.plan,
            valid.use_ssl,
            stored.as_ref().is_some_and(|s| s.use_ssl),
        )?;
        let password = match (valid.password, stored) {
            (Some(p), _) => p,
            (None, Some(s)) => match self
                .secret_box()?
                .open(Purpose::PopPassword, &s.password_enc)
            {
                Ok(p) => p,
                Err(e) => {
                    return Ok(ConnectionTest {
                        ok: false,
                        step: TestStep::Settings,
                        kind: "secret".into(),
                        message: format!("Checking the settings failed: {e}."),
                        secure: false,
                        messages_on_server: None,
                    });
                }
            },
            (None, None) => {
                return Err(AppError::invalid(
                    "password",
                    "The POP password is required.",
                ));
            }
        };
        let required = tls_required(actor.plan, &options);
        let cfg = self.pop3_config(Target {
            host: &valid.host,
            port: valid.port,
            username: &valid.username,
            password,
            use_ssl: valid.use_ssl,
            tls_required: required,
        })?;
        let mut client = match Pop3Client::connect(&cfg).await {
            Ok(c) => c,
            Err(e) => return Ok(ConnectionTest::failed(&e, required)),
        };
        let secure = client.is_tls();
        let stat = match client.stat().await {
            Ok(s) => s,
            Err(e) => return Ok(ConnectionTest::failed(&e, required)),
        };
        // Logged in and counted: a failed goodbye changes nothing for the
        // person testing.
        let _ = client.quit().await;
        let how = if secure {
            "over a secure connection (TLS)"
        } else {
            "without encryption (the server offers no TLS on this port; the password crossed \
             the network readable)"
        };
        let waiting = match stat.messages {
            1 => "1 message is waiting".to_string(),
            n => format!("{n} messages are waiting"),
        };
        Ok(ConnectionTest {
            ok: true,
            step: TestStep::Done,
            kind: "ok".into(),
            message: format!(
                "Connected to {}:{} {how} and logged in as {}. {waiting} on the server.",
                valid.host, valid.port, valid.username
            ),
            secure,
            messages_on_server: Some(stat.messages),
        })
    }
}
