//! Mail that came in, as people see it: the mailbox list, the conversation,
//! the original and attachments as safe downloads, and nothing of it for
//! someone without access.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use ecp_app::inbound::{ProcessOutcome, Source};
use ecp_domain::MailboxId;
use ecp_testkit::db::Kind;

const HOSTILE: &str = "<script>alert(1)</script><img src=x onerror=alert(2)>";

fn message(subject: &str) -> Vec<u8> {
    format!(
        "From: Ann Customer <ann@cust.example>\r\nTo: support@in.acme.example\r\nSubject: {subject}\r\n\
         Message-ID: <m1@cust.example>\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n\
         Hello, my order {HOSTILE} is late.\r\n--b\r\nContent-Type: text/html; name=\"evil.html\"\r\n\
         Content-Disposition: attachment; filename=\"evil.html\"\r\n\r\n<script>alert(3)</script>\r\n--b--\r\n"
    )
    .into_bytes()
}

async fn conversation_pages(kind: Kind) {
    let t = spawn(kind).await;
    let acc = t.account("standard", "olivia@example.com").await;
    let owner = t.app.actor(ecp_domain::UserId(acc.owner_id)).await.unwrap();
    let mb = t
        .app
        .create_mailbox(
            &owner,
            &ecp_domain::MailboxInput {
                name: "Support",
                direct_address: "support@in.acme.example",
                ..Default::default()
            },
            &[],
        )
        .await
        .unwrap();
    let mailbox: MailboxId = mb.mailbox.id;
    let (_, outcome) = t
        .app
        .ingest(
            mailbox,
            &Source::Import { key: "1".into() },
            &message(&format!("Order {HOSTILE}")),
        )
        .await
        .unwrap();
    let Some(ProcessOutcome::Filed {
        conversation,
        message,
        ..
    }) = outcome
    else {
        panic!("{outcome:?}")
    };

    let b = t.signed_in(&acc.owner_email).await;
    let (status, list) = b.page(&format!("/mailboxes/{}", mailbox.0)).await;
    assert_eq!(status, 200);
    assert!(list.contains(&format!("/conversations/{}", conversation.0)));
    assert!(list.contains("Ann Customer"));
    assert!(
        list.contains("&lt;script&gt;") || list.contains("&#60;script&#62;"),
        "subject must be shown escaped"
    );
    assert!(!list.contains(HOSTILE));
    let (_, open_only) = b
        .page(&format!("/mailboxes/{}?status=closed", mailbox.0))
        .await;
    assert!(open_only.contains("No conversations here yet."));

    let (status, page) = b.page(&format!("/conversations/{}", conversation.0)).await;
    assert_eq!(status, 200);
    assert!(page.contains("is late."));
    assert!(!page.contains("<script>alert"), "no live script from mail");
    assert!(page.contains("evil.html"));

    let res = b
        .get(&format!(
            "/conversations/{}/messages/{}/source",
            conversation.0, message
        ))
        .await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Message-ID: <m1@cust.example>")
    );

    let view = t.app.conversation(&owner, conversation).await.unwrap();
    let att = &view.attachments[0];
    let res = b
        .get(&format!(
            "/conversations/{}/attachments/{}",
            conversation.0, att.id
        ))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-type"],
        "application/octet-stream",
        "HTML attachments never render"
    );
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("evil.html")
    );

    // A user not permitted on the mailbox learns nothing.
    t.app
        .add_user(
            &owner,
            &ecp_app::users::NewUserInput {
                name: "Uma".into(),
                email: "uma@example.com".into(),
                role: "user".into(),
                password: PASSWORD.into(),
            },
        )
        .await
        .unwrap();
    let u = t.signed_in("uma@example.com").await;
    for path in [
        format!("/mailboxes/{}", mailbox.0),
        format!("/conversations/{}", conversation.0),
        format!(
            "/conversations/{}/messages/{}/source",
            conversation.0, message
        ),
        format!("/conversations/{}/attachments/{}", conversation.0, att.id),
        "/conversations/999999".to_string(),
    ] {
        assert_eq!(u.page(&path).await.0, 404, "{path}");
    }
    let (_, home) = u.page("/").await;
    assert!(!home.contains("Support"));
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

on_both!(conversation_pages);
