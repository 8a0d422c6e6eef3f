//! Account & Tools -> DKIM through the browser: make a key, see its DNS
//! record, a refused form shown again, rotate, delete; who may see the tab;
//! another account's key.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use ecp_app::AppConfig;
use ecp_app::secret_box::SecretKey;
use ecp_domain::MailboxInput;
use ecp_testkit::db::Kind;

async fn setup(kind: Kind) -> (TestApp, Account) {
    let config = AppConfig {
        secret_key: Some(SecretKey::generate()),
        ..Default::default()
    };
    let t = spawn_with(kind, config).await;
    let acc = t.account("standard", "olivia@example.com").await;
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
    (t, acc)
}

/// The ids of the keys on the page, in order (`/settings/dkim/{id}/delete`).
fn key_ids(body: &str) -> Vec<String> {
    body.match_indices("/settings/dkim/")
        .filter_map(|(i, _)| {
            let rest = &body[i + "/settings/dkim/".len()..];
            rest.split_once("/delete").map(|(id, _)| id.to_string())
        })
        .collect()
}

async fn make_rotate_and_delete(kind: Kind) {
    let (t, acc) = setup(kind).await;
    let b = t.signed_in(&acc.owner_email).await;
    let (status, body) = b.page("/settings/dkim").await;
    assert_eq!(status, 200);
    assert!(
        body.contains("href=\"/settings/dkim\" aria-current=\"page\">DKIM</a>"),
        "{body}"
    );
    assert!(body.contains("id=\"dkim-acme-example\""));
    assert!(body.contains("Sent as by: Support"));
    assert!(body.contains("Not signed"));
    assert!(body.contains("value=\"ecp2"), "a dated selector is offered");

    // A bad selector: refused, shown again as typed, nothing made.
    let res = b
        .post(
            "/settings/dkim",
            &[
                ("domain", "acme.example"),
                ("algorithm", "ed25519"),
                ("selector", "bad selector!"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("id=\"selector-error\""), "{body}");
    assert!(body.contains("value=\"bad selector!\""));
    assert!(
        body.contains("<option value=\"ed25519\" selected>"),
        "{body}"
    );
    assert!(body.contains("Not signed"));

    let res = b
        .post(
            "/settings/dkim",
            &[
                ("domain", "acme.example"),
                ("algorithm", "rsa-sha256"),
                ("selector", "rsa1"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        location(&res),
        "/settings/dkim?notice=created#dkim-acme-example"
    );
    let (_, body) = b.page("/settings/dkim?notice=created").await;
    assert!(
        body.contains("with the RSA-2048 key <strong>rsa1</strong>"),
        "{body}"
    );
    assert!(body.contains("value=\"rsa1._domainkey.acme.example\""));
    assert!(body.contains(">v=DKIM1; k=rsa; p=MIIBIjANBgkq"));
    assert!(
        body.contains("rsa1._domainkey.acme.example. IN TXT ( &#34;v=DKIM1; k=rsa; p="),
        "zone line split into strings: {body}"
    );
    let first = key_ids(&body);
    assert_eq!(first.len(), 1);

    // Rotate: the new key signs, the old one is listed as retired.
    let res = b
        .post(
            "/settings/dkim",
            &[
                ("domain", "acme.example"),
                ("algorithm", "ed25519"),
                ("selector", "ed1"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, body) = b.page("/settings/dkim").await;
    assert!(body.contains("with the Ed25519 key <strong>ed1</strong>"));
    assert!(body.contains("Retired keys"));
    assert!(body.contains(&format!("id=\"dkim-retired-{}\"", first[0])));

    let res = b
        .post(&format!("/settings/dkim/{}/delete", first[0]), &[])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/settings/dkim?notice=deleted");
    let (_, body) = b.page("/settings/dkim").await;
    assert!(!body.contains("Retired keys"));
    assert_eq!(key_ids(&body).len(), 1);
    // Without the CSRF token nothing is deleted.
    let res = b
        .post_raw(&format!("/settings/dkim/{}/delete", key_ids(&body)[0]), &[])
        .await;
    assert!(res.status().is_client_error(), "{}", res.status());
    let (_, body) = b.page("/settings/dkim").await;
    assert!(body.contains("<strong>ed1</strong>"));
}

async fn only_administrators(kind: Kind) {
    let (t, acc) = setup(kind).await;
    let b = t.signed_in(&acc.owner_email).await;
    b.post(
        "/settings/dkim",
        &[("domain", "acme.example"), ("algorithm", "ed25519")],
    )
    .await;
    let (_, body) = b.page("/settings/dkim").await;
    let id = key_ids(&body)[0].clone();

    t.add_user(&acc, "Uma Agent", "uma@example.com", "user")
        .await;
    let agent = t.signed_in("uma@example.com").await;
    let (status, body) = agent.page("/settings/dkim").await;
    assert_eq!(status, 403);
    assert!(!body.contains("_domainkey"));
    let res = agent
        .post(
            "/settings/dkim",
            &[("domain", "acme.example"), ("algorithm", "ed25519")],
        )
        .await;
    assert_eq!(res.status(), 403);
    let res = agent
        .post(&format!("/settings/dkim/{id}/delete"), &[])
        .await;
    assert_eq!(res.status(), 403);

    t.add_user(&acc, "Adam Admin", "adam@example.com", "administrator")
        .await;
    let admin = t.signed_in("adam@example.com").await;
    let (status, body) = admin.page("/settings/dkim").await;
    assert_eq!(status, 200);
    assert!(body.contains("_domainkey.acme.example"));

    let other = t.account("standard", "otto@other.example").await;
    let otto = t.signed_in(&other.owner_email).await;
    let (status, body) = otto.page("/settings/dkim").await;
    assert_eq!(status, 200);
    assert!(!body.contains("acme.example"));
    let res = otto.post(&format!("/settings/dkim/{id}/delete"), &[]).await;
    assert_eq!(res.status(), 404);
    let (_, body) = b.page("/settings/dkim").await;
    assert_eq!(key_ids(&body), vec![id], "still there");
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

on_both!(make_rotate_and_delete, only_administrators);
