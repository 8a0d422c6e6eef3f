//! /mailboxes: list, add, read, change, delete, permissions; bad input,
//! hostile HTML, plan limits and read-only mailboxes after a downgrade.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use ecp_testkit::db::Kind;
use serde_json::{Value, json};

fn sales() -> Value {
    json!({"name": "Sales", "direct_address": "sales@in.example.com"})
}

async fn crud_and_permissions(kind: Kind) {
    let t = spawn(kind).await;
    let (acc, api) = t.api_account("standard").await;
    let uma = t
        .add_user(&acc, "Uma User", "uma@example.com", "user")
        .await;

    let (status, list) = api.get("/mailboxes").await;
    assert_eq!(status, 200);
    assert_eq!(list, json!([]));

    let (status, m) = api.call("POST", "/mailboxes", Some(sales())).await;
    assert_eq!(status, 201, "{m}");
    assert_eq!(m["name"], "Sales");
    assert_eq!(m["send_as_name"], "Sales", "defaults to the name");
    assert_eq!(m["send_as_address"], "sales@in.example.com");
    assert_eq!(m["auto_bcc"], json!([]));
    let id = m["id"].as_i64().unwrap();

    let (status, full) = api
        .call(
            "POST",
            "/mailboxes",
            Some(json!({
                "name": "Support",
                "direct_address": "Support@In.Example.com",
                "send_as_name": "Acme Support",
                "send_as_address": "support@example.com",
                "signature_html": "<b>Acme</b> support",
                "auto_bcc": ["archive@example.com", "boss@example.com"],
                "user_ids": [uma],
            })),
        )
        .await;
    assert_eq!(status, 201, "{full}");
    assert_eq!(full["direct_address"], "support@in.example.com");
    assert_eq!(full["send_as_name"], "Acme Support");
    assert_eq!(full["signature_html"], "<b>Acme</b> support");
    assert_eq!(
        full["auto_bcc"],
        json!(["archive@example.com", "boss@example.com"])
    );
    let support = full["id"].as_i64().unwrap();

    let (status, list) = api.get("/mailboxes").await;
    assert_eq!(status, 200);
    let names: Vec<_> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].clone())
        .collect();
    assert_eq!(names, vec![json!("Sales"), json!("Support")]);

    let (status, got) = api.get(&format!("/mailboxes/{support}")).await;
    assert_eq!(status, 200);
    assert_eq!(got, full);

    // A partial change keeps every field it doesn't name.
    let (status, changed) = api
        .call(
            "PATCH",
            &format!("/mailboxes/{support}"),
            Some(json!({"name": "Help Desk"})),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["name"], "Help Desk");
    for field in [
        "direct_address",
        "send_as_name",
        "send_as_address",
        "signature_html",
        "auto_bcc",
        "created_at",
    ] {
        assert_eq!(changed[field], full[field], "{field} kept");
    }
    let (status, changed) = api
        .call(
            "PATCH",
            &format!("/mailboxes/{support}"),
            Some(json!({"auto_bcc": [], "send_as_address": "help@example.com"})),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["auto_bcc"], json!([]));
    assert_eq!(changed["send_as_address"], "help@example.com");

    // Permissions.
    let (status, p) = api.get(&format!("/mailboxes/{support}/permissions")).await;
    assert_eq!(status, 200);
    assert_eq!(
        p,
        json!({"mailbox_id": support, "user_ids": [uma], "read_only": false})
    );
    let (status, p) = api
        .call(
            "PUT",
            &format!("/mailboxes/{id}/permissions"),
            Some(json!({"user_ids": [uma, uma]})),
        )
        .await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(p["user_ids"], json!([uma]), "duplicates collapse");
    let uma_api = t.api_as("uma@example.com").await;
    let (_, seen) = uma_api.get("/mailboxes").await;
    assert_eq!(seen.as_array().unwrap().len(), 2);
    let (status, p) = api
        .call(
            "PUT",
            &format!("/mailboxes/{id}/permissions"),
            Some(json!({"user_ids": []})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(p["user_ids"], json!([]));
    let (_, seen) = uma_api.get("/mailboxes").await;
    assert_eq!(seen.as_array().unwrap().len(), 1);
    assert_eq!(uma_api.get(&format!("/mailboxes/{id}")).await.0, 404);

    // Delete.
    let (status, body) = api.call("DELETE", &format!("/mailboxes/{id}"), None).await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(body, Value::Null);
    assert_eq!(api.get(&format!("/mailboxes/{id}")).await.0, 404);
    assert_eq!(
        api.call("DELETE", &format!("/mailboxes/{id}"), None)
            .await
            .0,
        404
    );
    assert_eq!(
        api.call(
            "PATCH",
            &format!("/mailboxes/{id}"),
            Some(json!({"name": "X"}))
        )
        .await
        .0,
        404
    );
    assert_eq!(
        api.get(&format!("/mailboxes/{id}/permissions")).await.0,
        404
    );
    assert_eq!(
        api.call(
            "PUT",
            &format!("/mailboxes/{id}/permissions"),
            Some(json!({"user_ids": []}))
        )
        .await
        .0,
        404
    );
    let (_, list) = api.get("/mailboxes").await;
    assert_eq!(list.as_array().unwrap().len(), 1);
}

async fn other_accounts_mailboxes_do_not_exist(kind: Kind) {
    let t = spawn(kind).await;
    let (_acc, api) = t.api_account("standard").await;
    let other = t.account("premium", "zed@other.example").await;
    t.enable_api(&other).await;
    let zed = t.api_as("zed@other.example").await;
    let (status, m) = zed.call("POST", "/mailboxes", Some(sales())).await;
    assert_eq!(status, 201);
    let id = m["id"].as_i64().unwrap();
    assert_eq!(api.get(&format!("/mailboxes/{id}")).await.0, 404);
    assert_eq!(
        api.call("DELETE", &format!("/mailboxes/{id}"), None)
            .await
            .0,
        404
    );
    assert_eq!(
        api.get(&format!("/mailboxes/{id}/permissions")).await.0,
        404
    );
    assert_eq!(api.get("/mailboxes").await.1, json!([]));
    // Nor may one list another account's users on a mailbox.
    let (status, m) = api
        .call(
            "POST",
            "/mailboxes",
            Some(json!({"name": "Mine", "direct_address": "mine@in.example.com"})),
        )
        .await;
    assert_eq!(status, 201);
    let mine = m["id"].as_i64().unwrap();
    let (status, res) = api
        .call(
            "PUT",
            &format!("/mailboxes/{mine}/permissions"),
            Some(json!({"user_ids": [_acc.owner_id, other.owner_id]})),
        )
        .await;
    assert_eq!(status, 422, "{res}");
    assert_eq!(err_fields(&res), vec!["user_ids"]);
    let (_, p) = api.get(&format!("/mailboxes/{mine}/permissions")).await;
    assert_eq!(p["user_ids"], json!([]), "nothing half-written");
}

async fn bad_input_is_refused_and_nothing_written(kind: Kind) {
    let t = spawn(kind).await;
    let (_acc, api) = t.api_account("standard").await;
    let (_, m) = api.call("POST", "/mailboxes", Some(sales())).await;
    let id = m["id"].as_i64().unwrap();
    let long = "x".repeat(101);
    let many: Vec<String> = (0..11).map(|i| format!("b{i}@example.com")).collect();
    let big_signature = "<p>".to_string() + &"y".repeat(25_000) + "</p>";
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (json!({"name": ""}), vec!["name"]),
        (json!({"name": "  "}), vec!["name"]),
        (json!({"name": long}), vec!["name"]),
        (json!({"name": "Two\nlines"}), vec!["name"]),
        (json!({"direct_address": ""}), vec!["direct_address"]),
        (json!({"direct_address": "nope"}), vec!["direct_address"]),
        (json!({"direct_address": "a@b@c"}), vec!["direct_address"]),
        (
            json!({"send_as_address": "not mail"}),
            vec!["send_as_address"],
        ),
        (
            json!({"send_as_name": "x".repeat(101)}),
            vec!["send_as_name"],
        ),
        (
            json!({"auto_bcc": ["ok@example.com", "broken"]}),
            vec!["auto_bcc"],
        ),
        (
            json!({"auto_bcc": ["a@example.com, b@example.com"]}),
            vec!["auto_bcc"],
        ),
        (json!({"auto_bcc": many}), vec!["auto_bcc"]),
        (
            json!({"signature_html": big_signature}),
            vec!["signature_html"],
        ),
        (
            json!({"name": "", "direct_address": "x"}),
            vec!["name", "direct_address"],
        ),
        (
            json!({"name": "Valid New Name", "direct_address": "bad"}),
            vec!["direct_address"],
        ),
    ];
    for (change, fields) in &cases {
        // As a change to the existing mailbox...
        let (status, res) = api
            .call("PATCH", &format!("/mailboxes/{id}"), Some(change.clone()))
            .await;
        assert_eq!(status, 422, "PATCH {change}: {res}");
        assert_eq!(err_code(&res), "validation");
        assert_eq!(&err_fields(&res), fields, "PATCH {change}");
        // ...and as a new mailbox.
        let mut new = json!({"name": "New", "direct_address": "new@in.example.com"});
        for (k, v) in change.as_object().unwrap() {
            new[k] = v.clone();
        }
        let (status, res) = api.call("POST", "/mailboxes", Some(new.clone())).await;
        assert_eq!(status, 422, "POST {new}: {res}");
        assert_eq!(&err_fields(&res), fields, "POST {new}");
    }
    for body in [
        json!({"name": 7}),
        json!({"name": null, "direct_address": 1}),
        json!({"auto_bcc": "a@example.com"}),
        json!({"signature_html": {"html": "x"}}),
        json!({"colour": "red"}),
        json!([]),
    ] {
        let (status, res) = api
            .call("PATCH", &format!("/mailboxes/{id}"), Some(body.clone()))
            .await;
        assert_eq!(status, 400, "PATCH {body}: {res}");
        let (status, res) = api.call("POST", "/mailboxes", Some(body.clone())).await;
        assert_eq!(status, 400, "POST {body}: {res}");
    }
    let (status, res) = api
        .call(
            "POST",
            "/mailboxes",
            Some(json!({"name": "Dup", "direct_address": "SALES@in.example.com"})),
        )
        .await;
    assert_eq!(status, 422, "{res}");
    assert_eq!(err_fields(&res), vec!["direct_address"]);
    assert!(err_message(&res).contains("already used"));
    for body in [
        json!({"user_ids": "1"}),
        json!({"user_ids": [true]}),
        json!({}),
        json!({"user_ids": [1.5]}),
    ] {
        let (status, res) = api
            .call(
                "PUT",
                &format!("/mailboxes/{id}/permissions"),
                Some(body.clone()),
            )
            .await;
        assert_eq!(status, 400, "{body}: {res}");
    }
    let (status, res) = api
        .call(
            "PUT",
            &format!("/mailboxes/{id}/permissions"),
            Some(json!({"user_ids": [987654]})),
        )
        .await;
    assert_eq!(status, 422, "{res}");
    assert_eq!(err_fields(&res), vec!["user_ids"]);

    // Nothing of any refused change was written.
    let (_, after) = api.get(&format!("/mailboxes/{id}")).await;
    assert_eq!(after, m);
    let (_, list) = api.get("/mailboxes").await;
    assert_eq!(list.as_array().unwrap().len(), 1);
}

