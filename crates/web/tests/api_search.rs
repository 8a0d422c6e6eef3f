//! Search, saved searches, contacts and the notification/RSS choices
//! through the API, on both databases; an agent without Billing finds
//! nothing of it through any of them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use ecp_app::inbound::{ProcessOutcome, Source};
use ecp_domain::MailboxId;
use ecp_testkit::db::Kind;

const GTUBE: &str = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

struct Setup {
    owner: Api,
    agent: Api,
    billing: i64,
    support_conv: i64,
    billing_conv: i64,
}

async fn ingest(
    t: &TestApp,
    mailbox: i64,
    key: &str,
    from: &str,
    subject: &str,
    body: &str,
) -> i64 {
    let raw = format!(
        "From: {from}\r\nTo: x@in.acme.example\r\nSubject: {subject}\r\nMessage-ID: <{key}@cust.example>\r\n\
         Date: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\n{body}\r\n"
    );
    let (_, outcome) = t
        .app
        .ingest(
            MailboxId(mailbox),
            &Source::Import { key: key.into() },
            raw.as_bytes(),
        )
        .await
        .unwrap();
    match outcome.unwrap() {
        ProcessOutcome::Filed { conversation, .. } => conversation.0,
        other => panic!("{other:?}"),
    }
}

async fn setup(t: &TestApp) -> Setup {
    let (acc, owner) = t.api_account("standard").await;
    let mut ids = Vec::new();
    for (name, addr) in [
        ("Support", "support@in.acme.example"),
        ("Billing", "billing@in.acme.example"),
    ] {
        let (status, mb) = owner
            .call(
                "POST",
                "/mailboxes",
                Some(serde_json::json!({"name": name, "direct_address": addr})),
            )
            .await;
        assert_eq!(status, 201, "{mb}");
        ids.push(mb["id"].as_i64().unwrap());
    }
    let agent_id = t
        .add_user(&acc, "Andy Agent", "andy@acme.example", "user")
        .await;
    let (status, _) = owner
        .call(
            "PUT",
            &format!("/mailboxes/{}/permissions", ids[0]),
            Some(serde_json::json!({"user_ids": [agent_id]})),
        )
        .await;
    assert_eq!(status, 200);
    let support_conv = ingest(
        t,
        ids[0],
        "s1",
        "Sam <sam@cust.example>",
        "Refund offer",
        GTUBE,
    )
    .await;
    let billing_conv = ingest(
        t,
        ids[1],
        "b1",
        "Sam <sam@cust.example>",
        "Refund invoice",
        "secret ledger",
    )
    .await;
    let agent = t.api_as("andy@acme.example").await;
    Setup {
        owner,
        agent,
        billing: ids[1],
        support_conv,
        billing_conv,
    }
}

