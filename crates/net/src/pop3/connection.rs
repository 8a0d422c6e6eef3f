//! The byte stream under a session: plain or TLS, buffered for reading, with
//! the per-command timeout and the line-length limit applied to every read.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

use super::error::{Pop3Error, Step};
use super::response::{MAX_LINE, Status, parse_status, trim_eol};

/// Big enough that a RETR moves in few syscalls, small enough to be bounded.
const READ_BUFFER: usize = 64 * 1024;

pub(crate) enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

pub(crate) struct Connection {
    pub reader: BufReader<Stream>,
    pub timeout: Duration,
}

impl Connection {
    pub fn new(stream: Stream, timeout: Duration) -> Self {
        Self {
            reader: BufReader::with_capacity(READ_BUFFER, stream),
            timeout,
        }
    }

    pub fn is_tls(&self) -> bool {
        matches!(self.reader.get_ref(), Stream::Tls(_))
    }

    /// Sends one command line. `shown` is what may be logged (PASS hides the
    /// password).
    pub async fn send(&mut self, step: Step, line: &str, shown: &str) -> Result<(), Pop3Error> {
        tracing::debug!(command = shown, "pop3 >");
        let timeout = self.timeout;
        let stream = self.reader.get_mut();
        let write = async {
            stream.write_all(line.as_bytes()).await?;
            stream.write_all(b"\r\n").await?;
            stream.flush().await
        };
        tokio::time::timeout(timeout, write)
            .await
            .map_err(|_| Pop3Error::Timeout { step })?
            .map_err(|e| Pop3Error::from_io(step, e))
    }

    pub async fn command(&mut self, step: Step, line: &str) -> Result<Status, Pop3Error> {
        self.send(step, line, line).await?;
        self.read_status(step).await
    }

    pub async fn read_status(&mut self, step: Step) -> Result<Status, Pop3Error> {
        let line = self.read_line(step).await?;
        parse_status(step, &line)
    }

    /// Reads one line, without its line ending, refusing lines over
    /// `MAX_LINE` instead of growing the buffer for them.
    pub async fn read_line(&mut self, step: Step) -> Result<Vec<u8>, Pop3Error> {
        let timeout = self.timeout;
        let reader = &mut self.reader;
        let read = async {
            let mut line = Vec::new();
            loop {
                let buf = reader
                    .fill_buf()
                    .await
                    .map_err(|e| Pop3Error::from_io(step, e))?;
                if buf.is_empty() {
                    return Err(Pop3Error::ConnectionClosed { step });
                }
                let (take, complete) = match buf.iter().position(|&b| b == b'\n') {
                    Some(at) => (at + 1, true),
                    None => (buf.len(), false),
                };
                if line.len() + take > MAX_LINE {
                    return Err(Pop3Error::protocol(
                        step,
                        format!("a reply line is longer than {MAX_LINE} bytes"),
                    ));
                }
                line.extend_from_slice(&buf[..take]);
                reader.consume(take);
                if complete {
                    let len = trim_eol(&line).len();
                    line.truncate(len);
                    return Ok(line);
                }
            }
        };
        tokio::time::timeout(timeout, read)
            .await
            .map_err(|_| Pop3Error::Timeout { step })?
    }

    /// Waits for more body bytes, under the timeout per read so a long
    /// download on a slow line is fine as long as bytes keep coming.
    pub async fn fill(&mut self, step: Step) -> Result<&[u8], Pop3Error> {
        let buf = tokio::time::timeout(self.timeout, self.reader.fill_buf())
            .await
            .map_err(|_| Pop3Error::Timeout { step })?
            .map_err(|e| Pop3Error::from_io(step, e))?;
        if buf.is_empty() {
            return Err(Pop3Error::ConnectionClosed { step });
        }
        Ok(buf)
    }
}
