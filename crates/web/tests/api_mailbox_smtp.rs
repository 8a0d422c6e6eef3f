//! /mailboxes/{id}/smtp: a mailbox's own SMTP server through the API, on
//! both databases, against a real aiosmtpd with STARTTLS and AUTH: set it,
//! read it (never the password), Send test email with the server's answer,
//! the SSL option refusing plain SMTP, removing it, and who gets 403/404.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use ecp_app::AppConfig;
use ecp_app::secret_box::SecretKey;
use ecp_domain::{MailboxId, UserId};
use ecp_testkit::db::Kind;
use ecp_testkit::smtp_sink::{SinkOptions, SinkTls, SmtpSink};
use serde_json::{Value, json};
use std::time::Duration;

const SECRET: &str = "Never-Shown-5mtp";

fn sink() -> SmtpSink {
    SmtpSink::start_with(SinkOptions {
        tls: SinkTls::StartTls,
        auth: Some(("desk".into(), SECRET.into())),
    })
    .unwrap()
}

async fn spawn_smtp(kind: Kind, sink: &SmtpSink) -> TestApp {
    let mut config = AppConfig {
        secret_key: Some(SecretKey::generate()),
        ..AppConfig::default()
    };
    config.outbound.timeout = Duration::from_secs(10);
    config.outbound.ca_pem = sink.ca_pem().map(|p| p.as_bytes().to_vec());
    spawn_with(kind, config).await
}

fn settings(sink: &SmtpSink, password: &str) -> Value {
    json!({
        "host": "127.0.0.1",
        "port": sink.port,
        "tls": "starttls",
        "username": "desk",
        "password": password,
    })
}

async fn mailbox(api: &Api) -> i64 {
    let (status, m) = api
        .call(
            "POST",
            "/mailboxes",
            Some(json!({"name": "Sales", "direct_address": "sales@in.example.com"})),
        )
        .await;
    assert_eq!(status, 201, "{m}");
    m["id"].as_i64().unwrap()
}

/// Calls the API and checks that the answer holds no password.
async fn call(api: &Api, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let (status, json) = api.call(method, path, body).await;
    let text = json.to_string();
    assert!(!text.contains(SECRET), "{method} {path}: {text}");
    (status, json)
}

async fn set_read_test_remove(kind: Kind) {
    let server = sink();
    let t = spawn_smtp(kind, &server).await;
    let (_acc, api) = t.api_account("standard").await;
    let mb = mailbox(&api).await;

    let (status, err) = api.get(&format!("/mailboxes/{mb}/smtp")).await;
    assert_eq!(status, 404, "{err}");
    let (status, err) = api
        .call("POST", &format!("/mailboxes/{mb}/smtp/test"), None)
        .await;
    assert_eq!(status, 409, "{err}");

    let (status, s) = call(
        &api,
        "PUT",
        &format!("/mailboxes/{mb}/smtp"),
        Some(settings(&server, SECRET)),
    )
    .await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(
        (
            s["enabled"].as_bool(),
            s["tls"].as_str(),
            s["has_password"].as_bool()
        ),
        (Some(true), Some("starttls"), Some(true))
    );
    assert_eq!(s["mailbox_id"], mb);
    assert!(s.get("password").is_none(), "{s}");
    let (status, got) = call(&api, "GET", &format!("/mailboxes/{mb}/smtp"), None).await;
    assert_eq!((status, &got["host"]), (200, &json!("127.0.0.1")));

    let (status, test) = call(&api, "POST", &format!("/mailboxes/{mb}/smtp/test"), None).await;
    assert_eq!(status, 200, "{test}");
    assert_eq!(test["ok"], true, "{test}");
    assert_eq!(test["to"], "olivia@example.com");
    let got = server.wait_for(1, Duration::from_secs(10)).unwrap();
    assert_eq!(got[0].rcpt_tos, vec!["olivia@example.com"]);
    assert!(got[0].tls);
    assert_eq!(got[0].auth_login.as_deref(), Some("desk"));

    // A wrong password: the server's answer comes back.
    let (status, _) = call(
        &api,
        "PUT",
        &format!("/mailboxes/{mb}/smtp"),
        Some(settings(&server, "wrong-one")),
    )
    .await;
    assert_eq!(status, 200);
    let (_, test) = call(&api, "POST", &format!("/mailboxes/{mb}/smtp/test"), None).await;
    assert_eq!(test["ok"], false, "{test}");
    assert!(test["message"].as_str().unwrap().contains("535"), "{test}");

    let (status, _) = api
        .call("DELETE", &format!("/mailboxes/{mb}/smtp"), None)
        .await;
    assert_eq!(status, 204);
    let (status, _) = api
        .call("DELETE", &format!("/mailboxes/{mb}/smtp"), None)
        .await;
    assert_eq!(status, 404);
    assert_eq!(server.messages().unwrap().len(), 1);
}

