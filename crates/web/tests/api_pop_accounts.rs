//! /mailboxes/{id}/pop-accounts and /pop-accounts/{id}: settings, Test
//! connection against a real Dovecot, Fetch now and the delivery ledger;
//! bad input, the plan's SSL rule, the SSL option, and who gets 404. The
//! password is write-only: no answer ever contains it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod pop_support;

use common::*;
use ecp_domain::{MailboxId, UserId};
use ecp_testkit::db::Kind;
use ecp_testkit::dovecot::Dovecot;
use pop_support::*;
use serde_json::{Value, json};

fn offline() -> Value {
    json!({
        "name": "Sales POP",
        "host": "pop.example.com",
        "username": "sales@example.com",
        "password": SECRET,
        "use_ssl": true,
    })
}

fn dovecot(server: &Dovecot, use_ssl: bool) -> Value {
    let port = if use_ssl {
        server.pop3s_port.unwrap()
    } else {
        server.pop3_port
    };
    json!({
        "name": "Sales",
        "host": "127.0.0.1",
        "port": port,
        "username": server.user(),
        "password": server.password(),
        "use_ssl": use_ssl,
    })
}

fn with(mut v: Value, key: &str, value: Value) -> Value {
    v[key] = value;
    v
}

/// Calls the API and checks that the answer holds no password.
async fn call(
    api: &Api,
    method: &str,
    path: &str,
    body: Option<Value>,
    secret: &str,
) -> (u16, Value) {
    let (status, json) = api.call(method, path, body).await;
    let text = json.to_string();
    assert!(
        !text.contains(secret),
        "{method} {path} sent the password back: {text}"
    );
    // Error answers may name the password field; nothing else may.
    if status < 300 {
        assert!(!text.contains("\"password\""), "{method} {path}: {text}");
    }
    (status, json)
}

async fn mailbox(api: &Api, name: &str, address: &str) -> i64 {
    let (status, m) = api
        .call(
            "POST",
            "/mailboxes",
            Some(json!({"name": name, "direct_address": address})),
        )
        .await;
    assert_eq!(status, 201, "{m}");
    m["id"].as_i64().unwrap()
}

