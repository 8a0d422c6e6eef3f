//! The agent workspace through the API: internal notes, presence on a
//! conversation and Users Online, with 404 for anyone without access.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use ecp_app::inbound::Source;
use ecp_domain::MailboxId;
use ecp_testkit::db::Kind;

const MAIL: &[u8] =
    b"From: Cust <c@cust.example>\r\nTo: support@in.acme.example\r\nSubject: Help\r\n\
Message-ID: <w1@cust.example>\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\nPlease help.\r\n";

/// An account with the API on, a mailbox holding one conversation, an
/// administrator Ada besides the owner, and Uma who may not see it.
async fn setup(t: &TestApp) -> (Api, Api, Api, i64) {
    let (acc, api) = t.api_account("standard").await;
    let (status, mb) = api
        .call(
            "POST",
            "/mailboxes",
            Some(
                serde_json::json!({"name": "Support", "direct_address": "support@in.acme.example"}),
            ),
        )
        .await;
    assert_eq!(status, 201, "{mb}");
    let mailbox = MailboxId(mb["id"].as_i64().unwrap());
    t.app
        .ingest(mailbox, &Source::Import { key: "w1".into() }, MAIL)
        .await
        .unwrap();
    let (_, page) = api
        .get(&format!("/mailboxes/{}/conversations", mailbox.0))
        .await;
    let conv = page["conversations"][0]["id"].as_i64().unwrap();
    t.add_user(&acc, "Ada Admin", "ada@example.com", "admin")
        .await;
    t.add_user(&acc, "Uma", "uma@example.com", "user").await;
    let ada = t.api_as("ada@example.com").await;
    let uma = t.api_as("uma@example.com").await;
    (api, ada, uma, conv)
}

async fn notes_list_and_add(kind: Kind) {
    let t = spawn(kind).await;
    let (api, ada, uma, conv) = setup(&t).await;

    let (status, list) = api.get(&format!("/conversations/{conv}/notes")).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list, serde_json::json!([]));

    let (status, note) = api
        .call(
            "POST",
            &format!("/conversations/{conv}/notes"),
            Some(serde_json::json!({
                "body_html": "<b>Refund</b> approved <script>alert(1)</script><img src=x onerror=alert(2)>"
            })),
        )
        .await;
    assert_eq!(status, 201, "{note}");
    let body = note["body_html"].as_str().unwrap();
    assert!(body.contains("<b>Refund</b> approved"), "{body}");
    assert!(
        !body.contains("script") && !body.contains("onerror"),
        "{body}"
    );
    assert_eq!(note["author_name"], "Olivia Owner");
    assert_eq!(note["conversation_id"], conv);

    let (status, second) = ada
        .call(
            "POST",
            &format!("/conversations/{conv}/notes"),
            Some(serde_json::json!({"body_html": "Called the customer."})),
        )
        .await;
    assert_eq!(status, 201, "{second}");
    let (_, list) = api.get(&format!("/conversations/{conv}/notes")).await;
    let ids: Vec<i64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec![note["id"].as_i64().unwrap(), second["id"].as_i64().unwrap()]
    );

    // Empty (after cleaning), unknown fields, bad JSON: refused, nothing added.
    for (body, want) in [
        (serde_json::json!({"body_html": "<script>x</script> "}), 422),
        (serde_json::json!({"body_html": "x", "extra": 1}), 400),
        (serde_json::json!({"body_html": "x".repeat(70_000)}), 422),
    ] {
        let (status, err) = api
            .call("POST", &format!("/conversations/{conv}/notes"), Some(body))
            .await;
        assert_eq!(status, want, "{err}");
    }
    let (_, list) = api.get(&format!("/conversations/{conv}/notes")).await;
    assert_eq!(list.as_array().unwrap().len(), 2);

    // Recorded in Recent Actions.
    let owner = t
        .app
        .actor(ecp_domain::UserId(note["author_id"].as_i64().unwrap()))
        .await
        .unwrap();
    let recorded = t
        .app
        .conversation_actions(&owner, ecp_domain::conversation::ConversationId(conv))
        .await
        .unwrap();
    assert_eq!(
        recorded.iter().filter(|a| a.action == "note_added").count(),
        2
    );

    // Someone who may not see the mailbox, and a conversation that isn't there.
    let (status, _) = uma.get(&format!("/conversations/{conv}/notes")).await;
    assert_eq!(status, 404);
    let (status, _) = uma
        .call(
            "POST",
            &format!("/conversations/{conv}/notes"),
            Some(serde_json::json!({"body_html": "sneaky"})),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = api.get("/conversations/999999/notes").await;
    assert_eq!(status, 404);
}

async fn presence_and_users_online(kind: Kind) {
    let t = spawn(kind).await;
    let (api, ada, uma, conv) = setup(&t).await;

    let (status, p) = api
        .call(
            "POST",
            &format!("/conversations/{conv}/presence"),
            Some(serde_json::json!({"state": "viewing"})),
        )
        .await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(p["others"], serde_json::json!([]), "nobody else yet");
    assert!(p["last_message_id"].as_i64().is_some());

    let (status, p) = ada.get(&format!("/conversations/{conv}/presence")).await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(p["others"][0]["name"], "Olivia Owner");
    assert_eq!(p["others"][0]["state"], "viewing");

    let (status, p) = ada
        .call(
            "POST",
            &format!("/conversations/{conv}/presence"),
            Some(serde_json::json!({"state": "replying"})),
        )
        .await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(p["others"][0]["name"], "Olivia Owner");
    let (_, p) = api.get(&format!("/conversations/{conv}/presence")).await;
    assert_eq!(p["others"].as_array().unwrap().len(), 1, "{p}");
    assert_eq!(p["others"][0]["name"], "Ada Admin");
    assert_eq!(p["others"][0]["state"], "replying");

    let (status, err) = api
        .call(
            "POST",
            &format!("/conversations/{conv}/presence"),
            Some(serde_json::json!({"state": "typing"})),
        )
        .await;
    assert_eq!(status, 422, "{err}");
    let (status, _) = uma
        .call(
            "POST",
            &format!("/conversations/{conv}/presence"),
            Some(serde_json::json!({"state": "viewing"})),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = uma.get(&format!("/conversations/{conv}/presence")).await;
    assert_eq!(status, 404);

    // Everyone who made a request in the last five minutes, Uma too.
    let (status, online) = uma.get("/users/online").await;
    assert_eq!(status, 200, "{online}");
    let names: Vec<&str> = online
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Ada Admin", "Olivia Owner", "Uma"], "{online}");
}

macro_rules! on_both {
    ($($name:ident),+) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() { super::$name(ecp_testkit::db::Kind::Sqlite).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() { super::$name(ecp_testkit::db::Kind::Postgres).await }
        }
    )+};
}

on_both!(notes_list_and_add, presence_and_users_online);
