//! A lettre transport for a mailbox's own SMTP server, built from its
//! settings (never from a URL with the password in it).

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, Tokio1Executor};

use super::OutboundConfig;
use super::relay::{Relay, SendError};
use ecp_domain::smtp_server::SmtpTls;
use ecp_store::mailbox_smtp::SmtpServerRecord;

/// `password` is the opened one; AUTH is used when a username is set.
pub(crate) fn own_server_relay(
    server: &SmtpServerRecord,
    password: Option<String>,
    cfg: &OutboundConfig,
) -> Result<Relay, SendError> {
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&server.host)
        .port(server.port)
        .timeout(Some(cfg.timeout));
    builder = match server.tls {
        SmtpTls::None => builder.tls(Tls::None),
        SmtpTls::Starttls => builder.tls(Tls::Required(tls_parameters(&server.host, cfg)?)),
        SmtpTls::Tls => builder.tls(Tls::Wrapper(tls_parameters(&server.host, cfg)?)),
    };
    if !server.username.is_empty() {
        let password = password.ok_or_else(|| {
            SendError::Permanent(format!(
                "the SMTP server {}:{} has a username but no password is stored; \
                 enter it again in the mailbox's Outgoing mail settings",
                server.host, server.port
            ))
        })?;
        builder = builder.credentials(Credentials::new(server.username.clone(), password));
    }
    Ok(Relay::from_transport(builder.build()))
}

/// The public roots plus the configured extra CA certificates.
fn tls_parameters(host: &str, cfg: &OutboundConfig) -> Result<TlsParameters, SendError> {
    let mut params = TlsParameters::builder(host.to_string());
    if let Some(pem) = &cfg.ca_pem {
        let cert = Certificate::from_pem(pem)
            .map_err(|e| SendError::Temporary(format!("smtp_ca_file: {e}")))?;
        params = params.add_root_certificate(cert);
    }
    params
        .build()
        .map_err(|e| SendError::Temporary(format!("TLS set-up for {host}: {e}")))
}