async fn crud_without_the_password(kind: Kind) {
    let t = spawn_pop(kind, None).await;
    let (_acc, api) = t.api_account("standard").await;
    let mb = mailbox(&api, "Sales", "sales@in.example.com").await;

    let (status, list) = api.get(&format!("/mailboxes/{mb}/pop-accounts")).await;
    assert_eq!((status, list), (200, json!([])));
    let (status, a) = call(
        &api,
        "POST",
        &format!("/mailboxes/{mb}/pop-accounts"),
        Some(offline()),
        SECRET,
    )
    .await;
    assert_eq!(status, 201, "{a}");
    assert_eq!(a["mailbox_id"], mb);
    assert_eq!(
        (a["port"].as_i64(), a["use_ssl"].as_bool()),
        (Some(995), Some(true))
    );
    assert_eq!(
        (a["active"].as_bool(), a["copy_mail"].as_bool()),
        (Some(true), Some(false))
    );
    assert_eq!(a["last_success_at"], Value::Null);
    assert_eq!(a["messages_fetched"], 0);
    assert!(a["created_at"].as_str().unwrap().ends_with('Z'));
    let id = a["id"].as_i64().unwrap();

    let (status, got) = call(&api, "GET", &format!("/pop-accounts/{id}"), None, SECRET).await;
    assert_eq!(status, 200);
    assert_eq!(got["name"], "Sales POP");
    let (status, list) = call(
        &api,
        "GET",
        &format!("/mailboxes/{mb}/pop-accounts"),
        None,
        SECRET,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 1);

    // Fields left out keep their value, the password included.
    let (status, changed) = call(
        &api,
        "PATCH",
        &format!("/pop-accounts/{id}"),
        Some(json!({"name": "Sales EU", "port": 1995, "copy_mail": true, "use_ssl": false})),
        SECRET,
    )
    .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["name"], "Sales EU");
    assert_eq!(
        (changed["port"].as_i64(), changed["copy_mail"].as_bool()),
        (Some(1995), Some(true))
    );
    assert_eq!(changed["host"], "pop.example.com");
    let (status, _) = call(
        &api,
        "PATCH",
        &format!("/pop-accounts/{id}"),
        Some(json!({"password": ""})),
        SECRET,
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = call(
        &api,
        "PATCH",
        &format!("/pop-accounts/{id}"),
        Some(json!({"active": false})),
        SECRET,
    )
    .await;
    assert_eq!(status, 200);
    let (_, got) = call(&api, "GET", &format!("/pop-accounts/{id}"), None, SECRET).await;
    assert_eq!(got["active"], false);

    let (status, second) = call(
        &api,
        "POST",
        &format!("/mailboxes/{mb}/pop-accounts"),
        Some(offline()),
        SECRET,
    )
    .await;
    assert_eq!(status, 201, "any number per mailbox");
    let (status, body) = api
        .call("DELETE", &format!("/pop-accounts/{id}"), None)
        .await;
    assert_eq!((status, body), (204, Value::Null));
    let (status, body) = api.get(&format!("/pop-accounts/{id}")).await;
    assert_eq!((status, err_code(&body)), (404, "not_found"));
    let (_, list) = api.get(&format!("/mailboxes/{mb}/pop-accounts")).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], second["id"]);

    // The document describes no password in any answer.
    let doc: Value = reqwest::get(format!("{}/api/v1/openapi.json", t.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let schemas = &doc["components"]["schemas"];
    for name in [
        "PopAccount",
        "DeliveryLedger",
        "LedgerEntry",
        "ConnectionTestResult",
    ] {
        let props = schemas[name]["properties"].as_object().expect(name);
        assert!(!props.keys().any(|k| k.contains("password")), "{name}");
    }
    assert!(schemas["NewPopAccount"]["properties"]["password"].is_object());
}

async fn bad_input(kind: Kind) {
    let t = spawn_pop(kind, None).await;
    let (_acc, api) = t.api_account("standard").await;
    let mb = mailbox(&api, "Sales", "sales@in.example.com").await;
    let path = format!("/mailboxes/{mb}/pop-accounts");
    let unprocessable = [
        ("name", json!(""), "name"),
        ("name", json!("n".repeat(101)), "name"),
        ("name", json!("two\nlines"), "name"),
        ("host", json!(""), "host"),
        ("host", json!("pop3://pop.example.com"), "host"),
        ("host", json!("pop.example.com:995"), "host"),
        (
            "host",
            json!(format!("{}.example.com", "h".repeat(250))),
            "host",
        ),
        ("username", json!(""), "username"),
        ("username", json!("u".repeat(255)), "username"),
        ("password", json!(""), "password"),
        ("password", json!("p".repeat(1025)), "password"),
        ("password", json!("a\r\nDELE 1"), "password"),
        ("port", json!(0), "port"),
        ("port", json!(70000), "port"),
        ("port", json!(-1), "port"),
    ];
    for (field, value, named) in unprocessable {
        let body = with(offline(), field, value.clone());
        let (status, err) = call(
            &api,
            "POST",
            &format!("/mailboxes/{mb}/pop-accounts"),
            Some(body),
            SECRET,
        )
        .await;
        assert_eq!(status, 422, "{field}={value}: {err}");
        assert_eq!(err_code(&err), "validation");
        assert_eq!(err_fields(&err), [named], "{field}={value}");
    }
    let wrong_type = [
        ("port", json!("abc")),
        ("port", json!(1.5)),
        ("active", json!("yes")),
        ("use_ssl", json!(1)),
        ("copy_mail", json!("true")),
        ("name", json!(42)),
        ("password", json!(["x"])),
        ("server", json!("pop.example.com")),
    ];
    for (field, value) in wrong_type {
        let body = with(offline(), field, value.clone());
        let (status, err) = call(&api, "POST", &path, Some(body), SECRET).await;
        assert_eq!(
            (status, err_code(&err)),
            (400, "bad_request"),
            "{field}={value}: {err}"
        );
    }
    let mut missing = offline();
    missing.as_object_mut().unwrap().remove("password");
    let (status, _) = api.call("POST", &path, Some(missing)).await;
    assert_eq!(status, 400);
    let (status, _) = api.raw("POST", &path, "application/json", "[1]").await;
    assert_eq!(status, 400);
    let (status, _) = api.raw("POST", &path, "text/plain", "name=x").await;
    assert_eq!(status, 400);
    let (_, list) = api.get(&path).await;
    assert_eq!(list, json!([]), "nothing was written");

    let (status, a) = call(&api, "POST", &path, Some(offline()), SECRET).await;
    assert_eq!(status, 201);
    let id = a["id"].as_i64().unwrap();
    for body in [
        json!({"port": 70000}),
        json!({"host": "a b"}),
        json!({"name": ""}),
    ] {
        let (status, err) = call(
            &api,
            "PATCH",
            &format!("/pop-accounts/{id}"),
            Some(body.clone()),
            SECRET,
        )
        .await;
        assert_eq!(status, 422, "{body}: {err}");
    }
    let (status, _) = api
        .call(
            "PATCH",
            &format!("/pop-accounts/{id}"),
            Some(json!({"port": "abc"})),
        )
        .await;
    assert_eq!(status, 400);
    let (_, same) = api.get(&format!("/pop-accounts/{id}")).await;
    assert_eq!(
        (same["port"].as_i64(), same["name"].as_str()),
        (Some(995), Some("Sales POP"))
    );
    for bad in ["abc", "0", "-3"] {
        let (status, _) = api.get(&format!("/pop-accounts/{bad}")).await;
        assert_eq!(status, 400, "{bad}");
    }
    let (status, _) = api.get("/pop-accounts/999999/ledger").await;
    assert_eq!(status, 404);

    // Hostile HTML in the name is data: returned exactly as given.
    let hostile = "<script>alert(1)</script>";
    let (status, h) = call(
        &api,
        "POST",
        &path,
        Some(with(offline(), "name", json!(hostile))),
        SECRET,
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(h["name"], hostile);
}

async fn test_connection_and_fetch(kind: Kind) {
    let server = Dovecot::start().unwrap();
    server.add_messages(3).unwrap();
    let t = spawn_pop(kind, Some(&server)).await;
    let (_acc, api) = t.api_account("standard").await;
    let mb = mailbox(&api, "Sales", "sales@in.example.com").await;
    let pw = server.password().to_string();

    let (status, ok) = call(
        &api,
        "POST",
        &format!("/mailboxes/{mb}/pop-accounts/test"),
        Some(dovecot(&server, true)),
        &pw,
    )
    .await;
    assert_eq!(status, 200, "{ok}");
    assert_eq!(
        (ok["ok"].as_bool(), ok["step"].as_str()),
        (Some(true), Some("done"))
    );
    assert_eq!(
        (ok["secure"].as_bool(), ok["messages_on_server"].as_i64()),
        (Some(true), Some(3))
    );
    assert!(
        ok["message"]
            .as_str()
            .unwrap()
            .contains("3 messages are waiting")
    );

    let wrong = with(dovecot(&server, true), "password", json!("not it"));
    let (status, login) = call(
        &api,
        "POST",
        &format!("/mailboxes/{mb}/pop-accounts/test"),
        Some(wrong),
        "not it",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        (
            login["ok"].as_bool(),
            login["step"].as_str(),
            login["kind"].as_str()
        ),
        (Some(false), Some("login"), Some("login"))
    );
    assert_eq!(login["step_label"], "Logging in");
    assert!(
        login["message"]
            .as_str()
            .unwrap()
            .starts_with("Logging in failed."),
        "{login}"
    );

    let closed = with(dovecot(&server, true), "port", json!(closed_port()));
    let (_, tcp) = call(
        &api,
        "POST",
        &format!("/mailboxes/{mb}/pop-accounts/test"),
        Some(closed),
        &pw,
    )
    .await;
    assert_eq!(
        (tcp["step"].as_str(), tcp["kind"].as_str()),
        (Some("tcp"), Some("tcp")),
        "{tcp}"
    );
    assert!(
        tcp["message"]
            .as_str()
            .unwrap()
            .contains("refused the connection")
    );
    let tls = with(dovecot(&server, true), "port", json!(server.pop3_port));
    let (_, tls) = call(
        &api,
        "POST",
        &format!("/mailboxes/{mb}/pop-accounts/test"),
        Some(tls),
        &pw,
    )
    .await;
    assert_eq!(tls["step"], "tls", "{tls}");

    let (status, a) = call(
        &api,
        "POST",
        &format!("/mailboxes/{mb}/pop-accounts"),
        Some(dovecot(&server, true)),
        &pw,
    )
    .await;
    assert_eq!(status, 201);
    let id = a["id"].as_i64().unwrap();
    let (status, saved) = call(&api, "POST", &format!("/pop-accounts/{id}/test"), None, &pw).await;
    assert_eq!(status, 200);
    assert_eq!(saved["ok"], true, "{saved}");
    assert_eq!(
        server.message_count().unwrap(),
        3,
        "testing fetches nothing"
    );

    let (status, queued) = call(
        &api,
        "POST",
        &format!("/pop-accounts/{id}/fetch"),
        None,
        &pw,
    )
    .await;
    assert_eq!(status, 202, "{queued}");
    let summary = t.app.poll_due_pop_accounts().await.unwrap();
    assert_eq!(summary.messages, 3, "{summary:?}");

    let (status, ledger) = call(
        &api,
        "GET",
        &format!("/pop-accounts/{id}/ledger"),
        None,
        &pw,
    )
    .await;
    assert_eq!(status, 200, "{ledger}");
    assert_eq!(
        (ledger["taken_in"].as_i64(), ledger["filed"].as_i64()),
        (Some(3), Some(3))
    );
    assert_eq!(ledger["deleted_from_server"], 3, "Copy mail off");
    assert!(
        ledger["on_server"].is_i64(),
        "the server was counted: {ledger}"
    );
    assert_eq!(ledger["recent"].as_array().unwrap().len(), 3);
    assert_eq!(ledger["recent"][0]["state"], "processed");
    assert!(
        ledger["summary"]
            .as_str()
            .unwrap()
            .contains("Taken in so far: 3 messages")
    );

    let (_, a) = call(&api, "GET", &format!("/pop-accounts/{id}"), None, &pw).await;
    assert_eq!(a["messages_fetched"], 3);
    assert!(a["last_success_at"].is_string(), "{a}");
    assert_eq!(a["failing"], false);
    let (_, page) = api.get(&format!("/mailboxes/{mb}/conversations")).await;
    let mut subjects: Vec<&str> = page["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["subject"].as_str().unwrap())
        .collect();
    subjects.sort();
    assert_eq!(
        subjects,
        ["Test message 0", "Test message 1", "Test message 2"]
    );
}

async fn ssl_rules(kind: Kind) {
    let server = Dovecot::start_without_tls().unwrap();
    let t = spawn_pop(kind, Some(&server)).await;
    let (acc, api) = t.api_account("standard").await;
    let mb = mailbox(&api, "Sales", "sales@in.example.com").await;
    let pw = server.password().to_string();
    let test = format!("/mailboxes/{mb}/pop-accounts/test");
    let (_, plain) = call(&api, "POST", &test, Some(dovecot(&server, false)), &pw).await;
    assert_eq!(
        (plain["ok"].as_bool(), plain["secure"].as_bool()),
        (Some(true), Some(false)),
        "{plain}"
    );

    // Account Options -> SSL: a server without TLS is refused, saying why.
    let (status, _) = api
        .call(
            "PATCH",
            "/account/options",
            Some(json!({"ssl_required": true})),
        )
        .await;
    assert_eq!(status, 200);
    let (_, refused) = call(&api, "POST", &test, Some(dovecot(&server, false)), &pw).await;
    assert_eq!(
        (
            refused["ok"].as_bool(),
            refused["step"].as_str(),
            refused["kind"].as_str()
        ),
        (Some(false), Some("tls"), Some("tls_unavailable"))
    );
    let message = refused["message"].as_str().unwrap();
    assert!(
        message.contains("requires SSL for all its mail") && message.contains("usually 995"),
        "{message}"
    );

    // After a move to Free, an account keeps the SSL it had, a plain one
    // can't gain it, and the API itself is off (a paid-plan feature).
    let (status, with_ssl) = call(
        &api,
        "POST",
        &format!("/mailboxes/{mb}/pop-accounts"),
        Some(offline()),
        SECRET,
    )
    .await;
    assert_eq!(status, 201);
    let plain_account = with(offline(), "use_ssl", json!(false));
    let (_, no_ssl) = call(
        &api,
        "POST",
        &format!("/mailboxes/{mb}/pop-accounts"),
        Some(plain_account),
        SECRET,
    )
    .await;
    let owner = t.owner_actor(&acc).await;
    t.app.change_plan(&owner, "free").await.unwrap();
    let (status, err) = api
        .call(
            "PATCH",
            &format!("/pop-accounts/{}", no_ssl["id"]),
            Some(json!({"use_ssl": true})),
        )
        .await;
    assert_eq!(status, 403, "{err}");
    let owner = t.owner_actor(&acc).await;
    let err = t
        .app
        .update_pop_account(
            &owner,
            MailboxId(mb),
            ecp_app::pop::PopAccountId(no_ssl["id"].as_i64().unwrap()),
            &ecp_app::pop::PopAccountInput {
                active: true,
                name: "Sales POP",
                host: "pop.example.com",
                username: "sales@example.com",
                use_ssl: true,
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("not available on the Free plan"),
        "{err}"
    );
    let kept = t
        .app
        .pop_account(
            &owner,
            MailboxId(mb),
            ecp_app::pop::PopAccountId(with_ssl["id"].as_i64().unwrap()),
        )
        .await
        .unwrap();
    assert!(kept.use_ssl, "a downgrade does not drop SSL");
}

async fn who_gets_404(kind: Kind) {
    let t = spawn_pop(kind, None).await;
    let (acc, api) = t.api_account("standard").await;
    let mb = mailbox(&api, "Sales", "sales@in.example.com").await;
    let (_, a) = call(
        &api,
        "POST",
        &format!("/mailboxes/{mb}/pop-accounts"),
        Some(offline()),
        SECRET,
    )
    .await;
    let id = a["id"].as_i64().unwrap();
    let uma = t
        .add_user(&acc, "Uma User", "uma@example.com", "user")
        .await;
    let uma_api = t.api_as("uma@example.com").await;
    let other = t.account("premium", "oscar@example.com").await;
    t.enable_api(&other).await;
    let outsider = t.api_as(&other.owner_email).await;

    let routes: Vec<(&str, String, Option<Value>)> = vec![
        ("GET", format!("/mailboxes/{mb}/pop-accounts"), None),
        (
            "POST",
            format!("/mailboxes/{mb}/pop-accounts"),
            Some(offline()),
        ),
        (
            "POST",
            format!("/mailboxes/{mb}/pop-accounts/test"),
            Some(offline()),
        ),
        ("GET", format!("/pop-accounts/{id}"), None),
        (
            "PATCH",
            format!("/pop-accounts/{id}"),
            Some(json!({"name": "Taken"})),
        ),
        ("POST", format!("/pop-accounts/{id}/test"), None),
        ("POST", format!("/pop-accounts/{id}/fetch"), None),
        ("GET", format!("/pop-accounts/{id}/ledger"), None),
        ("DELETE", format!("/pop-accounts/{id}"), None),
    ];
    for who in [&uma_api, &outsider] {
        for (method, path, body) in &routes {
            let (status, err) = call(who, method, path, body.clone(), SECRET).await;
            assert_eq!(
                (status, err_code(&err)),
                (404, "not_found"),
                "{method} {path}"
            );
            assert!(!err.to_string().contains("pop.example.com"));
        }
    }
    // Permitted on the mailbox but not an administrator: 403.
    let owner = t.owner_actor(&acc).await;
    t.app
        .set_mailbox_permissions(&owner, MailboxId(mb), &[UserId(uma)])
        .await
        .unwrap();
    for (method, path, body) in &routes {
        let (status, err) = call(&uma_api, method, path, body.clone(), SECRET).await;
        assert_eq!(
            (status, err_code(&err)),
            (403, "forbidden"),
            "{method} {path}"
        );
    }
    let (_, list) = api.get(&format!("/mailboxes/{mb}/pop-accounts")).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["name"], "Sales POP", "nothing changed");
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
    crud_without_the_password,
    bad_input,
    test_connection_and_fetch,
    ssl_rules,
    who_gets_404,
);
