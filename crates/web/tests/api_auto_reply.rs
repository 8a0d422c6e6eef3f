//! /mailboxes/{id}/auto-reply: read and set a mailbox's autoresponder; who
//! may do which, bad input, other accounts' mailboxes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use serde_json::json;

async fn get_and_put(kind: ecp_testkit::db::Kind) {
    let t = spawn(kind).await;
    let (acc, api) = t.api_account("standard").await;
    let uma = t
        .add_user(&acc, "Uma User", "uma@example.com", "user")
        .await;
    let (status, m) = api
        .call(
            "POST",
            "/mailboxes",
            Some(json!({"name": "Sales", "direct_address": "sales@in.example.com", "user_ids": [uma]})),
        )
        .await;
    assert_eq!(status, 201, "{m}");
    let id = m["id"].as_i64().unwrap();
    let (status, tpl) = api
        .call(
            "POST",
            "/templates",
            Some(json!({"name": "Ack", "subject": "", "body_html": "<p>Thanks {{ customer.name }}</p>"})),
        )
        .await;
    assert_eq!(status, 201, "{tpl}");
    let tpl = tpl["id"].as_i64().unwrap();

    let (status, got) = api.get(&format!("/mailboxes/{id}/auto-reply")).await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(
        got,
        json!({"mailbox_id": id, "enabled": false, "template_id": null, "template_name": null,
               "period_hours": 24, "stopped_at": null})
    );

    // Enabled needs a template; the period has bounds; nothing is written.
    let (status, e) = api
        .call(
            "PUT",
            &format!("/mailboxes/{id}/auto-reply"),
            Some(json!({"enabled": true, "period_hours": 0})),
        )
        .await;
    assert_eq!(status, 422, "{e}");
    let mut fields = err_fields(&e);
    fields.sort();
    assert_eq!(fields, ["period_hours", "template_id"]);
    let (status, e) = api
        .call(
            "PUT",
            &format!("/mailboxes/{id}/auto-reply"),
            Some(json!({"enabled": true, "template_id": tpl + 1000})),
        )
        .await;
    assert_eq!(status, 422, "{e}");
    let (status, e) = api
        .call(
            "PUT",
            &format!("/mailboxes/{id}/auto-reply"),
            Some(json!({"enabled": true, "template_id": tpl, "surprise": 1})),
        )
        .await;
    assert_eq!(status, 400, "{e}");
    let (_, still) = api.get(&format!("/mailboxes/{id}/auto-reply")).await;
    assert_eq!(still, got);

    let (status, set) = api
        .call(
            "PUT",
            &format!("/mailboxes/{id}/auto-reply"),
            Some(json!({"enabled": true, "template_id": tpl, "period_hours": 48})),
        )
        .await;
    assert_eq!(status, 200, "{set}");
    assert_eq!(set["enabled"], true);
    assert_eq!(set["template_id"], tpl);
    assert_eq!(set["template_name"], "Ack");
    assert_eq!(set["period_hours"], 48);
    let (_, again) = api.get(&format!("/mailboxes/{id}/auto-reply")).await;
    assert_eq!(again, set);

    // A permitted user reads it but may not change it.
    let user = t.api_as("uma@example.com").await;
    let (status, seen) = user.get(&format!("/mailboxes/{id}/auto-reply")).await;
    assert_eq!(status, 200);
    assert_eq!(seen, set);
    let (status, _) = user
        .call(
            "PUT",
            &format!("/mailboxes/{id}/auto-reply"),
            Some(json!({"enabled": false})),
        )
        .await;
    assert_eq!(status, 403);

    // Another account's mailbox does not exist for this one.
    let other = t.account("standard", "otto@example.org").await;
    t.enable_api(&other).await;
    let otto = t.api_as("otto@example.org").await;
    for (method, body) in [("GET", None), ("PUT", Some(json!({"enabled": false})))] {
        let (status, _) = otto
            .call(method, &format!("/mailboxes/{id}/auto-reply"), body)
            .await;
        assert_eq!(status, 404, "{method}");
    }
    let (_, unchanged) = api.get(&format!("/mailboxes/{id}/auto-reply")).await;
    assert_eq!(unchanged, set);
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

on_both!(get_and_put);