fn conv_ids(body: &serde_json::Value) -> Vec<i64> {
    body["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect()
}

async fn search_and_saved_searches(kind: Kind) {
    let t = spawn(kind).await;
    let s = setup(&t).await;
    let (status, all) = s.owner.get("/search?q=refund&limit=1").await;
    assert_eq!(status, 200, "{all}");
    assert_eq!(conv_ids(&all).len(), 1);
    let next = all["next"].as_str().unwrap().to_string();
    let (_, rest) = s
        .owner
        .get(&format!("/search?q=refund&cursor={next}"))
        .await;
    assert_eq!(conv_ids(&rest).len(), 1);
    assert_ne!(conv_ids(&rest), conv_ids(&all));
    // The agent: Support only, whatever the filter says.
    let (_, mine) = s.agent.get("/search?q=refund").await;
    assert_eq!(conv_ids(&mine), vec![s.support_conv]);
    let (_, none) = s
        .agent
        .get(&format!("/search?q=refund&mailbox={}", s.billing))
        .await;
    assert!(conv_ids(&none).is_empty());
    let (_, none) = s.agent.get("/search?q=ledger").await;
    assert!(conv_ids(&none).is_empty());
    let (_, spam) = s.owner.get("/search?status=spam").await;
    assert_eq!(conv_ids(&spam), vec![s.support_conv]);
    // Garbage gets field errors; a bad cursor is a 400.
    let (status, e) = s.owner.get("/search?q=x&from=tomorrow&status=lost").await;
    assert_eq!(status, 422);
    assert_eq!(err_fields(&e), ["status", "from"]);
    let (status, _) = s.owner.get("/search").await;
    assert_eq!(status, 422);
    let (status, _) = s.owner.get("/search?q=x&cursor=nope").await;
    assert_eq!(status, 400);

    let (status, saved) = s
        .agent
        .call(
            "POST",
            "/saved-searches",
            Some(serde_json::json!({"name": "Refunds", "search": {"q": "refund"}})),
        )
        .await;
    assert_eq!(status, 201, "{saved}");
    let id = saved["id"].as_i64().unwrap();
    assert_eq!(saved["search"]["q"], "refund");
    let (status, _) = s
        .agent
        .call(
            "POST",
            "/saved-searches",
            Some(serde_json::json!({"name": "All", "shared": true, "search": {"q": "x"}})),
        )
        .await;
    assert_eq!(status, 403);
    let (status, e) = s
        .agent
        .call(
            "POST",
            "/saved-searches",
            Some(serde_json::json!({"name": "", "search": {"to": "31.12."}})),
        )
        .await;
    assert_eq!(status, 422, "{e}");
    let (status, shared) = s
        .owner
        .call(
            "POST",
            "/saved-searches",
            Some(serde_json::json!({"name": "Spam", "shared": true, "search": {"status": "spam"}})),
        )
        .await;
    assert_eq!(status, 201);
    let shared_id = shared["id"].as_i64().unwrap();
    let (_, list) = s.agent.get("/saved-searches").await;
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Refunds", "Spam"]);
    // Another user's personal search does not exist for the owner.
    let (status, _) = s.owner.get(&format!("/saved-searches/{id}")).await;
    assert_eq!(status, 404);
    let (status, got) = s.agent.get(&format!("/saved-searches/{id}")).await;
    assert_eq!((status, got["editable"].as_bool()), (200, Some(true)));
    let (status, patched) = s
        .agent
        .call(
            "PATCH",
            &format!("/saved-searches/{id}"),
            Some(serde_json::json!({"name": "My refunds", "search": {"q": "offer"}})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        (patched["name"].as_str(), patched["search"]["q"].as_str()),
        (Some("My refunds"), Some("offer"))
    );
    let (status, _) = s
        .agent
        .call("DELETE", &format!("/saved-searches/{shared_id}"), None)
        .await;
    assert_eq!(status, 403);
    let (status, _) = s
        .agent
        .call("DELETE", &format!("/saved-searches/{id}"), None)
        .await;
    assert_eq!(status, 204);
    let (status, _) = s.agent.get(&format!("/saved-searches/{id}")).await;
    assert_eq!(status, 404);
}

async fn contacts_and_preferences(kind: Kind) {
    let t = spawn(kind).await;
    let s = setup(&t).await;
    let (status, everyone) = s.owner.get("/contacts").await;
    assert_eq!(status, 200);
    assert_eq!(
        everyone["contacts"].as_array().unwrap().len(),
        1,
        "{everyone}"
    );
    let (status, list) = s.agent.get("/contacts?q=SAM").await;
    assert_eq!(status, 200, "{list}");
    let contact = &list["contacts"][0];
    let cid = contact["id"].as_i64().unwrap();
    assert_eq!(contact["email"], "sam@cust.example");
    assert_eq!(contact["saved"], false);
    // History: the agent sees the Support conversation only.
    let (_, history) = s.agent.get(&format!("/contacts/{cid}/conversations")).await;
    assert_eq!(conv_ids(&history), vec![s.support_conv]);
    let (_, history) = s
        .owner
        .get(&format!("/contacts/{cid}/conversations?limit=1"))
        .await;
    assert_eq!(conv_ids(&history), vec![s.billing_conv]);
    assert!(history["next"].is_string());

    let (status, patched) = s
        .agent
        .call(
            "PATCH",
            &format!("/contacts/{cid}"),
            Some(serde_json::json!({"name": "Samuel", "notes": "VIP"})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        (patched["name"].as_str(), patched["notes"].as_str()),
        (Some("Samuel"), Some("VIP"))
    );
    let (status, e) = s
        .agent
        .call(
            "PATCH",
            &format!("/contacts/{cid}"),
            Some(serde_json::json!({"name": "a\u{7}b"})),
        )
        .await;
    assert_eq!(status, 422, "{e}");
    let (status, saved) = s
        .agent
        .call("PUT", &format!("/contacts/{cid}/saved"), None)
        .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["contact"]["saved"], true);
    assert_eq!(saved["moved_back"], serde_json::json!([s.support_conv]));
    let (_, conv) = s
        .agent
        .get(&format!("/conversations/{}", s.support_conv))
        .await;
    assert_eq!(conv["conversation"]["status"], "open");
    let (_, got) = s.agent.get(&format!("/contacts/{cid}")).await;
    assert_eq!(got["saved"], true);
    let (status, _) = s
        .agent
        .call("DELETE", &format!("/contacts/{cid}/saved"), None)
        .await;
    assert_eq!(status, 204);
    let (_, got) = s.agent.get(&format!("/contacts/{cid}")).await;
    assert_eq!(got["saved"], false);
    let (status, _) = s.agent.get("/contacts/999999").await;
    assert_eq!(status, 404);

    let (status, n) = s.agent.get("/me/notifications").await;
    assert_eq!(status, 200);
    assert_eq!(
        (n["assigned"].as_bool(), n["has_rss_token"].as_bool()),
        (Some(true), Some(false))
    );
    let (status, n) = s
        .agent
        .call(
            "PUT",
            "/me/notifications",
            Some(serde_json::json!({"assigned": false})),
        )
        .await;
    assert_eq!((status, n["assigned"].as_bool()), (200, Some(false)));
    let (status, _) = s
        .agent
        .call(
            "PUT",
            "/me/notifications",
            Some(serde_json::json!({"assigned": "no"})),
        )
        .await;
    assert_eq!(status, 400);
    let (status, rss) = s.agent.call("POST", "/me/rss-token", None).await;
    assert_eq!(status, 201);
    let secret = rss["secret"].as_str().unwrap();
    assert_eq!(
        t.app
            .user_by_rss_token(secret)
            .await
            .unwrap()
            .email
            .as_str(),
        "andy@acme.example"
    );
    let (status, _) = s.agent.call("DELETE", "/me/rss-token", None).await;
    assert_eq!(status, 204);
    assert!(t.app.user_by_rss_token(secret).await.is_err());
}

/// Someone who wrote only to Billing is no contact of the agent's.
async fn hidden_mailbox_contacts(kind: Kind) {
    let t = spawn(kind).await;
    let s = setup(&t).await;
    ingest(
        &t,
        s.billing,
        "b2",
        "Bea <bea@cust.example>",
        "Invoice",
        "hello",
    )
    .await;
    let (_, owner_list) = s.owner.get("/contacts?q=bea").await;
    let bea = owner_list["contacts"][0]["id"].as_i64().unwrap();
    let (_, list) = s.agent.get("/contacts?q=bea").await;
    assert!(list["contacts"].as_array().unwrap().is_empty());
    for path in [
        format!("/contacts/{bea}"),
        format!("/contacts/{bea}/conversations"),
    ] {
        let (status, _) = s.agent.get(&path).await;
        assert_eq!(status, 404, "{path}");
    }
    let (status, _) = s
        .agent
        .call("PUT", &format!("/contacts/{bea}/saved"), None)
        .await;
    assert_eq!(status, 404);
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
    search_and_saved_searches,
    contacts_and_preferences,
    hidden_mailbox_contacts
);
