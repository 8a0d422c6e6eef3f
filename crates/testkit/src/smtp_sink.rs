//! A real SMTP server that captures what it receives: aiosmtpd (Python) in
//! its own process and temp dir per test, killed when dropped. Each
//! accepted message is written as `NNNNNN.json` with the envelope
//! (`mail_from`, `rcpt_tos`) and the message text (`data`).
//!
//! Its answer to DATA can be changed while it runs ([`SmtpSink::set_mode`]):
//! accept, answer 451 for the next n messages, answer 550 to all, or wait
//! before accepting (a slow server).
//!
//! [`SmtpSink::start_with`] adds STARTTLS (required before MAIL), implicit
//! TLS (from the first byte) and AUTH PLAIN/LOGIN with one user (required
//! before MAIL), with a fresh self-signed certificate ([`crate::tls`]) whose
//! PEM the client is to trust ([`SmtpSink::ca_pem`]).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

const SCRIPT: &str = r#"
import asyncio, json, os, ssl, sys
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

out_dir = sys.argv[1]
opts = json.loads(sys.argv[2])
mode_file = os.path.join(out_dir, "mode")
counter = [0]

class Capture:
    async def handle_DATA(self, server, session, envelope):
        mode = "ok"
        try:
            with open(mode_file) as f:
                mode = f.read().strip() or "ok"
        except FileNotFoundError:
            pass
        if mode.startswith("451"):
            parts = mode.split()
            left = int(parts[1]) if len(parts) > 1 else 1
            with open(mode_file, "w") as f:
                f.write("451 %d" % (left - 1) if left > 1 else "ok")
            return "451 4.3.0 Try again later, please"
        if mode == "550":
            return "550 5.1.1 <nobody@example.invalid>: Recipient address rejected: User unknown"
        if mode.startswith("delay"):
            await asyncio.sleep(float(mode.split()[1]))
        counter[0] += 1
        name = os.path.join(out_dir, "%06d.json" % counter[0])
        tmp = name + ".tmp"
        with open(tmp, "w") as f:
            json.dump({
                "mail_from": envelope.mail_from,
                "rcpt_tos": envelope.rcpt_tos,
                "data": envelope.content.decode("utf-8", "surrogateescape"),
                "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
                "auth_login": session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None,
            }, f)
        os.rename(tmp, name)
        return "250 2.0.0 Ok: queued"

def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (isinstance(auth_data, LoginPassword)
          and auth_data.login.decode() == opts["user"]
          and auth_data.password.decode() == opts["password"])
    # handled=False: aiosmtpd answers 535 itself.
    return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

kwargs = {}
ctx = None
if opts.get("tls") != "none":
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(opts["cert"], opts["key"])
if opts.get("tls") == "starttls":
    kwargs.update(tls_context=ctx, require_starttls=True)
elif opts.get("tls") == "implicit":
    kwargs.update(ssl_context=ctx)
if opts.get("user") is not None:
    kwargs.update(authenticator=authenticator, auth_required=True,
                  # Implicit TLS is invisible to aiosmtpd's check, which
                  # would then hide AUTH.
                  auth_require_tls=opts.get("tls") == "starttls")

import socket
for attempt in range(10):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    controller = Controller(Capture(), hostname="127.0.0.1", port=port, **kwargs)
    try:
        controller.start()
        break
    except Exception:
        if attempt == 9:
            raise
print(port, flush=True)
try:
    sys.stdin.read()
finally:
    controller.stop()
"#;

/// One captured message.
#[derive(Debug, Clone)]
pub struct Captured {
    pub mail_from: String,
    pub rcpt_tos: Vec<String>,
    pub data: String,
    /// Whether the message came over TLS (STARTTLS or implicit).
    pub tls: bool,
    /// The user that logged in with AUTH, if any.
    pub auth_login: Option<String>,
}

impl Captured {
    /// The header block (up to the first empty line).
    pub fn headers(&self) -> &str {
        self.data
            .split_once("\r\n\r\n")
            .or_else(|| self.data.split_once("\n\n"))
            .map(|(h, _)| h)
            .unwrap_or(&self.data)
    }
}

