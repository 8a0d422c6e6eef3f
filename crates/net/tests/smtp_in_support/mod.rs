//! Shared by the `smtp_in_*` tests: the listener on 127.0.0.1:0 with a sink
//! that keeps delivered messages in memory, and the real clients (swaks,
//! Python's smtplib), which must be installed: a missing client fails.

// Test helpers: a failed setup step should fail the test loudly, and not
// every test file uses every helper.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ecp_net::smtp_in::{
    DeliverError, Envelope, InboundSink, RcptVerdict, SmtpServerConfig, SpooledMessage,
    load_tls_config, serve,
};
use ecp_testkit::tls::TestCert;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// `nobody@...` is unknown, `later@...` fails temporarily, the rest exist.
#[derive(Default)]
pub struct TestSink {
    pub delivered: Mutex<Vec<(Envelope, Vec<u8>)>>,
    /// Makes `deliver` fail temporarily (the database is "down").
    pub fail_deliver: AtomicBool,
    /// Makes `deliver` take its time (to observe graceful shutdown).
    pub slow_deliver: Mutex<Option<Duration>>,
}

impl TestSink {
    pub fn messages(&self) -> Vec<(Envelope, Vec<u8>)> {
        self.delivered.lock().unwrap().clone()
    }
}

impl InboundSink for TestSink {
    async fn check_recipient(&self, rcpt: &str) -> RcptVerdict {
        if rcpt.starts_with("nobody@") {
            RcptVerdict::UnknownUser
        } else if rcpt.starts_with("later@") {
            RcptVerdict::TemporaryFailure
        } else {
            RcptVerdict::Accept
        }
    }

    async fn deliver(
        &self,
        envelope: &Envelope,
        message: SpooledMessage,
    ) -> Result<(), DeliverError> {
        let delay = *self.slow_deliver.lock().unwrap();
        if let Some(delay) = delay {
            tokio::time::sleep(delay).await;
        }
        if self.fail_deliver.load(Ordering::SeqCst) {
            return Err(DeliverError::Temporary("database unavailable".into()));
        }
        let bytes = message
            .read_to_vec()
            .await
            .map_err(|e| DeliverError::Temporary(e.to_string()))?;
        assert_eq!(bytes.len() as u64, message.size());
        self.delivered
            .lock()
            .unwrap()
            .push((envelope.clone(), bytes));
        Ok(())
    }
}

pub struct TestServer {
    pub addr: SocketAddr,
    pub sink: Arc<TestSink>,
    pub spool_dir: PathBuf,
    pub cert: TestCert,
    pub shutdown: CancellationToken,
    pub task: JoinHandle<std::io::Result<()>>,
    _dir: tempfile::TempDir,
}

/// Starts a listener with STARTTLS; `tweak` adjusts the configuration.
pub async fn start(tweak: impl FnOnce(&mut SmtpServerConfig)) -> TestServer {
    let dir = tempfile::tempdir().unwrap();
    let cert = TestCert::generate(dir.path()).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let spool_dir = dir.path().join("spool");
    let mut cfg = SmtpServerConfig::new(addr, "mx.test.example", spool_dir.clone());
    cfg.tls = Some(load_tls_config(&cert.cert_path, &cert.key_path).unwrap());
    tweak(&mut cfg);
    let sink = Arc::new(TestSink::default());
    let shutdown = CancellationToken::new();
    let task = tokio::spawn(serve(listener, cfg, Arc::clone(&sink), shutdown.clone()));
    TestServer {
        addr,
        sink,
        spool_dir,
        cert,
        shutdown,
        task,
        _dir: dir,
    }
}

impl TestServer {
    pub fn port(&self) -> String {
        self.addr.port().to_string()
    }

    /// Files left in the spool directory.
    pub fn spool_files(&self) -> Vec<PathBuf> {
        match std::fs::read_dir(&self.spool_dir) {
            Ok(entries) => entries.map(|e| e.unwrap().path()).collect(),
            Err(_) => Vec::new(),
        }
    }

    /// Waits (briefly) until the spool directory is empty; the server notices
    /// a vanished client asynchronously.
    pub async fn wait_spool_empty(&self) -> Vec<PathBuf> {
        for _ in 0..100 {
            if self.spool_files().is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.spool_files()
    }
}

/// Runs a real client program; fails the test if it is not installed.
pub async fn run_client(program: &str, args: &[&str]) -> Output {
    let output = tokio::process::Command::new(program)
        .args(args)
        .kill_on_drop(true)
        .output();
    match tokio::time::timeout(Duration::from_secs(60), output).await {
        Ok(Ok(output)) => output,
        Ok(Err(e)) => panic!("{program} is required for this test and could not run: {e}"),
        Err(_) => panic!("{program} did not finish within 60 s"),
    }
}

pub async fn swaks(server: &TestServer, args: &[&str]) -> Output {
    let port = server.port();
    let mut all = vec![
        "--server",
        "127.0.0.1",
        "--port",
        port.as_str(),
        "--timeout",
        "20",
    ];
    all.extend_from_slice(args);
    run_client("swaks", &all).await
}

/// Runs a Python script with the server's host and port as `sys.argv[1:3]`
/// and any `extra` arguments after them.
pub async fn python(server: &TestServer, script: &str, extra: &[&str]) -> Output {
    let port = server.port();
    let mut args = vec!["-c", script, "127.0.0.1", port.as_str()];
    args.extend_from_slice(extra);
    run_client("python3", &args).await
}

pub fn text(output: &Output) -> String {
    format!(
        "status: {}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

pub fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// A raw line-oriented client for what real clients will not do.
pub struct Raw<S> {
    pub stream: BufReader<S>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Raw<S> {
    pub fn new(stream: S) -> Self {
        Self {
            stream: BufReader::new(stream),
        }
    }

    pub async fn send(&mut self, bytes: &[u8]) {
        self.stream.get_mut().write_all(bytes).await.unwrap();
        self.stream.get_mut().flush().await.unwrap();
    }

    /// One whole reply (all its lines); `None` once the server closed.
    pub async fn reply(&mut self) -> Option<String> {
        let mut reply = String::new();
        loop {
            let mut line = String::new();
            let read =
                tokio::time::timeout(Duration::from_secs(10), self.stream.read_line(&mut line))
                    .await
                    .expect("server did not answer within 10 s");
            match read {
                Ok(0) | Err(_) => return (!reply.is_empty()).then_some(reply),
                Ok(_) => {}
            }
            reply.push_str(&line);
            if line.as_bytes().get(3) != Some(&b'-') {
                return Some(reply);
            }
        }
    }

    pub async fn command(&mut self, line: &str) -> String {
        self.send(format!("{line}\r\n").as_bytes()).await;
        self.reply().await.unwrap_or_default()
    }

    /// True when the server has closed the connection (EOF or reset).
    pub async fn closed(&mut self) -> bool {
        let mut rest = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(10), async {
            tokio::io::AsyncReadExt::read_to_end(&mut self.stream, &mut rest).await
        })
        .await
        .expect("server did not close within 10 s");
        read.is_err() || rest.is_empty()
    }
}
