//! A mailbox's own SMTP server, against real aiosmtpd servers with
//! STARTTLS, implicit TLS and AUTH, on both databases: mail leaves through
//! it (not the main relay) as the send-as address with Auto-BCC on the
//! envelope only; a wrong password is a permanent failure shown on the
//! conversation; the SSL option refuses plain SMTP when saving and when
//! sending; "Send test email"; and a slow server does not let a second node
//! send the same message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ecp_app::account::OptionsPatch;
use ecp_app::inbound::{ProcessOutcome, Source};
use ecp_app::outbound::{OutboxState, ReplyInput, ReplyKind, SendOutcome};
use ecp_app::secret_box::SecretKey;
use ecp_app::signup::SignupInput;
use ecp_app::{Actor, App, AppConfig, AppError};
use ecp_domain::conversation::ConversationId;
use ecp_domain::smtp_server::{SmtpServerInput, SmtpTls};
use ecp_domain::{MailboxId, MailboxInput};
use ecp_testkit::both_backends;
use ecp_testkit::db::TestDb;
use ecp_testkit::smtp_sink::{SinkOptions, SinkTls, SmtpSink};
use std::time::Duration;

const USER: &str = "relay-user";
const PASSWORD: &str = "s3cret pass";

struct Fixture {
    app: App,
    actor: Actor,
    mailbox: MailboxId,
    /// The main relay: nothing may arrive there when the mailbox has its
    /// own server.
    main: SmtpSink,
    db: TestDb,
    key: SecretKey,
}

fn config(main: &SmtpSink, key: &SecretKey, ca: Option<&str>) -> AppConfig {
    let mut config = AppConfig {
        secret_key: Some(key.clone()),
        ..AppConfig::default()
    };
    config.outbound.smtp_relay = Some(main.url());
    config.outbound.timeout = Duration::from_secs(10);
    config.outbound.ca_pem = ca.map(|p| p.as_bytes().to_vec());
    config
}

/// `server` is the mailbox's own server, whose CA the app trusts.
async fn fixture(t: TestDb, server: &SmtpSink) -> Fixture {
    let main = SmtpSink::start().unwrap();
    let key = SecretKey::generate();
    let db = ecp_store::Db::connect(&t.url).await.unwrap();
    db.migrate().await.unwrap();
    let app = App::new(db, config(&main, &key, server.ca_pem()));
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
            signature_html: "",
            auto_bcc: "archive@acme.example",
        },
        None,
    )
    .await
    .unwrap();
    Fixture {
        app,
        actor,
        mailbox,
        main,
        db: t,
        key,
    }
}

fn server_input<'a>(
    _sink: &SmtpSink,
    port: &'a str,
    tls: &'a str,
    password: &'a str,
) -> SmtpServerInput<'a> {
    SmtpServerInput {
        enabled: true,
        host: "127.0.0.1",
        port,
        tls,
        username: if password.is_empty() { "" } else { USER },
        password,
    }
}

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

fn sink(tls: SinkTls, auth: bool) -> SmtpSink {
    SmtpSink::start_with(SinkOptions {
        tls,
        auth: auth.then(|| (USER.to_string(), PASSWORD.to_string())),
    })
    .unwrap()
}

both_backends!(
    starttls_with_auth_carries_the_reply,
    implicit_tls_with_auth_and_no_main_relay,
    plain_server_without_auth,
    wrong_password_fails_for_good_and_shows,
    ssl_option_refuses_plain_smtp,
    slow_server_keeps_the_lease
);

async fn starttls_with_auth_carries_the_reply(t: TestDb) {
    let own = sink(SinkTls::StartTls, true);
    let f = fixture(t, &own).await;
    let port = own.port.to_string();
    let saved = f
        .app
        .save_mailbox_smtp_server(
            &f.actor,
            f.mailbox,
            &server_input(&own, &port, "starttls", PASSWORD),
        )
        .await
        .unwrap();
    assert_eq!(
        (saved.tls, saved.has_password, saved.username.as_str()),
        (SmtpTls::Starttls, true, USER)
    );
    let conv = customer_writes(&f).await;
    let queued = f
        .app
        .send_reply(&f.actor, conv, reply("<p>It ships today.</p>"))
        .await
        .unwrap();
    let done = f.app.send_due_outbox().await.unwrap();
    assert_eq!(done, vec![(queued.outbox, SendOutcome::Sent)]);
    let got = own.wait_for(1, Duration::from_secs(10)).unwrap();
    let m = &got[0];
    assert!(m.tls, "STARTTLS was used");
    assert_eq!(m.auth_login.as_deref(), Some(USER));
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
    assert!(
        !m.data.contains("archive@acme.example"),
        "Auto-BCC leaked into the message"
    );
    assert!(
        f.main.messages().unwrap().is_empty(),
        "the main relay was used"
    );

    // Saving again without a password keeps the stored one.
    let again = f
        .app
        .save_mailbox_smtp_server(
            &f.actor,
            f.mailbox,
            &SmtpServerInput {
                password: "",
                username: USER,
                ..server_input(&own, &port, "starttls", PASSWORD)
            },
        )
        .await
        .unwrap();
    assert!(again.has_password);
    let test = f
        .app
        .send_smtp_test_email(&f.actor, f.mailbox)
        .await
        .unwrap();
    assert!(test.ok, "{test:?}");
    assert_eq!(test.to, "olivia@acme.example");
    let got = own.wait_for(2, Duration::from_secs(10)).unwrap();
    assert_eq!(got[1].rcpt_tos, vec!["olivia@acme.example"]);
    assert!(
        got[1].headers().contains("Subject: Test email"),
        "{}",
        got[1].headers()
    );
    assert!(got[1].tls);
    drop(f.db);
}

