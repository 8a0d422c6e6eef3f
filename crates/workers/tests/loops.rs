//! The worker loops: they start, do their work, and stop when cancelled,
//! against a real Dovecot and database for the two real workers.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ecp_app::inbound::Source;
use ecp_app::pop::{PopAccountInput, PopConfig};
use ecp_app::secret_box::SecretKey;
use ecp_app::signup::SignupInput;
use ecp_app::{Actor, App, AppConfig};
use ecp_domain::MailboxId;
use ecp_testkit::db::TestDb;
use ecp_testkit::dovecot::Dovecot;
use ecp_workers::{InboundSweeper, Outcome, PopPoller, Worker, Workers, WorkersConfig, run};
use tokio_util::sync::CancellationToken;

/// Reports work three times, then idles; counts its passes.
struct Counting {
    passes: Arc<AtomicUsize>,
    finished: Arc<AtomicUsize>,
    pass_time: Duration,
}

impl Worker for Counting {
    fn name(&self) -> &'static str {
        "counting"
    }

    async fn run_once(&self) -> Outcome {
        let n = self.passes.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(self.pass_time).await;
        self.finished.fetch_add(1, Ordering::SeqCst);
        if n < 3 {
            Outcome::Worked(1)
        } else {
            Outcome::Idle
        }
    }

    fn idle_wait(&self) -> Duration {
        Duration::from_secs(3600)
    }
}

