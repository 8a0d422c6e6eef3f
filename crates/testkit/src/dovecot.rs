//! A real Dovecot POP3 server per test: its own temp dir, config, ports and
//! Maildir user, so tests run in parallel; killed when dropped.
//!
//! Dovecot's login processes refuse to run as root, so they run as
//! `dovenull`, mail access as `dovecot`, and the test user borrows the
//! `dovecot` uid/gid (see DESIGN.md). The master needs root to switch users.

use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::os::unix::fs::{PermissionsExt, chown};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::tls::TestCert;

pub const USER: &str = "alice";
pub const PASSWORD: &str = "correct horse battery";

/// Ports picked by binding port 0 can be taken by another test before
/// Dovecot binds them; a fresh pick almost always works.
const START_ATTEMPTS: usize = 4;
const READY_TIMEOUT: Duration = Duration::from_secs(15);

static FILE_COUNTER: AtomicU64 = AtomicU64::new(0);

pub struct Dovecot {
    child: Child,
    dir: tempfile::TempDir,
    maildir: PathBuf,
    owner: (u32, u32),
    /// Plain POP3; offers STLS when TLS is on.
    pub pop3_port: u16,
    /// Implicit TLS (pop3s); `None` when started without TLS.
    pub pop3s_port: Option<u16>,
    pub cert: Option<TestCert>,
}

impl Dovecot {
    /// A server with TLS: STLS on `pop3_port`, implicit TLS on `pop3s_port`.
    /// Blocks until Dovecot greets (typically well under a second); that is
    /// fine at the start of an async test and keeps the fixture runtime-free.
    pub fn start() -> anyhow::Result<Self> {
        Self::start_with(true)
    }

    /// A server with `ssl = no`: plain POP3 only, no STLS in CAPA.
    pub fn start_without_tls() -> anyhow::Result<Self> {
        Self::start_with(false)
    }

    fn start_with(tls: bool) -> anyhow::Result<Self> {
        let binary = find_dovecot().context(
            "dovecot is not installed; run scripts/install-test-deps.sh \
             (Debian packages dovecot-core and dovecot-pop3d)",
        )?;
        let owner = (
            system_id("/etc/passwd", "dovecot")?,
            system_id("/etc/group", "dovecot")?,
        );
        let mut last_error = None;
        for _ in 0..START_ATTEMPTS {
            match Self::try_start(&binary, tls, owner) {
                Ok(server) => return Ok(server),
                Err(err) => last_error = Some(err),
            }
        }
        Err(last_error.unwrap_or_else(|| anyhow::anyhow!("dovecot did not start")))
    }

