//! Fetching POP accounts from a real Dovecot, on both databases: every
//! message exactly once, Copy mail, unreadable mail, a line dropped in the
//! middle of a download, two nodes on one PostgreSQL, the SSL option.
#![allow(clippy::unwrap_used)]

mod pop_common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use ecp_app::App;
use ecp_app::account::OptionsPatch;
use ecp_app::pop::FetchOutcome;
use ecp_testkit::both_backends;
use ecp_testkit::db::TestDb;
use ecp_testkit::dovecot::Dovecot;
use pop_common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

both_backends!(
    five_hundred_messages_exactly_once,
    copy_mail_keeps_them_and_takes_nothing_twice,
    a_bad_message_does_not_stop_the_rest,
    a_dropped_line_loses_nothing,
    ssl_option_refuses_a_server_without_tls,
    inactive_and_busy_accounts_are_left_alone,
);

async fn five_hundred_messages_exactly_once(t: TestDb) {
    let server = Dovecot::start().unwrap();
    let fx = fixture(t, "standard", Some(server.client_tls().unwrap())).await;
    server.add_messages(500).unwrap();
    let acc = add(&fx, &form(&server, true)).await;

    let report = fx.app.fetch_pop_account(acc.id).await.unwrap();
    assert_eq!(report.outcome, FetchOutcome::Completed, "{report:?}");
    assert_eq!(
        (report.on_server, report.fetched, report.deleted),
        (Some(500), 500, 500)
    );
    assert_eq!(server.message_count().unwrap(), 0);
    assert_eq!(filed_ids(&fx.app, fx.mailbox).await, expected_ids(500));
    assert_eq!(raw_count(&fx.app, fx.mailbox).await, 500);

    let view = fx
        .app
        .pop_account(&fx.actor, fx.mailbox, acc.id)
        .await
        .unwrap();
    assert_eq!(view.messages_fetched, 500);
    assert_eq!(view.server_message_count, Some(0));
    assert!(view.last_success_at.is_some() && !view.failing && !view.fetching);
    let ledger = fx
        .app
        .pop_ledger(&fx.actor, fx.mailbox, acc.id)
        .await
        .unwrap();
    assert_eq!(
        (ledger.taken_in, ledger.deleted_from_server, ledger.filed),
        (500, 500, 500)
    );
    assert_eq!(ledger.on_server_waiting, Some(0));
    assert!(
        ledger.summary.contains("500 messages"),
        "{}",
        ledger.summary
    );

    // A second poll finds nothing and adds nothing.
    let again = fx.app.fetch_pop_account(acc.id).await.unwrap();
    assert_eq!((again.on_server, again.fetched), (Some(0), 0));
    assert_eq!(raw_count(&fx.app, fx.mailbox).await, 500);
}

