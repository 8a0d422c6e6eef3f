//! A POP3 session (RFC 1939, CAPA from RFC 2449, STLS from RFC 2595).

use std::io;

use tokio::io::{AsyncBufReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use super::config::{Pop3Config, Security};
use super::connection::{Connection, Stream};
use super::dot::Unstuffer;
use super::error::{Pop3Error, Step};
use super::response::{capability_names, listing_line, parse_stat, parse_uidl_line, printable};
use super::tls;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MailboxStat {
    pub messages: u32,
    pub octets: u64,
}

/// A logged-in session. Dropping it without `quit()` closes the line without
/// committing deletions, which is what RFC 1939 asks of the server.
pub struct Pop3Client {
    conn: Connection,
    capabilities: Vec<String>,
    /// Set while a command runs and cleared once its reply is fully read:
    /// if it is still set, an error or a cancelled future left the stream
    /// mid-reply and the next command would read garbage.
    in_command: bool,
}

impl Pop3Client {
    pub async fn connect(cfg: &Pop3Config) -> Result<Self, Pop3Error> {
        check_settings(cfg)?;
        let tcp = open_tcp(cfg).await?;
        let stream = match cfg.security {
            Security::ImplicitTls => Stream::Tls(Box::new(secure(cfg, tcp).await?)),
            _ => Stream::Plain(tcp),
        };
        let mut conn = Connection::new(stream, cfg.command_timeout);

        let greeting = conn.read_status(Step::Greeting).await?;
        if !greeting.ok {
            return Err(Pop3Error::Unavailable {
                server_text: greeting.text,
            });
        }
        let mut capabilities = fetch_capabilities(&mut conn).await?;
        let offers_stls = capabilities
            .as_deref()
            .is_some_and(|c| capability_names(c).any(|name| name == "STLS"));
        let upgrade = match cfg.security {
            // A server without CAPA may still know STLS; only a CAPA
            // listing without it is a definite no.
            Security::StartTls if capabilities.is_some() && !offers_stls => {
                return Err(Pop3Error::TlsUnavailable);
            }
            Security::StartTls => true,
            Security::StartTlsIfOffered => offers_stls,
            Security::ImplicitTls | Security::Plain => false,
        };
        if upgrade {
            conn = start_tls(conn, cfg, offers_stls).await?;
            // RFC 2595: what was said before TLS may have been forged.
            capabilities = fetch_capabilities(&mut conn).await?;
        }
        login(&mut conn, cfg).await?;
        Ok(Self {
            conn,
            capabilities: capabilities.unwrap_or_default(),
            in_command: false,
        })
    }

    /// The CAPA lines the server sent (after TLS, when TLS is used); empty
    /// if the server does not support CAPA.
    pub fn capabilities(&self) -> &[String] {
        &self.capabilities
    }

    pub fn is_tls(&self) -> bool {
        self.conn.is_tls()
    }

    pub async fn stat(&mut self) -> Result<MailboxStat, Pop3Error> {
        let text = self.simple(Step::Stat, "STAT").await?;
        let (messages, octets) = parse_stat(&text)?;
        Ok(MailboxStat { messages, octets })
    }

    /// Message numbers and their unique ids, which stay the same across
    /// sessions; fetching safely without them is impossible, so a server
    /// without UIDL is an `Unsupported` error.
    pub async fn uidl(&mut self) -> Result<Vec<(u32, String)>, Pop3Error> {
        self.begin()?;
        let status = self.conn.command(Step::Uidl, "UIDL").await?;
        if !status.ok {
            self.in_command = false;
            return Err(Pop3Error::Unsupported {
                command: "UIDL",
                server_text: status.text,
            });
        }
        let mut list = Vec::new();
        loop {
            let line = self.conn.read_line(Step::Uidl).await?;
            match listing_line(&line) {
                Some(entry) => list.push(parse_uidl_line(entry)?),
                None => break,
            }
        }
        self.in_command = false;
        Ok(list)
    }

    /// Streams message `msg_no` into `out` exactly as stored on the server
    /// (CRLF kept, dot-stuffing removed) and returns the bytes written. On an
    /// error `out` holds a partial message the caller must discard.
    pub async fn retr_to<W>(&mut self, msg_no: u32, out: &mut W) -> Result<u64, Pop3Error>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        self.begin()?;
        let status = self
            .conn
            .command(Step::Retr, &format!("RETR {msg_no}"))
            .await?;
        if !status.ok {
            self.in_command = false;
            return Err(Pop3Error::protocol(Step::Retr, status.text));
        }
        let mut unstuffer = Unstuffer::new();
        let mut chunk = Vec::new();
        let mut written = 0u64;
        let saving = |source: io::Error| Pop3Error::Io {
            step: Step::Retr,
            source,
        };
        while !unstuffer.is_done() {
            chunk.clear();
            let buf = self.conn.fill(Step::Retr).await?;
            let used = unstuffer.feed(buf, &mut chunk);
            self.conn.reader.consume(used);
            out.write_all(&chunk).await.map_err(saving)?;
            written += chunk.len() as u64;
        }
        out.flush().await.map_err(saving)?;
        self.in_command = false;
        Ok(written)
    }

    /// Marks a message for deletion; the server removes it only on `quit()`.
    pub async fn dele(&mut self, msg_no: u32) -> Result<(), Pop3Error> {
        self.simple(Step::Dele, &format!("DELE {msg_no}"))
            .await
            .map(drop)
    }

    pub async fn noop(&mut self) -> Result<(), Pop3Error> {
        self.simple(Step::Noop, "NOOP").await.map(drop)
    }

    /// Ends the session; this is what makes the server apply the DELEs. An
    /// error here means they may not have been applied.
    pub async fn quit(mut self) -> Result<(), Pop3Error> {
        self.simple(Step::Quit, "QUIT").await?;
        // The server has committed; a failed close changes nothing.
        let _ = self.conn.reader.get_mut().shutdown().await;
        Ok(())
    }

    fn begin(&mut self) -> Result<(), Pop3Error> {
        if self.in_command {
            return Err(Pop3Error::Unusable);
        }
        self.in_command = true;
        Ok(())
    }

    /// A command with a one-line reply; `-ERR` becomes a `Protocol` error
    /// carrying the server's words.
    async fn simple(&mut self, step: Step, line: &str) -> Result<String, Pop3Error> {
        self.begin()?;
        let status = self.conn.command(step, line).await?;
        self.in_command = false;
        if status.ok {
            Ok(status.text)
        } else {
            Err(Pop3Error::protocol(step, status.text))
        }
    }
}

