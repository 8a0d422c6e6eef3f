//! `ecp serve`: web UI and API in one process until SIGTERM or Ctrl-C.

use crate::config::Config;
use crate::failure::Failure;
use crate::smtp_listener;
use crate::wiring;
use ecp_app::App;
use ecp_web::WebConfig;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// How long open requests get to finish after a stop signal; a client
/// holding a connection open must not keep the process alive forever.
const GRACE: Duration = Duration::from_secs(10);

pub async fn run(config: Config) -> Result<(), Failure> {
    let db = wiring::open_database(&config).await?;
    let listener = match TcpListener::bind(config.http_addr).await {
        Ok(l) => l,
        Err(e) => {
            db.close().await;
            return Err(Failure::config(format!(
                "http_addr {}: cannot listen there: {e}",
                config.http_addr
            )));
        }
    };
    let local = listener
        .local_addr()
        .map_err(|e| Failure::failed(format!("cannot read the listening address: {e}")))?;

    let app_config = match wiring::app_config(&config) {
        Ok(c) => c,
        Err(e) => {
            db.close().await;
            return Err(e);
        }
    };
    let spool_dir = app_config.spool_dir.clone();
    let app = App::new(db.clone(), app_config);
    let shutdown = CancellationToken::new();
    let smtp = match &config.smtp {
        Some(smtp) => match smtp_listener::start(&app, smtp, spool_dir, shutdown.clone()).await {
            Ok(started) => Some(started),
            Err(e) => {
                db.close().await;
                return Err(e);
            }
        },
        None => None,
    };
    let workers = ecp_workers::Workers::start(
        &app,
        &ecp_workers::WorkersConfig {
            // Never check less often than accounts are due.
            pop_tick: config
                .pop_poll
                .min(ecp_workers::WorkersConfig::default().pop_tick),
            ..ecp_workers::WorkersConfig::default()
        },
        &shutdown,
    );
    let router = ecp_web::router(
        app,
        WebConfig {
            secure_cookies: config.secure_cookies,
        },
    );

    tokio::spawn(cancel_on_signal(shutdown.clone()));
    let mut server = tokio::spawn(ecp_web::serve(listener, router, shutdown.clone()));

    tracing::info!(addr = %local, data_dir = %config.data_dir.display(), backend = ?db.backend(), "serving");
    println!(
        "Email Center Pro is running: open {} in a browser (Ctrl-C stops it).",
        browse_url(local)
    );
    if config.smtp_relay.is_none() {
        tracing::warn!(
            "no smtp_relay set: replies are queued but not sent until one is configured"
        );
    }
    if let Some((addr, _)) = &smtp {
        println!("Inbound SMTP for mailboxes' direct addresses on {addr}.");
    }

    let outcome = tokio::select! {
        done = &mut server => done,
        () = shutdown.cancelled() => match tokio::time::timeout(GRACE, &mut server).await {
            Ok(done) => done,
            Err(_) => {
                tracing::warn!("requests still open after {GRACE:?}; stopping anyway");
                server.abort();
                Ok(Ok(()))
            }
        },
    };
    shutdown.cancel();
    workers.wait().await;
    if let Some((_, task)) = smtp
        && let Err(e) = task.await
    {
        tracing::error!("the SMTP listener crashed: {e}");
    }
    db.close().await;
    match outcome {
        Ok(Ok(())) => {
            tracing::info!("stopped");
            Ok(())
        }
        Ok(Err(e)) => Err(Failure::failed(format!("the web server stopped: {e}"))),
        Err(e) => Err(Failure::failed(format!("the web server crashed: {e}"))),
    }
}

/// The address a person can open: a wildcard bind is reachable on loopback.
fn browse_url(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}", SocketAddr::new(ip, addr.port()))
}

async fn cancel_on_signal(token: CancellationToken) {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!("cannot listen for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C: shutting down"),
        () = terminate => tracing::info!("SIGTERM: shutting down"),
    }
    token.cancel();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_binds_are_shown_as_loopback() {
        assert_eq!(
            browse_url("0.0.0.0:8080".parse().unwrap()),
            "http://127.0.0.1:8080"
        );
        assert_eq!(browse_url("[::]:80".parse().unwrap()), "http://[::1]:80");
        assert_eq!(
            browse_url("192.0.2.7:8080".parse().unwrap()),
            "http://192.0.2.7:8080"
        );
    }
}