async fn copy_mail_keeps_them_and_takes_nothing_twice(t: TestDb) {
    let server = Dovecot::start().unwrap();
    let fx = fixture(t, "standard", Some(server.client_tls().unwrap())).await;
    server.add_messages(20).unwrap();
    let mut f = form(&server, false);
    f.copy_mail = true;
    let acc = add(&fx, &f).await;

    let first = fx.app.fetch_pop_account(acc.id).await.unwrap();
    assert_eq!(
        (first.outcome, first.fetched, first.deleted),
        (FetchOutcome::Completed, 20, 0)
    );
    assert_eq!(server.message_count().unwrap(), 20);
    let second = fx.app.fetch_pop_account(acc.id).await.unwrap();
    assert_eq!((second.fetched, second.recovered), (0, 0));
    assert_eq!(filed_ids(&fx.app, fx.mailbox).await, expected_ids(20));
    let ledger = fx
        .app
        .pop_ledger(&fx.actor, fx.mailbox, acc.id)
        .await
        .unwrap();
    assert_eq!(
        (ledger.on_server, ledger.on_server_taken_in, ledger.taken_in),
        (Some(20), Some(20), 20)
    );

    // Forget three UIDLs, as if a crash hit between storing and recording
    // them: they are downloaded again and recognised by their source.
    {
        let mut c = fx.app.db().read().await.unwrap();
        sqlx::query(
            "DELETE FROM pop_ledger WHERE pop_account_id = $1 AND uidl IN \
             (SELECT uidl FROM pop_ledger WHERE pop_account_id = $2 ORDER BY uidl LIMIT 3)",
        )
        .bind(acc.id.0)
        .bind(acc.id.0)
        .execute(&mut *c)
        .await
        .unwrap();
    }
    let third = fx.app.fetch_pop_account(acc.id).await.unwrap();
    assert_eq!((third.fetched, third.recovered), (0, 3));
    assert_eq!(raw_count(&fx.app, fx.mailbox).await, 20);
    assert_eq!(filed_ids(&fx.app, fx.mailbox).await, expected_ids(20));

    // Turning Copy mail off deletes what was taken in, without fetching it
    // again.
    f.copy_mail = false;
    f.password = String::new();
    fx.app
        .update_pop_account(&fx.actor, fx.mailbox, acc.id, &f.input())
        .await
        .unwrap();
    let fourth = fx.app.fetch_pop_account(acc.id).await.unwrap();
    assert_eq!((fourth.fetched, fourth.deleted), (0, 20), "{fourth:?}");
    assert_eq!(server.message_count().unwrap(), 0);
    assert_eq!(raw_count(&fx.app, fx.mailbox).await, 20);
}

async fn a_bad_message_does_not_stop_the_rest(t: TestDb) {
    let server = Dovecot::start().unwrap();
    let fx = fixture(t, "standard", Some(server.client_tls().unwrap())).await;
    server.add_messages(3).unwrap();
    server
        .add_message(b"\x00\x01\x02 not a mail at all")
        .unwrap();
    server.add_message(b"").unwrap();
    let more = add_big_messages(&server, 2, 200);
    let acc = add(&fx, &form(&server, true)).await;

    let report = fx.app.fetch_pop_account(acc.id).await.unwrap();
    assert_eq!(report.outcome, FetchOutcome::Completed, "{report:?}");
    // Dovecot hands out the empty file as a blank line: kept as unreadable
    // too, like the binary junk.
    assert_eq!((report.fetched, report.unreadable), (7, 2));
    assert_eq!(server.message_count().unwrap(), 0);
    let ids = filed_ids(&fx.app, fx.mailbox).await;
    for id in expected_ids(3).iter().chain(more.iter()) {
        assert_eq!(
            ids.iter().filter(|i| *i == id).count(),
            1,
            "{id} in {ids:?}"
        );
    }
    assert_eq!(
        count(
            &fx.app,
            "SELECT COUNT(*) FROM conversations WHERE mailbox_id = $1 AND unparseable = 1",
            fx.mailbox
        )
        .await,
        2
    );
    let ledger = fx
        .app
        .pop_ledger(&fx.actor, fx.mailbox, acc.id)
        .await
        .unwrap();
    assert_eq!(
        (ledger.taken_in, ledger.unreadable, ledger.filed),
        (7, 2, 5)
    );
    assert!(
        ledger.summary.contains("2 unreadable"),
        "{}",
        ledger.summary
    );
}

/// Forwards to `target`; the first connection is cut after `cut_after`
/// bytes from the server, later ones pass untouched.
async fn cutting_proxy(target: u16, cut_after: usize) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let first = Arc::new(AtomicBool::new(true));
    tokio::spawn(async move {
        loop {
            let Ok((client, _)) = listener.accept().await else {
                return;
            };
            let cut = first.swap(false, Ordering::SeqCst).then_some(cut_after);
            tokio::spawn(relay(client, target, cut));
        }
    });
    port
}