async fn bad_input_and_the_ssl_option(kind: Kind) {
    let server = sink();
    let t = spawn_smtp(kind, &server).await;
    let (acc, api) = t.api_account("standard").await;
    let mb = mailbox(&api).await;
    let path = format!("/mailboxes/{mb}/smtp");
    let (status, err) = api
        .call(
            "PUT",
            &path,
            Some(json!({"host": "smtp.example.com:587", "port": 70000, "tls": "maybe"})),
        )
        .await;
    assert_eq!(status, 422, "{err}");
    let text = err.to_string();
    for field in ["host", "port", "tls"] {
        assert!(text.contains(field), "{field}: {text}");
    }
    let (status, err) = api
        .call(
            "PUT",
            &path,
            Some(json!({"host": "h.example", "tls": "none", "extra": 1})),
        )
        .await;
    assert_eq!(status, 400, "{err}");
    let (status, err) = api
        .call(
            "PUT",
            &path,
            Some(json!({"host": "h.example", "tls": "tls", "username": "u"})),
        )
        .await;
    assert_eq!(status, 422, "a username without a password: {err}");
    assert_eq!(api.get(&path).await.0, 404, "nothing was written");

    let owner = t.owner_actor(&acc).await;
    t.app
        .update_options(
            &owner,
            &ecp_app::account::OptionsPatch {
                ssl_required: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let (status, err) = api
        .call(
            "PUT",
            &path,
            Some(json!({"host": "h.example", "tls": "none"})),
        )
        .await;
    assert_eq!(status, 422, "{err}");
    assert!(err.to_string().contains("requires SSL"), "{err}");
    let (status, ok) = api
        .call(
            "PUT",
            &path,
            Some(json!({"host": "h.example", "tls": "tls"})),
        )
        .await;
    assert_eq!((status, &ok["port"]), (200, &json!(465)), "{ok}");
}

async fn who_gets_403_and_404(kind: Kind) {
    let server = sink();
    let t = spawn_smtp(kind, &server).await;
    let (acc, api) = t.api_account("standard").await;
    let mb = mailbox(&api).await;
    let (status, _) = call(
        &api,
        "PUT",
        &format!("/mailboxes/{mb}/smtp"),
        Some(settings(&server, SECRET)),
    )
    .await;
    assert_eq!(status, 200);
    let uma = t
        .add_user(&acc, "Uma User", "uma@example.com", "user")
        .await;
    let uma_api = t.api_as("uma@example.com").await;
    let other = t.account("premium", "oscar@example.com").await;
    t.enable_api(&other).await;
    let outsider = t.api_as(&other.owner_email).await;
    let routes = [
        ("GET", format!("/mailboxes/{mb}/smtp"), None),
        (
            "PUT",
            format!("/mailboxes/{mb}/smtp"),
            Some(settings(&server, "x")),
        ),
        ("DELETE", format!("/mailboxes/{mb}/smtp"), None),
        ("POST", format!("/mailboxes/{mb}/smtp/test"), None),
    ];
    for (method, path, body) in &routes {
        let (status, err) = call(&outsider, method, path, body.clone()).await;
        assert_eq!(status, 404, "{method} {path}: {err}");
        // Not permitted on the mailbox: it does not exist for her.
        let (status, err) = call(&uma_api, method, path, body.clone()).await;
        assert_eq!(status, 404, "{method} {path}: {err}");
    }
    // Permitted on the mailbox but not an administrator: 403.
    let owner = t.owner_actor(&acc).await;
    t.app
        .set_mailbox_permissions(&owner, MailboxId(mb), &[UserId(uma)])
        .await
        .unwrap();
    for (method, path, body) in &routes {
        let (status, err) = call(&uma_api, method, path, body.clone()).await;
        assert_eq!(status, 403, "{method} {path}: {err}");
    }
    // Still there, unchanged, and nothing was sent.
    let (_, s) = call(&api, "GET", &format!("/mailboxes/{mb}/smtp"), None).await;
    assert_eq!(s["has_password"], true);
    assert!(server.messages().unwrap().is_empty());
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
    set_read_test_remove,
    bad_input_and_the_ssl_option,
    who_gets_403_and_404
);
