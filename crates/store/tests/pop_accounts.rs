//! POP accounts, their lease and their ledger, on both backends.
#![allow(clippy::unwrap_used)]

use ecp_domain::*;
use ecp_store::pop_accounts::{self, PollRecord, PopAccountId, PopSettings};
use ecp_store::{Db, accounts, mailboxes, raw_messages};
use ecp_testkit::both_backends;
use ecp_testkit::db::TestDb;

async fn open(t: &TestDb) -> Db {
    let db = Db::connect(&t.url).await.unwrap();
    db.migrate().await.unwrap();
    db
}

async fn mailbox(db: &Db) -> MailboxId {
    let mut tx = db.begin().await.unwrap();
    let acc = accounts::insert(
        &mut tx,
        &AccountName::parse("Acme").unwrap(),
        Plan::Standard,
        &TimeZoneName::default_zone(),
        1,
    )
    .await
    .unwrap();
    let settings = MailboxSettings::parse(
        &MailboxInput {
            name: "Support",
            direct_address: "support@in.acme.example",
            ..Default::default()
        },
        String::new(),
    )
    .unwrap();
    let id = mailboxes::insert(&mut tx, acc, &settings, 1).await.unwrap();
    tx.commit().await.unwrap();
    id
}

fn settings(name: &str) -> PopSettings<'_> {
    PopSettings {
        active: true,
        name,
        host: "pop.example.com",
        port: 995,
        username: "alice",
        password_enc: "sealed",
        use_ssl: true,
        copy_mail: false,
    }
}

async fn add(db: &Db, mb: MailboxId, name: &str, now: i64) -> PopAccountId {
    let mut tx = db.begin().await.unwrap();
    let id = pop_accounts::insert(&mut tx, mb, &settings(name), now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

both_backends!(
    accounts_round_trip,
    lease_is_exclusive_until_it_expires,
    racing_claims_have_one_winner,
    poll_results_are_recorded,
    ledger_counts_and_cascade,
);

async fn accounts_round_trip(t: TestDb) {
    let db = open(&t).await;
    let mb = mailbox(&db).await;
    let a = add(&db, mb, "Sales", 10).await;
    let b = add(&db, mb, "Billing", 11).await;
    let mut c = db.read().await.unwrap();
    let list = pop_accounts::list_for_mailbox(&mut c, mb).await.unwrap();
    assert_eq!(
        list.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        ["Sales", "Billing"]
    );
    let rec = &list[0];
    assert!(rec.active && rec.use_ssl && !rec.copy_mail);
    assert_eq!((rec.port, rec.host.as_str()), (995, "pop.example.com"));
    assert_eq!(rec.next_poll_at, 10);
    assert_eq!(rec.last_success_at, None);
    assert_eq!(rec.messages_fetched, 0);

    let mut changed = settings("Sales EU");
    changed.port = 110;
    changed.use_ssl = false;
    changed.copy_mail = true;
    changed.active = false;
    assert!(pop_accounts::update(&mut c, a, &changed, 50).await.unwrap());
    let rec = pop_accounts::get_by_id(&mut c, a).await.unwrap().unwrap();
    assert_eq!((rec.name.as_str(), rec.port), ("Sales EU", 110));
    assert!(!rec.active && !rec.use_ssl && rec.copy_mail);
    assert_eq!(rec.next_poll_at, 50);

    assert!(pop_accounts::delete(&mut c, b).await.unwrap());
    assert!(!pop_accounts::delete(&mut c, b).await.unwrap());
    assert!(pop_accounts::get_by_id(&mut c, b).await.unwrap().is_none());
}

async fn lease_is_exclusive_until_it_expires(t: TestDb) {
    let db = open(&t).await;
    let mb = mailbox(&db).await;
    let a = add(&db, mb, "A", 0).await;
    let inactive = add(&db, mb, "Off", 0).await;
    let mut c = db.read().await.unwrap();
    let mut off = settings("Off");
    off.active = false;
    pop_accounts::update(&mut c, inactive, &off, 0)
        .await
        .unwrap();

    assert_eq!(pop_accounts::due(&mut c, 100, 10).await.unwrap(), [a]);
    assert!(pop_accounts::claim(&mut c, a, "n1", 100, 50).await.unwrap());
    assert!(!pop_accounts::claim(&mut c, a, "n2", 120, 50).await.unwrap());
    // Held: not due for anyone else.
    assert!(pop_accounts::due(&mut c, 120, 10).await.unwrap().is_empty());
    assert!(!pop_accounts::renew(&mut c, a, "n2", 120, 50).await.unwrap());
    assert!(pop_accounts::renew(&mut c, a, "n1", 140, 50).await.unwrap());
    // 140 + 50: still held at 180, free at 190 (its holder died).
    assert!(!pop_accounts::claim(&mut c, a, "n2", 180, 50).await.unwrap());
    assert!(pop_accounts::claim(&mut c, a, "n2", 190, 50).await.unwrap());
    // The old holder finds out it lost the lease and cannot free it.
    assert!(!pop_accounts::renew(&mut c, a, "n1", 195, 50).await.unwrap());
    assert!(!pop_accounts::release(&mut c, a, "n1", 0).await.unwrap());
    assert!(pop_accounts::release(&mut c, a, "n2", 1000).await.unwrap());
    let rec = pop_accounts::get_by_id(&mut c, a).await.unwrap().unwrap();
    assert_eq!(
        (rec.lease_owner, rec.lease_until, rec.next_poll_at),
        (None, 0, 1000)
    );
    assert!(pop_accounts::due(&mut c, 999, 10).await.unwrap().is_empty());
    assert_eq!(pop_accounts::due(&mut c, 1000, 10).await.unwrap(), [a]);
    assert!(pop_accounts::request_poll(&mut c, a, 5).await.unwrap());
    assert_eq!(pop_accounts::due(&mut c, 6, 10).await.unwrap(), [a]);
}

async fn racing_claims_have_one_winner(t: TestDb) {
    let db = open(&t).await;
    let mb = mailbox(&db).await;
    let a = add(&db, mb, "A", 0).await;
    let mut tasks = Vec::new();
    for n in 0..8 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            let mut tx = db.begin().await.unwrap();
            let won = pop_accounts::claim(&mut tx, a, &format!("node{n}"), 100, 60_000)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            won
        }));
    }
    let mut winners = 0;
    for task in tasks {
        winners += usize::from(task.await.unwrap());
    }
    assert_eq!(winners, 1);
}

