//! The multi-row statements of bulk filing (import) give the same answers
//! as their one-row counterparts, on both backends.
#![allow(clippy::unwrap_used)]

use ecp_domain::conversation::{ConversationId, Status};
use ecp_domain::*;
use ecp_store::conversations::{self, NewConversation, RecordedMessages};
use ecp_store::messages::{self, NewMessage};
use ecp_store::raw_messages::{self, Finished, NewRaw, RawId};
use ecp_store::search::{self, SearchDocument};
use ecp_store::{Db, accounts, blobs, contacts, mailboxes, users};
use ecp_testkit::both_backends;
use ecp_testkit::db::TestDb;

async fn open(t: &TestDb) -> Db {
    let db = Db::connect(&t.url).await.unwrap();
    db.migrate().await.unwrap();
    db
}

async fn mailbox(db: &Db) -> (AccountId, MailboxId) {
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
    (acc, id)
}

both_backends!(
    recording_many_matches_recording_one_by_one,
    landing_many_matches_landing_one_by_one,
    finishing_many_sets_each_row,
    senders_participants_and_message_ids,
    search_many_is_searchable,
    forgetting_a_mailbox_leaves_the_others_searchable,
    reserved_message_ids_are_never_handed_out_twice
);

async fn landing_many_matches_landing_one_by_one(t: TestDb) {
    let db = open(&t).await;
    let (_, mb) = mailbox(&db).await;
    let mut tx = db.begin().await.unwrap();
    // Enough rows for several statements, a repeated blob and a repeated
    // source inside one call.
    let keys: Vec<String> = (0..130).map(|i| format!("k{i}")).collect();
    let mut rows: Vec<NewRaw<'_>> = keys
        .iter()
        .map(|k| NewRaw {
            source_kind: "import",
            source_key: k,
            blob_sha256: "sha-a",
            size: 1,
        })
        .collect();
    rows.push(NewRaw {
        source_kind: "import",
        source_key: "k7",
        blob_sha256: "sha-a",
        size: 1,
    });
    let data: &[u8] = b"bytes";
    blobs::put_many(
        &mut tx,
        &[("sha-a", data), ("sha-a", data), ("sha-b", &b"b"[..])],
        1,
    )
    .await
    .unwrap();
    let landed = raw_messages::insert_many(&mut tx, mb, &rows, 5)
        .await
        .unwrap();
    assert_eq!(landed.len(), 131);
    assert!(landed[..130].iter().all(|(_, new)| *new));
    assert_eq!(landed[130], (landed[7].0, false));
    let mut ids: Vec<i64> = landed[..130].iter().map(|(id, _)| id.0).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 130);

    // Again: nothing new, the same ids; a different kind with the same key
    // is a different source.
    let again = raw_messages::insert_many(
        &mut tx,
        mb,
        &[
            NewRaw {
                source_kind: "import",
                source_key: "k3",
                blob_sha256: "sha-a",
                size: 1,
            },
            NewRaw {
                source_kind: "smtp",
                source_key: "k3",
                blob_sha256: "sha-b",
                size: 1,
            },
        ],
        6,
    )
    .await
    .unwrap();
    assert_eq!(again[0], (landed[3].0, false));
    assert!(again[1].1);
    assert_ne!(again[1].0, landed[3].0);
    // And the one-row function agrees.
    let one = raw_messages::insert_once(&mut tx, mb, "import", "k9", "sha-a", 1, 7)
        .await
        .unwrap();
    assert_eq!(one, (landed[9].0, false));
    assert_eq!(
        blobs::get(&mut tx, "sha-a").await.unwrap().as_deref(),
        Some(data)
    );
    assert_eq!(
        blobs::get(&mut tx, "sha-b").await.unwrap().as_deref(),
        Some(&b"b"[..])
    );

    let got = raw_messages::get_many(&mut tx, &[landed[0].0, landed[129].0, RawId(-1)])
        .await
        .unwrap();
    assert_eq!(got.len(), 2);
    assert!(
        got.iter()
            .all(|r| r.state == "pending" && r.mailbox_id == mb)
    );
    tx.commit().await.unwrap();
}