/// How the sink secures its connections.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SinkTls {
    #[default]
    None,
    /// STARTTLS offered and required before MAIL.
    StartTls,
    /// TLS from the first byte (like port 465).
    Implicit,
}

/// What [`SmtpSink::start_with`] sets up.
#[derive(Debug, Clone, Default)]
pub struct SinkOptions {
    pub tls: SinkTls,
    /// AUTH (PLAIN, LOGIN) required before MAIL, with this user and
    /// password; over TLS only when the sink has TLS.
    pub auth: Option<(String, String)>,
}

pub struct SmtpSink {
    child: Child,
    dir: tempfile::TempDir,
    pub port: u16,
    ca_pem: Option<String>,
}

impl SmtpSink {
    /// Starts a plain server without AUTH and waits until it listens.
    pub fn start() -> anyhow::Result<Self> {
        Self::start_with(SinkOptions::default())
    }

    /// Starts the server with TLS and AUTH as asked and waits until it
    /// listens.
    pub fn start_with(opts: SinkOptions) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let script = dir.path().join("sink.py");
        std::fs::write(&script, SCRIPT)?;
        let out = dir.path().join("mail");
        std::fs::create_dir(&out)?;
        let mut spec = serde_json::json!({
            "tls": match opts.tls {
                SinkTls::None => "none",
                SinkTls::StartTls => "starttls",
                SinkTls::Implicit => "implicit",
            },
        });
        let mut ca_pem = None;
        if opts.tls != SinkTls::None {
            let cert = crate::tls::TestCert::generate(dir.path())?;
            spec["cert"] = cert.cert_path.display().to_string().into();
            spec["key"] = cert.key_path.display().to_string().into();
            ca_pem = Some(cert.cert_pem);
        }
        if let Some((user, password)) = &opts.auth {
            spec["user"] = user.as_str().into();
            spec["password"] = password.as_str().into();
        }
        let mut child = Command::new("python3")
            .arg(&script)
            .arg(&out)
            .arg(spec.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("python3 is needed for the SMTP sink (scripts/install-test-deps.sh)")?;
        let stdout = child.stdout.take().context("sink stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let port: u16 = match line.trim().parse() {
            Ok(p) => p,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                bail!(
                    "the aiosmtpd sink did not start (is aiosmtpd installed? \
                     scripts/install-test-deps.sh); it said {line:?}"
                );
            }
        };
        Ok(Self {
            child,
            dir,
            port,
            ca_pem,
        })
    }

    /// The certificate (PEM) to trust when the sink has TLS.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// `smtp://127.0.0.1:PORT`, for the app's relay setting.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    fn mail_dir(&self) -> PathBuf {
        self.dir.path().join("mail")
    }

    /// `"ok"`, `"451 N"` (451 for the next N messages, then ok), `"550"`, or
    /// `"delay S"` (wait S seconds, a decimal, before accepting each message).
    pub fn set_mode(&self, mode: &str) -> anyhow::Result<()> {
        let path = self.mail_dir().join("mode");
        let tmp = self.mail_dir().join("mode.tmp");
        std::fs::write(&tmp, mode)?;
        std::fs::rename(tmp, path)?;
        Ok(())
    }

    /// Every message accepted so far, in order.
    pub fn messages(&self) -> anyhow::Result<Vec<Captured>> {
        read_all(&self.mail_dir())
    }

    /// Waits until at least `n` messages were accepted.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> anyhow::Result<Vec<Captured>> {
        let start = Instant::now();
        loop {
            let got = self.messages()?;
            if got.len() >= n {
                return Ok(got);
            }
            if start.elapsed() > timeout {
                bail!("expected {n} messages, the sink has {}", got.len());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn read_all(dir: &Path) -> anyhow::Result<Vec<Captured>> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    names.sort();
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&name)?)?;
        out.push(Captured {
            mail_from: v["mail_from"].as_str().unwrap_or_default().to_string(),
            rcpt_tos: v["rcpt_tos"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            data: v["data"].as_str().unwrap_or_default().to_string(),
            tls: v["tls"].as_bool().unwrap_or(false),
            auth_login: v["auth_login"].as_str().map(str::to_string),
        });
    }
    Ok(out)
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        // Closing stdin stops it cleanly; kill in case it hangs.
        drop(self.child.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
