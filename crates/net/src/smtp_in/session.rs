//! The command loop of one connection: read a line, parse it with
//! `smtp-proto`, dispatch to the verb's handler, enforce the error budget.

use std::net::SocketAddr;

use smtp_proto::{Error as ParseError, Request};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::InboundSink;
use super::config::SmtpServerConfig;
use super::conn::{Conn, ConnError, Line};
use super::reply::excerpt;

pub(super) struct Session<'a, K> {
    pub(super) cfg: &'a SmtpServerConfig,
    pub(super) sink: &'a K,
    pub(super) shutdown: &'a CancellationToken,
    pub(super) conn: Conn,
    pub(super) id: String,
    pub(super) peer: SocketAddr,
    pub(super) tls: bool,
    /// Set by EHLO/HELO; cleared by STARTTLS.
    pub(super) helo: Option<Helo>,
    pub(super) tx: Option<Transaction>,
    pub(super) errors: u32,
    /// DATA attempts so far; numbers the envelope ids.
    pub(super) data_count: u32,
}

pub(super) struct Helo {
    pub(super) name: String,
}

/// The envelope being built between MAIL and the end of DATA.
pub(super) struct Transaction {
    pub(super) mail_from: String,
    pub(super) rcpt_to: Vec<String>,
    pub(super) smtputf8: bool,
}

/// What the loop does after a command.
pub(super) enum Next {
    Continue,
    Close,
}

impl<'a, K: InboundSink> Session<'a, K> {
    pub(super) fn new(
        cfg: &'a SmtpServerConfig,
        sink: &'a K,
        shutdown: &'a CancellationToken,
        conn: Conn,
        id: String,
        peer: SocketAddr,
    ) -> Self {
        Self {
            cfg,
            sink,
            shutdown,
            conn,
            id,
            peer,
            tls: false,
            helo: None,
            tx: None,
            errors: 0,
            data_count: 0,
        }
    }

    pub(super) async fn run(mut self) {
        let greeting = format!("{} ESMTP ready", self.cfg.hostname);
        self.conn.queue(format!("220 {greeting}\r\n").as_bytes());
        match self.command_loop().await {
            Ok(()) => {}
            Err(ConnError::Timeout) => {
                self.reply(421, [4, 4, 2], "Timeout, closing connection");
            }
            Err(ConnError::Shutdown) => {
                self.reply(421, [4, 3, 2], "Server shutting down, try again later");
            }
            Err(e @ ConnError::Dropped(_)) => tracing::warn!(error = %e, "session dropped"),
            Err(e) => tracing::debug!(error = %e, "session ended"),
        }
        self.conn.close().await;
    }

    async fn command_loop(&mut self) -> Result<(), ConnError> {
        loop {
            let deadline = Instant::now() + self.cfg.timeouts.command;
            let line = self
                .conn
                .read_line(self.cfg.max_line_length, deadline, self.shutdown)
                .await?;
            let next = match line {
                Line::Complete(line) => self.dispatch(&line).await?,
                Line::TooLong => {
                    self.reply(500, [5, 5, 2], "Line too long");
                    Next::Continue
                }
            };
            if let Next::Close = next {
                return Ok(());
            }
            // A client that pipelines without reading must not make us
            // buffer replies without bound.
            if self.conn.pending() > 64 * 1024 {
                self.conn.flush().await?;
            }
            if self.errors >= self.cfg.max_errors {
                self.reply(421, [4, 7, 0], "Too many errors, closing connection");
                return Ok(());
            }
        }
    }

    async fn dispatch(&mut self, line: &[u8]) -> Result<Next, ConnError> {
        let request = match Request::parse(&mut line.iter()) {
            Ok(request) => request,
            Err(e) => {
                tracing::debug!(line = %excerpt(line), error = ?e, "bad command");
                self.parse_error(e);
                return Ok(Next::Continue);
            }
        };
        match request {
            Request::Ehlo { host } => self.ehlo(host, true),
            Request::Helo { host } => self.ehlo(host, false),
            Request::Mail { from } => self.mail_from(from),
            Request::Rcpt { to } => self.rcpt(to).await,
            Request::Data => return self.data().await,
            Request::StartTls => return self.starttls().await,
            Request::Rset => {
                self.tx = None;
                self.reply(250, [2, 0, 0], "OK");
            }
            Request::Noop { .. } => self.reply(250, [2, 0, 0], "OK"),
            Request::Vrfy { .. } => self.reply(
                252,
                [2, 5, 0],
                "Cannot VRFY user, but will accept message and attempt delivery",
            ),
            Request::Help { .. } => self.reply(
                214,
                [2, 0, 0],
                "Commands: EHLO HELO MAIL RCPT DATA RSET NOOP VRFY HELP STARTTLS QUIT",
            ),
            Request::Quit => {
                let bye = format!("{} closing connection", self.cfg.hostname);
                self.reply(221, [2, 0, 0], &bye);
                return Ok(Next::Close);
            }
            // Not offered on an MX-like listener (AUTH, BDAT without
            // CHUNKING, EXPN, ETRN...), or LMTP's LHLO.
            _ => self.reply(502, [5, 5, 1], "Command not implemented"),
        }
        Ok(Next::Continue)
    }

    fn parse_error(&mut self, error: ParseError) {
        match error {
            ParseError::UnknownCommand => self.reply(500, [5, 5, 1], "Command not recognized"),
            ParseError::InvalidSenderAddress => {
                self.reply(501, [5, 1, 7], "Invalid sender address")
            }
            ParseError::InvalidRecipientAddress => {
                self.reply(501, [5, 1, 3], "Invalid recipient address")
            }
            ParseError::SyntaxError { syntax } => {
                self.reply(501, [5, 5, 2], &format!("Syntax: {syntax}"))
            }
            ParseError::InvalidParameter { param } => {
                self.reply(501, [5, 5, 4], &format!("Invalid {param} parameter"))
            }
            ParseError::UnsupportedParameter { param } => {
                let param: String = param.chars().take(40).collect();
                self.reply(555, [5, 5, 4], &format!("Unsupported parameter {param}"))
            }
            _ => self.reply(500, [5, 5, 2], "Syntax error"),
        }
    }

    /// An address as the client sent it, if usable: `smtp-proto` replaces
    /// invalid UTF-8 with U+FFFD; non-ASCII needs SMTPUTF8 (RFC 6531 §3.4).
    pub(super) fn check_address(&mut self, address: &str, smtputf8: bool) -> bool {
        if address.contains(char::REPLACEMENT_CHARACTER) {
            self.reply(501, [5, 5, 2], "Address is not valid UTF-8");
            false
        } else if !smtputf8 && !address.is_ascii() {
            self.reply(553, [5, 6, 7], "Non-ASCII address requires SMTPUTF8");
            false
        } else {
            true
        }
    }
}
