//! /account: plan and usage, Account Options, plan changes, owner transfer.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use ecp_testkit::db::Kind;
use serde_json::{Value, json};

async fn summary_and_who_sees_it(kind: Kind) {
    let t = spawn(kind).await;
    let (acc, owner) = t.api_account("standard").await;
    t.add_user(&acc, "Ann Admin", "ann@example.com", "administrator")
        .await;
    t.add_user(&acc, "Uma User", "uma@example.com", "user")
        .await;
    owner
        .call(
            "POST",
            "/mailboxes",
            Some(json!({"name": "Sales", "direct_address": "sales@in.example.com"})),
        )
        .await;
    let (status, a) = owner.get("/account").await;
    assert_eq!(status, 200, "{a}");
    assert_eq!(a["id"], acc.account_id);
    assert_eq!(a["name"], "Acme Support");
    assert_eq!(a["plan"], "standard");
    assert_eq!(
        a["limits"],
        json!({"max_mailboxes": 10, "max_users": 25, "per_mailbox_permissions": true, "pop_over_ssl": true, "api": true})
    );
    assert_eq!(a["usage"], json!({"mailboxes": 1, "active_users": 3}));
    assert_eq!(a["read_only_mailboxes"], json!([]));
    assert_eq!(a["read_only_users"], json!([]));

    let admin = t.api_as("ann@example.com").await;
    assert_eq!(admin.get("/account").await.0, 200);
    let user = t.api_as("uma@example.com").await;
    let (status, res) = user.get("/account").await;
    assert_eq!(
        status, 403,
        "users can't count the mailboxes they may not see"
    );
    assert_eq!(err_code(&res), "forbidden");
}

