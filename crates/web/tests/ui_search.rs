//! The search, saved-search, contact and preference pages as a browser
//! uses them, on both databases; an agent without Billing sees nothing of
//! it on any of them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod ui_support;

use common::*;
use ecp_app::inbound::{ProcessOutcome, Source};
use ecp_domain::MailboxId;
use ecp_testkit::db::Kind;
use ui_support::*;

const GTUBE: &str = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

async fn ingest(
    t: &TestApp,
    mailbox: i64,
    key: &str,
    from: &str,
    subject: &str,
    body: &str,
) -> i64 {
    let raw = format!(
        "From: {from}\r\nTo: x@in.acme.example\r\nSubject: {subject}\r\nMessage-ID: <{key}@cust.example>\r\n\
         Date: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\n{body}\r\n"
    );
    let (_, outcome) = t
        .app
        .ingest(
            MailboxId(mailbox),
            &Source::Import { key: key.into() },
            raw.as_bytes(),
        )
        .await
        .unwrap();
    match outcome.unwrap() {
        ProcessOutcome::Filed { conversation, .. } => conversation.0,
        other => panic!("{other:?}"),
    }
}

async fn pages(kind: Kind) {
    let t = spawn(kind).await;
    let acc = t.account("standard", "olivia@example.com").await;
    let support = new_mailbox(&t, &acc, "Support", "support@in.acme.example").await;
    let billing = new_mailbox(&t, &acc, "Billing", "billing@in.acme.example").await;
    let agent = new_user(&t, &acc, "Andy", "andy@example.com", "user").await;
    let owner = actor_of(&t, acc.owner_id).await;
    t.app
        .set_mailbox_permissions(&owner, MailboxId(support), &[ecp_domain::UserId(agent)])
        .await
        .unwrap();
    let spam = ingest(
        &t,
        support,
        "s1",
        "Sam <sam@cust.example>",
        "Refund offer",
        GTUBE,
    )
    .await;
    let hidden = ingest(
        &t,
        billing,
        "b1",
        "Bea <bea@cust.example>",
        "Refund ledger",
        "secret",
    )
    .await;

    let b = t.signed_in("andy@example.com").await;
    let (status, page) = b.page("/search?q=refund").await;
    assert_eq!(status, 200);
    assert!(page.contains(&format!("/conversations/{spam}")));
    assert!(!page.contains(&format!("/conversations/{hidden}")));
    assert!(!page.contains("Refund ledger"));
    let (status, page) = b.page("/search?q=refund&from=someday").await;
    assert_eq!(status, 422);
    assert!(page.contains("YYYY-MM-DD"));

    let res = b
        .post("/search/save", &[("name", "Refunds"), ("q", "refund")])
        .await;
    assert_eq!(res.status(), 303);
    let (_, home) = b.page("/").await;
    assert!(home.contains("Refunds"));
    let id = home
        .split("/saved-searches/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let (status, saved) = b.page(&format!("/saved-searches/{id}")).await;
    assert_eq!(status, 200);
    assert!(saved.contains(&format!("/conversations/{spam}")));
    let res = b
        .post(&format!("/saved-searches/{id}/rename"), &[("name", "")])
        .await;
    assert_eq!(res.status(), 422);
    let res = b
        .post(
            &format!("/saved-searches/{id}/rename"),
            &[("name", "My refunds")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let res = b
        .post(
            "/search/save",
            &[("name", "Shared"), ("q", "x"), ("shared", "1")],
        )
        .await;
    assert_eq!(res.status(), 403);

    // Contacts: Bea (Billing only) is not the agent's to see.
    let (_, contacts) = b.page("/contacts").await;
    assert!(contacts.contains("sam@cust.example"));
    assert!(!contacts.contains("bea@cust.example"));
    let res = b
        .post(&format!("/conversations/{spam}/save-sender"), &[])
        .await;
    assert_eq!(res.status(), 303);
    let contact_page = location(&res);
    let (_, page) = b.page(&contact_page).await;
    assert!(page.contains("In Contacts"));
    assert!(page.contains(&format!("/conversations/{spam}")));
    let (_, conv) = b.page(&format!("/conversations/{spam}")).await;
    assert!(conv.contains("Status: open"));
    let contact_id = id_after(&contact_page, "/contacts/");
    let res = b
        .post(
            &format!("/contacts/{contact_id}"),
            &[("name", "Samuel"), ("notes", "<b>VIP</b>")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, page) = b.page(&format!("/contacts/{contact_id}")).await;
    assert!(page.contains("Samuel"));
    hostile_markers_absent(&page);
    assert!(!page.contains("<b>VIP</b>"));
    let res = b.post(&format!("/contacts/{contact_id}/unsave"), &[]).await;
    assert_eq!(res.status(), 303);
    let res = b.post(&format!("/contacts/{contact_id}/save"), &[]).await;
    assert_eq!(res.status(), 303);
    let res = b
        .post(&format!("/conversations/{hidden}/save-sender"), &[])
        .await;
    assert_eq!(res.status(), 404);

    // Preferences: the notification choice and the RSS token.
    let res = b.post("/preferences/notifications", &[]).await;
    assert_eq!(res.status(), 303);
    let me = actor_of(&t, agent).await;
    assert!(!t.app.preferences(&me).await.unwrap().notify_assigned);
    let res = b.post("/preferences/rss", &[]).await;
    assert_eq!(res.status(), 200);
    let body = res.text().await.unwrap();
    let secret = input_value(&body, "new-rss-secret");
    assert_eq!(
        t.app.user_by_rss_token(&secret).await.unwrap().user_id.0,
        agent
    );
    let res = b.post("/preferences/rss/revoke", &[]).await;
    assert_eq!(res.status(), 303);
    assert!(t.app.user_by_rss_token(&secret).await.is_err());
    let res = b.post(&format!("/saved-searches/{id}/delete"), &[]).await;
    assert_eq!(res.status(), 303);
    let (status, _) = b.page(&format!("/saved-searches/{id}")).await;
    assert_eq!(status, 404);
}

on_both!(pages);