async fn relay(client: TcpStream, target: u16, cut: Option<usize>) {
    let server = TcpStream::connect(("127.0.0.1", target)).await.unwrap();
    let (mut cr, mut cw) = client.into_split();
    let (mut sr, mut sw) = server.into_split();
    let up = tokio::spawn(async move {
        let _ = tokio::io::copy(&mut cr, &mut sw).await;
    });
    let mut sent = 0usize;
    let mut buf = vec![0u8; 8192];
    loop {
        let n = match sr.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let n = match cut {
            Some(limit) if sent + n >= limit => {
                let _ = cw.write_all(&buf[..limit - sent]).await;
                break;
            }
            _ => n,
        };
        if cw.write_all(&buf[..n]).await.is_err() {
            break;
        }
        sent += n;
    }
    // Dropping both halves closes the line on both sides, like a network
    // failure: the server never sees QUIT and applies no DELE.
    up.abort();
}

async fn a_dropped_line_loses_nothing(t: TestDb) {
    let server = Dovecot::start_without_tls().unwrap();
    let fx = fixture(t, "standard", None).await;
    let ids = add_big_messages(&server, 12, 20_000);
    // Past the login and the first five messages, inside the sixth.
    let port = cutting_proxy(server.pop3_port, 5 * 20_500 + 12_000).await;
    let mut f = form(&server, false);
    f.port = port.to_string();
    let acc = add(&fx, &f).await;

    let first = fx.app.fetch_pop_account(acc.id).await.unwrap();
    assert_eq!(first.outcome, FetchOutcome::Failed, "{first:?}");
    assert_eq!(first.error_kind.as_deref(), Some("closed"));
    assert!(
        (1..12).contains(&first.fetched),
        "cut in the middle: {first:?}"
    );
    // Nothing was deleted: the server never got QUIT.
    assert_eq!(server.message_count().unwrap(), 12);
    let view = fx
        .app
        .pop_account(&fx.actor, fx.mailbox, acc.id)
        .await
        .unwrap();
    assert!(view.failing);
    assert_eq!(view.last_error_kind.as_deref(), Some("closed"));
    assert!(
        view.last_error
            .as_deref()
            .unwrap()
            .contains("closed the connection"),
        "{view:?}"
    );

    let second = fx.app.fetch_pop_account(acc.id).await.unwrap();
    assert_eq!(second.outcome, FetchOutcome::Completed, "{second:?}");
    assert_eq!(second.fetched, 12 - first.fetched);
    assert_eq!((second.recovered, second.deleted), (0, 12));
    assert_eq!(server.message_count().unwrap(), 0);
    let mut want = ids;
    want.sort();
    assert_eq!(filed_ids(&fx.app, fx.mailbox).await, want);
    let view = fx
        .app
        .pop_account(&fx.actor, fx.mailbox, acc.id)
        .await
        .unwrap();
    assert!(!view.failing);
    assert_eq!(view.messages_fetched, 12);
}

