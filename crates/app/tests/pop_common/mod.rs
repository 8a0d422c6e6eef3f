//! Shared set-up for the POP account tests: an account with one mailbox on
//! a fresh database, an App that trusts the test Dovecot's certificate, and
//! helpers to count what arrived.
#![allow(dead_code, clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use ecp_app::pop::{PopAccountInput, PopAccountView, PopConfig};
use ecp_app::secret_box::SecretKey;
use ecp_app::signup::SignupInput;
use ecp_app::{Actor, App, AppConfig};
use ecp_domain::MailboxId;
use ecp_testkit::db::TestDb;
use ecp_testkit::dovecot::Dovecot;

pub struct Fx {
    pub app: App,
    pub actor: Actor,
    pub mailbox: MailboxId,
    pub key: SecretKey,
    pub spool: tempfile::TempDir,
    pub db: TestDb,
}

pub fn config(
    key: &SecretKey,
    spool: &std::path::Path,
    tls: Option<Arc<rustls::ClientConfig>>,
    node: &str,
) -> AppConfig {
    AppConfig {
        secret_key: Some(key.clone()),
        spool_dir: spool.to_path_buf(),
        node_id: node.to_string(),
        pop: PopConfig {
            tls,
            connect_timeout: Duration::from_secs(5),
            command_timeout: Duration::from_secs(10),
            ..Default::default()
        },
        ..Default::default()
    }
}

pub async fn fixture(t: TestDb, plan: &str, tls: Option<Arc<rustls::ClientConfig>>) -> Fx {
    let db = ecp_store::Db::connect(&t.url).await.unwrap();
    db.migrate().await.unwrap();
    let key = SecretKey::generate();
    let spool = tempfile::tempdir().unwrap();
    let app = App::new(db, config(&key, spool.path(), tls, "node-a"));
    let out = app
        .create_account(&SignupInput {
            account_name: "Acme".into(),
            owner_name: "Olivia".into(),
            owner_email: "olivia@acme.example".into(),
            password: "correct horse battery".into(),
            plan: plan.into(),
            mailbox_name: "Support".into(),
            mailbox_address: "support@in.acme.example".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let actor = app.actor(out.owner_id).await.unwrap();
    Fx {
        app,
        actor,
        mailbox: out.mailbox_id.unwrap(),
        key,
        spool,
        db: t,
    }
}

/// Owned form values, borrowed as a `PopAccountInput`.
#[derive(Clone)]
pub struct Form {
    pub active: bool,
    pub name: String,
    pub host: String,
    pub port: String,
    pub username: String,
    pub password: String,
    pub use_ssl: bool,
    pub copy_mail: bool,
}

impl Form {
    pub fn input(&self) -> PopAccountInput<'_> {
        PopAccountInput {
            active: self.active,
            name: &self.name,
            host: &self.host,
            port: &self.port,
            username: &self.username,
            password: &self.password,
            use_ssl: self.use_ssl,
            copy_mail: self.copy_mail,
        }
    }
}

/// The Dovecot account: implicit TLS on its pop3s port with Use SSL, its
/// plain port (STLS when offered) without.
pub fn form(server: &Dovecot, use_ssl: bool) -> Form {
    let port = if use_ssl {
        server.pop3s_port.unwrap()
    } else {
        server.pop3_port
    };
    Form {
        active: true,
        name: "Sales".into(),
        host: "127.0.0.1".into(),
        port: port.to_string(),
        username: server.user().into(),
        password: server.password().into(),
        use_ssl,
        copy_mail: false,
    }
}

pub async fn add(fx: &Fx, form: &Form) -> PopAccountView {
    fx.app
        .create_pop_account(&fx.actor, fx.mailbox, &form.input())
        .await
        .unwrap()
}

/// Message-ID headers filed in the mailbox, sorted.
pub async fn filed_ids(app: &App, mailbox: MailboxId) -> Vec<String> {
    let mut c = app.db().read().await.unwrap();
    let mut ids: Vec<Option<String>> =
        sqlx::query_scalar("SELECT message_id_header FROM messages WHERE mailbox_id = $1")
            .bind(mailbox.0)
            .fetch_all(&mut *c)
            .await
            .unwrap();
    ids.sort();
    ids.into_iter().map(|i| i.unwrap_or_default()).collect()
}

pub async fn count(app: &App, sql: &str, mailbox: MailboxId) -> i64 {
    let mut c = app.db().read().await.unwrap();
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
        .bind(mailbox.0)
        .fetch_one(&mut *c)
        .await
        .unwrap()
}

pub async fn raw_count(app: &App, mailbox: MailboxId) -> i64 {
    count(
        app,
        "SELECT COUNT(*) FROM raw_messages WHERE mailbox_id = $1",
        mailbox,
    )
    .await
}

/// The Message-IDs `Dovecot::add_messages(n)` gives, sorted like
/// `filed_ids`.
pub fn expected_ids(n: usize) -> Vec<String> {
    let mut v: Vec<String> = (0..n).map(|i| format!("test-{i}@example.test")).collect();
    v.sort();
    v
}

/// Delivers `n` messages of about `size` bytes each.
pub fn add_big_messages(server: &Dovecot, n: usize, size: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let id = format!("big-{i}@example.test");
            let line = format!("Line of message {i} padding padding padding padding.\r\n");
            let body = line.repeat(size / line.len() + 1);
            let raw = format!(
                "From: sender{i}@example.test\r\nTo: alice@example.test\r\nSubject: Big {i}\r\n\
                 Message-ID: <{id}>\r\n\r\n{body}"
            );
            server.add_message(raw.as_bytes()).unwrap();
            id
        })
        .collect()
}
