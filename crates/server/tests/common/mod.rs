//! Runs the built `ecp` binary as a real process, in a directory of its own,
//! with none of the caller's `ECP_*` settings leaking in.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};

const SETTINGS: &[&str] = &[
    "ECP_CONFIG",
    "ECP_DATA_DIR",
    "ECP_DATABASE_URL",
    "ECP_HTTP_ADDR",
    "ECP_SIGNUP_ENABLED",
    "ECP_SECURE_COOKIES",
    "ECP_LOG",
    "ECP_LOG_FORMAT",
    "ECP_SMTP_ADDR",
    "ECP_SMTP_HOSTNAME",
    "ECP_SMTP_MAX_MESSAGE_SIZE",
    "ECP_TLS_CERT",
    "ECP_TLS_KEY",
    "ECP_POP_POLL_SECONDS",
    "ECP_POP_CA_FILE",
    "ECP_SECRET_KEY",
    "ECP_MAIL_AUTH",
    "ECP_DNS_SERVERS",
    "ECP_SMTP_RELAY",
    "ECP_MESSAGE_ID_DOMAIN",
    "ECP_SMTP_CA_FILE",
    "RUST_LOG",
];

/// A working directory for one test, and the environment to run `ecp` in.
pub struct Ecp {
    pub dir: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl Ecp {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            env: Vec::new(),
        }
    }

    /// Listening on port 0 lets tests run side by side; the URL printed on
    /// stdout says where the server ended up.
    pub fn on_any_port() -> Self {
        Self::new()
            .env("ECP_HTTP_ADDR", "127.0.0.1:0")
            .env("ECP_SMTP_ADDR", "127.0.0.1:0")
            // No internet here: SPF/DKIM/DMARC lookups would only time out.
            // The checks themselves are tested with fixed DNS records in
            // crates/net and crates/app.
            .env("ECP_MAIL_AUTH", "off")
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_ecp"));
        c.args(args).current_dir(self.dir.path()).kill_on_drop(true);
        for key in SETTINGS {
            c.env_remove(key);
        }
        for (k, v) in &self.env {
            c.env(k, v);
        }
        c
    }

    /// Runs a command to its end, with `stdin` written to it.
    pub async fn run(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut input = child.stdin.take().unwrap();
        // A command that exits before reading (a usage error) closes the
        // pipe; its exit status is what the test checks.
        match input.write_all(stdin.as_bytes()).await {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            other => other.unwrap(),
        }
        drop(input);
        let out = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
            .await
            .expect("the command did not finish within 60 s")
            .unwrap();
        Output {
            status: out.status,
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Like `run`, but the command must succeed; returns its stdout.
    pub async fn ok(&self, args: &[&str], stdin: &str) -> String {
        let out = self.run(args, stdin).await;
        assert!(out.status.success(), "ecp {args:?} failed: {out:?}");
        out.stdout
    }

    /// Starts `ecp serve` and waits for it to print its URL.
    pub async fn serve(&self) -> Server {
        let mut child = self
            .command(&["serve"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err_pipe = child.stderr.take().unwrap();
        let sink = stderr.clone();
        tokio::spawn(async move {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err_pipe.read(&mut buf).await {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = tokio::time::timeout(Duration::from_secs(60), lines.next_line()).await;
        let line = match first {
            Ok(Ok(Some(line))) => line,
            other => {
                let status = child.try_wait();
                panic!(
                    "ecp serve printed no URL ({other:?}, {status:?}); stderr:\n{}",
                    stderr.lock().unwrap()
                );
            }
        };
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no URL in {line:?}"))
            .to_string();
        // The SMTP listener's address follows on the next line when it is on.
        let smtp = match tokio::time::timeout(Duration::from_millis(500), lines.next_line()).await {
            Ok(Ok(Some(l))) if l.starts_with("Inbound SMTP") => l
                .split_whitespace()
                .last()
                .map(|a| a.trim_end_matches('.').to_string()),
            _ => None,
        };
        // Keep reading so a full pipe never blocks the server.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Server {
            child,
            url,
            first_line: line,
            smtp,
            stderr,
        }
    }
}

#[derive(Debug)]
pub struct Output {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

pub struct Server {
    child: Child,
    pub url: String,
    pub first_line: String,
    /// `IP:PORT` of the inbound SMTP listener, when it is on.
    pub smtp: Option<String>,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        reqwest::get(format!("{}{path}", self.url)).await.unwrap()
    }

    pub async fn healthz(&self) -> u16 {
        self.get("/healthz").await.status().as_u16()
    }

    /// Sends `signal` (TERM, INT) and waits for the exit, at most `limit`.
    pub async fn stop(mut self, signal: &str, limit: Duration) -> ExitStatus {
        let pid = self.child.id().unwrap().to_string();
        let sent = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &pid])
            .status()
            .unwrap();
        assert!(sent.success());
        match tokio::time::timeout(limit, self.child.wait()).await {
            Ok(status) => status.unwrap(),
            Err(_) => panic!(
                "ecp serve still running {limit:?} after SIG{signal}; stderr:\n{}",
                self.stderr()
            ),
        }
    }
}
