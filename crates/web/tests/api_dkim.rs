//! /dkim: sending domains with their keys, making (and so rotating) a key,
//! deleting one; never a private key in an answer; administrators only;
//! another account's key does not exist.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use ecp_app::AppConfig;
use ecp_app::secret_box::SecretKey;
use ecp_domain::MailboxInput;
use ecp_testkit::db::Kind;
use serde_json::json;

async fn setup(kind: Kind) -> (TestApp, Account, Api) {
    let config = AppConfig {
        secret_key: Some(SecretKey::generate()),
        ..Default::default()
    };
    let t = spawn_with(kind, config).await;
    let (acc, api) = t.api_account("standard").await;
    let owner = t.owner_actor(&acc).await;
    t.app
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
        .unwrap();
    (t, acc, api)
}

async fn keys_made_listed_and_deleted(kind: Kind) {
    let (t, _acc, api) = setup(kind).await;
    let (status, list) = api.get("/dkim").await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(
        list,
        json!([{"domain": "acme.example", "mailboxes": ["Support"], "key": null, "retired": []}])
    );

    let (status, ed) = api
        .call(
            "POST",
            "/dkim",
            Some(json!({"domain": "ACME.example", "algorithm": "ed25519", "selector": "ed1"})),
        )
        .await;
    assert_eq!(status, 201, "{ed}");
    assert_eq!(ed["dns_name"], "ed1._domainkey.acme.example");
    assert_eq!(ed["algorithm"], "ed25519");
    assert_eq!(ed["active"], true);
    let value = ed["dns_value"].as_str().unwrap();
    assert_eq!(
        value,
        format!(
            "v=DKIM1; k=ed25519; p={}",
            ed["public_key"].as_str().unwrap()
        )
    );

    let (status, rsa) = api
        .call(
            "POST",
            "/dkim",
            Some(json!({"domain": "acme.example", "algorithm": "rsa-sha256"})),
        )
        .await;
    assert_eq!(status, 201, "{rsa}");
    assert!(rsa["selector"].as_str().unwrap().starts_with("ecp"));
    let strings = rsa["dns_strings"].as_array().unwrap();
    assert_eq!(strings.len(), 2);
    let joined: String = strings
        .iter()
        .map(|s| s.as_str().unwrap().trim_matches('"'))
        .collect();
    assert_eq!(joined, rsa["dns_value"]);

    let (_, list) = api.get("/dkim").await;
    assert_eq!(list[0]["key"]["id"], rsa["id"]);
    assert_eq!(list[0]["retired"][0]["id"], ed["id"]);
    assert_eq!(list[0]["retired"][0]["active"], false);
    let text = list.to_string();
    assert!(!text.contains("private"), "{text}");
    let doc: serde_json::Value = reqwest::get(format!("{}/api/v1/openapi.json", t.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        !doc["components"]["schemas"]
            .to_string()
            .contains("private_key")
    );

    let ed_id = ed["id"].as_i64().unwrap();
    let (status, _) = api.call("DELETE", &format!("/dkim/{ed_id}"), None).await;
    assert_eq!(status, 204);
    let (status, body) = api.call("DELETE", &format!("/dkim/{ed_id}"), None).await;
    assert_eq!((status, err_code(&body)), (404, "not_found"), "{body}");
    let (_, list) = api.get("/dkim").await;
    assert_eq!(list[0]["retired"], json!([]));
    assert_eq!(list[0]["key"]["id"], rsa["id"]);
}

async fn bad_input_and_roles(kind: Kind) {
    let (t, acc, api) = setup(kind).await;
    for (body, field) in [
        (
            json!({"domain": "other.example", "algorithm": "ed25519"}),
            "domain",
        ),
        (
            json!({"domain": "acme.example", "algorithm": "dsa"}),
            "algorithm",
        ),
        (
            json!({"domain": "acme.example", "algorithm": "ed25519", "selector": "a.b"}),
            "selector",
        ),
    ] {
        let (status, out) = api.call("POST", "/dkim", Some(body)).await;
        assert_eq!(status, 422, "{out}");
        assert_eq!(out["error"]["fields"][0]["field"], field, "{out}");
    }
    let (status, out) = api
        .call("POST", "/dkim", Some(json!({"domain": "acme.example"})))
        .await;
    assert_eq!(status, 400, "{out}");
    let (_, list) = api.get("/dkim").await;
    assert_eq!(list[0]["key"], json!(null), "nothing was made");

    let (_, key) = api
        .call(
            "POST",
            "/dkim",
            Some(json!({"domain": "acme.example", "algorithm": "ed25519"})),
        )
        .await;
    let id = key["id"].as_i64().unwrap();

    t.add_user(&acc, "Uma Agent", "uma@example.com", "user")
        .await;
    let agent = t.api_as("uma@example.com").await;
    let (status, body) = agent.get("/dkim").await;
    assert_eq!((status, err_code(&body)), (403, "forbidden"), "{body}");
    let (status, _) = agent
        .call(
            "POST",
            "/dkim",
            Some(json!({"domain": "acme.example", "algorithm": "ed25519"})),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = agent.call("DELETE", &format!("/dkim/{id}"), None).await;
    assert_eq!(status, 403);

    // Another account's owner: the key does not exist.
    let other = t.account("standard", "otto@other.example").await;
    t.enable_api(&other).await;
    let otto = t.api_as("otto@other.example").await;
    let (status, list) = otto.get("/dkim").await;
    assert_eq!((status, list), (200, json!([])));
    let (status, _) = otto.call("DELETE", &format!("/dkim/{id}"), None).await;
    assert_eq!(status, 404);
    let (_, list) = api.get("/dkim").await;
    assert_eq!(list[0]["key"]["id"], id, "still there");
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

on_both!(keys_made_listed_and_deleted, bad_input_and_roles);