    fn try_start(binary: &Path, tls: bool, owner: (u32, u32)) -> anyhow::Result<Self> {
        let dir = tempfile::Builder::new().prefix("ecp-dovecot-").tempdir()?;
        // Dovecot's unprivileged processes must traverse into the temp dir.
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))?;
        let root = dir.path();
        let home = root.join("home");
        let maildir = home.join("Maildir");
        for sub in ["new", "cur", "tmp"] {
            std::fs::create_dir_all(maildir.join(sub))?;
        }
        for path in [
            &home,
            &maildir,
            &maildir.join("new"),
            &maildir.join("cur"),
            &maildir.join("tmp"),
        ] {
            chown(path, Some(owner.0), Some(owner.1))?;
        }
        let passwd = root.join("passwd");
        std::fs::write(
            &passwd,
            format!(
                "{USER}:{{PLAIN}}{PASSWORD}:{}:{}::{}::\n",
                owner.0,
                owner.1,
                home.display()
            ),
        )?;
        let cert = if tls {
            Some(TestCert::generate(root)?)
        } else {
            None
        };
        let pop3_port = free_port()?;
        let pop3s_port = if tls { Some(free_port()?) } else { None };
        let config = root.join("dovecot.conf");
        std::fs::write(
            &config,
            config_text(root, &passwd, owner, pop3_port, pop3s_port, cert.as_ref()),
        )?;

        let child = Command::new(binary)
            .arg("-F")
            .arg("-c")
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(std::fs::File::create(root.join("stderr.log"))?))
            .spawn()
            .context("spawning dovecot")?;
        let mut server = Self {
            child,
            dir,
            maildir,
            owner,
            pop3_port,
            pop3s_port,
            cert,
        };
        server.wait_ready()?;
        Ok(server)
    }

    fn wait_ready(&mut self) -> anyhow::Result<()> {
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait()? {
                bail!("dovecot exited with {status}:\n{}", self.log());
            }
            // The master logs "starting up" only after binding every
            // listener, so a greeting then is ours, not a neighbour's.
            let bound = self.log().contains("starting up");
            if bound && greets(self.pop3_port) && self.pop3s_port.is_none_or(listening) {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("dovecot did not start listening in time:\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    pub fn user(&self) -> &str {
        USER
    }

    pub fn password(&self) -> &str {
        PASSWORD
    }

    /// A rustls client config trusting this server's certificate.
    pub fn client_tls(&self) -> anyhow::Result<std::sync::Arc<rustls::ClientConfig>> {
        match &self.cert {
            Some(cert) => cert.client_config(),
            None => bail!("this Dovecot was started without TLS"),
        }
    }

    /// Delivers one message the Maildir way (write in tmp/, rename into
    /// new/), so Dovecot never sees half a file. Returns its file name.
    pub fn add_message(&self, raw: &[u8]) -> anyhow::Result<String> {
        let n = FILE_COUNTER.fetch_add(1, Ordering::Relaxed);
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_secs();
        let name = format!("{secs}.M{n}P{}.ecp-test", std::process::id());
        let tmp = self.maildir.join("tmp").join(&name);
        std::fs::write(&tmp, raw)?;
        chown(&tmp, Some(self.owner.0), Some(self.owner.1))?;
        std::fs::rename(&tmp, self.maildir.join("new").join(&name))?;
        Ok(name)
    }

    /// Delivers `count` small distinct messages and returns their bytes in
    /// delivery order.
    pub fn add_messages(&self, count: usize) -> anyhow::Result<Vec<Vec<u8>>> {
        (0..count)
            .map(|i| {
                let raw = format!(
                    "From: sender{i}@example.test\r\nTo: {USER}@example.test\r\n\
                     Subject: Test message {i}\r\nMessage-ID: <test-{i}@example.test>\r\n\
                     \r\nBody of message {i}.\r\n"
                )
                .into_bytes();
                self.add_message(&raw)?;
                Ok(raw)
            })
            .collect()
    }

    /// Messages still on the server (new and seen alike).
    pub fn message_count(&self) -> anyhow::Result<usize> {
        let mut count = 0;
        for sub in ["new", "cur"] {
            count += std::fs::read_dir(self.maildir.join(sub))?.count();
        }
        Ok(count)
    }

    pub fn maildir(&self) -> &Path {
        &self.maildir
    }

    /// Dovecot's log, for failure messages.
    pub fn log(&self) -> String {
        let read =
            |name: &str| std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_default();
        format!("{}{}", read("dovecot.log"), read("stderr.log"))
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        // SIGTERM lets the master stop its login and pop3 children; SIGKILL
        // would leave them to notice on their own.
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn config_text(
    root: &Path,
    passwd: &Path,
    owner: (u32, u32),
    pop3_port: u16,
    pop3s_port: Option<u16>,
    cert: Option<&TestCert>,
) -> String {
    let root = root.display();
    let passwd = passwd.display();
    let ssl = match cert {
        Some(cert) => format!(
            "ssl = yes\nssl_cert = <{}\nssl_key = <{}\n",
            cert.cert_path.display(),
            cert.key_path.display()
        ),
        None => "ssl = no\n".to_string(),
    };
    let pop3s = match pop3s_port {
        Some(port) => format!("  inet_listener pop3s {{\n    port = {port}\n    ssl = yes\n  }}\n"),
        None => String::new(),
    };
    format!(
        "base_dir = {root}/run
state_dir = {root}/state
instance_name = ecp-test-{pop3_port}
log_path = {root}/dovecot.log
protocols = pop3
listen = 127.0.0.1
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = {uid}
first_valid_gid = {gid}
# Tests log in over plain text on loopback, and want wrong passwords fast.
disable_plaintext_auth = no
auth_mechanisms = plain
auth_failure_delay = 0
{ssl}mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {passwd}
}}
userdb {{
  driver = passwd-file
  args = {passwd}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = {pop3_port}
  }}
{pop3s}}}
",
        uid = owner.0,
        gid = owner.1,
    )
}

fn find_dovecot() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin".into(), "/usr/local/sbin".into()])
        .map(|dir| dir.join("dovecot"))
        .find(|candidate| candidate.is_file())
}

/// The numeric id of `name` in /etc/passwd or /etc/group (third field).
fn system_id(file: &str, name: &str) -> anyhow::Result<u32> {
    let text = std::fs::read_to_string(file)?;
    text.lines()
        .map(|line| line.split(':').collect::<Vec<_>>())
        .find(|fields| fields.first() == Some(&name))
        .and_then(|fields| fields.get(2).and_then(|id| id.parse().ok()))
        .with_context(|| format!("no \"{name}\" entry in {file}; is dovecot-core installed?"))
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
        .local_addr()?
        .port())
}

fn listening(port: u16) -> bool {
    TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok()
}

/// Connects and reads the greeting, so a port taken by someone else is not
/// mistaken for our Dovecot being ready.
fn greets(port: u16) -> bool {
    let Ok(stream) = TcpStream::connect((Ipv4Addr::LOCALHOST, port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line).is_ok() && line.starts_with("+OK Dovecot")
}