async fn finishing_many_sets_each_row(t: TestDb) {
    let db = open(&t).await;
    let (_, mb) = mailbox(&db).await;
    let mut tx = db.begin().await.unwrap();
    blobs::put(&mut tx, "s", b"x", 1).await.unwrap();
    let keys: Vec<String> = (0..60).map(|i| format!("k{i}")).collect();
    let rows: Vec<NewRaw<'_>> = keys
        .iter()
        .map(|k| NewRaw {
            source_kind: "import",
            source_key: k,
            blob_sha256: "s",
            size: 1,
        })
        .collect();
    let landed = raw_messages::insert_many(&mut tx, mb, &rows, 1)
        .await
        .unwrap();
    let finished: Vec<Finished> = landed
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 59)
        .map(|(i, (id, _))| match i % 3 {
            0 => Finished {
                id: *id,
                state: "duplicate",
                message_id: None,
                error: None,
            },
            1 => Finished {
                id: *id,
                state: "unparseable",
                message_id: None,
                error: Some(format!("bad {i}")),
            },
            _ => Finished {
                id: *id,
                state: "processed",
                message_id: None,
                error: None,
            },
        })
        .collect();
    raw_messages::finish_many(&mut tx, &finished).await.unwrap();
    let mut by_state = raw_messages::count_by_state(&mut tx, mb).await.unwrap();
    by_state.sort();
    assert_eq!(
        by_state,
        vec![
            ("duplicate".to_string(), 20),
            ("pending".to_string(), 1),
            ("processed".to_string(), 19),
            ("unparseable".to_string(), 20),
        ]
    );
    tx.commit().await.unwrap();
}

async fn senders_participants_and_message_ids(t: TestDb) {
    let db = open(&t).await;
    let (acc, mb) = mailbox(&db).await;
    let mut tx = db.begin().await.unwrap();

    // A sender first seen without a name takes the next one, then keeps it.
    let a = contacts::record_sender(&mut tx, acc, "ann@example.com", "", 1)
        .await
        .unwrap();
    assert!(!a.named && !a.saved);
    let b = contacts::record_sender(&mut tx, acc, "ann@example.com", "Ann", 2)
        .await
        .unwrap();
    assert_eq!((b.id, b.named), (a.id, true));
    contacts::set_saved(&mut tx, acc, "ann@example.com", true)
        .await
        .unwrap();
    assert_eq!(
        contacts::upsert_sender(&mut tx, acc, "ann@example.com", "Other", 3)
            .await
            .unwrap(),
        (a.id, true)
    );

    let conv = |subject: &'static str| NewConversation {
        account_id: acc,
        mailbox_id: mb,
        contact_id: Some(a.id),
        subject,
        status: Status::Open,
        spam_score_milli: 0,
        spam_reasons: "",
        unparseable: false,
        autoreply_pending: false,
        now: 10,
    };
    let c1 = conversations::insert_with_first_message(&mut tx, conv("one"))
        .await
        .unwrap();
    let c2 = conversations::insert(&mut tx, conv("two")).await.unwrap();
    let r1 = conversations::get_by_id(&mut tx, c1)
        .await
        .unwrap()
        .unwrap();
    let r2 = conversations::get_by_id(&mut tx, c2)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((r1.message_count, r2.message_count), (1, 0));
    assert_eq!(r1.last_message_at, 10);

    let people = [
        (c1, "ann@example.com"),
        (c1, "bob@example.com"),
        (c1, "ann@example.com"),
        (c2, "ann@example.com"),
    ];
    conversations::add_participants_many(&mut tx, &people)
        .await
        .unwrap();
    conversations::add_participants(&mut tx, c1, &["bob@example.com".to_string()])
        .await
        .unwrap();
    for (c, e, want) in [
        (c1, "ann@example.com", true),
        (c1, "bob@example.com", true),
        (c2, "ann@example.com", true),
        (c2, "bob@example.com", false),
    ] {
        assert_eq!(
            conversations::has_participant(&mut tx, c, e).await.unwrap(),
            want
        );
    }

    let insert = |conversation: ConversationId, mid: &'static str| NewMessage {
        conversation_id: conversation,
        mailbox_id: mb,
        raw_id: None,
        direction: "in",
        author_id: None,
        message_id_header: Some(mid),
        in_reply_to: "",
        references: "",
        from_name: "",
        from_address: "ann@example.com",
        to_list: "",
        cc_list: "",
        subject: "s",
        text_body: "b",
        html_body: None,
        sent_at: None,
        now: 10,
        spam_score_milli: 0,
        spam_reasons: "",
        automated: "",
    };
    let m1 = messages::insert(&mut tx, insert(c1, "<a@x>"))
        .await
        .unwrap();
    let m2 = messages::insert(&mut tx, insert(c2, "<b@x>"))
        .await
        .unwrap();
    let mut found = messages::find_by_message_ids(&mut tx, mb, &["<b@x>", "<none@x>", "<a@x>"])
        .await
        .unwrap();
    found.sort_by_key(|m| m.id);
    assert_eq!(
        found
            .iter()
            .map(|m| (m.id, m.conversation_id, m.message_id_header.as_str()))
            .collect::<Vec<_>>(),
        vec![(m1, c1, "<a@x>"), (m2, c2, "<b@x>")]
    );
    assert!(
        messages::find_by_message_ids(&mut tx, mb, &[])
            .await
            .unwrap()
            .is_empty()
    );
    tx.commit().await.unwrap();
}

