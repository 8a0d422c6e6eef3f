//! /templates: list, add, read, change, delete and fill in; who may do
//! what, other accounts' templates, bad and hostile input, the sandbox.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use ecp_testkit::db::Kind;
use serde_json::{Value, json};

fn thanks() -> Value {
    json!({
        "name": "Thanks",
        "subject": "Re: {{ mailbox.name }} [#{{ conversation.number }}]",
        "body_html": "<p>Hi {{ customer.name }},</p><p>thanks for writing. <b>{{ agent.name }}</b></p>",
    })
}

async fn crud_and_roles(kind: Kind) {
    let t = spawn(kind).await;
    let (acc, api) = t.api_account("standard").await;
    t.add_user(&acc, "Uma Agent", "uma@example.com", "user")
        .await;
    t.add_user(&acc, "Adam Admin", "adam@example.com", "administrator")
        .await;
    let agent = t.api_as("uma@example.com").await;
    let admin = t.api_as("adam@example.com").await;

    let (status, list) = api.get("/templates").await;
    assert_eq!((status, list), (200, json!([])));

    let (status, created) = api.call("POST", "/templates", Some(thanks())).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["name"], "Thanks");
    assert_eq!(created["created_by"], acc.owner_id);
    let id = created["id"].as_i64().unwrap();

    // Agents list, read and fill in.
    let (status, list) = agent.get("/templates").await;
    assert_eq!(status, 200);
    assert_eq!(list, json!([created.clone()]));
    let (status, got) = agent.get(&format!("/templates/{id}")).await;
    assert_eq!((status, &got), (200, &created));
    let (status, out) = agent
        .call(
            "POST",
            &format!("/templates/{id}/render"),
            Some(
                json!({"customer_name": "Carl", "mailbox_name": "Sales", "conversation_number": 7}),
            ),
        )
        .await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(out["subject"], "Re: Sales [#7]");
    assert_eq!(
        out["html"],
        "<p>Hi Carl,</p><p>thanks for writing. <b>Uma Agent</b></p>"
    );
    assert_eq!(out["text"], "Hi Carl,\nthanks for writing. Uma Agent");

    // ... but change nothing.
    let (status, body) = agent
        .call(
            "POST",
            "/templates",
            Some(json!({"name": "Mine", "body_html": "x"})),
        )
        .await;
    assert_eq!((status, err_code(&body)), (403, "forbidden"), "{body}");
    let (status, _) = agent
        .call(
            "PATCH",
            &format!("/templates/{id}"),
            Some(json!({"name": "Mine"})),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = agent
        .call("DELETE", &format!("/templates/{id}"), None)
        .await;
    assert_eq!(status, 403);

    // Administrators change them; a partial change keeps the rest.
    let (status, changed) = admin
        .call(
            "PATCH",
            &format!("/templates/{id}"),
            Some(json!({"name": "Thank you"})),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["name"], "Thank you");
    assert_eq!(changed["subject"], created["subject"]);
    assert_eq!(changed["body_html"], created["body_html"]);
    let (status, changed) = admin
        .call(
            "PATCH",
            &format!("/templates/{id}"),
            Some(json!({"subject": ""})),
        )
        .await;
    assert_eq!((status, &changed["subject"]), (200, &json!("")));

    let (status, body) = api.call("DELETE", &format!("/templates/{id}"), None).await;
    assert_eq!((status, body), (204, Value::Null));
    let (status, body) = api.get(&format!("/templates/{id}")).await;
    assert_eq!((status, err_code(&body)), (404, "not_found"));
    let (status, _) = api.call("DELETE", &format!("/templates/{id}"), None).await;
    assert_eq!(status, 404);
}