async fn ssl_option_refuses_a_server_without_tls(t: TestDb) {
    let server = Dovecot::start_without_tls().unwrap();
    let fx = fixture(t, "standard", None).await;
    server.add_messages(2).unwrap();
    let acc = add(&fx, &form(&server, false)).await;
    fx.app
        .update_options(
            &fx.actor,
            &OptionsPatch {
                ssl_required: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap();

    let report = fx.app.fetch_pop_account(acc.id).await.unwrap();
    assert_eq!(report.outcome, FetchOutcome::Failed);
    assert_eq!(report.error_kind.as_deref(), Some("tls_unavailable"));
    let why = report.error.unwrap();
    assert!(why.contains("requires SSL"), "{why}");
    assert!(why.contains("password was not sent"), "{why}");
    assert_eq!(server.message_count().unwrap(), 2);
    assert_eq!(raw_count(&fx.app, fx.mailbox).await, 0);
    let view = fx
        .app
        .pop_account(&fx.actor, fx.mailbox, acc.id)
        .await
        .unwrap();
    assert!(view.failing && view.last_error.unwrap().contains("requires SSL"));
    // Backing off: the next poll is at least two intervals away.
    assert!(view.next_poll_at >= view.last_error_at.unwrap() + 120_000);
}

async fn inactive_and_busy_accounts_are_left_alone(t: TestDb) {
    let server = Dovecot::start().unwrap();
    let fx = fixture(t, "standard", Some(server.client_tls().unwrap())).await;
    server.add_messages(3).unwrap();
    let mut f = form(&server, true);
    f.active = false;
    let off = add(&fx, &f).await;
    let report = fx.app.fetch_pop_account(off.id).await.unwrap();
    assert_eq!(report.outcome, FetchOutcome::Inactive);
    let summary = fx.app.poll_due_pop_accounts().await.unwrap();
    assert_eq!(summary.due, 0);

    f.active = true;
    let on = add(&fx, &f).await;
    // Someone else holds it.
    {
        let mut tx = fx.app.db().begin().await.unwrap();
        let now = jiff::Timestamp::now().as_millisecond();
        assert!(
            ecp_store::pop_accounts::claim(&mut tx, on.id, "elsewhere", now, 60_000)
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
    }
    let report = fx.app.fetch_pop_account(on.id).await.unwrap();
    assert_eq!(report.outcome, FetchOutcome::Busy);
    assert!(fx.app.poll_due_pop_accounts().await.unwrap().due == 0);
    assert_eq!(server.message_count().unwrap(), 3);
    {
        let mut tx = fx.app.db().begin().await.unwrap();
        ecp_store::pop_accounts::release(&mut tx, on.id, "elsewhere", 0)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    let summary = fx.app.poll_due_pop_accounts().await.unwrap();
    assert_eq!(
        (summary.due, summary.completed, summary.messages),
        (1, 1, 3)
    );
    // Polled: not due again until the interval has passed.
    assert_eq!(fx.app.poll_due_pop_accounts().await.unwrap().due, 0);
}

/// Two `ecp` nodes on one PostgreSQL poll the same accounts at once: the
/// leases make each message arrive exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_nodes_on_one_postgres_fetch_each_message_once() {
    let server_a = Dovecot::start().unwrap();
    let plain = Dovecot::start_without_tls().unwrap();
    let t = TestDb::postgres().await.unwrap();
    let url = t.url.clone();
    let fx = fixture(t, "standard", Some(server_a.client_tls().unwrap())).await;
    server_a.add_messages(150).unwrap();
    let acc_a = add(&fx, &form(&server_a, true)).await;
    let ids_b = add_big_messages(&plain, 60, 2_000);
    let acc_b = add(&fx, &form(&plain, false)).await;

    let db2 = ecp_store::Db::connect(&url).await.unwrap();
    let node_b = App::new(
        db2,
        config(
            &fx.key,
            fx.spool.path(),
            Some(server_a.client_tls().unwrap()),
            "node-b",
        ),
    );
    let node_a = fx.app.clone();
    let round = |app: App| async move {
        let mut got = 0;
        for _ in 0..3 {
            got += app.poll_due_pop_accounts().await.unwrap().messages;
            for id in [acc_a.id, acc_b.id] {
                got += app.fetch_pop_account(id).await.unwrap().fetched;
            }
        }
        got
    };
    let (a, b) = tokio::join!(
        tokio::spawn(round(node_a)),
        tokio::spawn(round(node_b.clone()))
    );
    assert_eq!(a.unwrap() + b.unwrap(), 210);
    assert_eq!(server_a.message_count().unwrap(), 0);
    assert_eq!(plain.message_count().unwrap(), 0);
    assert_eq!(raw_count(&fx.app, fx.mailbox).await, 210);
    let mut want = expected_ids(150);
    want.extend(ids_b);
    want.sort();
    assert_eq!(filed_ids(&fx.app, fx.mailbox).await, want);
    for id in [acc_a.id, acc_b.id] {
        let v = fx.app.pop_account(&fx.actor, fx.mailbox, id).await.unwrap();
        assert!(!v.failing, "{v:?}");
    }
    node_b.db().close().await;
}
