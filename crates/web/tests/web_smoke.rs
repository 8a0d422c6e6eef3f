//! The first visit, sign-in and sign-out, health, against the real server.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use ecp_testkit::db::Kind;

async fn first_visit_goes_to_wizard(kind: Kind) {
    let t = spawn(kind).await;
    let b = t.browser();
    let res = b.get("/").await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/signup");
    let (status, body) = b.page("/signup").await;
    assert_eq!(status, 200);
    assert!(body.contains("New Account Wizard"));
    assert!(body.contains("America/Los_Angeles\" selected"));
}

async fn sign_in_and_out(kind: Kind) {
    let t = spawn(kind).await;
    let acc = t.account("standard", "olivia@example.com").await;
    let mut b = t.browser();
    let res = b.login(&acc.owner_email, "wrong password!").await;
    assert_eq!(res.status(), 401);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("The email address or password is not correct.")
    );
    let res = b.login(&acc.owner_email, PASSWORD).await;
    assert_eq!(res.status(), 303);
    b.refresh_csrf().await;
    let (status, body) = b.page("/").await;
    assert_eq!(status, 200);
    assert!(
        body.contains("Logged in as <strong id=\"logged-in-as\">Olivia Owner</strong>"),
        "{body}"
    );
    assert!(body.contains("Account &amp; Tools"));
    assert!(body.contains("Preferences"));
    let res = b.post("/logout", &[]).await;
    assert_eq!(res.status(), 303);
    let res = b.get("/").await;
    assert_eq!(res.status(), 303);
    assert!(location(&res).starts_with("/login"));
}

async fn forms_without_csrf_are_refused(kind: Kind) {
    let t = spawn(kind).await;
    let acc = t.account("free", "olivia@example.com").await;
    let b = t.browser();
    let _ = b.page("/login").await;
    let res = b
        .post_raw(
            "/login",
            &[("email", &acc.owner_email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), 403);
    let res = b
        .post_raw(
            "/login",
            &[
                ("csrf", "forged"),
                ("email", &acc.owner_email),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), 403);
}

async fn failed_sign_ins_are_limited(kind: Kind) {
    let t = spawn(kind).await;
    let acc = t.account("free", "olivia@example.com").await;
    let mut b = t.browser();
    for _ in 0..5 {
        assert_eq!(
            b.login(&acc.owner_email, "not the password").await.status(),
            401
        );
    }
    // Even the right password waits now: guessing has to stop.
    let res = b.login(&acc.owner_email, PASSWORD).await;
    assert_eq!(res.status(), 429);
    let body = res.text().await.unwrap();
    assert!(body.contains("Too many failed sign-in attempts"), "{body}");
    assert!(body.contains("minute"), "{body}");
    // Another user is not locked out by it.
    t.add_user(&acc, "Uma", "uma@example.com", "user").await;
    let mut other = t.browser();
    assert_eq!(other.login("uma@example.com", PASSWORD).await.status(), 303);
}

async fn health(kind: Kind) {
    let t = spawn(kind).await;
    let res = t.browser().get("/healthz").await;
    assert_eq!(res.status(), 200);
    assert!(res.headers().get("content-security-policy").is_some());
}

macro_rules! on_both {
    ($($name:ident),+) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() { super::$name(ecp_testkit::db::Kind::Sqlite).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() { super::$name(ecp_testkit::db::Kind::Postgres).await }
        }
    )+};
}

on_both!(
    first_visit_goes_to_wizard,
    sign_in_and_out,
    forms_without_csrf_are_refused,
    failed_sign_ins_are_limited,
    health
);
