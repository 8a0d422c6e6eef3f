//! /users: list, add, read, change role and active state; bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use ecp_testkit::db::Kind;
use serde_json::json;

async fn list_create_get_update(kind: Kind) {
    let t = spawn(kind).await;
    let (acc, api) = t.api_account("standard").await;

    let (status, list) = api.get("/users").await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["role"], "owner");
    assert_eq!(list[0]["email"], "olivia@example.com");
    assert!(list[0].get("password_hash").is_none());

    // With a password: no invite.
    let (status, body) = api
        .call(
            "POST",
            "/users",
            Some(json!({"name": "Ann Admin", "email": "Ann@Example.com", "role": "administrator", "password": PASSWORD})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["user"]["role"], "administrator");
    assert_eq!(body["user"]["email"], "ann@example.com");
    assert_eq!(body["user"]["has_password"], true);
    assert!(body["invite_token"].is_null());
    let ann = body["user"]["id"].as_i64().unwrap();

    // Without: an invite link that works once.
    let (status, body) = api
        .call(
            "POST",
            "/users",
            Some(json!({"name": "Uma User", "email": "uma@example.com"})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["user"]["role"], "user");
    assert_eq!(body["user"]["has_password"], false);
    let invite = body["invite_token"].as_str().unwrap().to_string();
    let uma = body["user"]["id"].as_i64().unwrap();
    let invited = t.app.invite_user(&invite).await.unwrap();
    assert_eq!(invited.id.0, uma);

    let (status, body) = api.get(&format!("/users/{ann}")).await;
    assert_eq!(status, 200);
    assert_eq!(body["name"], "Ann Admin");
    assert_eq!(body["active"], true);
    assert_eq!(body["over_plan_limit"], false);
    assert!(body["created_at"].as_str().unwrap().ends_with('Z'));

    let (status, body) = api
        .call(
            "PATCH",
            &format!("/users/{uma}"),
            Some(json!({"role": "administrator"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["role"], "administrator");
    let (status, body) = api
        .call(
            "PATCH",
            &format!("/users/{uma}"),
            Some(json!({"role": "user", "active": false})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["role"], "user");
    assert_eq!(body["active"], false);
    let (status, body) = api
        .call(
            "PATCH",
            &format!("/users/{uma}"),
            Some(json!({"active": true})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["active"], true);
    // An empty patch changes nothing.
    let (status, body) = api
        .call("PATCH", &format!("/users/{uma}"), Some(json!({})))
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["role"], "user");

    let (status, list) = api.get("/users").await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 3);
    let _ = acc;
}

async fn who_may_change_whom(kind: Kind) {
    let t = spawn(kind).await;
    let (acc, owner) = t.api_account("standard").await;
    let admin_id = t
        .add_user(&acc, "Ann Admin", "ann@example.com", "administrator")
        .await;
    let user_id = t
        .add_user(&acc, "Uma User", "uma@example.com", "user")
        .await;
    let admin = t.api_as("ann@example.com").await;
    let user = t.api_as("uma@example.com").await;

    // Users may list and read colleagues, not change or add them.
    assert_eq!(user.get("/users").await.0, 200);
    assert_eq!(user.get(&format!("/users/{admin_id}")).await.0, 200);
    let (status, body) = user
        .call(
            "PATCH",
            &format!("/users/{admin_id}"),
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!(status, 403);
    assert!(err_message(&body).contains("administrators"), "{body}");
    let (status, _) = user
        .call(
            "POST",
            "/users",
            Some(json!({"name": "X", "email": "x@example.com"})),
        )
        .await;
    assert_eq!(status, 403);

    // Nobody changes the owner or themselves this way.
    let (status, body) = admin
        .call(
            "PATCH",
            &format!("/users/{}", acc.owner_id),
            Some(json!({"role": "user"})),
        )
        .await;
    assert_eq!(status, 403);
    assert!(err_message(&body).contains("transfer"), "{body}");
    let (status, _) = admin
        .call(
            "PATCH",
            &format!("/users/{admin_id}"),
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!(status, 403);
    // Ownership is not a role to give.
    let (status, body) = owner
        .call(
            "PATCH",
            &format!("/users/{user_id}"),
            Some(json!({"role": "owner"})),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(err_fields(&body), vec!["role"]);

    // Another account's users do not exist for this one.
    let other = t.account("standard", "zed@other.example").await;
    let (status, _) = owner.get(&format!("/users/{}", other.owner_id)).await;
    assert_eq!(status, 404);
    let (status, _) = owner
        .call(
            "PATCH",
            &format!("/users/{}", other.owner_id),
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!(status, 404);
    assert_eq!(owner.get("/users/424242").await.0, 404);
}

async fn bad_input_is_refused_and_nothing_written(kind: Kind) {
    let t = spawn(kind).await;
    let (acc, api) = t.api_account("standard").await;
    let uid = t
        .add_user(&acc, "Uma User", "uma@example.com", "user")
        .await;
    let long = "x".repeat(101);
    let cases = [
        (json!({"name": "", "email": "a@example.com"}), vec!["name"]),
        (
            json!({"name": "   ", "email": "a@example.com"}),
            vec!["name"],
        ),
        (
            json!({"name": long, "email": "a@example.com"}),
            vec!["name"],
        ),
        (
            json!({"name": "A\nB", "email": "a@example.com"}),
            vec!["name"],
        ),
        (json!({"name": "Al", "email": ""}), vec!["email"]),
        (
            json!({"name": "Al", "email": "not-an-address"}),
            vec!["email"],
        ),
        (
            json!({"name": "Al", "email": format!("{}@example.com", "a".repeat(300))}),
            vec!["email"],
        ),
        (
            json!({"name": "Al", "email": "uma@example.com"}),
            vec!["email"],
        ),
        (
            json!({"name": "Al", "email": "a@example.com", "role": "emperor"}),
            vec!["role"],
        ),
        (
            json!({"name": "Al", "email": "a@example.com", "role": "owner"}),
            vec!["role"],
        ),
        (
            json!({"name": "Al", "email": "a@example.com", "password": "short"}),
            vec!["password"],
        ),
        (
            json!({"name": "Al", "email": "a@example.com", "password": "p".repeat(300)}),
            vec!["password"],
        ),
        (
            json!({"name": "", "email": "bad", "role": "x"}),
            vec!["name", "email", "role"],
        ),
    ];
    for (body, fields) in cases {
        let (status, res) = api.call("POST", "/users", Some(body.clone())).await;
        assert_eq!(status, 422, "{body}: {res}");
        assert_eq!(err_code(&res), "validation");
        assert_eq!(err_fields(&res), fields, "{body}");
        assert!(!err_message(&res).is_empty());
    }
    for body in [
        json!({"name": 5, "email": "a@example.com"}),
        json!({"name": "Al"}),
        json!({"name": "Al", "email": ["a@example.com"]}),
        json!({"name": "Al", "email": "a@example.com", "role": true}),
        json!({"name": "Al", "email": "a@example.com", "admin": true}),
        json!("Al"),
    ] {
        let (status, res) = api.call("POST", "/users", Some(body.clone())).await;
        assert_eq!(status, 400, "{body}: {res}");
        assert_eq!(err_code(&res), "bad_request");
    }
    let (_, list) = api.get("/users").await;
    assert_eq!(list.as_array().unwrap().len(), 2, "nothing was added");

    // A patch with one bad field changes nothing at all.
    let (status, res) = api
        .call(
            "PATCH",
            &format!("/users/{uid}"),
            Some(json!({"role": "boss", "active": false})),
        )
        .await;
    assert_eq!(status, 422, "{res}");
    for body in [
        json!({"active": "no"}),
        json!({"role": 1}),
        json!({"name": "New"}),
    ] {
        let (status, res) = api
            .call("PATCH", &format!("/users/{uid}"), Some(body.clone()))
            .await;
        assert_eq!(status, 400, "{body}: {res}");
    }
    let (_, user) = api.get(&format!("/users/{uid}")).await;
    assert_eq!(user["active"], true);
    assert_eq!(user["role"], "user");

    // Hostile HTML in a name is kept as text, and pages escape it.
    let hostile = "<script>alert(1)</script><b>Eve</b>";
    let (status, res) = api
        .call(
            "POST",
            "/users",
            Some(json!({"name": hostile, "email": "eve@example.com", "password": PASSWORD})),
        )
        .await;
    assert_eq!(status, 201, "{res}");
    assert_eq!(res["user"]["name"], hostile);
    let b = t.signed_in("eve@example.com").await;
    let (_, page) = b.page("/").await;
    assert!(!page.contains("<script>alert(1)"), "the page escapes names");
    assert!(page.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
}

async fn user_limit_of_the_plan(kind: Kind) {
    let t = spawn(kind).await;
    let (_acc, api) = t.api_account("standard").await;
    // Standard allows 25 active users; the owner is one.
    for i in 1..25 {
        let (status, res) = api
            .call(
                "POST",
                "/users",
                Some(json!({"name": format!("U{i}"), "email": format!("u{i}@example.com")})),
            )
            .await;
        assert_eq!(status, 201, "{res}");
    }
    let (status, res) = api
        .call(
            "POST",
            "/users",
            Some(json!({"name": "One Too Many", "email": "more@example.com"})),
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(err_code(&res), "plan_limit");
    assert!(err_message(&res).contains("at most 25 users"), "{res}");
    let (_, list) = api.get("/users").await;
    assert_eq!(list.as_array().unwrap().len(), 25);
    // Deactivating one frees a place; reactivating over the cap is refused.
    let u1 = list[1]["id"].as_i64().unwrap();
    let (status, _) = api
        .call(
            "PATCH",
            &format!("/users/{u1}"),
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, res) = api
        .call(
            "POST",
            "/users",
            Some(json!({"name": "Now Fits", "email": "fits@example.com"})),
        )
        .await;
    assert_eq!(status, 201, "{res}");
    let (status, res) = api
        .call(
            "PATCH",
            &format!("/users/{u1}"),
            Some(json!({"active": true, "role": "administrator"})),
        )
        .await;
    assert_eq!(status, 403, "{res}");
    let (_, u) = api.get(&format!("/users/{u1}")).await;
    assert_eq!(u["active"], false, "nothing half-written");
    assert_eq!(u["role"], "user", "nothing half-written");
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
    list_create_get_update,
    who_may_change_whom,
    bad_input_is_refused_and_nothing_written,
    user_limit_of_the_plan,
);
