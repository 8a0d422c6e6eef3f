//! /tokens: the token user's own API tokens.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use ecp_testkit::db::Kind;
use serde_json::json;

async fn list_create_revoke(kind: Kind) {
    let t = spawn(kind).await;
    let (acc, api) = t.api_account("premium").await;
    let (status, list) = api.get("/tokens").await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["name"], "tests");
    assert!(list[0]["last_used_at"].is_string(), "touched by this call");
    assert!(list[0]["prefix"].as_str().unwrap().starts_with("ecp_"));
    assert!(list[0].get("secret").is_none() && list[0].get("hash").is_none());

    let (status, created) = api
        .call("POST", "/tokens", Some(json!({"name": "  CI deploy  "})))
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["name"], "CI deploy");
    let secret = created["secret"].as_str().unwrap();
    assert!(secret.starts_with("ecp_") && secret.len() > 40);
    let id = created["id"].as_i64().unwrap();

    let (_, list) = api.get("/tokens").await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    let new = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap();
    assert!(new["last_used_at"].is_null());
    assert!(secret.starts_with(new["prefix"].as_str().unwrap()));
    assert!(
        !list.to_string().contains(secret),
        "the secret is shown once"
    );

    // Another user's token is not one's own to revoke.
    t.add_user(&acc, "Uma User", "uma@example.com", "user")
        .await;
    let uma = t.api_as("uma@example.com").await;
    let (status, _) = uma.call("DELETE", &format!("/tokens/{id}"), None).await;
    assert_eq!(status, 404);
    assert_eq!(uma.get("/tokens").await.1.as_array().unwrap().len(), 1);

    assert_eq!(
        api.call("DELETE", &format!("/tokens/{id}"), None).await.0,
        204
    );
    assert_eq!(
        api.call("DELETE", &format!("/tokens/{id}"), None).await.0,
        404
    );
    assert_eq!(api.call("DELETE", "/tokens/77777", None).await.0, 404);
    assert_eq!(api.get("/tokens").await.1.as_array().unwrap().len(), 1);
}

async fn bad_input(kind: Kind) {
    let t = spawn(kind).await;
    let (_acc, api) = t.api_account("standard").await;
    for name in [String::new(), "   ".into(), "x".repeat(61), "a\nb".into()] {
        let (status, res) = api
            .call("POST", "/tokens", Some(json!({ "name": name })))
            .await;
        assert_eq!(status, 422, "{name:?}: {res}");
        assert_eq!(err_fields(&res), vec!["name"]);
    }
    for body in [
        json!({}),
        json!({"name": 3}),
        json!({"name": null}),
        json!({"name": "a", "scope": "all"}),
    ] {
        let (status, res) = api.call("POST", "/tokens", Some(body.clone())).await;
        assert_eq!(status, 400, "{body}: {res}");
    }
    assert_eq!(api.get("/tokens").await.1.as_array().unwrap().len(), 1);
    let (status, res) = api
        .call(
            "POST",
            "/tokens",
            Some(json!({"name": "<script>x</script>"})),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(res["name"], "<script>x</script>", "kept as text");
    // At most 50 active tokens per user.
    for i in 0..48 {
        let (status, _) = api
            .call("POST", "/tokens", Some(json!({"name": format!("t{i}")})))
            .await;
        assert_eq!(status, 201);
    }
    let (status, res) = api
        .call("POST", "/tokens", Some(json!({"name": "one more"})))
        .await;
    assert_eq!(status, 409);
    assert!(err_message(&res).contains("revoke one"), "{res}");
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

on_both!(list_create_revoke, bad_input);