fn check_settings(cfg: &Pop3Config) -> Result<(), Pop3Error> {
    let invalid = |detail: &str| {
        Err(Pop3Error::InvalidSettings {
            detail: detail.to_string(),
        })
    };
    if cfg.host.trim().is_empty() {
        return invalid("the server name is empty");
    }
    // A line break in a credential would smuggle extra commands.
    let unsafe_char = |s: &str| s.chars().any(|c| matches!(c, '\r' | '\n' | '\0'));
    if unsafe_char(&cfg.username) || unsafe_char(&cfg.password) {
        return invalid("the username or password contains a line break");
    }
    if cfg.username.is_empty() {
        return invalid("the username is empty");
    }
    Ok(())
}

async fn open_tcp(cfg: &Pop3Config) -> Result<TcpStream, Pop3Error> {
    let host = cfg.host.trim();
    let lookup = tokio::net::lookup_host((host, cfg.port));
    let addrs: Vec<_> = tokio::time::timeout(cfg.connect_timeout, lookup)
        .await
        .map_err(|_| Pop3Error::Timeout {
            step: Step::Resolve,
        })?
        .map_err(|source| Pop3Error::Dns {
            host: host.to_string(),
            source,
        })?
        .collect();
    let mut last = Pop3Error::Dns {
        host: host.to_string(),
        source: io::Error::new(io::ErrorKind::NotFound, "the name has no addresses"),
    };
    // Each address gets the full timeout, so a dead IPv6 route does not use
    // up the time the IPv4 one needs.
    for addr in addrs {
        match tokio::time::timeout(cfg.connect_timeout, TcpStream::connect(addr)).await {
            Ok(Ok(tcp)) => {
                // Commands are tiny and answered one by one: don't delay them.
                let _ = tcp.set_nodelay(true);
                return Ok(tcp);
            }
            Ok(Err(source)) => {
                last = Pop3Error::Connect {
                    host: host.to_string(),
                    port: cfg.port,
                    source,
                }
            }
            Err(_) => {
                last = Pop3Error::Timeout {
                    step: Step::Connect,
                }
            }
        }
    }
    Err(last)
}