async fn hostile_html(kind: Kind) {
    let t = spawn(kind).await;
    let (_acc, api) = t.api_account("standard").await;
    let name = "<img src=x onerror=alert(1)>Sales";
    let (status, m) = api
        .call(
            "POST",
            "/mailboxes",
            Some(json!({
                "name": name,
                "direct_address": "sales@in.example.com",
                "send_as_name": "\"><script>alert(2)</script>",
                "signature_html": "<script>alert(3)</script><b onclick=\"x()\">Acme</b><a href=\"javascript:alert(4)\">x</a><img src=https://evil.example/t.gif><style>*{}</style>",
            })),
        )
        .await;
    assert_eq!(status, 201, "{m}");
    // Names are text: kept as typed, escaped wherever they are shown.
    assert_eq!(m["name"], name);
    assert_eq!(m["send_as_name"], "\"><script>alert(2)</script>");
    let sig = m["signature_html"].as_str().unwrap();
    for bad in [
        "script",
        "onclick",
        "javascript",
        "<img",
        "<style",
        "evil.example",
    ] {
        assert!(!sig.contains(bad), "{bad} in {sig}");
    }
    assert!(sig.contains("<b>Acme</b>"), "{sig}");
    let id = m["id"].as_i64().unwrap();
    let (_, stored) = api.get(&format!("/mailboxes/{id}")).await;
    assert_eq!(stored["signature_html"], m["signature_html"]);

    let (status, m) = api
        .call(
            "PATCH",
            &format!("/mailboxes/{id}"),
            Some(json!({"signature_html": "<iframe src=//evil.example></iframe><i>ok</i>"})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(m["signature_html"], "<i>ok</i>");

    let b = t.signed_in("olivia@example.com").await;
    let (_, page) = b.page("/").await;
    assert!(
        !page.contains("<img src=x"),
        "home escapes the mailbox name"
    );
    assert!(page.contains("&#60;img src=x onerror=alert(1)&#62;Sales"));
}

async fn plan_limit_and_read_only_after_downgrade(kind: Kind) {
    let t = spawn(kind).await;
    let (_acc, api) = t.api_account("premium").await;
    let mut ids = Vec::new();
    for i in 0..11 {
        let (status, m) = api
            .call(
                "POST",
                "/mailboxes",
                Some(json!({"name": format!("Box {i}"), "direct_address": format!("box{i}@in.example.com")})),
            )
            .await;
        assert_eq!(status, 201, "{m}");
        ids.push(m["id"].as_i64().unwrap());
    }
    let (status, _) = api
        .call("PUT", "/account/plan", Some(json!({"plan": "standard"})))
        .await;
    assert_eq!(status, 200);
    let (status, res) = api
        .call(
            "POST",
            "/mailboxes",
            Some(json!({"name": "Twelve", "direct_address": "twelve@in.example.com"})),
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(err_code(&res), "plan_limit");
    assert!(err_message(&res).contains("at most 10 mailboxes"), "{res}");

    // The newest is read-only: readable, not changeable, deletable.
    let newest = ids[10];
    let (status, p) = api.get(&format!("/mailboxes/{newest}/permissions")).await;
    assert_eq!(status, 200);
    assert_eq!(p["read_only"], true);
    let (_, p) = api.get(&format!("/mailboxes/{}/permissions", ids[0])).await;
    assert_eq!(p["read_only"], false);
    let (status, res) = api
        .call(
            "PATCH",
            &format!("/mailboxes/{newest}"),
            Some(json!({"name": "Renamed"})),
        )
        .await;
    assert_eq!(status, 403, "{res}");
    assert_eq!(err_code(&res), "read_only");
    assert!(err_message(&res).contains("Upgrade the plan or delete a mailbox"));
    let (status, _) = api
        .call(
            "PUT",
            &format!("/mailboxes/{newest}/permissions"),
            Some(json!({"user_ids": []})),
        )
        .await;
    assert_eq!(status, 403);
    let (_, account) = api.get("/account").await;
    assert_eq!(account["read_only_mailboxes"], json!(["Box 10"]));
    assert_eq!(
        api.call("DELETE", &format!("/mailboxes/{newest}"), None)
            .await
            .0,
        204
    );
    let (_, account) = api.get("/account").await;
    assert_eq!(account["read_only_mailboxes"], json!([]));
    assert_eq!(account["usage"]["mailboxes"], 10);
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
    crud_and_permissions,
    other_accounts_mailboxes_do_not_exist,
    bad_input_is_refused_and_nothing_written,
    hostile_html,
    plan_limit_and_read_only_after_downgrade,
);