async fn search_many_is_searchable(t: TestDb) {
    let db = open(&t).await;
    let (acc, mb) = mailbox(&db).await;
    let mut tx = db.begin().await.unwrap();
    let c = conversations::insert_with_first_message(
        &mut tx,
        NewConversation {
            account_id: acc,
            mailbox_id: mb,
            contact_id: None,
            subject: "s",
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
    let mut ids = Vec::new();
    for i in 0..120 {
        let id = messages::insert(
            &mut tx,
            NewMessage {
                conversation_id: c,
                mailbox_id: mb,
                raw_id: None,
                direction: "in",
                author_id: None,
                message_id_header: None,
                in_reply_to: "",
                references: "",
                from_name: "",
                from_address: "",
                to_list: "",
                cc_list: "",
                subject: "s",
                text_body: "b",
                html_body: None,
                sent_at: None,
                now: i,
                spam_score_milli: 0,
                spam_reasons: "",
                automated: "",
            },
        )
        .await
        .unwrap();
        ids.push(id);
    }
    let bodies: Vec<String> = (0..120)
        .map(|i| format!("common word{i} {}", if i % 2 == 0 { "even" } else { "odd" }))
        .collect();
    let docs: Vec<SearchDocument<'_>> = ids
        .iter()
        .zip(&bodies)
        .map(|(id, body)| SearchDocument {
            message_id: *id,
            subject: "subject",
            body,
            addresses: "ann@example.com",
            attachment_names: "",
        })
        .collect();
    search::index_many(&mut tx, db.backend(), &docs)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut c = db.read().await.unwrap();
    let backend = db.backend();
    assert_eq!(
        search::find(&mut c, backend, "common", 500)
            .await
            .unwrap()
            .len(),
        120
    );
    assert_eq!(
        search::find(&mut c, backend, "even", 500)
            .await
            .unwrap()
            .len(),
        60
    );
    assert_eq!(
        search::find(&mut c, backend, "word117", 500).await.unwrap(),
        vec![ids[117]]
    );
}

async fn recording_many_matches_recording_one_by_one(t: TestDb) {
    let db = open(&t).await;
    let (acc, mb) = mailbox(&db).await;
    let mut tx = db.begin().await.unwrap();
    let user = users::insert(
        &mut tx,
        users::NewUser {
            account_id: acc,
            name: "Agent",
            email: &EmailAddress::parse("agent@acme.example").unwrap(),
            password_hash: Some("hash"),
            role: Role::Owner,
            now: 1,
        },
    )
    .await
    .unwrap();
    let conv = |now: i64| NewConversation {
        account_id: acc,
        mailbox_id: mb,
        contact_id: None,
        subject: "s",
        status: Status::Open,
        spam_score_milli: 0,
        spam_reasons: "",
        unparseable: false,
        autoreply_pending: false,
        now,
    };
    let mut ids = Vec::new();
    for i in 0..60 {
        ids.push(
            conversations::insert_with_first_message(&mut tx, conv(100 + i))
                .await
                .unwrap(),
        );
    }
    for id in &ids {
        sqlx::query(
            "INSERT INTO conversation_reads (conversation_id, user_id, read_at) VALUES ($1, $2, 1)",
        )
        .bind(id.0)
        .bind(user.0)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    // Even conversations: two more messages, the later one earlier than
    // the latest activity; odd ones untouched.
    let rows: Vec<RecordedMessages> = ids
        .iter()
        .step_by(2)
        .enumerate()
        .map(|(i, id)| RecordedMessages {
            id: *id,
            added: 2,
            status: if i % 2 == 0 {
                Status::Pending
            } else {
                Status::Spam
            },
            assignee: (i % 2 == 0).then_some(user),
            at: if i % 3 == 0 { 50 } else { 1_000 },
        })
        .collect();
    conversations::record_messages_many(&mut tx, &rows)
        .await
        .unwrap();
    let even: Vec<ConversationId> = rows.iter().map(|r| r.id).collect();
    conversations::mark_unread_many(&mut tx, &even)
        .await
        .unwrap();
    for (i, id) in ids.iter().enumerate() {
        let c = conversations::get_by_id(&mut tx, *id)
            .await
            .unwrap()
            .unwrap();
        let reads: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM conversation_reads WHERE conversation_id = $1",
        )
        .bind(id.0)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
        if i % 2 == 1 {
            assert_eq!(
                (
                    c.message_count,
                    c.status,
                    c.assignee_id,
                    c.last_message_at,
                    reads
                ),
                (1, Status::Open, None, 100 + i as i64, 1)
            );
        } else {
            let r = &rows[i / 2];
            let last = (100 + i as i64).max(r.at);
            assert_eq!(
                (
                    c.message_count,
                    c.status,
                    c.assignee_id,
                    c.last_message_at,
                    reads
                ),
                (3, r.status, r.assignee, last, 0)
            );
        }
    }
    tx.commit().await.unwrap();
}

/// A message in its own conversation, for the search tests.
async fn message_in(tx: &mut ecp_store::Tx, acc: AccountId, mb: MailboxId, n: i64) -> i64 {
    let c = conversations::insert_with_first_message(
        tx,
        NewConversation {
            account_id: acc,
            mailbox_id: mb,
            contact_id: None,
            subject: "s",
            status: Status::Open,
            spam_score_milli: 0,
            spam_reasons: "",
            unparseable: false,
            autoreply_pending: false,
            now: n,
        },
    )
    .await
    .unwrap();
    messages::insert(
        tx,
        NewMessage {
            conversation_id: c,
            mailbox_id: mb,
            raw_id: None,
            direction: "in",
            author_id: None,
            message_id_header: None,
            in_reply_to: "",
            references: "",
            from_name: "",
            from_address: "",
            to_list: "",
            cc_list: "",
            subject: "s",
            text_body: "b",
            html_body: None,
            sent_at: None,
            now: n,
            spam_score_milli: 0,
            spam_reasons: "",
            automated: "",
        },
    )
    .await
    .unwrap()
}

/// The search index holds no copy of the text on SQLite (contentless
/// FTS5): removing a mailbox's entries must still work, and leave the
/// other mailboxes' entries found as before.
async fn forgetting_a_mailbox_leaves_the_others_searchable(t: TestDb) {
    let db = open(&t).await;
    let (acc, kept) = mailbox(&db).await;
    let mut tx = db.begin().await.unwrap();
    let settings = MailboxSettings::parse(
        &MailboxInput {
            name: "Sales",
            direct_address: "sales@in.acme.example",
            ..Default::default()
        },
        String::new(),
    )
    .unwrap();
    let gone = mailboxes::insert(&mut tx, acc, &settings, 1).await.unwrap();
    let mut kept_ids = Vec::new();
    let mut gone_ids = Vec::new();
    for i in 0..30 {
        kept_ids.push(message_in(&mut tx, acc, kept, i).await);
        gone_ids.push(message_in(&mut tx, acc, gone, i).await);
    }
    let bodies: Vec<(i64, String)> = kept_ids
        .iter()
        .map(|id| (*id, format!("shared kept{id}")))
        .chain(gone_ids.iter().map(|id| (*id, format!("shared gone{id}"))))
        .collect();
    let docs: Vec<SearchDocument<'_>> = bodies
        .iter()
        .map(|(id, body)| SearchDocument {
            message_id: *id,
            subject: "Invoice question",
            body,
            addresses: "ann@example.com",
            attachment_names: "invoice.pdf",
        })
        .collect();
    search::index_many(&mut tx, db.backend(), &docs)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let backend = db.backend();
    {
        let mut c = db.read().await.unwrap();
        assert_eq!(
            search::find(&mut c, backend, "shared", 500)
                .await
                .unwrap()
                .len(),
            60
        );
    }

    let mut tx = db.begin().await.unwrap();
    search::forget_mailbox(&mut tx, backend, gone.0)
        .await
        .unwrap();
    sqlx::query("DELETE FROM mailboxes WHERE id = $1")
        .bind(gone.0)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut c = db.read().await.unwrap();
    let mut found = search::find(&mut c, backend, "shared", 500).await.unwrap();
    found.sort_unstable();
    assert_eq!(found, kept_ids);
    for word in ["invoice", "question", "ann@example.com", "invoice.pdf"] {
        assert_eq!(
            search::find(&mut c, backend, word, 500)
                .await
                .unwrap()
                .len(),
            30,
            "{word}"
        );
    }
    let last = gone_ids[29];
    assert!(
        search::find(&mut c, backend, &format!("gone{last}"), 500)
            .await
            .unwrap()
            .is_empty()
    );
    // New entries after a delete are indexed and found as usual.
    let mut tx = db.begin().await.unwrap();
    let id = message_in(&mut tx, acc, kept, 99).await;
    search::index_many(
        &mut tx,
        backend,
        &[SearchDocument {
            message_id: id,
            subject: "later",
            body: "shared",
            addresses: "",
            attachment_names: "",
        }],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        search::find(&mut c, backend, "shared", 500)
            .await
            .unwrap()
            .len(),
        31
    );
}

/// Messages filed in bulk are inserted at the end of the batch with ids
/// reserved when they were filed: a message inserted one by one in
/// between never gets one of them, and the rows read back as inserted.
async fn reserved_message_ids_are_never_handed_out_twice(t: TestDb) {
    let db = open(&t).await;
    let (acc, mb) = mailbox(&db).await;
    let mut tx = db.begin().await.unwrap();
    let before = message_in(&mut tx, acc, mb, 1).await;
    let reserved = messages::reserve_ids(&mut tx, 70).await.unwrap();
    assert_eq!(reserved.len(), 70);
    assert!(reserved.windows(2).all(|w| w[0] < w[1]));
    assert!(reserved[0] > before);
    let between = message_in(&mut tx, acc, mb, 2).await;
    assert!(between > *reserved.last().unwrap());
    let conversation = messages::conversation_of(&mut tx, between)
        .await
        .unwrap()
        .unwrap();
    let headers: Vec<String> = (0..70).map(|i| format!("<m{i}@example.com>")).collect();
    let bodies: Vec<String> = (0..70).map(|i| format!("body {i}")).collect();
    let rows: Vec<(i64, NewMessage<'_>)> = reserved
        .iter()
        .zip(headers.iter().zip(&bodies))
        .map(|(id, (header, body))| {
            (
                *id,
                NewMessage {
                    conversation_id: conversation,
                    mailbox_id: mb,
                    raw_id: None,
                    direction: "in",
                    author_id: None,
                    message_id_header: Some(header),
                    in_reply_to: "",
                    references: "",
                    from_name: "Ann",
                    from_address: "ann@example.com",
                    to_list: "",
                    cc_list: "",
                    subject: "s",
                    text_body: body,
                    html_body: None,
                    sent_at: Some(5),
                    now: 6,
                    spam_score_milli: 0,
                    spam_reasons: "",
                    automated: "",
                },
            )
        })
        .collect();
    messages::insert_many(&mut tx, &rows).await.unwrap();
    let after = message_in(&mut tx, acc, mb, 3).await;
    assert!(after > between);
    let found = messages::find_by_message_ids(&mut tx, mb, &["<m69@example.com>"])
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, reserved[69]);
    tx.commit().await.unwrap();
    let mut c = db.read().await.unwrap();
    let listed = messages::list_for_conversation(&mut c, conversation)
        .await
        .unwrap();
    assert_eq!(listed.len(), 71);
    let m = listed.iter().find(|m| m.id == reserved[3]).unwrap();
    assert_eq!(m.text_body, "body 3");
    assert_eq!(m.message_id_header.as_deref(), Some("<m3@example.com>"));
    assert_eq!(m.sent_at, Some(5));
}
