//! Exactly once under crashes: `ecp serve` is SIGKILLed at random moments
//! while it fetches 500 messages from a real Dovecot, restarted, killed
//! again...; at the end every message is present exactly once and the POP
//! mailbox is empty. On PostgreSQL two `ecp` processes share the work
//! (and the killing).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Ecp, Server};
use ecp_app::pop::PopAccountInput;
use ecp_app::secret_box::SecretKey;
use ecp_app::{App, AppConfig};
use ecp_domain::{AccountId, UserId};
use ecp_testkit::db::TestDb;
use ecp_testkit::dovecot::Dovecot;
use std::time::{Duration, Instant};

const MESSAGES: usize = 500;
/// base64 of 32 bytes: the same key for the test process and every `ecp`.
const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

/// Half with a Message-ID, half without: those are deduplicated only by
/// (POP account, UIDL), the harder case.
fn fill(dovecot: &Dovecot) {
    for i in 0..MESSAGES {
        let id = if i % 2 == 0 {
            format!("Message-ID: <fault-{i}@cust.example>\r\n")
        } else {
            String::new()
        };
        let raw = format!(
            "From: Customer {i} <c{i}@cust.example>\r\nTo: support@in.example.test\r\n\
             Subject: fault test {i}\r\n{id}Date: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\nBody {i}.\r\n"
        );
        dovecot.add_message(raw.as_bytes()).unwrap();
    }
}

struct Setup {
    ecp: Ecp,
    url: String,
}

async fn setup(db_url: &str, dovecot: &Dovecot) -> Setup {
    let ecp = Ecp::on_any_port()
        .env("ECP_DATABASE_URL", db_url)
        .env("ECP_SECRET_KEY", KEY)
        .env("ECP_POP_POLL_SECONDS", "1")
        .env("ECP_LOG", "warn");
    let out = ecp
        .run(
            &[
                "account",
                "create",
                "--name",
                "Acme",
                "--owner-email",
                "o@example.test",
                "--owner-name",
                "Olivia",
                "--plan",
                "standard",
                "--mailbox-name",
                "Support",
                "--mailbox-address",
                "support@in.example.test",
            ],
            "correct horse battery\n",
        )
        .await;
    assert!(out.status.success(), "{out:?}");
    let account = AccountId(out.stdout.trim().parse().unwrap());

    let db = ecp_store::Db::connect(db_url).await.unwrap();
    let app = App::new(
        db.clone(),
        AppConfig {
            secret_key: Some(SecretKey::from_base64(KEY).unwrap()),
            ..AppConfig::default()
        },
    );
    let (owner, mailbox) = {
        let mut c = db.read().await.unwrap();
        let users = ecp_store::users::list_for_account(&mut c, account)
            .await
            .unwrap();
        let boxes = ecp_store::mailboxes::list_for_account(&mut c, account)
            .await
            .unwrap();
        (users[0].id, boxes[0].id)
    };
    let actor = app.actor(UserId(owner.0)).await.unwrap();
    let port = dovecot.pop3_port.to_string();
    app.create_pop_account(
        &actor,
        mailbox,
        &PopAccountInput {
            active: true,
            name: "Shop inbox",
            host: "127.0.0.1",
            port: &port,
            username: dovecot.user(),
            password: dovecot.password(),
            use_ssl: false,
            copy_mail: false,
        },
    )
    .await
    .unwrap();
    db.close().await;
    Setup {
        ecp,
        url: db_url.to_string(),
    }
}

/// A different short pause for each kill, so kills land at different
/// points of a fetch (during RETR, between store and ledger, before QUIT...).
fn pauses(n: usize) -> Vec<Duration> {
    let mut x = u64::from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos(),
    ) | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            Duration::from_millis(x % 400)
        })
        .collect()
}

