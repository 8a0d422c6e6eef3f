//! What the team's own messages leave behind, on both databases: quoted
//! history dated in the account's time zone, outgoing mail in the search
//! index, outgoing attachments recorded and downloadable like inbound ones.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ecp_app::account::OptionsPatch;
use ecp_app::inbound::{ProcessOutcome, Source};
use ecp_app::outbound::{NewOutgoing, OutgoingAttachment, ReplyInput, ReplyKind, SendOutcome};
use ecp_app::signup::SignupInput;
use ecp_app::{Actor, App, AppConfig};
use ecp_domain::MailboxId;
use ecp_domain::conversation::ConversationId;
use ecp_testkit::both_backends;
use ecp_testkit::db::TestDb;
use ecp_testkit::smtp_sink::SmtpSink;
use std::time::Duration;

struct Fixture {
    app: App,
    actor: Actor,
    mailbox: MailboxId,
    sink: SmtpSink,
    _db: TestDb,
}

async fn fixture(t: TestDb) -> Fixture {
    let sink = SmtpSink::start().unwrap();
    let db = ecp_store::Db::connect(&t.url).await.unwrap();
    db.migrate().await.unwrap();
    let mut config = AppConfig::default();
    config.outbound.smtp_relay = Some(sink.url());
    config.outbound.timeout = Duration::from_secs(10);
    let app = App::new(db, config);
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
    Fixture {
        app,
        actor,
        mailbox: out.mailbox_id.unwrap(),
        sink,
        _db: t,
    }
}

/// The customer writes at 10:00 UTC on 2 March 2026.
async fn customer_writes(f: &Fixture) -> ConversationId {
    let raw = b"From: Ann Lee <ann@cust.example>\r\nTo: support@in.acme.example\r\n\
Subject: Order late\r\nMessage-ID: <a1@cust.example>\r\n\
Date: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\nWhere is my order?\r\n";
    let (_, outcome) = f
        .app
        .ingest(f.mailbox, &Source::Import { key: "a1".into() }, raw)
        .await
        .unwrap();
    match outcome.unwrap() {
        ProcessOutcome::Filed { conversation, .. } => conversation,
        other => panic!("{other:?}"),
    }
}

fn reply(body: &str) -> ReplyInput {
    ReplyInput {
        kind: ReplyKind::Reply,
        body_html: body.into(),
        ..Default::default()
    }
}

async fn send_all(f: &Fixture) {
    let done = f.app.send_due_outbox().await.unwrap();
    assert!(
        done.iter().all(|(_, o)| *o == SendOutcome::Sent),
        "{done:?}"
    );
}

async fn search(f: &Fixture, words: &str) -> Vec<i64> {
    let mut c = f.app.db().read().await.unwrap();
    ecp_store::search::find(&mut c, f.app.db().backend(), words, 50)
        .await
        .unwrap()
}

both_backends!(
    quoted_history_is_dated_in_the_account_time_zone,
    outgoing_messages_are_searchable,
    outgoing_attachments_are_recorded_and_download
);

async fn quoted_history_is_dated_in_the_account_time_zone(t: TestDb) {
    let f = fixture(t).await;
    f.app
        .update_options(
            &f.actor,
            &OptionsPatch {
                time_zone: Some("Europe/Berlin".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let conv = customer_writes(&f).await;
    f.app
        .send_reply(&f.actor, conv, reply("<p>On its way.</p>"))
        .await
        .unwrap();
    send_all(&f).await;
    let sent = f.sink.wait_for(1, Duration::from_secs(10)).unwrap();
    let data = sent[0].data.replace("=\r\n", "");
    // 10:00 UTC is 11:00 in Berlin (CET) that day.
    assert!(data.contains("2026-03-02 11:00 CET"), "{data}");
    assert!(!data.contains("10:00 UTC"), "{data}");
}

async fn outgoing_messages_are_searchable(t: TestDb) {
    let f = fixture(t).await;
    let conv = customer_writes(&f).await;
    let queued = f
        .app
        .send_reply(
            &f.actor,
            conv,
            reply("<p>Your parcel zanzibarquokka left today.</p>"),
        )
        .await
        .unwrap();
    assert_eq!(search(&f, "zanzibarquokka").await, vec![queued.message]);
    let started = f
        .app
        .start_conversation(
            &f.actor,
            f.mailbox,
            NewOutgoing {
                to: vec!["Carl <carl@cust.example>".into()],
                subject: "Renewal wombatfestival".into(),
                body_html: "<p>Hello</p>".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(search(&f, "wombatfestival").await, vec![started.message]);
    assert_eq!(search(&f, "carl@cust.example").await, vec![started.message]);
    // The customer's own words stay findable, and nothing else matches.
    assert_eq!(search(&f, "order").await.len(), 2, "inbound and our reply");
    assert!(search(&f, "nosuchwordanywhere").await.is_empty());
}

async fn outgoing_attachments_are_recorded_and_download(t: TestDb) {
    let f = fixture(t).await;
    let conv = customer_writes(&f).await;
    let pdf = b"%PDF-1.4 invoice bytes\x00\x01\x02".to_vec();
    let queued = f
        .app
        .send_reply(
            &f.actor,
            conv,
            ReplyInput {
                attachments: vec![
                    OutgoingAttachment {
                        filename: "../invoice 42.pdf".into(),
                        content_type: "Application/PDF".into(),
                        bytes: pdf.clone(),
                    },
                    OutgoingAttachment {
                        filename: "notes.txt".into(),
                        content_type: "text/plain".into(),
                        bytes: b"thanks".to_vec(),
                    },
                ],
                ..reply("<p>Invoice attached.</p>")
            },
        )
        .await
        .unwrap();
    let view = f.app.conversation(&f.actor, conv).await.unwrap();
    let mut ours: Vec<_> = view
        .attachments
        .iter()
        .filter(|a| a.message_id == queued.message)
        .collect();
    ours.sort_by(|a, b| a.filename.cmp(&b.filename));
    assert_eq!(ours.len(), 2, "{:?}", view.attachments);
    assert_eq!(ours[0].filename, "invoice 42.pdf");
    assert_eq!(ours[0].content_type, "application/pdf");
    assert_eq!(ours[0].size, pdf.len() as i64);
    assert!(!ours[0].inline_part);
    assert_eq!(ours[1].filename, "notes.txt");
    let download = f.app.attachment(&f.actor, conv, ours[0].id).await.unwrap();
    assert_eq!(download.bytes, pdf);
    assert_eq!(download.filename, "invoice 42.pdf");
    // Their names are searchable too, and the message still goes out whole.
    assert_eq!(search(&f, "invoice").await, vec![queued.message]);
    send_all(&f).await;
    let sent = f.sink.wait_for(1, Duration::from_secs(10)).unwrap();
    assert!(sent[0].data.contains("invoice 42.pdf"), "{}", sent[0].data);
}