async fn implicit_tls_with_auth_and_no_main_relay(t: TestDb) {
    let own = sink(SinkTls::Implicit, true);
    let mut f = fixture(t, &own).await;
    // The same database without a main relay: only the own server sends.
    let mut cfg = config(&f.main, &f.key, own.ca_pem());
    cfg.outbound.smtp_relay = None;
    f.app = App::new(f.app.db().clone(), cfg);
    let conv = customer_writes(&f).await;
    let queued = f
        .app
        .send_reply(&f.actor, conv, reply("<p>Hi</p>"))
        .await
        .unwrap();
    assert_eq!(
        f.app.send_outbox_item(queued.outbox).await.unwrap(),
        SendOutcome::NoRelay
    );
    assert!(f.app.send_due_outbox().await.unwrap().is_empty());
    let port = own.port.to_string();
    f.app
        .save_mailbox_smtp_server(
            &f.actor,
            f.mailbox,
            &server_input(&own, &port, "tls", PASSWORD),
        )
        .await
        .unwrap();
    let done = f.app.send_due_outbox().await.unwrap();
    assert_eq!(done, vec![(queued.outbox, SendOutcome::Sent)]);
    let got = own.wait_for(1, Duration::from_secs(10)).unwrap();
    assert!(got[0].tls);
    assert_eq!(got[0].auth_login.as_deref(), Some(USER));
    // Turned off: back to "no relay", nothing claimed.
    let off = SmtpServerInput {
        enabled: false,
        ..server_input(&own, &port, "tls", PASSWORD)
    };
    assert!(
        !f.app
            .save_mailbox_smtp_server(&f.actor, f.mailbox, &off)
            .await
            .unwrap()
            .enabled
    );
    let next = f
        .app
        .send_reply(&f.actor, conv, reply("<p>Again</p>"))
        .await
        .unwrap();
    assert_eq!(
        f.app.send_outbox_item(next.outbox).await.unwrap(),
        SendOutcome::NoRelay
    );
    drop(f.db);
}

async fn plain_server_without_auth(t: TestDb) {
    let own = sink(SinkTls::None, false);
    let f = fixture(t, &own).await;
    let port = own.port.to_string();
    let saved = f
        .app
        .save_mailbox_smtp_server(&f.actor, f.mailbox, &server_input(&own, &port, "none", ""))
        .await
        .unwrap();
    assert!(!saved.has_password);
    let conv = customer_writes(&f).await;
    let queued = f
        .app
        .send_reply(&f.actor, conv, reply("<p>Plain</p>"))
        .await
        .unwrap();
    assert_eq!(
        f.app.send_due_outbox().await.unwrap(),
        vec![(queued.outbox, SendOutcome::Sent)]
    );
    let got = own.wait_for(1, Duration::from_secs(10)).unwrap();
    assert!(!got[0].tls);
    assert_eq!(got[0].auth_login, None);
    assert!(f.main.messages().unwrap().is_empty());
    // Removed: the main relay takes over.
    f.app
        .delete_mailbox_smtp_server(&f.actor, f.mailbox)
        .await
        .unwrap();
    assert!(
        f.app
            .mailbox_smtp_server(&f.actor, f.mailbox)
            .await
            .unwrap()
            .is_none()
    );
    let next = f
        .app
        .send_reply(&f.actor, conv, reply("<p>Main</p>"))
        .await
        .unwrap();
    assert_eq!(
        f.app.send_due_outbox().await.unwrap(),
        vec![(next.outbox, SendOutcome::Sent)]
    );
    assert_eq!(
        f.main.wait_for(1, Duration::from_secs(10)).unwrap().len(),
        1
    );
    assert_eq!(own.messages().unwrap().len(), 1);
    drop(f.db);
}

