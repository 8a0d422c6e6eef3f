//! The agent workspace in the browser's terms: folder counts in the
//! navigation, bulk close from a list form (CSRF checked), the
//! conversation panel's forms, unread in bold, merge redirects, Recent
//! Actions; garbage in a URL or form is a clear 400; an unpermitted user
//! gets 404 from every new route and sees nothing in lists or actions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use ecp_app::inbound::{ProcessOutcome, Source};
use ecp_domain::{MailboxId, UserId};
use ecp_testkit::db::Kind;

fn mail(n: usize) -> Vec<u8> {
    format!(
        "From: Cust {n} <c{n}@cust.example>\r\nTo: support@in.acme.example\r\nSubject: Topic {n}\r\n\
         Message-ID: <u{n}@cust.example>\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\nBody {n}\r\n"
    )
    .into_bytes()
}

fn count_of(html: &str, marker: &str) -> String {
    let i = html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} not on page"));
    let rest = &html[i..];
    let j = rest.find("<span class=\"count\">").unwrap() + "<span class=\"count\">".len();
    rest[j..j + rest[j..].find('<').unwrap()].to_string()
}

async fn lists_panel_and_permissions(kind: Kind) {
    let t = spawn(kind).await;
    let acc = t.account("standard", "olivia@example.com").await;
    let owner = t.owner_actor(&acc).await;
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
        .unwrap()
        .mailbox
        .id;
    let mut ids = Vec::new();
    for n in 0..4 {
        let (_, out) = t
            .app
            .ingest(mb, &Source::Import { key: n.to_string() }, &mail(n))
            .await
            .unwrap();
        let Some(ProcessOutcome::Filed { conversation, .. }) = out else {
            panic!("{out:?}")
        };
        ids.push(conversation.0);
    }
    let m = mb.0;
    let b = t.signed_in(&acc.owner_email).await;
    let (status, list) = b.page(&format!("/mailboxes/{m}")).await;
    assert_eq!(status, 200);
    assert_eq!(
        count_of(&list, &format!("data-folder=\"{m}-unassigned\"")),
        "4"
    );
    assert_eq!(count_of(&list, &format!("data-folder=\"{m}-closed\"")), "0");
    assert!(list.contains("class=\"unread\""), "new mail is unread");

    // Bulk close two; without the form token nothing happens.
    let (a, c1, c2, d) = (
        ids[0].to_string(),
        ids[1].to_string(),
        ids[2].to_string(),
        ids[3].to_string(),
    );
    let res = b
        .post_raw("/conversations/bulk", &[("id", &c1), ("action", "close")])
        .await;
    assert_eq!(res.status(), 403);
    let back = format!("/mailboxes/{m}?folder=unassigned");
    let res = b
        .post(
            "/conversations/bulk",
            &[
                ("id", &c1),
                ("id", &c2),
                ("action", "close"),
                ("back", &back),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), back);
    let (_, list) = b.page(&back).await;
    assert_eq!(count_of(&list, &format!("data-folder=\"{m}-closed\"")), "2");
    assert_eq!(
        count_of(&list, &format!("data-folder=\"{m}-unassigned\"")),
        "2"
    );
    // A crafted "back" can't send anyone elsewhere.
    let res = b
        .post(
            "/conversations/bulk",
            &[
                ("id", &c1),
                ("action", "open"),
                ("back", "https://evil.example/"),
            ],
        )
        .await;
    assert_eq!(location(&res), "/");

    // Garbage: a clear 400 page.
    for path in [
        format!("/mailboxes/{m}?cursor=garbage"),
        format!("/mailboxes/{m}?folder=inbox"),
        format!("/mailboxes/{m}?sort=sideways"),
        "/activity?before=x".to_string(),
    ] {
        let (status, body) = b.page(&path).await;
        assert_eq!(status, 400, "{path}");
        assert!(
            body.contains("must") || body.contains("cursor"),
            "{path}: clear message"
        );
    }
    let res = b
        .post("/conversations/bulk", &[("id", "x"), ("action", "close")])
        .await;
    assert_eq!(res.status(), 400);
    let res = b
        .post("/conversations/bulk", &[("id", &a), ("action", "explode")])
        .await;
    assert_eq!(res.status(), 400);

    // The panel: assign to me, tag, open reads it, mark unread.
    let (status, page) = b.page(&format!("/conversations/{a}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Conversation actions"));
    let res = b
        .post(
            &format!("/conversations/{a}/assign"),
            &[("assignee", &acc.owner_id.to_string())],
        )
        .await;
    assert_eq!(res.status(), 303);
    let res = b
        .post(&format!("/conversations/{a}/tags"), &[("tag", "Urgent")])
        .await;
    assert_eq!(res.status(), 303);
    let res = b
        .post(&format!("/conversations/{a}/tags"), &[("tag", "")])
        .await;
    assert_eq!(res.status(), 422);
    let res = b
        .post(
            &format!("/conversations/{a}/status"),
            &[("status", "pending")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let res = b
        .post(
            &format!("/conversations/{a}/status"),
            &[("status", "bogus")],
        )
        .await;
    assert_eq!(res.status(), 400);
    let (_, page) = b.page(&format!("/conversations/{a}")).await;
    assert!(page.contains("urgent"));
    assert!(
        page.contains("assigned it to Olivia"),
        "panel shows its Recent Actions"
    );
    assert!(
        t.app
            .is_read(&owner, ecp_domain::conversation::ConversationId(ids[0]))
            .await
            .unwrap()
    );
    let res = b.post(&format!("/conversations/{a}/unread"), &[]).await;
    assert_eq!(res.status(), 303);
    assert!(
        !t.app
            .is_read(&owner, ecp_domain::conversation::ConversationId(ids[0]))
            .await
            .unwrap()
    );

    // Merge d into a: d redirects to a.
    let res = b
        .post(
            &format!("/conversations/{a}/merge"),
            &[("other", &format!("#{d}"))],
        )
        .await;
    assert_eq!(res.status(), 303);
    let res = b.get(&format!("/conversations/{d}")).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), format!("/conversations/{a}"));
    let res = b
        .post(&format!("/conversations/{a}/merge"), &[("other", "abc")])
        .await;
    assert_eq!(res.status(), 400);

    let (status, acts) = b.page("/activity").await;
    assert_eq!(status, 200);
    assert!(acts.contains(&format!("merged #{d} into it")));
    assert!(acts.contains("changed the status from open to pending"));
    let (status, my) = b.page("/my-mail").await;
    assert_eq!(status, 200);
    assert!(my.contains("My Mail"));

    // Uma may not see Support: 404 everywhere, nothing listed.
    let uma = t.add_user(&acc, "Uma", "uma@example.com", "user").await;
    let _ = UserId(uma);
    let u = t.signed_in("uma@example.com").await;
    let (_, page) = u.page("/my-mail").await;
    assert!(!page.contains("Support"));
    let (_, page) = u.page("/activity").await;
    assert!(
        !page.contains(&format!("#{a}")),
        "no actions of a hidden mailbox"
    );
    assert_eq!(
        u.page(&format!("/mailboxes/{m}?folder=closed")).await.0,
        404
    );
    for (path, fields) in [
        (format!("/conversations/{a}/assign"), vec![("assignee", "")]),
        (
            format!("/conversations/{a}/status"),
            vec![("status", "closed")],
        ),
        (format!("/conversations/{a}/tags"), vec![("tag", "x")]),
        (
            format!("/conversations/{a}/tags/remove"),
            vec![("tag", "urgent")],
        ),
        (format!("/conversations/{a}/move"), vec![("mailbox", "1")]),
        (
            format!("/conversations/{a}/merge"),
            vec![("other", c2.as_str())],
        ),
        (format!("/conversations/{a}/unread"), vec![]),
        (
            "/conversations/bulk".to_string(),
            vec![("id", a.as_str()), ("action", "close")],
        ),
    ] {
        let res = u.post(&path, &fields).await;
        assert_eq!(res.status(), 404, "{path}");
    }
    let _ = MailboxId(m);
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

on_both!(lists_panel_and_permissions);
