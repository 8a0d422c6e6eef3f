//! Outbound mail against a real SMTP server (aiosmtpd), on both databases:
//! what a reply looks like on the wire, Auto-BCC on the envelope only,
//! retries after 451, failure after 550 shown on the conversation and
//! retried by an agent, two nodes sending one queue, and the customer's
//! answer threading back.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ecp_app::inbound::{ProcessOutcome, Source};
use ecp_app::outbound::{NewOutgoing, OutboxState, ReplyInput, ReplyKind, SendOutcome};
use ecp_app::signup::SignupInput;
use ecp_app::{Actor, App, AppConfig};
use ecp_domain::conversation::{ConversationId, Status};
use ecp_domain::{MailboxId, MailboxInput};
use ecp_testkit::both_backends;
use ecp_testkit::db::TestDb;
use ecp_testkit::smtp_sink::SmtpSink;
use std::time::Duration;

struct Fixture {
    app: App,
    actor: Actor,
    mailbox: MailboxId,
    sink: SmtpSink,
    db: TestDb,
}

fn config(sink: &SmtpSink) -> AppConfig {
    let mut config = AppConfig::default();
    config.outbound.smtp_relay = Some(sink.url());
    config.outbound.backoff_base = Duration::from_millis(1);
    config.outbound.backoff_max = Duration::from_millis(1);
    config.outbound.max_attempts = 3;
    config.outbound.timeout = Duration::from_secs(10);
    config
}

async fn fixture(t: TestDb) -> Fixture {
    let sink = SmtpSink::start().unwrap();
    let db = ecp_store::Db::connect(&t.url).await.unwrap();
    db.migrate().await.unwrap();
    let app = App::new(db, config(&sink));
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
    let mailbox = out.mailbox_id.unwrap();
    app.update_mailbox(
        &actor,
        mailbox,
        &MailboxInput {
            name: "Support",
            direct_address: "support@in.acme.example",
            send_as_name: "Acme Support",
            send_as_address: "help@acme.example",
            signature_html: "<p>MAILBOX-SIG</p>",
            auto_bcc: "archive@acme.example",
        },
        None,
    )
    .await
    .unwrap();
    app.update_personal_signature(&actor, "<p>PERSONAL-SIG</p>")
        .await
        .unwrap();
    let actor = app.actor(out.owner_id).await.unwrap();
    Fixture {
        app,
        actor,
        mailbox,
        sink,
        db: t,
    }
}

