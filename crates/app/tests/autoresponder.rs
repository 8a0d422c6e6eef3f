//! The autoresponder on both databases, with real SMTP: answers a new
//! conversation once, with the template filled in and RFC 3834 marks;
//! never answers replies, a sender within the period, automated mail,
//! spam or imports; two nodes answer once; the loop breaker stops a mailbox
//! and alerts its administrators. The loop test (two mailboxes answering
//! each other through the real `ecp` SMTP listener) is in
//! `autoresponder_loop.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ecp_app::autoresponder::{AutoReplyOutcome, LoopBreaker};
use ecp_app::inbound::{ProcessOutcome, Source};
use ecp_app::signup::SignupInput;
use ecp_app::templates::TemplateInput;
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
    template: i64,
    sink: SmtpSink,
    db: TestDb,
}

fn config(sink: &SmtpSink, breaker: LoopBreaker) -> AppConfig {
    let mut config = AppConfig::default();
    config.outbound.smtp_relay = Some(sink.url());
    config.outbound.timeout = Duration::from_secs(10);
    config.autoresponder.breaker = breaker;
    config
}

async fn fixture_with(t: TestDb, breaker: LoopBreaker) -> Fixture {
    let sink = SmtpSink::start().unwrap();
    let db = ecp_store::Db::connect(&t.url).await.unwrap();
    db.migrate().await.unwrap();
    let app = App::new(db, config(&sink, breaker));
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
    let template = app
        .create_template(
            &actor,
            &TemplateInput {
                name: "We got it",
                subject: "",
                body_html: "<p>Hello {{ customer.name }}, {{ mailbox.name }} has your message \
                            as number {{ conversation.number }}.</p>",
            },
        )
        .await
        .unwrap()
        .id
        .0;
    app.set_autoresponder(&actor, mailbox, true, Some(template), "24")
        .await
        .unwrap();
    Fixture {
        app,
        actor,
        mailbox,
        template,
        sink,
        db: t,
    }
}

async fn fixture(t: TestDb) -> Fixture {
    fixture_with(t, LoopBreaker::default()).await
}

/// Mail arriving by SMTP (not an import), filed; its conversation.
async fn arrives(f: &Fixture, key: &str, headers: &str) -> ConversationId {
    let raw = format!(
        "{headers}To: support@in.acme.example\r\nMessage-ID: <{key}@cust.example>\r\n\
         Date: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\nPlease help.\r\n"
    );
    let source = Source::Smtp {
        envelope_id: key.into(),
    };
    let (_, outcome) = f
        .app
        .ingest(f.mailbox, &source, raw.as_bytes())
        .await
        .unwrap();
    match outcome.unwrap() {
        ProcessOutcome::Filed { conversation, .. } => conversation,
        other => panic!("{other:?}"),
    }
}

fn queued(done: &[(ConversationId, AutoReplyOutcome)]) -> Vec<ConversationId> {
    done.iter()
        .filter(|(_, o)| *o == AutoReplyOutcome::Queued)
        .map(|(c, _)| *c)
        .collect()
}

async fn count_actions(f: &Fixture, action: &str) -> i64 {
    let mut c = f.app.db().read().await.unwrap();
    sqlx::query_scalar("SELECT COUNT(*) FROM activity WHERE action = $1")
        .bind(action)
        .fetch_one(&mut *c)
        .await
        .unwrap()
}

both_backends!(
    new_conversation_gets_one_auto_reply,
    replies_and_the_same_sender_within_the_period_get_none,
    automated_spam_and_imported_mail_get_none,
    off_mailbox_flags_nothing_and_settings_are_checked,
    two_nodes_answer_once,
    loop_breaker_stops_and_alerts_admins
);