async fn bad_input(kind: Kind) {
    let t = spawn(kind).await;
    let (_acc, api) = t.api_account("standard").await;
    let post = |body: Value| {
        let api = &api;
        async move { api.call("POST", "/templates", Some(body)).await }
    };

    let (status, body) = post(json!({"name": " ", "body_html": " "})).await;
    assert_eq!((status, err_code(&body)), (422, "validation"), "{body}");
    assert_eq!(err_fields(&body), ["name", "body_html"]);
    let (status, body) = post(json!({"name": "n".repeat(101), "body_html": "x"})).await;
    assert_eq!(status, 422);
    assert!(err_message(&body).contains("at most 100"), "{body}");
    let (status, body) = post(json!({"name": "x", "body_html": "x", "extra": 1})).await;
    assert_eq!((status, err_code(&body)), (400, "bad_request"));
    let (status, _) = post(json!({"body_html": "x"})).await;
    assert_eq!(status, 400);

    let (status, _) = post(json!({"name": "Thanks", "body_html": "x"})).await;
    assert_eq!(status, 201);
    let (status, body) = post(json!({"name": "Thanks", "body_html": "y"})).await;
    assert_eq!((status, err_fields(&body)), (422, vec!["name".to_string()]));
    assert!(
        err_message(&body).contains("A template named \u{201c}Thanks\u{201d} already exists"),
        "{body}"
    );

    // Hostile HTML is cleaned before it is stored.
    let (status, hostile) = post(json!({
        "name": "Hostile",
        "body_html": "<b>Hi</b><script>alert(1)</script><img src=x onerror=alert(1)><a href=\"javascript:alert(1)\">x</a>",
    }))
    .await;
    assert_eq!(status, 201, "{hostile}");
    let html = hostile["body_html"].as_str().unwrap();
    for bad in ["<script", "onerror", "javascript:", "<img"] {
        assert!(!html.contains(bad), "{html}");
    }
    assert!(html.contains("<b>Hi</b>"));

    // Mistakes are refused at save time with their line.
    let (status, body) =
        post(json!({"name": "Broken", "body_html": "<p>Hi</p>\n<p>{{ customer.name</p>"})).await;
    assert_eq!(
        (status, err_fields(&body)),
        (422, vec!["body_html".to_string()])
    );
    assert!(err_message(&body).contains("mistake on line 2"), "{body}");
    let (status, body) = post(json!({"name": "Include", "body_html": "{% include \"x\" %}"})).await;
    assert_eq!(status, 422);
    assert!(
        err_message(&body).contains("unknown statement include"),
        "{body}"
    );
    let (status, body) = post(json!({
        "name": "Loop",
        "body_html": "{% for a in range(10000) %}{% for b in range(10000) %}{% endfor %}{% endfor %}",
    }))
    .await;
    assert_eq!(status, 422);
    assert!(err_message(&body).contains("too much work"), "{body}");
    let (status, body) =
        post(json!({"name": "Huge", "body_html": "{{ customer.name * 100000 }}"})).await;
    assert_eq!(status, 422);
    assert!(err_message(&body).contains("longer than 200 KB"), "{body}");

    let (status, list) = api.get("/templates").await;
    assert_eq!(status, 200);
    let names: Vec<_> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].clone())
        .collect();
    assert_eq!(
        names,
        [json!("Hostile"), json!("Thanks")],
        "nothing else was written"
    );
}

async fn other_accounts_templates_do_not_exist(kind: Kind) {
    let t = spawn(kind).await;
    let (_acc, api) = t.api_account("standard").await;
    let other = t.account("standard", "sam@other.example").await;
    t.enable_api(&other).await;
    let stranger = t.api_as("sam@other.example").await;
    let (status, theirs) = stranger.call("POST", "/templates", Some(thanks())).await;
    assert_eq!(status, 201);
    let id = theirs["id"].as_i64().unwrap();

    let (status, list) = api.get("/templates").await;
    assert_eq!((status, list), (200, json!([])));
    for (method, path, body) in [
        ("GET", format!("/templates/{id}"), None),
        (
            "PATCH",
            format!("/templates/{id}"),
            Some(json!({"name": "Mine"})),
        ),
        ("DELETE", format!("/templates/{id}"), None),
        ("POST", format!("/templates/{id}/render"), None),
    ] {
        let (status, body) = api.call(method, &path, body).await;
        assert_eq!(
            (status, err_code(&body)),
            (404, "not_found"),
            "{method} {path}"
        );
    }
    let (status, body) = api.get("/templates/abc").await;
    assert_eq!((status, err_code(&body)), (400, "bad_request"));
    let (status, got) = stranger.get(&format!("/templates/{id}")).await;
    assert_eq!((status, &got["name"]), (200, &json!("Thanks")), "untouched");
}

async fn rendering_escapes_values(kind: Kind) {
    let t = spawn(kind).await;
    let (_acc, api) = t.api_account("standard").await;
    let (_, created) = api.call("POST", "/templates", Some(thanks())).await;
    let id = created["id"].as_i64().unwrap();

    // No body: the sample values, with the caller as the agent.
    let (status, out) = api
        .call("POST", &format!("/templates/{id}/render"), None)
        .await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(out["subject"], "Re: Support [#1234]");
    assert_eq!(
        out["html"],
        "<p>Hi Jane Customer,</p><p>thanks for writing. <b>Olivia Owner</b></p>"
    );
    let (status, same) = api
        .call("POST", &format!("/templates/{id}/render"), Some(json!({})))
        .await;
    assert_eq!((status, &same), (200, &out));

    let (status, out) = api
        .call(
            "POST",
            &format!("/templates/{id}/render"),
            Some(json!({"customer_name": "<script>alert(1)</script>", "mailbox_name": "A\r\nBcc: x@example.com"})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        out["html"],
        "<p>Hi &lt;script&gt;alert(1)&lt;/script&gt;,</p><p>thanks for writing. <b>Olivia Owner</b></p>"
    );
    assert_eq!(
        out["text"],
        "Hi <script>alert(1)</script>,\nthanks for writing. Olivia Owner"
    );
    assert_eq!(out["subject"], "Re: A Bcc: x@example.com [#1234]");

    let (status, body) = api
        .raw(
            "POST",
            &format!("/templates/{id}/render"),
            "text/plain",
            "hello",
        )
        .await;
    assert_eq!((status, err_code(&body)), (400, "bad_request"));
    let (status, body) = api
        .call(
            "POST",
            &format!("/templates/{id}/render"),
            Some(json!({"customer": 1})),
        )
        .await;
    assert_eq!((status, err_code(&body)), (400, "bad_request"));
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
    crud_and_roles,
    bad_input,
    other_accounts_templates_do_not_exist,
    rendering_escapes_values,
);
