//! The outbox: queue, claim by lease (one winner), sent / retry / failed,
//! retry of a failed row, on both backends.
#![allow(clippy::unwrap_used)]

use ecp_domain::conversation::Status;
use ecp_domain::*;
use ecp_store::conversations::{self, NewConversation};
use ecp_store::messages::{self, NewMessage};
use ecp_store::outbox::{self, NewOutboxItem, OutboxState};
use ecp_store::{Db, accounts, mailboxes};
use ecp_testkit::both_backends;
use ecp_testkit::db::TestDb;

async fn queued(t: &TestDb) -> (Db, outbox::OutboxId) {
    let db = Db::connect(&t.url).await.unwrap();
    db.migrate().await.unwrap();
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
    let mb = mailboxes::insert(&mut tx, acc, &settings, 1).await.unwrap();
    let conv = conversations::insert_with_first_message(
        &mut tx,
        NewConversation {
            account_id: acc,
            mailbox_id: mb,
            contact_id: None,
            subject: "Hello",
            status: Status::Open,
            spam_score_milli: 0,
            spam_reasons: "",
            unparseable: false,
            autoreply_pending: false,
            now: 1,
        },
    )
    .await
    .unwrap();
    let msg = messages::insert(
        &mut tx,
        NewMessage {
            conversation_id: conv,
            mailbox_id: mb,
            raw_id: None,
            direction: "out",
            author_id: None,
            message_id_header: Some("m1@acme.example"),
            in_reply_to: "",
            references: "",
            from_name: "Support",
            from_address: "support@acme.example",
            to_list: "ann@cust.example",
            cc_list: "",
            subject: "Hello",
            text_body: "hi",
            html_body: None,
            sent_at: None,
            now: 1,
            spam_score_milli: 0,
            spam_reasons: "",
            automated: "",
        },
    )
    .await
    .unwrap();
    let raw = b"Subject: Hello\r\n\r\nhi\r\n\x00\xff".to_vec();
    let id = outbox::insert(
        &mut tx,
        NewOutboxItem {
            message_id: msg,
            mailbox_id: mb,
            conversation_id: conv,
            raw: &raw,
            envelope_from: "support@acme.example",
            envelope_to: &["ann@cust.example".into(), "archive@acme.example".into()],
            now: 100,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (db, id)
}

both_backends!(
    claim_has_one_winner_and_expires,
    retry_then_sent,
    failed_then_requeued
);

async fn claim_has_one_winner_and_expires(t: TestDb) {
    let (db, id) = queued(&t).await;
    let mut c = db.read().await.unwrap();
    let row = outbox::get_by_id(&mut c, id).await.unwrap().unwrap();
    assert_eq!(row.raw, b"Subject: Hello\r\n\r\nhi\r\n\x00\xff");
    assert_eq!(
        row.envelope_to,
        vec!["ann@cust.example", "archive@acme.example"]
    );
    assert_eq!(row.state, OutboxState::Queued);
    assert_eq!(outbox::due(&mut c, 99, 10).await.unwrap(), vec![]);
    assert_eq!(outbox::due(&mut c, 100, 10).await.unwrap(), vec![id]);
    assert!(outbox::claim(&mut c, id, "a", 100, 1000).await.unwrap());
    assert!(!outbox::claim(&mut c, id, "b", 500, 1000).await.unwrap());
    assert_eq!(outbox::due(&mut c, 500, 10).await.unwrap(), vec![]);
    // "a" died mid-send: after the lease, "b" takes it over and "a" can no
    // longer finish it.
    assert_eq!(outbox::due(&mut c, 1100, 10).await.unwrap(), vec![id]);
    assert!(outbox::claim(&mut c, id, "b", 1100, 1000).await.unwrap());
    assert!(!outbox::mark_sent(&mut c, id, "a", 1200).await.unwrap());
    assert!(outbox::mark_sent(&mut c, id, "b", 1200).await.unwrap());
    let row = outbox::get_by_id(&mut c, id).await.unwrap().unwrap();
    assert_eq!(row.state, OutboxState::Sent);
    assert_eq!(row.sent_at, Some(1200));
    assert_eq!(row.lease_owner, None);
    assert_eq!(outbox::due(&mut c, 1_000_000, 10).await.unwrap(), vec![]);
}

async fn retry_then_sent(t: TestDb) {
    let (db, id) = queued(&t).await;
    let mut c = db.read().await.unwrap();
    assert!(outbox::claim(&mut c, id, "a", 100, 1000).await.unwrap());
    assert!(
        outbox::mark_retry(&mut c, id, "a", 60_100, "451 try later")
            .await
            .unwrap()
    );
    let row = outbox::get_by_id(&mut c, id).await.unwrap().unwrap();
    assert_eq!(row.state, OutboxState::Queued);
    assert_eq!(row.attempts, 1);
    assert_eq!(row.last_error.as_deref(), Some("451 try later"));
    assert!(!outbox::claim(&mut c, id, "a", 60_099, 1000).await.unwrap());
    assert!(outbox::claim(&mut c, id, "a", 60_100, 1000).await.unwrap());
    assert!(outbox::mark_sent(&mut c, id, "a", 60_200).await.unwrap());
    let row = outbox::get_by_id(&mut c, id).await.unwrap().unwrap();
    assert_eq!((row.state, row.attempts), (OutboxState::Sent, 2));
    assert_eq!(row.last_error, None);
}

async fn failed_then_requeued(t: TestDb) {
    let (db, id) = queued(&t).await;
    let mut c = db.read().await.unwrap();
    assert!(!outbox::requeue_failed(&mut c, id, 100).await.unwrap());
    assert!(outbox::claim(&mut c, id, "a", 100, 1000).await.unwrap());
    assert!(
        outbox::mark_failed(&mut c, id, "a", "550 no such user")
            .await
            .unwrap()
    );
    let conv = outbox::get_by_id(&mut c, id)
        .await
        .unwrap()
        .unwrap()
        .conversation_id;
    let list = outbox::list_for_conversation(&mut c, conv).await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].state, OutboxState::Failed);
    assert_eq!(list[0].last_error.as_deref(), Some("550 no such user"));
    assert_eq!(outbox::due(&mut c, 1_000_000, 10).await.unwrap(), vec![]);
    assert!(outbox::requeue_failed(&mut c, id, 5000).await.unwrap());
    assert_eq!(outbox::due(&mut c, 5000, 10).await.unwrap(), vec![id]);
    let row = outbox::get_by_id(&mut c, id).await.unwrap().unwrap();
    assert_eq!((row.state, row.attempts), (OutboxState::Queued, 0));
}