/// Waits until a fetch is visibly under way (more messages stored than
/// `before`), so that the kill that follows lands in the middle of one.
async fn fetch_under_way(url: &str, before: i64) -> i64 {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, _, raws, _) = counts(url).await;
        if raws > before || raws >= MESSAGES as i64 {
            return raws;
        }
        assert!(
            Instant::now() < deadline,
            "no fetch started within a minute"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn kill(server: Server) {
    let status = server.stop("KILL", Duration::from_secs(10)).await;
    assert!(!status.success());
}

async fn counts(url: &str) -> (i64, i64, i64, i64) {
    let db = ecp_store::Db::connect(url).await.unwrap();
    let mut c = db.read().await.unwrap();
    let q = |sql: &'static str| sqlx::query_scalar::<_, i64>(sql);
    let messages = q("SELECT COUNT(*) FROM messages")
        .fetch_one(&mut *c)
        .await
        .unwrap();
    let distinct = q("SELECT COUNT(DISTINCT subject) FROM messages")
        .fetch_one(&mut *c)
        .await
        .unwrap();
    let raws = q("SELECT COUNT(*) FROM raw_messages")
        .fetch_one(&mut *c)
        .await
        .unwrap();
    let pending = q("SELECT COUNT(*) FROM raw_messages WHERE state = 'pending'")
        .fetch_one(&mut *c)
        .await
        .unwrap();
    drop(c);
    db.close().await;
    (messages, distinct, raws, pending)
}

/// Runs the surviving servers until the POP mailbox is empty and every
/// message is filed, then checks exactly-once.
async fn finish(setup: &Setup, dovecot: &Dovecot, servers: Vec<Server>) {
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let (messages, _, _, pending) = counts(&setup.url).await;
        if dovecot.message_count().unwrap() == 0 && messages >= MESSAGES as i64 && pending == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not done in time: {messages} filed, {} on the server; stderr: {}",
            dovecot.message_count().unwrap(),
            servers.first().map(|s| s.stderr()).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    for s in servers {
        s.stop("TERM", Duration::from_secs(20)).await;
    }
    let (messages, distinct, raws, pending) = counts(&setup.url).await;
    assert_eq!(messages, MESSAGES as i64, "every message exactly once");
    assert_eq!(distinct, MESSAGES as i64, "no message twice, none missing");
    assert_eq!(raws, MESSAGES as i64, "each POP message stored once");
    assert_eq!(pending, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_fetch_loses_and_repeats_nothing_sqlite() {
    let dovecot = Dovecot::start_without_tls().unwrap();
    fill(&dovecot);
    let db = TestDb::sqlite().unwrap();
    let setup = setup(&db.url, &dovecot).await;
    let mut killed_mid_fetch = 0;
    for pause in pauses(6) {
        let (_, _, before, _) = counts(&setup.url).await;
        let server = setup.ecp.serve().await;
        let seen = fetch_under_way(&setup.url, before).await;
        tokio::time::sleep(pause).await;
        kill(server).await;
        let (_, _, after, _) = counts(&setup.url).await;
        if seen < MESSAGES as i64 && after < MESSAGES as i64 {
            killed_mid_fetch += 1;
        }
    }
    assert!(
        killed_mid_fetch >= 3,
        "only {killed_mid_fetch} kills landed during a fetch"
    );
    let last = setup.ecp.serve().await;
    finish(&setup, &dovecot, vec![last]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_postgres_killed_at_random_fetch_exactly_once() {
    let dovecot = Dovecot::start_without_tls().unwrap();
    fill(&dovecot);
    let db = TestDb::postgres().await.unwrap();
    let setup = setup(&db.url, &dovecot).await;
    let mut a = setup.ecp.serve().await;
    let mut b = setup.ecp.serve().await;
    for (round, pause) in pauses(6).into_iter().enumerate() {
        let (_, _, before, _) = counts(&setup.url).await;
        fetch_under_way(&setup.url, before).await;
        tokio::time::sleep(pause).await;
        // Kill one of the two, then bring it back: the other carries on.
        if round % 2 == 0 {
            kill(a).await;
            a = setup.ecp.serve().await;
        } else {
            kill(b).await;
            b = setup.ecp.serve().await;
        }
    }
    finish(&setup, &dovecot, vec![a, b]).await;
}