async fn poll_results_are_recorded(t: TestDb) {
    let db = open(&t).await;
    let mb = mailbox(&db).await;
    let a = add(&db, mb, "A", 0).await;
    let mut c = db.read().await.unwrap();
    let ok = PollRecord {
        now: 100,
        fetched: 3,
        server: Some((0, 0)),
        error: None,
    };
    pop_accounts::record_poll(&mut c, a, &ok).await.unwrap();
    let failed = PollRecord {
        now: 200,
        fetched: 2,
        server: None,
        error: Some(("login", "The POP server refused the username or password")),
    };
    pop_accounts::record_poll(&mut c, a, &failed).await.unwrap();
    pop_accounts::record_poll(&mut c, a, &failed).await.unwrap();
    let rec = pop_accounts::get_by_id(&mut c, a).await.unwrap().unwrap();
    assert_eq!(rec.messages_fetched, 7);
    assert_eq!(rec.last_success_at, Some(100));
    assert_eq!(rec.last_checked_at, Some(100));
    assert_eq!(rec.server_message_count, Some(0));
    assert_eq!(rec.last_error_kind.as_deref(), Some("login"));
    assert_eq!(rec.last_error_at, Some(200));
    assert_eq!(rec.failures, 2);
    let again = PollRecord {
        now: 300,
        fetched: 0,
        server: Some((4, 4)),
        error: None,
    };
    pop_accounts::record_poll(&mut c, a, &again).await.unwrap();
    let rec = pop_accounts::get_by_id(&mut c, a).await.unwrap().unwrap();
    assert_eq!(rec.failures, 0);
    assert_eq!(
        (rec.server_message_count, rec.server_taken_count),
        (Some(4), Some(4))
    );
    // The last error stays visible with its time, older than the success.
    assert_eq!(rec.last_error_at, Some(200));
}

async fn ledger_counts_and_cascade(t: TestDb) {
    let db = open(&t).await;
    let mb = mailbox(&db).await;
    let a = add(&db, mb, "A", 0).await;
    let mut c = db.read().await.unwrap();
    ecp_store::blobs::put(&mut c, "abc", b"x", 1).await.unwrap();
    let (raw, _) = raw_messages::insert_once(&mut c, mb, "pop", "1:u1", "abc", 1, 1)
        .await
        .unwrap();
    assert!(
        pop_accounts::ledger_insert(&mut c, a, "u1", Some(raw.0), 10)
            .await
            .unwrap()
    );
    assert!(
        !pop_accounts::ledger_insert(&mut c, a, "u1", Some(raw.0), 11)
            .await
            .unwrap()
    );
    assert!(
        pop_accounts::ledger_insert(&mut c, a, "u2", None, 12)
            .await
            .unwrap()
    );
    pop_accounts::ledger_mark_deleted(&mut c, a, &["u1".to_string()], 20)
        .await
        .unwrap();
    let mut uidls = pop_accounts::ledger_uidls(&mut c, a).await.unwrap();
    uidls.sort();
    assert_eq!(uidls, [("u1".to_string(), true), ("u2".to_string(), false)]);
    let counts = pop_accounts::ledger_counts(&mut c, a).await.unwrap();
    assert_eq!(counts.taken_in, 2);
    assert_eq!(counts.deleted_from_server, 1);
    assert_eq!(
        counts.by_state,
        [("empty".to_string(), 1), ("pending".to_string(), 1)]
    );
    let recent = pop_accounts::ledger_recent(&mut c, a, 10).await.unwrap();
    assert_eq!(recent[0].uidl, "u2");
    assert_eq!(recent[1].state.as_deref(), Some("pending"));
    assert_eq!(recent[1].deleted_at, Some(20));

    // Reserved for filing once; the sweeper's claim then skips it.
    assert!(
        pop_accounts::claim_raw_for_filing(&mut c, raw.0, 100, 1000)
            .await
            .unwrap()
    );
    assert!(
        !pop_accounts::claim_raw_for_filing(&mut c, raw.0, 200, 1000)
            .await
            .unwrap()
    );
    assert!(
        raw_messages::claim_pending(&mut c, 200, 1000, 10)
            .await
            .unwrap()
            .is_empty()
    );

    assert!(mailboxes::delete(&mut c, mb).await.unwrap());
    assert!(pop_accounts::get_by_id(&mut c, a).await.unwrap().is_none());
    assert!(
        pop_accounts::ledger_uidls(&mut c, a)
            .await
            .unwrap()
            .is_empty()
    );
}