both_backends!(claim_many_mark_sent_many_release_many);

/// The sender's batch path: one statement claims what is free (in the
/// order asked), marks several sent, gives unattempted rows back.
async fn claim_many_mark_sent_many_release_many(t: TestDb) {
    let (db, first) = queued(&t).await;
    let mut c = db.read().await.unwrap();
    let row = outbox::get_by_id(&mut c, first).await.unwrap().unwrap();
    let mut ids = vec![first];
    for _ in 0..2 {
        let id = outbox::insert(
            &mut c,
            NewOutboxItem {
                message_id: row.message_id.unwrap(),
                mailbox_id: row.mailbox_id,
                conversation_id: row.conversation_id,
                raw: &row.raw,
                envelope_from: &row.envelope_from,
                envelope_to: &row.envelope_to,
                now: 100,
            },
        )
        .await
        .unwrap();
        ids.push(id);
    }
    // Another node holds the middle one.
    assert!(outbox::claim(&mut c, ids[1], "b", 200, 1000).await.unwrap());
    let asked = [ids[2], ids[1], ids[0]];
    let taken = outbox::claim_many(&mut c, &asked, "a", 200, 1000)
        .await
        .unwrap();
    let taken_ids: Vec<_> = taken.iter().map(|r| r.id).collect();
    assert_eq!(
        taken_ids,
        vec![ids[2], ids[0]],
        "free rows, in the order asked"
    );
    assert!(
        taken
            .iter()
            .all(|r| r.raw == row.raw && r.lease_until == 1200)
    );
    assert!(taken.iter().all(|r| r.state == OutboxState::Sending));
    assert!(
        outbox::claim_many(&mut c, &asked, "c", 300, 1000)
            .await
            .unwrap()
            .is_empty(),
        "nothing is free while leases run"
    );

    // Only rows "a" holds are marked, whatever it names.
    let marked = outbox::mark_sent_many(&mut c, &[ids[0], ids[1]], "a", 400)
        .await
        .unwrap();
    assert_eq!(marked, 1);
    let sent = outbox::get_by_id(&mut c, ids[0]).await.unwrap().unwrap();
    assert_eq!(
        (sent.state, sent.sent_at, sent.attempts),
        (OutboxState::Sent, Some(400), 1)
    );
    let held = outbox::get_by_id(&mut c, ids[1]).await.unwrap().unwrap();
    assert_eq!(held.state, OutboxState::Sending);

    // Given back untried: due at once, no attempt counted.
    assert_eq!(
        outbox::release_many(&mut c, &[ids[2]], "a").await.unwrap(),
        1
    );
    let back = outbox::get_by_id(&mut c, ids[2]).await.unwrap().unwrap();
    assert_eq!(
        (back.state, back.attempts, back.lease_until),
        (OutboxState::Queued, 0, 0)
    );
    assert_eq!(outbox::due(&mut c, 500, 10).await.unwrap(), vec![ids[2]]);
    // The other node's lease runs out: its row is free again.
    let later = outbox::claim_many(&mut c, &[ids[1], ids[2]], "c", 1300, 1000)
        .await
        .unwrap();
    assert_eq!(later.len(), 2);
}
