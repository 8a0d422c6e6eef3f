//! The outbox sender worker: two nodes (two `App`s with their own pools and
//! node ids, each running every worker) drain one queue against a real SMTP
//! server, and each message is delivered exactly once, on both databases.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::time::Duration;

use ecp_app::inbound::{ProcessOutcome, Source};
use ecp_app::outbound::{OutboxState, ReplyInput};
use ecp_app::signup::SignupInput;
use ecp_app::{App, AppConfig};
use ecp_testkit::both_backends;
use ecp_testkit::db::TestDb;
use ecp_testkit::smtp_sink::SmtpSink;
use ecp_workers::{OutboxSender, Outcome, Worker};

const MESSAGES: usize = 30;

async fn node(url: &str, sink: &SmtpSink, name: &str) -> App {
    let db = ecp_store::Db::connect(url).await.unwrap();
    db.migrate().await.unwrap();
    let mut config = AppConfig {
        node_id: name.to_string(),
        ..AppConfig::default()
    };
    config.outbound.smtp_relay = Some(sink.url());
    config.outbound.batch = 7;
    App::new(db, config)
}

both_backends!(two_nodes_send_each_message_once);

async fn two_nodes_send_each_message_once(t: TestDb) {
    let sink = SmtpSink::start().unwrap();
    eprintln!("sink up");
    let a = node(&t.url, &sink, "node-a").await;
    eprintln!("a up");
    let b = node(&t.url, &sink, "node-b").await;
    let out = a
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
    let actor = a.actor(out.owner_id).await.unwrap();
    eprintln!("account");
    let mailbox = out.mailbox_id.unwrap();
    let raw = b"From: Ann <ann@cust.example>\r\nTo: support@in.acme.example\r\n\
Subject: Help\r\nMessage-ID: <q1@cust.example>\r\n\r\nHelp me\r\n";
    let (_, filed) = a
        .ingest(mailbox, &Source::Import { key: "q1".into() }, raw)
        .await
        .unwrap();
    let Some(ProcessOutcome::Filed { conversation, .. }) = filed else {
        panic!("{filed:?}")
    };
    eprintln!("filed");
    // An idle pass first: nothing queued.
    assert!(matches!(
        OutboxSender::new(a.clone(), Duration::from_secs(1))
            .run_once()
            .await,
        Outcome::Idle
    ));
    let mut ids = Vec::new();
    for i in 0..MESSAGES {
        let q = a
            .send_reply(
                &actor,
                conversation,
                ReplyInput {
                    body_html: format!("<p>Answer {i}</p>"),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        ids.push(q.message_id_header);
    }
    eprintln!("queued {}", ids.len());
    // Both nodes pass over the queue at the same time until it is empty.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let pass = |app: App| async move {
        let sender = OutboxSender::new(app, Duration::from_millis(10));
        let mut idle = 0;
        while idle < 5 && tokio::time::Instant::now() < deadline {
            match sender.run_once().await {
                Outcome::Idle => {
                    idle += 1;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Outcome::Worked(_) => idle = 0,
                Outcome::Failed(e) => panic!("{e}"),
            }
        }
    };
    let (ra, rb) = tokio::join!(tokio::spawn(pass(a.clone())), tokio::spawn(pass(b.clone())));
    ra.unwrap();
    rb.unwrap();
    eprintln!("passes done");
    let got = sink.messages().unwrap();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for m in &got {
        let mid = m
            .headers()
            .lines()
            .find_map(|l| l.strip_prefix("Message-ID: <"))
            .map(|l| l.trim_end_matches('>').to_string())
            .unwrap();
        *seen.entry(mid).or_default() += 1;
    }
    assert_eq!(got.len(), MESSAGES, "{seen:?}");
    for id in &ids {
        assert_eq!(seen.get(id), Some(&1), "{id}");
    }
    let states = a
        .outbox_for_conversation(&actor, conversation)
        .await
        .unwrap();
    assert!(states.iter().all(|s| s.state == OutboxState::Sent));
    drop(t);
}