#[tokio::test]
async fn loop_repeats_while_there_is_work_and_stops_on_cancel() {
    let passes = Arc::new(AtomicUsize::new(0));
    let finished = Arc::new(AtomicUsize::new(0));
    let cancel = CancellationToken::new();
    let worker = Counting {
        passes: passes.clone(),
        finished: finished.clone(),
        pass_time: Duration::ZERO,
    };
    let handle = tokio::spawn(run(worker, cancel.clone()));
    wait_for(|| async { passes.load(Ordering::SeqCst) == 4 }).await;
    // Idle now: the next pass is an hour away.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(passes.load(Ordering::SeqCst), 4);
    let stop = Instant::now();
    cancel.cancel();
    tokio::time::timeout(Duration::from_secs(2), handle)
        .await
        .unwrap()
        .unwrap();
    assert!(stop.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn a_pass_under_way_finishes_before_the_loop_stops() {
    let passes = Arc::new(AtomicUsize::new(0));
    let finished = Arc::new(AtomicUsize::new(0));
    let cancel = CancellationToken::new();
    let worker = Counting {
        passes: passes.clone(),
        finished: finished.clone(),
        pass_time: Duration::from_millis(300),
    };
    let handle = tokio::spawn(run(worker, cancel.clone()));
    wait_for(|| async { passes.load(Ordering::SeqCst) == 1 }).await;
    cancel.cancel();
    tokio::time::timeout(Duration::from_secs(5), handle)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(finished.load(Ordering::SeqCst), 1);
    assert_eq!(passes.load(Ordering::SeqCst), 1);
}

async fn wait_for<F, Fut>(mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(30);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

struct Fx {
    app: App,
    actor: Actor,
    mailbox: MailboxId,
    _spool: tempfile::TempDir,
    _db: TestDb,
}

async fn fixture(pop: PopConfig) -> Fx {
    let t = TestDb::sqlite().unwrap();
    let db = ecp_store::Db::connect(&t.url).await.unwrap();
    db.migrate().await.unwrap();
    let spool = tempfile::tempdir().unwrap();
    let app = App::new(
        db,
        AppConfig {
            secret_key: Some(SecretKey::generate()),
            spool_dir: spool.path().to_path_buf(),
            pop,
            ..Default::default()
        },
    );
    let out = app
        .create_account(&SignupInput {
            account_name: "Acme".into(),
            owner_name: "Olivia".into(),
            owner_email: "olivia@acme.example".into(),
            password: "correct horse battery".into(),
            plan: "standard".into(),
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
        _spool: spool,
        _db: t,
    }
}

async fn states(fx: &Fx) -> Vec<(String, i64)> {
    let mut c = fx.app.db().read().await.unwrap();
    ecp_store::raw_messages::count_by_state(&mut c, fx.mailbox)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pop_poller_fetches_due_accounts_until_cancelled() {
    let server = Dovecot::start().unwrap();
    let fx = fixture(PopConfig {
        tls: Some(server.client_tls().unwrap()),
        poll_interval: Duration::from_millis(300),
        ..Default::default()
    })
    .await;
    server.add_messages(5).unwrap();
    let port = server.pop3s_port.unwrap().to_string();
    fx.app
        .create_pop_account(
            &fx.actor,
            fx.mailbox,
            &PopAccountInput {
                active: true,
                name: "Sales",
                host: "127.0.0.1",
                port: &port,
                username: server.user(),
                password: server.password(),
                use_ssl: true,
                copy_mail: false,
            },
        )
        .await
        .unwrap();
    let cancel = CancellationToken::new();
    let poller = PopPoller::new(fx.app.clone(), Duration::from_millis(100));
    assert_eq!(poller.name(), "pop_poller");
    let handle = tokio::spawn(run(poller, cancel.clone()));

    wait_for(|| async { states(&fx).await == [("processed".to_string(), 5)] }).await;
    assert_eq!(server.message_count().unwrap(), 0);
    // Mail that arrives later is picked up by a later poll.
    for i in 0..7 {
        let raw =
            format!("From: b@cust.example\r\nMessage-ID: <later-{i}@cust.example>\r\n\r\nhi\r\n");
        server.add_message(raw.as_bytes()).unwrap();
    }
    wait_for(|| async { server.message_count().unwrap() == 0 }).await;
    wait_for(|| async { states(&fx).await == [("processed".to_string(), 12)] }).await;

    cancel.cancel();
    tokio::time::timeout(Duration::from_secs(5), handle)
        .await
        .unwrap()
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inbound_sweeper_files_what_was_left_pending() {
    let fx = fixture(PopConfig::default()).await;
    let cancel = CancellationToken::new();
    // Stored, never filed: as after a crash between the two steps.
    for i in 0..3 {
        let raw = format!(
            "From: a@cust.example\r\nSubject: left {i}\r\nMessage-ID: <left-{i}@cust.example>\r\n\r\nhi\r\n"
        );
        fx.app
            .receive_raw(
                fx.mailbox,
                &Source::Import {
                    key: format!("left-{i}"),
                },
                raw.as_bytes(),
            )
            .await
            .unwrap();
    }
    assert_eq!(states(&fx).await, [("pending".to_string(), 3)]);
    let sweeper = InboundSweeper::new(fx.app.clone(), Duration::from_millis(100), 2);
    assert_eq!(sweeper.run_once().await, Outcome::Worked(2));
    let handle = tokio::spawn(run(sweeper, cancel.clone()));
    wait_for(|| async { states(&fx).await == [("processed".to_string(), 3)] }).await;
    cancel.cancel();
    tokio::time::timeout(Duration::from_secs(5), handle)
        .await
        .unwrap()
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_workers_start_and_stop_together() {
    let fx = fixture(PopConfig::default()).await;
    let cancel = CancellationToken::new();
    let workers = Workers::start(
        &fx.app,
        &WorkersConfig {
            pop_tick: Duration::from_millis(50),
            sweep_every: Duration::from_millis(50),
            ..Default::default()
        },
        &cancel,
    );
    fx.app
        .receive_raw(
            fx.mailbox,
            &Source::Import { key: "x".into() },
            b"From: a@cust.example\r\nSubject: x\r\n\r\nhi\r\n",
        )
        .await
        .unwrap();
    wait_for(|| async { states(&fx).await == [("processed".to_string(), 1)] }).await;
    cancel.cancel();
    tokio::time::timeout(Duration::from_secs(5), workers.wait())
        .await
        .unwrap();
}
