//! Writing mail through the API against a real SMTP server (aiosmtpd), on
//! both databases: a reply queued and delivered, a new conversation, the
//! outbox with a 550 answer and Retry, bad input refused with nothing
//! queued, and 404 for a user without the mailbox.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use base64::Engine;
use common::*;
use ecp_app::AppConfig;
use ecp_app::inbound::{ProcessOutcome, Source};
use ecp_domain::conversation::ConversationId;
use ecp_domain::{MailboxId, MailboxInput, UserId};
use ecp_testkit::db::Kind;
use ecp_testkit::smtp_sink::SmtpSink;
use serde_json::json;
use std::time::Duration;

fn config(sink: &SmtpSink) -> AppConfig {
    let mut config = AppConfig::default();
    config.outbound.smtp_relay = Some(sink.url());
    config.outbound.timeout = Duration::from_secs(10);
    config
}

struct Setup {
    t: TestApp,
    sink: SmtpSink,
    api: Api,
    acc: Account,
    mailbox: MailboxId,
    conversation: ConversationId,
}

async fn setup(kind: Kind) -> Setup {
    let sink = SmtpSink::start().unwrap();
    let t = spawn_with(kind, config(&sink)).await;
    let (acc, api) = t.api_account("standard").await;
    let owner = t.owner_actor(&acc).await;
    let mailbox = t
        .app
        .create_mailbox(
            &owner,
            &MailboxInput {
                name: "Support",
                direct_address: "support@in.acme.example",
                send_as_name: "Acme Support",
                send_as_address: "help@acme.example",
                ..Default::default()
            },
            &[],
        )
        .await
        .unwrap()
        .mailbox
        .id;
    let raw = b"From: Ann Lee <ann@cust.example>\r\nTo: support@in.acme.example\r\n\
Subject: Order late\r\nMessage-ID: <a1@cust.example>\r\n\
Date: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\nWhere is my order?\r\n";
    let (_, outcome) = t
        .app
        .ingest(mailbox, &Source::Import { key: "a1".into() }, raw)
        .await
        .unwrap();
    let Some(ProcessOutcome::Filed { conversation, .. }) = outcome else {
        panic!("{outcome:?}")
    };
    Setup {
        t,
        sink,
        api,
        acc,
        mailbox,
        conversation,
    }
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

async fn reply_delivered_and_outbox(kind: Kind) {
    let s = setup(kind).await;
    let cid = s.conversation.0;
    let (status, body) = s
        .api
        .call(
            "POST",
            &format!("/conversations/{cid}/replies"),
            Some(json!({
                "kind": "reply",
                "cc": ["Carl <carl@cust.example>"],
                "body_html": "<p>API-REPLY-BODY</p><script>alert(1)</script>",
                "status_after": "pending",
                "attachments": [{"filename": "notes.txt", "content_type": "text/plain", "data_base64": b64(b"ATTACHED-TEXT")}]
            })),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["conversation_id"], cid);
    let outbox_id = body["outbox_id"].as_i64().unwrap();

    let (status, list) = s.api.get(&format!("/conversations/{cid}/outbox")).await;
    assert_eq!(status, 200);
    assert_eq!(list[0]["id"], outbox_id);
    assert_eq!(list[0]["state"], "queued");

    s.t.app.send_due_outbox().await.unwrap();
    let got = s.sink.wait_for(1, Duration::from_secs(10)).unwrap();
    let m = &got[0];
    assert!(m.headers().contains("help@acme.example"), "{}", m.headers());
    assert!(m.rcpt_tos.iter().any(|r| r == "ann@cust.example"));
    assert!(m.rcpt_tos.iter().any(|r| r == "carl@cust.example"));
    assert!(m.data.contains("API-REPLY-BODY"));
    assert!(!m.data.contains("<script>"), "hostile HTML removed");
    assert!(m.data.contains("notes.txt"));

    let (_, list) = s.api.get(&format!("/conversations/{cid}/outbox")).await;
    assert_eq!(list[0]["state"], "sent");
    assert!(list[0]["sent_at"].is_string());

    // Retrying a sent message is a conflict.
    let (status, body) = s
        .api
        .call("POST", &format!("/outbox/{outbox_id}/retry"), None)
        .await;
    assert_eq!(status, 409, "{body}");
}

async fn bad_input_queues_nothing(kind: Kind) {
    let s = setup(kind).await;
    let cid = s.conversation.0;
    let path = format!("/conversations/{cid}/replies");
    let cases = [
        (json!({"kind": "forward", "body_html": "<p>Hi</p>"}), "to"),
        (
            json!({"kind": "reply", "to": ["not an address"], "body_html": "<p>Hi</p>"}),
            "to",
        ),
        (
            json!({"kind": "reply", "body_html": "<p> </p>"}),
            "body_html",
        ),
        (json!({"kind": "bcc", "body_html": "<p>Hi</p>"}), "kind"),
        (
            json!({"body_html": "<p>Hi</p>", "status_after": "spam"}),
            "status_after",
        ),
        (
            json!({"body_html": "<p>Hi</p>", "attachments": [{"filename": "x", "data_base64": "%%%"}]}),
            "attachments",
        ),
        (
            json!({"body_html": "<p>Hi</p>", "attachments": [{"filename": "big.bin", "content_type": "application/octet-stream", "data_base64": b64(&vec![7u8; 10 * 1024 * 1024 + 1])}]}),
            "attachments",
        ),
    ];
    for (input, field) in cases {
        let (status, body) = s.api.call("POST", &path, Some(input)).await;
        assert_eq!(status, 422, "{body}");
        assert!(err_fields(&body).contains(&field.to_string()), "{body}");
        if field == "attachments" && err_message(&body).contains("limit") {
            assert!(err_message(&body).contains("10.0 MB"), "{body}");
        }
    }
    let (status, body) = s
        .api
        .call(
            "POST",
            &format!("/mailboxes/{}/conversations", s.mailbox.0),
            Some(json!({"to": [], "subject": "Hi", "body_html": "<p>Hi</p>"})),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(err_fields(&body).contains(&"to".to_string()));
    let (_, list) = s.api.get(&format!("/conversations/{cid}/outbox")).await;
    assert_eq!(list.as_array().unwrap().len(), 0, "nothing queued");
}

async fn new_conversation_failed_and_retried(kind: Kind) {
    let s = setup(kind).await;
    let (status, body) = s
        .api
        .call(
            "POST",
            &format!("/mailboxes/{}/conversations", s.mailbox.0),
            Some(json!({
                "to": ["Dora <dora@cust.example>"],
                "subject": "Your quote",
                "body_html": "<p>NEW-CONV-BODY</p>"
            })),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let cid = body["conversation_id"].as_i64().unwrap();
    assert_ne!(cid, s.conversation.0);
    let oid = body["outbox_id"].as_i64().unwrap();

    s.sink.set_mode("550").unwrap();
    s.t.app.send_due_outbox().await.unwrap();
    let (status, list) = s.api.get(&format!("/conversations/{cid}/outbox")).await;
    assert_eq!(status, 200);
    assert_eq!(list[0]["state"], "failed");
    assert!(
        list[0]["last_error"].as_str().unwrap().contains("550"),
        "{list}"
    );

    let (status, _) = s
        .api
        .call("POST", &format!("/outbox/{oid}/retry"), None)
        .await;
    assert_eq!(status, 204);
    let (_, list) = s.api.get(&format!("/conversations/{cid}/outbox")).await;
    assert_eq!(list[0]["state"], "queued");
    s.sink.set_mode("ok").unwrap();
    s.t.app.send_due_outbox().await.unwrap();
    let got = s.sink.wait_for(1, Duration::from_secs(10)).unwrap();
    assert!(got[0].data.contains("NEW-CONV-BODY"));
    assert!(got[0].headers().contains("Your quote"));
    let (_, list) = s.api.get(&format!("/conversations/{cid}/outbox")).await;
    assert_eq!(list[0]["state"], "sent");
}

async fn hidden_mailbox_is_not_found(kind: Kind) {
    let s = setup(kind).await;
    let cid = s.conversation.0;
    let (_, body) = s
        .api
        .call(
            "POST",
            &format!("/conversations/{cid}/replies"),
            Some(json!({"body_html": "<p>Hi</p>"})),
        )
        .await;
    let oid = body["outbox_id"].as_i64().unwrap();
    let uid =
        s.t.add_user(&s.acc, "Uma User", "uma@example.com", "user")
            .await;
    assert!(uid > 0);
    let _ = UserId(uid);
    let uma = s.t.api_as("uma@example.com").await;
    let (status, _) = uma
        .call(
            "POST",
            &format!("/conversations/{cid}/replies"),
            Some(json!({"body_html": "<p>Hi</p>"})),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = uma
        .call(
            "POST",
            &format!("/mailboxes/{}/conversations", s.mailbox.0),
            Some(json!({"to": ["x@y.example"], "subject": "S", "body_html": "<p>Hi</p>"})),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = uma.get(&format!("/conversations/{cid}/outbox")).await;
    assert_eq!(status, 404);
    let (status, _) = uma
        .call("POST", &format!("/outbox/{oid}/retry"), None)
        .await;
    assert_eq!(status, 404);
    let (_, list) = s.api.get(&format!("/conversations/{cid}/outbox")).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "only the owner's reply");
}

macro_rules! on_both {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() { super::$name(ecp_testkit::db::Kind::Sqlite).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() { super::$name(ecp_testkit::db::Kind::Postgres).await }
        }
    )+};
}

on_both!(
    reply_delivered_and_outbox,
    bad_input_queues_nothing,
    new_conversation_failed_and_retried,
    hidden_mailbox_is_not_found
);