async fn customer_writes(f: &Fixture) -> ConversationId {
    let raw = b"From: Ann Lee <ann@cust.example>\r\nTo: support@in.acme.example\r\n\
Cc: Bob <bob@cust.example>\r\nSubject: Order late\r\nMessage-ID: <a1@cust.example>\r\n\
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

both_backends!(
    reply_on_the_wire_and_threading_back,
    reply_all_forward_and_new_conversation,
    temporary_failure_is_retried_and_sent_once,
    permanent_failure_shows_and_agent_retries,
    hidden_mailbox_is_not_found
);

async fn reply_on_the_wire_and_threading_back(t: TestDb) {
    let f = fixture(t).await;
    let conv = customer_writes(&f).await;
    let queued = f
        .app
        .send_reply(&f.actor, conv, reply("<p>It ships today.</p>"))
        .await
        .unwrap();
    assert_eq!(queued.conversation, conv);
    // Stored before any send, with its outbox row.
    let view = f.app.conversation(&f.actor, conv).await.unwrap();
    let ours = view.messages.last().unwrap();
    assert_eq!(ours.direction, "out");
    assert_eq!(
        ours.message_id_header.as_deref(),
        Some(queued.message_id_header.as_str())
    );
    let states = f.app.outbox_for_conversation(&f.actor, conv).await.unwrap();
    assert_eq!(states.len(), 1);
    assert_eq!(states[0].state, OutboxState::Queued);

    let done = f.app.send_due_outbox().await.unwrap();
    assert_eq!(done, vec![(queued.outbox, SendOutcome::Sent)]);
    let got = f.sink.wait_for(1, Duration::from_secs(10)).unwrap();
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert_eq!(m.mail_from, "help@acme.example");
    let mut rcpt = m.rcpt_tos.clone();
    rcpt.sort();
    assert_eq!(rcpt, vec!["ann@cust.example", "archive@acme.example"]);
    let headers = m.headers();
    assert!(
        headers.contains("From: \"Acme Support\" <help@acme.example>")
            || headers.contains("From: Acme Support <help@acme.example>"),
        "{headers}"
    );
    assert!(headers.contains("ann@cust.example"), "{headers}");
    assert!(!m.data.contains("archive@acme.example"), "Auto-BCC leaked");
    assert!(
        !headers.to_ascii_lowercase().contains("\nbcc:"),
        "{headers}"
    );
    assert!(
        !headers.contains("bob@cust.example"),
        "a plain reply went to Cc"
    );
    assert!(
        headers.contains(&format!("Message-ID: <{}>", queued.message_id_header)),
        "{headers}"
    );
    assert!(
        headers.contains("In-Reply-To: <a1@cust.example>"),
        "{headers}"
    );
    assert!(
        headers.contains("References: <a1@cust.example>"),
        "{headers}"
    );
    assert!(headers.contains(&format!("[#{}]", conv.0)), "{headers}");
    let personal = m.data.find("PERSONAL-SIG").unwrap();
    let mailbox = m.data.find("MAILBOX-SIG").unwrap();
    assert!(
        personal < mailbox,
        "personal signature goes above the mailbox one"
    );
    let states = f.app.outbox_for_conversation(&f.actor, conv).await.unwrap();
    assert_eq!(states[0].state, OutboxState::Sent);
    // Nothing left to send.
    assert!(f.app.send_due_outbox().await.unwrap().is_empty());

    // The customer answers our message: same conversation.
    let answer = format!(
        "From: Ann Lee <ann@cust.example>\r\nTo: help@acme.example\r\nSubject: Re: Order late\r\n\
Message-ID: <a2@cust.example>\r\nIn-Reply-To: <{id}>\r\nReferences: <a1@cust.example> <{id}>\r\n\
Date: Mon, 2 Mar 2026 12:00:00 +0000\r\n\r\nThanks!\r\n",
        id = queued.message_id_header
    );
    let (_, outcome) = f
        .app
        .ingest(
            f.mailbox,
            &Source::Import { key: "a2".into() },
            answer.as_bytes(),
        )
        .await
        .unwrap();
    match outcome.unwrap() {
        ProcessOutcome::Filed {
            conversation,
            new_conversation,
            ..
        } => {
            assert_eq!(conversation, conv);
            assert!(!new_conversation);
        }
        other => panic!("{other:?}"),
    }
    drop(f.db);
}

async fn reply_all_forward_and_new_conversation(t: TestDb) {
    let f = fixture(t).await;
    let conv = customer_writes(&f).await;
    f.app
        .send_reply(
            &f.actor,
            conv,
            ReplyInput {
                kind: ReplyKind::ReplyAll,
                body_html: "<p>All of you</p>".into(),
                status_after: Some(Status::Closed),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    f.app
        .send_reply(
            &f.actor,
            conv,
            ReplyInput {
                kind: ReplyKind::Forward,
                to: vec!["Warehouse <stock@partner.example>".into()],
                body_html: "<p>Please check</p>".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(
        f.app
            .send_reply(
                &f.actor,
                conv,
                ReplyInput {
                    kind: ReplyKind::Forward,
                    ..Default::default()
                }
            )
            .await
            .is_err(),
        "a forward needs an address"
    );
    let new = f
        .app
        .start_conversation(
            &f.actor,
            f.mailbox,
            NewOutgoing {
                to: vec!["Carl <carl@cust.example>".into()],
                subject: "Your invoice".into(),
                body_html: "<p>Attached</p>".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_ne!(new.conversation, conv);
    let view = f.app.conversation(&f.actor, conv).await.unwrap();
    assert_eq!(view.conversation.status, Status::Closed);
    let started = f
        .app
        .conversation(&f.actor, new.conversation)
        .await
        .unwrap();
    assert_eq!(started.conversation.status, Status::Pending);
    assert_eq!(started.messages.len(), 1);

    let done = f.app.send_due_outbox().await.unwrap();
    assert_eq!(done.len(), 3);
    assert!(
        done.iter().all(|(_, o)| *o == SendOutcome::Sent),
        "{done:?}"
    );
    let got = f.sink.wait_for(3, Duration::from_secs(10)).unwrap();
    let all = &got[0];
    assert!(
        all.headers().contains("bob@cust.example"),
        "{}",
        all.headers()
    );
    assert!(!all.headers().contains("support@in.acme.example"));
    let mut rcpt = all.rcpt_tos.clone();
    rcpt.sort();
    assert_eq!(
        rcpt,
        vec![
            "ann@cust.example",
            "archive@acme.example",
            "bob@cust.example"
        ]
    );
    let fwd = &got[1];
    assert!(fwd.headers().contains("Fwd: "), "{}", fwd.headers());
    assert!(!fwd.headers().contains("In-Reply-To"), "{}", fwd.headers());
    let mut rcpt = fwd.rcpt_tos.clone();
    rcpt.sort();
    assert_eq!(rcpt, vec!["archive@acme.example", "stock@partner.example"]);
    let first = &got[2];
    assert!(first.headers().contains("Your invoice"));
    assert!(
        first
            .headers()
            .contains(&format!("[#{}]", new.conversation.0))
    );
    assert!(first.rcpt_tos.contains(&"carl@cust.example".to_string()));
    drop(f.db);
}

async fn temporary_failure_is_retried_and_sent_once(t: TestDb) {
    let f = fixture(t).await;
    let conv = customer_writes(&f).await;
    let queued = f
        .app
        .send_reply(&f.actor, conv, reply("<p>Hi</p>"))
        .await
        .unwrap();
    f.sink.set_mode("451 1").unwrap();
    let done = f.app.send_due_outbox().await.unwrap();
    match &done[..] {
        [(id, SendOutcome::Retry { error, .. })] => {
            assert_eq!(*id, queued.outbox);
            assert!(error.contains("451"), "{error}");
        }
        other => panic!("{other:?}"),
    }
    assert!(f.sink.messages().unwrap().is_empty());
    tokio::time::sleep(Duration::from_millis(20)).await;
    let done = f.app.send_due_outbox().await.unwrap();
    assert_eq!(done, vec![(queued.outbox, SendOutcome::Sent)]);
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert!(f.app.send_due_outbox().await.unwrap().is_empty());
    let got = f.sink.wait_for(1, Duration::from_secs(10)).unwrap();
    assert_eq!(got.len(), 1);
    let states = f.app.outbox_for_conversation(&f.actor, conv).await.unwrap();
    assert_eq!(
        (states[0].state, states[0].attempts),
        (OutboxState::Sent, 2)
    );

    // Always temporary: failed after max_attempts (3).
    let again = f
        .app
        .send_reply(&f.actor, conv, reply("<p>Hi again</p>"))
        .await
        .unwrap();
    f.sink.set_mode("451 100").unwrap();
    let mut last = None;
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        last = f.app.send_outbox_item(again.outbox).await.ok();
    }
    match last {
        Some(SendOutcome::Failed { error }) => assert!(error.contains("451"), "{error}"),
        other => panic!("{other:?}"),
    }
    drop(f.db);
}

async fn permanent_failure_shows_and_agent_retries(t: TestDb) {
    let f = fixture(t).await;
    let conv = customer_writes(&f).await;
    let queued = f
        .app
        .send_reply(&f.actor, conv, reply("<p>Hi</p>"))
        .await
        .unwrap();
    f.sink.set_mode("550").unwrap();
    let done = f.app.send_due_outbox().await.unwrap();
    assert!(
        matches!(&done[..], [(_, SendOutcome::Failed { .. })]),
        "{done:?}"
    );
    let states = f.app.outbox_for_conversation(&f.actor, conv).await.unwrap();
    assert_eq!(states[0].state, OutboxState::Failed);
    let error = states[0].last_error.clone().unwrap();
    assert!(error.contains("550"), "{error}");
    assert!(
        error.contains("User unknown"),
        "the server's answer: {error}"
    );
    // Not retried by itself.
    assert!(f.app.send_due_outbox().await.unwrap().is_empty());
    // The agent retries after fixing things on the other side.
    f.sink.set_mode("ok").unwrap();
    f.app.retry_outbox(&f.actor, queued.outbox).await.unwrap();
    assert!(f.app.retry_outbox(&f.actor, queued.outbox).await.is_err());
    let done = f.app.send_due_outbox().await.unwrap();
    assert_eq!(done, vec![(queued.outbox, SendOutcome::Sent)]);
    assert_eq!(
        f.sink.wait_for(1, Duration::from_secs(10)).unwrap().len(),
        1
    );
    drop(f.db);
}

async fn hidden_mailbox_is_not_found(t: TestDb) {
    let f = fixture(t).await;
    let conv = customer_writes(&f).await;
    // Another account's user sees nothing of it.
    let other = f
        .app
        .create_account(&SignupInput {
            account_name: "Other".into(),
            owner_name: "Oscar".into(),
            owner_email: "oscar@other.example".into(),
            password: "correct horse battery".into(),
            plan: "standard".into(),
            mailbox_name: "Desk".into(),
            mailbox_address: "desk@in.other.example".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let stranger = f.app.actor(other.owner_id).await.unwrap();
    let err = f
        .app
        .send_reply(&stranger, conv, reply("<p>x</p>"))
        .await
        .unwrap_err();
    assert!(matches!(err, ecp_app::AppError::NotFound), "{err:?}");
    let err = f
        .app
        .start_conversation(
            &stranger,
            f.mailbox,
            NewOutgoing {
                to: vec!["a@b.example".into()],
                subject: "x".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ecp_app::AppError::NotFound), "{err:?}");
    drop(f.db);
}
