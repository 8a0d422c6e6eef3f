//! Who may call the API at all: tokens, plan, the Enable API option; and
//! the JSON answers for malformed requests, unknown routes and methods.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use ecp_testkit::db::Kind;
use serde_json::json;

async fn missing_unknown_and_revoked_tokens(kind: Kind) {
    let t = spawn(kind).await;
    let (_acc, owner) = t.api_account("standard").await;

    let no_token = reqwest::Client::new()
        .get(format!("{}/api/v1/me", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(no_token.status(), 401);
    let body: serde_json::Value = no_token.json().await.unwrap();
    assert_eq!(err_code(&body), "unauthenticated");
    assert!(err_message(&body).contains("Authorization: Bearer"));

    let (status, body) = t.api("ecp_not-a-real-token").get("/me").await;
    assert_eq!(status, 401);
    assert!(err_message(&body).contains("missing, unknown or revoked"));

    let (status, body) = t.api("").get("/me").await;
    assert_eq!(status, 401, "{body}");

    // Revoke a second token through the API; it stops working at once.
    let (status, created) = owner
        .call("POST", "/tokens", Some(json!({"name": "laptop"})))
        .await;
    assert_eq!(status, 201);
    let second = t.api(created["secret"].as_str().unwrap());
    assert_eq!(second.get("/me").await.0, 200);
    let id = created["id"].as_i64().unwrap();
    assert_eq!(
        owner.call("DELETE", &format!("/tokens/{id}"), None).await.0,
        204
    );
    let (status, body) = second.get("/me").await;
    assert_eq!(status, 401);
    assert_eq!(err_code(&body), "unauthenticated");
    assert_eq!(owner.get("/me").await.0, 200);
}

async fn deactivated_users_tokens_stop(kind: Kind) {
    let t = spawn(kind).await;
    let (acc, owner) = t.api_account("standard").await;
    let uid = t
        .add_user(&acc, "Uma User", "uma@example.com", "user")
        .await;
    let uma = t.api_as("uma@example.com").await;
    assert_eq!(uma.get("/me").await.0, 200);
    let (status, _) = owner
        .call(
            "PATCH",
            &format!("/users/{uid}"),
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(uma.get("/me").await.0, 401);
}

async fn free_plan_is_refused_with_the_reason(kind: Kind) {
    let t = spawn(kind).await;
    let acc = t.account("free", "olivia@example.com").await;
    let api = t.api_as(&acc.owner_email).await;
    for (method, path) in [("GET", "/me"), ("GET", "/mailboxes"), ("GET", "/users")] {
        let (status, body) = api.call(method, path, None).await;
        assert_eq!(status, 403, "{method} {path}");
        assert_eq!(err_code(&body), "forbidden");
        assert!(
            err_message(&body).contains("not included in the Free plan"),
            "{body}"
        );
    }
    // The owner can't switch the API on while on Free.
    let owner = t.owner_actor(&acc).await;
    let patch = ecp_app::account::OptionsPatch {
        api_enabled: Some(true),
        ..Default::default()
    };
    let err = t.app.update_options(&owner, &patch).await.unwrap_err();
    assert!(err.to_string().contains("paid plans only"), "{err}");
}

async fn api_switched_off_is_refused_with_the_reason(kind: Kind) {
    let t = spawn(kind).await;
    let acc = t.account("premium", "olivia@example.com").await;
    let api = t.api_as(&acc.owner_email).await;
    let (status, body) = api.get("/me").await;
    assert_eq!(status, 403);
    assert!(err_message(&body).contains("turned off"), "{body}");
    assert!(err_message(&body).contains("Enable API"), "{body}");
    t.enable_api(&acc).await;
    assert_eq!(api.get("/me").await.0, 200);

    // Switching it off through the API itself ends access at once.
    let (status, body) = api
        .call(
            "PATCH",
            "/account/options",
            Some(json!({"api_enabled": false})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["api_enabled"], false);
    let (status, body) = api.get("/me").await;
    assert_eq!(status, 403);
    assert!(err_message(&body).contains("turned off"));
}

async fn downgrade_to_free_refuses_the_api(kind: Kind) {
    let t = spawn(kind).await;
    let (_acc, api) = t.api_account("standard").await;
    let (status, body) = api
        .call("PUT", "/account/plan", Some(json!({"plan": "free"})))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["plan"], "free");
    let (status, body) = api.get("/me").await;
    assert_eq!(status, 403);
    assert!(err_message(&body).contains("Free plan"), "{body}");
}

async fn malformed_requests_answer_json(kind: Kind) {
    let t = spawn(kind).await;
    let (_acc, api) = t.api_account("standard").await;

    for path in [
        "/users/abc",
        "/users/0",
        "/users/-3",
        "/mailboxes/1.5",
        "/mailboxes/99999999999999999999",
    ] {
        let (status, body) = api.get(path).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(err_code(&body), "bad_request", "{path}");
        assert!(err_message(&body).contains("not an id"), "{body}");
    }
    let (status, body) = api.call("PATCH", "/mailboxes/x/permissions", None).await;
    assert_eq!(status, 405, "{body}");
    let (status, body) = api
        .call(
            "PUT",
            "/mailboxes/x/permissions",
            Some(json!({"user_ids": []})),
        )
        .await;
    assert_eq!(status, 400, "{body}");

    let (status, body) = api.get("/no/such/endpoint").await;
    assert_eq!(status, 404);
    assert!(err_message(&body).contains("openapi.json"));

    let (status, body) = api.call("DELETE", "/me", None).await;
    assert_eq!(status, 405);
    assert_eq!(err_code(&body), "method_not_allowed");

    let (status, body) = api
        .raw("POST", "/tokens", "application/json", "{\"name\": ")
        .await;
    assert_eq!(status, 400);
    assert_eq!(err_code(&body), "bad_request");
    let (status, body) = api.raw("POST", "/tokens", "text/plain", "name=x").await;
    assert_eq!(status, 400);
    assert!(err_message(&body).contains("Content-Type"), "{body}");
    let (status, body) = api
        .call(
            "POST",
            "/tokens",
            Some(json!({"name": "x", "nmae": "typo"})),
        )
        .await;
    assert_eq!(status, 400);
    assert!(err_message(&body).contains("nmae"), "{body}");
    let (status, body) = api.call("POST", "/tokens", Some(json!([1, 2]))).await;
    assert_eq!(status, 400, "{body}");
    let huge = "x".repeat(3 * 1024 * 1024);
    let (status, _) = api
        .call("POST", "/tokens", Some(json!({ "name": huge })))
        .await;
    assert_eq!(status, 413);
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
    missing_unknown_and_revoked_tokens,
    deactivated_users_tokens_stop,
    free_plan_is_refused_with_the_reason,
    api_switched_off_is_refused_with_the_reason,
    downgrade_to_free_refuses_the_api,
    malformed_requests_answer_json,
);