async fn wrong_password_fails_for_good_and_shows(t: TestDb) {
    let own = sink(SinkTls::StartTls, true);
    let f = fixture(t, &own).await;
    let port = own.port.to_string();
    f.app
        .save_mailbox_smtp_server(
            &f.actor,
            f.mailbox,
            &server_input(&own, &port, "starttls", "not the password"),
        )
        .await
        .unwrap();
    let conv = customer_writes(&f).await;
    let queued = f
        .app
        .send_reply(&f.actor, conv, reply("<p>Hi</p>"))
        .await
        .unwrap();
    let done = f.app.send_due_outbox().await.unwrap();
    let error = match &done[..] {
        [(id, SendOutcome::Failed { error })] if *id == queued.outbox => error.clone(),
        other => panic!("{other:?}"),
    };
    assert!(error.contains("535"), "the server's answer: {error}");
    let states = f.app.outbox_for_conversation(&f.actor, conv).await.unwrap();
    assert_eq!(states[0].state, OutboxState::Failed);
    assert_eq!(states[0].last_error.as_deref(), Some(error.as_str()));
    let test = f
        .app
        .send_smtp_test_email(&f.actor, f.mailbox)
        .await
        .unwrap();
    assert!(!test.ok);
    assert!(test.message.contains("535"), "{}", test.message);
    assert!(own.messages().unwrap().is_empty());
    drop(f.db);
}

async fn ssl_option_refuses_plain_smtp(t: TestDb) {
    let own = sink(SinkTls::None, false);
    let f = fixture(t, &own).await;
    let port = own.port.to_string();
    f.app
        .save_mailbox_smtp_server(&f.actor, f.mailbox, &server_input(&own, &port, "none", ""))
        .await
        .unwrap();
    let conv = customer_writes(&f).await;
    let queued = f
        .app
        .send_reply(&f.actor, conv, reply("<p>Hi</p>"))
        .await
        .unwrap();
    f.app
        .update_options(
            &f.actor,
            &OptionsPatch {
                ssl_required: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let done = f.app.send_due_outbox().await.unwrap();
    match &done[..] {
        [(id, SendOutcome::Failed { error })] if *id == queued.outbox => {
            assert!(error.contains("requires SSL"), "{error}")
        }
        other => panic!("{other:?}"),
    }
    assert!(own.messages().unwrap().is_empty(), "mail left without TLS");
    let test = f
        .app
        .send_smtp_test_email(&f.actor, f.mailbox)
        .await
        .unwrap();
    assert!(
        !test.ok && test.message.contains("requires SSL"),
        "{test:?}"
    );
    let err = f
        .app
        .save_mailbox_smtp_server(&f.actor, f.mailbox, &server_input(&own, &port, "none", ""))
        .await
        .unwrap_err();
    match err {
        AppError::Validation(list) => {
            assert_eq!(list[0].field, "tls");
            assert!(
                list[0].message.contains("requires SSL"),
                "{}",
                list[0].message
            );
        }
        other => panic!("{other:?}"),
    }
    // With TLS it is accepted.
    f.app
        .save_mailbox_smtp_server(
            &f.actor,
            f.mailbox,
            &server_input(&own, &port, "starttls", ""),
        )
        .await
        .unwrap();
    drop(f.db);
}

async fn slow_server_keeps_the_lease(t: TestDb) {
    let own = sink(SinkTls::None, false);
    let f = fixture(t, &own).await;
    let port = own.port.to_string();
    f.app
        .save_mailbox_smtp_server(&f.actor, f.mailbox, &server_input(&own, &port, "none", ""))
        .await
        .unwrap();
    let conv = customer_writes(&f).await;
    let queued = f
        .app
        .send_reply(&f.actor, conv, reply("<p>Slow</p>"))
        .await
        .unwrap();
    own.set_mode("delay 2.5").unwrap();
    // Two nodes on one database, each with a lease far shorter than the
    // server's pause.
    let node = |name: &str| {
        let mut cfg = config(&f.main, &f.key, None);
        cfg.node_id = name.into();
        cfg.outbound.lease = Duration::from_millis(600);
        App::new(f.app.db().clone(), cfg)
    };
    let (a, b) = (node("node-a"), node("node-b"));
    let first = tokio::spawn(async move { a.send_due_outbox().await.unwrap() });
    let mut second = Vec::new();
    for _ in 0..8 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        second.extend(b.send_due_outbox().await.unwrap());
    }
    assert!(
        second.iter().all(|(_, o)| *o == SendOutcome::NotClaimed),
        "the second node sent it too: {second:?}"
    );
    assert_eq!(
        first.await.unwrap(),
        vec![(queued.outbox, SendOutcome::Sent)]
    );
    own.set_mode("ok").unwrap();
    assert!(b.send_due_outbox().await.unwrap().is_empty());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(own.messages().unwrap().len(), 1, "sent exactly once");
    drop(f.db);
}