async fn new_conversation_gets_one_auto_reply(t: TestDb) {
    let f = fixture(t).await;
    let conv = arrives(
        &f,
        "a1",
        "From: Ann Lee <ann@cust.example>\r\nSubject: Order late\r\n",
    )
    .await;
    let done = f.app.send_due_autoreplies().await.unwrap();
    assert_eq!(done, vec![(conv, AutoReplyOutcome::Queued)]);
    // The flag is gone: a second pass finds nothing.
    assert!(f.app.send_due_autoreplies().await.unwrap().is_empty());
    assert_eq!(count_actions(&f, "auto_replied").await, 1);

    let view = f.app.conversation(&f.actor, conv).await.unwrap();
    let ours = view.messages.last().unwrap();
    assert_eq!(ours.direction, "out");
    assert_eq!(ours.author_id, None, "the system wrote it, not a user");

    let sent = f.app.send_due_outbox().await.unwrap();
    assert_eq!(sent.len(), 1);
    let got = f.sink.wait_for(1, Duration::from_secs(10)).unwrap();
    let m = &got[0];
    assert_eq!(m.rcpt_tos, vec!["ann@cust.example"]);
    let headers = m.headers();
    assert!(
        headers.contains("Auto-Submitted: auto-replied"),
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
    assert!(
        headers.contains(&format!("Subject: Re: Order late [#{}]", conv.0)),
        "{headers}"
    );
    let body = m.data.replace("=\r\n", "");
    assert!(
        body.contains(&format!(
            "Hello Ann Lee, Support has your message as number {}.",
            conv.0
        )),
        "{body}"
    );
    assert!(!body.contains("Please help."), "no quoted history: {body}");
}

async fn replies_and_the_same_sender_within_the_period_get_none(t: TestDb) {
    let f = fixture(t).await;
    let conv = arrives(&f, "b1", "From: Bo <bo@cust.example>\r\nSubject: First\r\n").await;
    assert_eq!(queued(&f.app.send_due_autoreplies().await.unwrap()), [conv]);
    // The customer writes again in the same conversation: no new answer.
    let again = arrives(
        &f,
        "b2",
        "From: Bo <bo@cust.example>\r\nSubject: Re: First\r\nIn-Reply-To: <b1@cust.example>\r\n",
    )
    .await;
    assert_eq!(again, conv);
    assert!(f.app.send_due_autoreplies().await.unwrap().is_empty());
    // A new conversation from the same sender (any case) within 24 hours.
    let second = arrives(
        &f,
        "b3",
        "From: Bo <BO@Cust.Example>\r\nSubject: Other thing\r\n",
    )
    .await;
    assert_ne!(second, conv);
    assert_eq!(
        f.app.send_due_autoreplies().await.unwrap(),
        vec![(second, AutoReplyOutcome::Budget)]
    );
    // Someone else is answered.
    let other = arrives(&f, "b4", "From: Cy <cy@cust.example>\r\nSubject: Hi\r\n").await;
    assert_eq!(
        queued(&f.app.send_due_autoreplies().await.unwrap()),
        [other]
    );
    assert_eq!(count_actions(&f, "auto_replied").await, 2);
    assert_eq!(f.app.send_due_outbox().await.unwrap().len(), 2);
    let mut to: Vec<String> = f
        .sink
        .wait_for(2, Duration::from_secs(10))
        .unwrap()
        .iter()
        .flat_map(|m| m.rcpt_tos.clone())
        .collect();
    to.sort();
    assert_eq!(to, ["bo@cust.example", "cy@cust.example"]);
}

async fn automated_spam_and_imported_mail_get_none(t: TestDb) {
    let f = fixture(t).await;
    let robots = [
        "From: a@cust.example\r\nSubject: l\r\nList-Id: <news.cust.example>\r\n",
        "From: b@cust.example\r\nSubject: u\r\nList-Unsubscribe: <mailto:u@cust.example>\r\n",
        "From: c@cust.example\r\nSubject: p\r\nPrecedence: bulk\r\n",
        "From: d@cust.example\r\nSubject: j\r\nPrecedence: junk\r\n",
        "From: e@cust.example\r\nSubject: s\r\nAuto-Submitted: auto-generated\r\n",
        "Return-Path: <>\r\nFrom: f@cust.example\r\nSubject: r\r\n",
        "From: no-reply@cust.example\r\nSubject: n\r\n",
        "From: MAILER-DAEMON@cust.example\r\nSubject: bounce\r\n",
        "From: postmaster@cust.example\r\nSubject: pm\r\n",
    ];
    for (i, h) in robots.iter().enumerate() {
        arrives(&f, &format!("r{i}"), h).await;
    }
    // Spam: marked so after arrival, before the pass ran.
    let spam = arrives(&f, "s1", "From: g@cust.example\r\nSubject: cheap\r\n").await;
    {
        let mut c = f.app.db().read().await.unwrap();
        sqlx::query("UPDATE conversations SET status = 'spam' WHERE id = $1")
            .bind(spam.0)
            .execute(&mut *c)
            .await
            .unwrap();
    }
    // Imported history is not a new request.
    let raw =
        b"From: h@cust.example\r\nSubject: old\r\nMessage-ID: <old@cust.example>\r\n\r\nx\r\n";
    f.app
        .ingest(f.mailbox, &Source::Import { key: "old".into() }, raw)
        .await
        .unwrap();
    // Our own address (a message that looks like it came from ourselves).
    arrives(
        &f,
        "own",
        "From: support@in.acme.example\r\nSubject: me\r\n",
    )
    .await;

    let done = f.app.send_due_autoreplies().await.unwrap();
    assert!(queued(&done).is_empty(), "{done:?}");
    assert!(
        done.iter()
            .any(|(c, o)| *c == spam && *o == AutoReplyOutcome::Skipped("spam"))
    );
    assert!(f.app.send_due_autoreplies().await.unwrap().is_empty());
    assert!(f.app.send_due_outbox().await.unwrap().is_empty());
    assert_eq!(count_actions(&f, "auto_replied").await, 0);
}

async fn off_mailbox_flags_nothing_and_settings_are_checked(t: TestDb) {
    let f = fixture(t).await;
    f.app
        .set_autoresponder(&f.actor, f.mailbox, false, Some(f.template), "")
        .await
        .unwrap();
    // Filed while off: not even flagged, so the pass has nothing to do.
    let conv = arrives(&f, "o1", "From: Di <di@cust.example>\r\nSubject: Hi\r\n").await;
    let mut c = f.app.db().read().await.unwrap();
    let record = ecp_store::conversations::get_by_id(&mut c, conv)
        .await
        .unwrap()
        .unwrap();
    drop(c);
    assert!(!record.autoreply_pending);
    assert_eq!(f.app.send_due_autoreplies().await.unwrap(), vec![]);
    // Turning it on later does not answer what came in while it was off.
    let view = f
        .app
        .set_autoresponder(&f.actor, f.mailbox, true, Some(f.template), "48")
        .await
        .unwrap();
    assert!(view.settings.enabled);
    assert_eq!(view.settings.period_hours, 48);
    assert_eq!(view.template_name.as_deref(), Some("We got it"));
    assert!(f.app.send_due_autoreplies().await.unwrap().is_empty());

    // Bad input is refused and changes nothing.
    let e = f
        .app
        .set_autoresponder(&f.actor, f.mailbox, true, None, "48")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("template"), "{e}");
    let e = f
        .app
        .set_autoresponder(&f.actor, f.mailbox, true, Some(f.template), "100000")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("hours"), "{e}");
    let e = f
        .app
        .set_autoresponder(&f.actor, f.mailbox, true, Some(f.template + 999), "1")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("template"), "{e}");
    let now = f.app.autoresponder(&f.actor, f.mailbox).await.unwrap();
    assert_eq!(now, view);
    // Another mailbox id is not found.
    assert!(matches!(
        f.app
            .autoresponder(&f.actor, MailboxId(f.mailbox.0 + 999))
            .await,
        Err(ecp_app::AppError::NotFound)
    ));
}

