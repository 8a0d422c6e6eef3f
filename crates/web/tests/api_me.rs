//! /me: the token's user, their Preferences and password.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use ecp_testkit::db::Kind;
use serde_json::{Value, json};

async fn me_and_preferences(kind: Kind) {
    let t = spawn(kind).await;
    let (acc, api) = t.api_account("standard").await;
    let (status, me) = api.get("/me").await;
    assert_eq!(status, 200);
    assert_eq!(
        me,
        json!({
            "id": acc.owner_id, "name": "Olivia Owner", "email": "olivia@example.com",
            "role": "owner", "signature_html": "", "account_id": acc.account_id,
            "account_name": "Acme Support", "plan": "standard", "read_only": false
        })
    );

    let (status, me) = api
        .call("PATCH", "/me", Some(json!({"name": "Olivia O."})))
        .await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["name"], "Olivia O.");
    assert_eq!(me["email"], "olivia@example.com");
    let (status, me) = api
        .call(
            "PATCH",
            "/me",
            Some(json!({"email": "Olivia@New.Example", "signature_html": "<p>Olivia<script>alert(1)</script></p><a href=\"javascript:x()\">x</a>"})),
        )
        .await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["email"], "olivia@new.example");
    assert_eq!(me["name"], "Olivia O.");
    let sig = me["signature_html"].as_str().unwrap();
    assert!(sig.contains("<p>Olivia</p>"), "{sig}");
    assert!(
        !sig.contains("script") && !sig.contains("javascript"),
        "{sig}"
    );
    let (_, again) = api.get("/me").await;
    assert_eq!(again, me);
    // The new address signs in.
    let mut b = t.browser();
    assert_eq!(b.login("olivia@new.example", PASSWORD).await.status(), 303);
}

async fn preferences_bad_input(kind: Kind) {
    let t = spawn(kind).await;
    let (acc, api) = t.api_account("standard").await;
    t.add_user(&acc, "Uma User", "uma@example.com", "user")
        .await;
    let (_, before) = api.get("/me").await;
    let big = "<b>".to_string() + &"z".repeat(21_000) + "</b>";
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (json!({"name": ""}), vec!["name"]),
        (json!({"name": "x".repeat(101)}), vec!["name"]),
        (json!({"name": "a\u{0007}b"}), vec!["name"]),
        (json!({"email": ""}), vec!["email"]),
        (json!({"email": "nobody"}), vec!["email"]),
        (json!({"email": "uma@example.com"}), vec!["email"]),
        (json!({"signature_html": big}), vec!["signature_html"]),
        // One bad field and one good: neither is written.
        (
            json!({"name": "Fine Name", "signature_html": big}),
            vec!["signature_html"],
        ),
        (
            json!({"signature_html": "<b>fine</b>", "email": "bad"}),
            vec!["email"],
        ),
        (json!({"name": "", "email": "bad"}), vec!["name", "email"]),
    ];
    for (body, fields) in cases {
        let (status, res) = api.call("PATCH", "/me", Some(body.clone())).await;
        assert_eq!(status, 422, "{body}: {res}");
        assert_eq!(err_fields(&res), fields, "{body}");
    }
    for body in [
        json!({"name": 1}),
        json!({"signature_html": ["x"]}),
        json!({"role": "owner"}),
        json!({"password": "new password 123"}),
        json!(true),
    ] {
        let (status, res) = api.call("PATCH", "/me", Some(body.clone())).await;
        assert_eq!(status, 400, "{body}: {res}");
    }
    assert_eq!(api.get("/me").await.1, before);

    // Names are text: kept as typed, never interpreted.
    let (status, me) = api
        .call("PATCH", "/me", Some(json!({"name": "<i>Olivia</i> & co"})))
        .await;
    assert_eq!(status, 200);
    assert_eq!(me["name"], "<i>Olivia</i> & co");
}

async fn password_change(kind: Kind) {
    let t = spawn(kind).await;
    let (acc, api) = t.api_account("standard").await;
    let browser = t.signed_in(&acc.owner_email).await;
    let new = "a brand new passphrase";
    for (body, fields) in [
        (
            json!({"current_password": "wrong wrong wrong", "new_password": new}),
            vec!["current_password"],
        ),
        (
            json!({"current_password": PASSWORD, "new_password": "short"}),
            vec!["new_password"],
        ),
        (
            json!({"current_password": PASSWORD, "new_password": "p".repeat(300)}),
            vec!["new_password"],
        ),
        (
            json!({"current_password": PASSWORD, "new_password": " ".repeat(12)}),
            vec!["new_password"],
        ),
        (
            json!({"current_password": "", "new_password": new}),
            vec!["current_password"],
        ),
    ] {
        let (status, res) = api.call("POST", "/me/password", Some(body.clone())).await;
        assert_eq!(status, 422, "{body}: {res}");
        assert_eq!(err_fields(&res), fields, "{body}");
    }
    for body in [
        json!({"current_password": PASSWORD}),
        json!({"current_password": PASSWORD, "new_password": 1234567890}),
        json!({"current": PASSWORD, "new_password": new}),
    ] {
        let (status, res) = api.call("POST", "/me/password", Some(body.clone())).await;
        assert_eq!(status, 400, "{body}: {res}");
    }
    // Still the old password.
    let mut b = t.browser();
    assert_eq!(b.login(&acc.owner_email, new).await.status(), 401);
    assert_eq!(browser.get("/").await.status(), 200);

    let (status, res) = api
        .call(
            "POST",
            "/me/password",
            Some(json!({"current_password": PASSWORD, "new_password": new})),
        )
        .await;
    assert_eq!(status, 204, "{res}");
    assert_eq!(browser.get("/").await.status(), 303, "web sessions end");
    assert_eq!(api.get("/me").await.0, 200, "tokens keep working");
    let mut b = t.browser();
    assert_eq!(b.login(&acc.owner_email, PASSWORD).await.status(), 401);
    let mut b = t.browser();
    assert_eq!(b.login(&acc.owner_email, new).await.status(), 303);
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

on_both!(me_and_preferences, preferences_bad_input, password_change);
