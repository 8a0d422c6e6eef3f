//! One client connection: a read buffer we can inspect (pipelining,
//! STARTTLS injection check), replies batched until we need more input
//! (RFC 2920), and the stream swapped in place for its TLS form.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::{Instant, timeout, timeout_at};
use tokio_util::sync::CancellationToken;

/// Any byte stream a session can run on: TCP, TLS over TCP, in-memory.
pub(super) trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

const READ_CHUNK: usize = 64 * 1024;

#[derive(Debug, thiserror::Error)]
pub(super) enum ConnError {
    #[error("connection closed by the client")]
    Closed,
    #[error("timed out")]
    Timeout,
    #[error("server shutting down")]
    Shutdown,
    /// We hang up on a client that broke the protocol in a dangerous way.
    #[error("dropped: {0}")]
    Dropped(&'static str),
    #[error(transparent)]
    Io(#[from] io::Error),
}

pub(super) enum Line {
    /// One command line, LF (and CR, if any) included.
    Complete(Vec<u8>),
    /// Longer than allowed; it was read to its end and dropped.
    TooLong,
}

pub(super) struct Conn {
    stream: Box<dyn Io>,
    input: Vec<u8>,
    pos: usize,
    output: Vec<u8>,
    write_timeout: Duration,
}

impl Conn {
    pub(super) fn new(stream: Box<dyn Io>, write_timeout: Duration) -> Self {
        Self {
            stream,
            input: Vec::new(),
            pos: 0,
            output: Vec::new(),
            write_timeout,
        }
    }

    /// Input received but not yet processed.
    pub(super) fn buffered(&self) -> &[u8] {
        &self.input[self.pos..]
    }

    pub(super) fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.input.len());
    }

    /// Queues a reply; it is sent before the next read or on [`Self::flush`].
    pub(super) fn queue(&mut self, bytes: &[u8]) {
        self.output.extend_from_slice(bytes);
    }

    /// Replies queued but not sent yet.
    pub(super) fn pending(&self) -> usize {
        self.output.len()
    }

    pub(super) async fn flush(&mut self) -> Result<(), ConnError> {
        if self.output.is_empty() {
            return Ok(());
        }
        let write = async {
            self.stream.write_all(&self.output).await?;
            self.stream.flush().await
        };
        match timeout(self.write_timeout, write).await {
            Ok(result) => result?,
            Err(_) => return Err(ConnError::Timeout),
        }
        self.output.clear();
        Ok(())
    }

    /// Sends pending replies, then waits for more input until `deadline`.
    /// `shutdown` interrupts the wait (only between commands).
    pub(super) async fn fill(
        &mut self,
        deadline: Instant,
        shutdown: Option<&CancellationToken>,
    ) -> Result<(), ConnError> {
        self.flush().await?;
        if self.pos > 0 {
            self.input.drain(..self.pos);
            self.pos = 0;
        }
        let start = self.input.len();
        self.input.resize(start + READ_CHUNK, 0);
        let read = timeout_at(deadline, self.stream.read(&mut self.input[start..]));
        let outcome = match shutdown {
            Some(token) => tokio::select! {
                r = read => Some(r),
                () = token.cancelled() => None,
            },
            None => Some(read.await),
        };
        let n = match outcome {
            Some(Ok(Ok(n))) => n,
            Some(Ok(Err(e))) => {
                self.input.truncate(start);
                return Err(e.into());
            }
            Some(Err(_)) => {
                self.input.truncate(start);
                return Err(ConnError::Timeout);
            }
            None => {
                self.input.truncate(start);
                return Err(ConnError::Shutdown);
            }
        };
        self.input.truncate(start + n);
        if n == 0 {
            return Err(ConnError::Closed);
        }
        Ok(())
    }

    /// Reads one command line of at most `max` bytes, which must arrive
    /// whole before `deadline` (a byte a minute does not keep a session).
    pub(super) async fn read_line(
        &mut self,
        max: usize,
        deadline: Instant,
        shutdown: &CancellationToken,
    ) -> Result<Line, ConnError> {
        let mut too_long = false;
        loop {
            let buffered = self.buffered();
            if let Some(lf) = buffered.iter().position(|&b| b == b'\n') {
                let line = buffered[..=lf].to_vec();
                self.consume(lf + 1);
                return Ok(if too_long || line.len() > max {
                    Line::TooLong
                } else {
                    Line::Complete(line)
                });
            }
            if buffered.len() > max {
                too_long = true;
                let n = buffered.len();
                self.consume(n);
            }
            // Once a command is partly read, shutdown waits for the rest.
            let interruptible = self.buffered().is_empty() && !too_long;
            self.fill(deadline, interruptible.then_some(shutdown))
                .await?;
        }
    }

    /// Replaces the stream with its TLS form. The caller has checked that no
    /// plaintext input is pending.
    pub(super) async fn upgrade(
        &mut self,
        config: Arc<rustls::ServerConfig>,
        handshake_timeout: Duration,
    ) -> Result<(), ConnError> {
        self.flush().await?;
        let placeholder: Box<dyn Io> =
            Box::new(tokio::io::join(tokio::io::empty(), tokio::io::sink()));
        let plain = std::mem::replace(&mut self.stream, placeholder);
        let acceptor = tokio_rustls::TlsAcceptor::from(config);
        let tls = match timeout(handshake_timeout, acceptor.accept(plain)).await {
            Ok(result) => result?,
            Err(_) => return Err(ConnError::Timeout),
        };
        self.stream = Box::new(tls);
        self.input.clear();
        self.pos = 0;
        Ok(())
    }

    /// Sends what is queued and closes politely (TLS close_notify included).
    pub(super) async fn close(&mut self) {
        if self.flush().await.is_ok() {
            let _ = timeout(self.write_timeout, self.stream.shutdown()).await;
        }
    }
}
