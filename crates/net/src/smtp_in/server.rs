//! Accepting connections: the session cap, one task per session, and a
//! graceful shutdown that lets transactions in flight finish.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use super::InboundSink;
use super::config::SmtpServerConfig;
use super::conn::Conn;
use super::id::new_session_id;
use super::session::Session;

/// Binds `cfg.listen` and runs [`serve`].
pub async fn run<K: InboundSink>(
    cfg: SmtpServerConfig,
    sink: Arc<K>,
    shutdown: CancellationToken,
) -> io::Result<()> {
    let listener = TcpListener::bind(cfg.listen).await?;
    serve(listener, cfg, sink, shutdown).await
}

/// Serves SMTP on `listener` until `shutdown` is cancelled. Then it stops
/// accepting; idle sessions get `421` at their next command boundary, and
/// sessions inside DATA or delivery get `cfg.timeouts.shutdown_grace` to
/// finish before they are aborted (an aborted session acknowledged nothing).
/// Fails only if the spool directory cannot be created.
pub async fn serve<K: InboundSink>(
    listener: TcpListener,
    cfg: SmtpServerConfig,
    sink: Arc<K>,
    shutdown: CancellationToken,
) -> io::Result<()> {
    tokio::fs::create_dir_all(&cfg.spool_dir).await?;
    let cfg = Arc::new(cfg);
    let permits = Arc::new(Semaphore::new(cfg.max_sessions));
    let mut sessions = JoinSet::new();
    loop {
        while let Some(done) = sessions.try_join_next() {
            log_join(done);
        }
        let accepted = tokio::select! {
            () = shutdown.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                // Usually out of file descriptors: back off instead of spinning.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        match Arc::clone(&permits).try_acquire_owned() {
            Ok(permit) => {
                let id = new_session_id();
                let span = tracing::info_span!("smtp_in", session = %id, %peer);
                let task = session(
                    Arc::clone(&cfg),
                    Arc::clone(&sink),
                    shutdown.clone(),
                    stream,
                    peer,
                    id,
                    permit,
                );
                sessions.spawn(task.instrument(span));
            }
            Err(_) => {
                sessions.spawn(refuse(stream, cfg.hostname.clone(), peer));
            }
        }
    }
    drop(listener);
    let drain = async {
        while let Some(done) = sessions.join_next().await {
            log_join(done);
        }
    };
    if tokio::time::timeout(cfg.timeouts.shutdown_grace, drain)
        .await
        .is_err()
    {
        tracing::warn!(
            remaining = sessions.len(),
            "aborting SMTP sessions after the grace period"
        );
        sessions.shutdown().await;
    }
    Ok(())
}

async fn session<K: InboundSink>(
    cfg: Arc<SmtpServerConfig>,
    sink: Arc<K>,
    shutdown: CancellationToken,
    stream: TcpStream,
    peer: SocketAddr,
    id: String,
    _permit: OwnedSemaphorePermit,
) {
    tracing::debug!("connected");
    let conn = Conn::new(Box::new(stream), cfg.timeouts.command);
    Session::new(&cfg, sink.as_ref(), &shutdown, conn, id, peer)
        .run()
        .await;
    tracing::debug!("disconnected");
}

async fn refuse(mut stream: TcpStream, hostname: String, peer: SocketAddr) {
    tracing::info!(%peer, "too many sessions, refusing connection");
    let reply = format!("421 4.7.0 {hostname} Too many connections, try again later\r\n");
    let write = async {
        stream.write_all(reply.as_bytes()).await?;
        stream.shutdown().await
    };
    let _ = tokio::time::timeout(Duration::from_secs(10), write).await;
}

fn log_join(result: Result<(), tokio::task::JoinError>) {
    if let Err(e) = result
        && e.is_panic()
    {
        tracing::error!(error = %e, "SMTP session panicked");
    }
}
