//! Which server each message leaves through: the mailbox's own SMTP server
//! when one is enabled, else the main relay. One transport (connection
//! pool) per server for a whole pass of the sender.

use std::collections::HashMap;

use ecp_domain::MailboxId;
use ecp_domain::smtp_server::{SmtpTls, check_tls_allowed, tls_required};
use ecp_store::mailbox_smtp::{self, SmtpServerRecord};
use ecp_store::{Conn, accounts, mailboxes};

use super::relay::{Relay, SendError};
use super::transport::own_server_relay;
use crate::secret_box::Purpose;
use crate::{App, AppResult};

/// A server's identity within a pass; the sealed password stands for the
/// password (it only changes when someone saves a new one).
#[derive(Clone, PartialEq, Eq, Hash)]
struct ServerKey {
    host: String,
    port: u16,
    tls: SmtpTls,
    username: String,
    password_enc: Option<String>,
}

pub(crate) struct Routes {
    main: Option<Result<Relay, SendError>>,
    own: HashMap<ServerKey, Result<Relay, SendError>>,
}

impl Routes {
    pub(crate) fn new(main: Option<Result<Relay, SendError>>) -> Self {
        Self {
            main,
            own: HashMap::new(),
        }
    }

    pub(crate) fn has_main(&self) -> bool {
        self.main.is_some()
    }

    /// The relay for a message of `mailbox`; `None` when there is neither
    /// a main relay nor an own server.
    pub(crate) async fn for_mailbox(
        &mut self,
        app: &App,
        mailbox: MailboxId,
    ) -> AppResult<Option<Result<&Relay, SendError>>> {
        let own = {
            let mut c = app.db.read().await?;
            own_server(&mut c, mailbox).await?
        };
        let Some((server, required)) = own else {
            return Ok(self.main.as_ref().map(|r| r.as_ref().map_err(Clone::clone)));
        };
        if let Err(e) = check_tls_allowed(server.tls, required) {
            return Ok(Some(Err(SendError::Permanent(format!(
                "Not sent through {}:{}: {}",
                server.host, server.port, e.message
            )))));
        }
        let key = ServerKey {
            host: server.host.clone(),
            port: server.port,
            tls: server.tls,
            username: server.username.clone(),
            password_enc: server.password_enc.clone(),
        };
        if !self.own.contains_key(&key) {
            let relay = app.open_own_server(&server);
            self.own.insert(key.clone(), relay);
        }
        Ok(self.own.get(&key).map(|r| r.as_ref().map_err(Clone::clone)))
    }
}

/// The mailbox's enabled server and whether its account requires TLS.
pub(crate) async fn own_server(
    c: &mut Conn,
    mailbox: MailboxId,
) -> AppResult<Option<(SmtpServerRecord, bool)>> {
    let Some(server) = mailbox_smtp::get_for_mailbox(c, mailbox)
        .await?
        .filter(|s| s.enabled)
    else {
        return Ok(None);
    };
    Ok(Some((server, account_requires_tls(c, mailbox).await?)))
}

pub(crate) async fn account_requires_tls(c: &mut Conn, mailbox: MailboxId) -> AppResult<bool> {
    let Some(m) = mailboxes::get_by_id(c, mailbox).await? else {
        return Ok(false);
    };
    Ok(accounts::get_by_id(c, m.account_id)
        .await?
        .is_some_and(|a| tls_required(a.plan, &a.options)))
}

impl App {
    /// A transport for the server, its password opened here and nowhere
    /// else. A password that no longer opens is a permanent failure that
    /// says what to do.
    pub(crate) fn open_own_server(&self, server: &SmtpServerRecord) -> Result<Relay, SendError> {
        let password = match &server.password_enc {
            None => None,
            Some(sealed) => {
                let sealer = self
                    .secret_box()
                    .map_err(|e| SendError::Temporary(e.to_string()))?;
                Some(
                    sealer
                        .open(Purpose::SmtpPassword, sealed)
                        .map_err(|e| SendError::Permanent(format!("SMTP password: {e}")))?,
                )
            }
        };
        own_server_relay(server, password, &self.config.outbound)
    }
}
