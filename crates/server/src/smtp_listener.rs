//! Starts the inbound SMTP listener: mail for mailboxes' direct addresses,
//! stored through the app before it is acknowledged.

use crate::config::SmtpListen;
use crate::failure::{Failure, one_line};
use ecp_app::App;
use ecp_app::inbound::SmtpSink;
use ecp_net::smtp_in::{SmtpServerConfig, load_tls_config, serve};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Binds now (so a taken port is a startup error), serves in the
/// background until `shutdown`.
pub async fn start(
    app: &App,
    smtp: &SmtpListen,
    spool_dir: PathBuf,
    shutdown: CancellationToken,
) -> Result<(SocketAddr, JoinHandle<()>), Failure> {
    let tls = match &smtp.tls {
        Some((cert, key)) => Some(load_tls_config(cert, key).map_err(|e| {
            Failure::config(format!("tls_cert/tls_key: {}", one_line(&e.to_string())))
        })?),
        None => None,
    };
    let listener = TcpListener::bind(smtp.addr).await.map_err(|e| {
        Failure::config(format!("smtp_addr {}: cannot listen there: {e}", smtp.addr))
    })?;
    let local = listener
        .local_addr()
        .map_err(|e| Failure::failed(format!("cannot read the SMTP address: {e}")))?;
    let mut cfg = SmtpServerConfig::new(local, smtp.hostname.clone(), spool_dir);
    cfg.max_message_size = smtp.max_message_size;
    cfg.tls = tls;
    let sink = Arc::new(SmtpSink::new(app.clone()));
    tracing::info!(addr = %local, starttls = cfg.tls.is_some(), "inbound SMTP listening");
    let task = tokio::spawn(async move {
        if let Err(e) = serve(listener, cfg, sink, shutdown).await {
            tracing::error!("the SMTP listener stopped: {e}");
        }
    });
    Ok((local, task))
}