async fn options_get_and_patch(kind: Kind) {
    let t = spawn(kind).await;
    let (acc, owner) = t.api_account("premium").await;
    let (status, o) = owner.get("/account/options").await;
    assert_eq!(status, 200);
    assert_eq!(
        o,
        json!({
            "time_zone": "Europe/Berlin", "ssl_required": false, "maintain_assignments": false,
            "admin_only_dashboards": false, "rss_enabled": false, "api_enabled": true, "spam_threshold": 5
        })
    );
    let (status, o2) = owner
        .call(
            "PATCH",
            "/account/options",
            Some(json!({"time_zone": "America/New_York", "maintain_assignments": true, "spam_threshold": 3})),
        )
        .await;
    assert_eq!(status, 200, "{o2}");
    assert_eq!(o2["time_zone"], "America/New_York");
    assert_eq!(o2["maintain_assignments"], true);
    assert_eq!(o2["spam_threshold"], 3);
    assert_eq!(o2["rss_enabled"], false, "untouched");
    let (_, again) = owner.get("/account/options").await;
    assert_eq!(again, o2);
    let (status, o3) = owner
        .call(
            "PATCH",
            "/account/options",
            Some(json!({"ssl_required": true, "admin_only_dashboards": true, "rss_enabled": true})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(o3["ssl_required"], true);
    assert_eq!(o3["admin_only_dashboards"], true);
    assert_eq!(o3["rss_enabled"], true);

    // Bad values: a clear message, nothing half-written.
    let before = o3;
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (json!({"time_zone": ""}), vec!["time_zone"]),
        (json!({"time_zone": "Mars/Olympus"}), vec!["time_zone"]),
        (json!({"time_zone": "x".repeat(500)}), vec!["time_zone"]),
        (
            json!({"time_zone": "<script>alert(1)</script>"}),
            vec!["time_zone"],
        ),
        (json!({"spam_threshold": 0}), vec!["spam_threshold"]),
        (json!({"spam_threshold": 11}), vec!["spam_threshold"]),
        (json!({"spam_threshold": -1}), vec!["spam_threshold"]),
        (
            json!({"rss_enabled": false, "time_zone": "Nowhere", "spam_threshold": 99}),
            vec!["time_zone", "spam_threshold"],
        ),
    ];
    for (body, fields) in cases {
        let (status, res) = owner
            .call("PATCH", "/account/options", Some(body.clone()))
            .await;
        assert_eq!(status, 422, "{body}: {res}");
        assert_eq!(err_fields(&res), fields, "{body}");
    }
    for body in [
        json!({"spam_threshold": "5"}),
        json!({"spam_threshold": 5.5}),
        json!({"spam_threshold": 1e30}),
        json!({"ssl_required": "yes"}),
        json!({"ssl_required": 1}),
        json!({"time_zone": 3}),
        json!({"theme": "dark"}),
        json!(null),
    ] {
        let (status, res) = owner
            .call("PATCH", "/account/options", Some(body.clone()))
            .await;
        assert_eq!(status, 400, "{body}: {res}");
    }
    let (_, after) = owner.get("/account/options").await;
    assert_eq!(after, before);

    // Owner only, reading too.
    t.add_user(&acc, "Ann Admin", "ann@example.com", "administrator")
        .await;
    let admin = t.api_as("ann@example.com").await;
    let (status, res) = admin.get("/account/options").await;
    assert_eq!(status, 403);
    assert!(err_message(&res).contains("owner"), "{res}");
    let (status, _) = admin
        .call(
            "PATCH",
            "/account/options",
            Some(json!({"rss_enabled": false})),
        )
        .await;
    assert_eq!(status, 403);
}

async fn plan_changes(kind: Kind) {
    let t = spawn(kind).await;
    let (acc, owner) = t.api_account("standard").await;
    let (status, a) = owner
        .call("PUT", "/account/plan", Some(json!({"plan": "premium"})))
        .await;
    assert_eq!(status, 200, "{a}");
    assert_eq!(a["plan"], "premium");
    assert_eq!(a["limits"]["max_mailboxes"], 100);
    for (body, status_expected) in [
        (json!({"plan": "gold"}), 422),
        (json!({"plan": ""}), 422),
        (json!({"plan": "<b>free</b>"}), 422),
        (json!({"plan": 1}), 400),
        (json!({}), 400),
    ] {
        let (status, res) = owner.call("PUT", "/account/plan", Some(body.clone())).await;
        assert_eq!(status, status_expected, "{body}: {res}");
        if status == 422 {
            assert_eq!(err_fields(&res), vec!["plan"]);
            assert!(err_message(&res).contains("free, standard or premium"));
        }
    }
    assert_eq!(owner.get("/account").await.1["plan"], "premium");
    t.add_user(&acc, "Ann Admin", "ann@example.com", "administrator")
        .await;
    let admin = t.api_as("ann@example.com").await;
    let (status, _) = admin
        .call("PUT", "/account/plan", Some(json!({"plan": "standard"})))
        .await;
    assert_eq!(status, 403);
    assert_eq!(owner.get("/account").await.1["plan"], "premium");
}

async fn owner_transfer(kind: Kind) {
    let t = spawn(kind).await;
    let (acc, owner) = t.api_account("standard").await;
    let ann = t
        .add_user(&acc, "Ann Admin", "ann@example.com", "administrator")
        .await;
    let uma = t
        .add_user(&acc, "Uma User", "uma@example.com", "user")
        .await;
    let gone = t
        .add_user(&acc, "Gil Gone", "gil@example.com", "user")
        .await;
    let other = t.account("standard", "zed@other.example").await;
    owner
        .call(
            "PATCH",
            &format!("/users/{gone}"),
            Some(json!({"active": false})),
        )
        .await;
    let admin = t.api_as("ann@example.com").await;

    for (body, status_expected) in [
        (json!({"user_id": acc.owner_id}), 422),
        (json!({"user_id": other.owner_id}), 422),
        (json!({"user_id": 999_999}), 422),
        (json!({"user_id": gone}), 422),
        (json!({"user_id": "2"}), 400),
        (json!({"owner": uma}), 400),
    ] {
        let (status, res) = owner
            .call("POST", "/account/owner", Some(body.clone()))
            .await;
        assert_eq!(status, status_expected, "{body}: {res}");
        if status == 422 {
            assert_eq!(err_fields(&res), vec!["user_id"], "{body}");
        }
    }
    let (status, res) = admin
        .call("POST", "/account/owner", Some(json!({"user_id": ann})))
        .await;
    assert_eq!(status, 403, "administrators can't transfer: {res}");
    assert_eq!(owner.get("/me").await.1["role"], "owner");

    // The old owner's web sessions end.
    let browser = t.signed_in(&acc.owner_email).await;
    assert_eq!(browser.get("/").await.status(), 200);

    let (status, res) = owner
        .call("POST", "/account/owner", Some(json!({"user_id": uma})))
        .await;
    assert_eq!(status, 200, "{res}");
    assert_eq!(
        res,
        json!({"owner_id": uma, "previous_owner_id": acc.owner_id})
    );
    assert_eq!(owner.get("/me").await.1["role"], "administrator");
    assert_eq!(owner.get("/account/options").await.0, 403);
    let uma_api = t.api_as("uma@example.com").await;
    assert_eq!(uma_api.get("/me").await.1["role"], "owner");
    assert_eq!(uma_api.get("/account/options").await.0, 200);
    assert_eq!(browser.get("/").await.status(), 303);
    let (_, users) = uma_api.get("/users").await;
    let owners: Vec<_> = users
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["role"] == "owner")
        .collect();
    assert_eq!(owners.len(), 1);
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
    summary_and_who_sees_it,
    options_get_and_patch,
    plan_changes,
    owner_transfer,
);