async fn two_nodes_answer_once(t: TestDb) {
    let f = fixture(t).await;
    let second_node = App::new(
        ecp_store::Db::connect(&f.db.url).await.unwrap(),
        config(&f.sink, LoopBreaker::default()),
    );
    let mut convs = Vec::new();
    for i in 0..6 {
        let h = format!("From: p{i}@cust.example\r\nSubject: n{i}\r\n");
        convs.push(arrives(&f, &format!("n{i}"), &h).await);
    }
    let (a, b) = tokio::join!(
        f.app.send_due_autoreplies(),
        second_node.send_due_autoreplies()
    );
    let mut answered = queued(&a.unwrap());
    answered.extend(queued(&b.unwrap()));
    answered.sort();
    assert_eq!(answered, convs, "each conversation answered exactly once");
    assert_eq!(count_actions(&f, "auto_replied").await, 6);
    let mut c = f.app.db().read().await.unwrap();
    let outbox: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox")
        .fetch_one(&mut *c)
        .await
        .unwrap();
    assert_eq!(outbox, 6);
}

async fn loop_breaker_stops_and_alerts_admins(t: TestDb) {
    let breaker = LoopBreaker {
        max_replies: 2,
        window_ms: 3_600_000,
    };
    let f = fixture_with(t, breaker).await;
    for i in 0..4 {
        let h = format!("From: q{i}@cust.example\r\nSubject: q{i}\r\n");
        arrives(&f, &format!("q{i}"), &h).await;
    }
    let done = f.app.send_due_autoreplies().await.unwrap();
    let outcomes: Vec<_> = done.iter().map(|(_, o)| o.clone()).collect();
    assert_eq!(
        outcomes,
        [
            AutoReplyOutcome::Queued,
            AutoReplyOutcome::Queued,
            AutoReplyOutcome::Stopped,
            AutoReplyOutcome::Stopped
        ]
    );
    assert_eq!(count_actions(&f, "auto_reply_stopped").await, 1);
    let view = f.app.autoresponder(&f.actor, f.mailbox).await.unwrap();
    assert!(view.stopped_at.is_some());
    assert!(view.settings.enabled, "stopped, not switched off");

    // Two auto-replies and one alert to the owner (the only administrator).
    assert_eq!(f.app.send_due_outbox().await.unwrap().len(), 3);
    let got = f.sink.wait_for(3, Duration::from_secs(10)).unwrap();
    let alert = got
        .iter()
        .find(|m| m.rcpt_tos == ["olivia@acme.example"])
        .expect("the administrator is alerted");
    assert!(
        alert
            .headers()
            .contains("Auto-replies stopped for mailbox Support")
    );
    assert!(alert.headers().contains("Auto-Submitted: auto-generated"));

    // Stays stopped for new mail until an administrator turns it on again.
    arrives(&f, "q9", "From: q9@cust.example\r\nSubject: q9\r\n").await;
    assert_eq!(f.app.send_due_autoreplies().await.unwrap(), vec![]);
    let view = f
        .app
        .set_autoresponder(&f.actor, f.mailbox, true, Some(f.template), "24")
        .await
        .unwrap();
    assert_eq!(view.stopped_at, None);
    let conv = arrives(&f, "q10", "From: q10@cust.example\r\nSubject: q10\r\n").await;
    assert_eq!(queued(&f.app.send_due_autoreplies().await.unwrap()), [conv]);
    assert_eq!(count_actions(&f, "auto_reply_stopped").await, 1);
}