async fn secure(
    cfg: &Pop3Config,
    tcp: TcpStream,
) -> Result<tokio_rustls::client::TlsStream<TcpStream>, Pop3Error> {
    let name = tls::server_name(cfg.host.trim())?;
    tokio::time::timeout(
        cfg.connect_timeout,
        tls::handshake(cfg.tls.clone(), name, tcp),
    )
    .await
    .map_err(|_| Pop3Error::Timeout {
        step: Step::TlsHandshake,
    })?
}

/// `None` when the server does not know CAPA (it predates RFC 2449).
async fn fetch_capabilities(conn: &mut Connection) -> Result<Option<Vec<String>>, Pop3Error> {
    let status = conn.command(Step::Capabilities, "CAPA").await?;
    if !status.ok {
        return Ok(None);
    }
    let mut lines = Vec::new();
    loop {
        let line = conn.read_line(Step::Capabilities).await?;
        match listing_line(&line) {
            Some(cap) => lines.push(printable(cap)),
            None => return Ok(Some(lines)),
        }
    }
}

async fn start_tls(
    mut conn: Connection,
    cfg: &Pop3Config,
    offered: bool,
) -> Result<Connection, Pop3Error> {
    let status = conn.command(Step::StartTls, "STLS").await?;
    if !status.ok {
        return Err(if offered {
            Pop3Error::Tls {
                detail: format!("the server refused to start it ({})", status.text),
            }
        } else {
            Pop3Error::TlsUnavailable
        });
    }
    // Bytes already buffered were sent in plain text before the handshake,
    // yet would be read as if they came over TLS: a known injection attack
    // (CVE-2011-0411 family). Refuse rather than trust them.
    if !conn.reader.buffer().is_empty() {
        return Err(Pop3Error::protocol(
            Step::StartTls,
            "the server sent extra data before the secure connection was set up \
             (possible tampering on the network)",
        ));
    }
    let timeout = conn.timeout;
    match conn.reader.into_inner() {
        Stream::Plain(tcp) => {
            let secured = secure(cfg, tcp).await?;
            Ok(Connection::new(Stream::Tls(Box::new(secured)), timeout))
        }
        Stream::Tls(_) => Err(Pop3Error::protocol(
            Step::StartTls,
            "the connection is already secure",
        )),
    }
}

async fn login(conn: &mut Connection, cfg: &Pop3Config) -> Result<(), Pop3Error> {
    let user = conn
        .command(Step::Login, &format!("USER {}", cfg.username))
        .await?;
    if !user.ok {
        return Err(login_refused(user.text));
    }
    conn.send(Step::Login, &format!("PASS {}", cfg.password), "PASS ****")
        .await?;
    let pass = conn.read_status(Step::Login).await?;
    if !pass.ok {
        return Err(login_refused(pass.text));
    }
    Ok(())
}

/// RFC 2449/3206 response codes tell a locked or temporarily failing mailbox
/// from a wrong password; the difference decides between "retry later" and
/// "ask the person for new credentials".
fn login_refused(text: String) -> Pop3Error {
    let upper = text.to_ascii_uppercase();
    let temporary = ["[IN-USE]", "[SYS/TEMP]", "[LOGIN-DELAY]"]
        .iter()
        .any(|code| upper.starts_with(code));
    if temporary {
        Pop3Error::Unavailable { server_text: text }
    } else {
        Pop3Error::Auth { server_text: text }
    }
}
