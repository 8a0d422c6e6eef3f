//! The conversation view: mail HTML served as its own document under a
//! strict CSP and framed with a sandbox, inline and remote images, the
//! source as text, notes, presence, the collision check and Users Online.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use ecp_app::inbound::{ProcessOutcome, Source};
use ecp_domain::MailboxId;
use ecp_testkit::db::Kind;

const PNG_B64: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";

fn html_mail() -> Vec<u8> {
    format!(
        "From: Ann <ann@cust.example>\r\nTo: support@in.acme.example\r\nSubject: Pictures\r\n\
         Message-ID: <h1@cust.example>\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/related; boundary=\"r\"\r\n\r\n--r\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
         <p>Our logo:</p><img src=\"cid:logo@cust.example\" alt=\"logo\"><img src=\"https://tracker.test/pixel.gif\" alt=\"pixel\">\
         <script>alert(1)</script><a href=\"javascript:alert(2)\">x</a><p onclick=\"alert(3)\">Thanks</p>\r\n\
         --r\r\nContent-Type: image/png; name=\"logo.png\"\r\nContent-ID: <logo@cust.example>\r\n\
         Content-Disposition: inline; filename=\"logo \u{e9}t\u{e9}.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{PNG_B64}\r\n--r--\r\n"
    )
    .into_bytes()
}

const TEXT_MAIL: &[u8] =
    b"From: Bob <bob@cust.example>\r\nTo: support@in.acme.example\r\nSubject: Link\r\n\
Message-ID: <t1@cust.example>\r\nDate: Mon, 2 Mar 2026 11:00:00 +0000\r\n\r\n\
See https://shop.example/order?id=1&x=2. <b>not bold</b>\r\n";

struct Setup {
    t: TestApp,
    acc: Account,
    b: Browser,
    conversation: i64,
    message: i64,
}

async fn setup(kind: Kind, raw: &[u8]) -> Setup {
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
        .unwrap();
    let mailbox: MailboxId = mb.mailbox.id;
    let (_, outcome) = t
        .app
        .ingest(mailbox, &Source::Import { key: "1".into() }, raw)
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
    Setup {
        t,
        acc,
        b,
        conversation: conversation.0,
        message,
    }
}

fn header(res: &reqwest::Response, name: &str) -> String {
    res.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

async fn html_body_in_a_sandboxed_frame(kind: Kind) {
    let Setup {
        t,
        acc,
        b,
        conversation: c,
        message: m,
    } = setup(kind, &html_mail()).await;
    let (status, page) = b.page(&format!("/conversations/{c}")).await;
    assert_eq!(status, 200);
    assert!(
        page.contains(&format!(
            "<iframe class=\"mail-frame\" src=\"/conversations/{c}/messages/{m}/body\" \
             sandbox=\"allow-same-origin allow-popups allow-popups-to-escape-sandbox\""
        )),
        "{page}"
    );
    assert!(!page.contains("allow-scripts"));
    assert!(page.contains(&format!(
        "href=\"/conversations/{c}?images={m}#message-{m}\""
    )));
    assert!(!page.contains("tracker.test"), "remote URL not in the page");

    let res = b
        .get(&format!("/conversations/{c}/messages/{m}/body"))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        header(&res, "content-security-policy"),
        "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; \
         frame-ancestors 'self'; base-uri 'none'; form-action 'none'; \
         sandbox allow-same-origin allow-popups allow-popups-to-escape-sandbox"
    );
    assert_eq!(header(&res, "x-content-type-options"), "nosniff");
    assert_eq!(header(&res, "x-frame-options"), "SAMEORIGIN");
    assert_eq!(header(&res, "content-type"), "text/html; charset=utf-8");
    let body = res.text().await.unwrap();
    let view = t
        .app
        .conversation(
            &t.owner_actor(&acc).await,
            ecp_domain::conversation::ConversationId(c),
        )
        .await
        .unwrap();
    let logo = view.attachments[0].id;
    assert!(
        body.contains(&format!("src=\"/conversations/{c}/attachments/{logo}\"")),
        "cid rewritten: {body}"
    );
    for bad in [
        "tracker.test",
        "<script",
        "javascript:",
        "onclick",
        "alert(",
    ] {
        assert!(!body.contains(bad), "{bad} in {body}");
    }
    assert!(body.contains("Thanks"));

    // Show images: the same document with the remote image and a CSP that
    // lets it load.
    let res = b
        .get(&format!("/conversations/{c}/messages/{m}/body?images=1"))
        .await;
    assert!(header(&res, "content-security-policy").contains("img-src 'self' data: https: http:;"));
    let body = res.text().await.unwrap();
    assert!(
        body.contains("src=\"https://tracker.test/pixel.gif\""),
        "{body}"
    );
    let (_, page) = b.page(&format!("/conversations/{c}?images={m}")).await;
    assert!(
        page.contains(&format!("/messages/{m}/body?images=1\"")),
        "{page}"
    );
    assert!(page.contains("Block them again"));

    // The inline image downloads as itself, never as a page.
    let res = b
        .get(&format!("/conversations/{c}/attachments/{logo}"))
        .await;
    assert_eq!(header(&res, "content-type"), "image/png");
    assert_eq!(
        header(&res, "content-disposition"),
        "attachment; filename=\"logo _t_.png\"; filename*=UTF-8''logo%20%C3%A9t%C3%A9.png"
    );
    assert_eq!(header(&res, "x-content-type-options"), "nosniff");

    // The source as text.
    let res = b
        .get(&format!("/conversations/{c}/messages/{m}/source.txt"))
        .await;
    assert_eq!(header(&res, "content-type"), "text/plain; charset=utf-8");
    assert_eq!(header(&res, "x-content-type-options"), "nosniff");
    assert!(header(&res, "content-security-policy").starts_with("sandbox"));
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Content-ID: <logo@cust.example>")
    );

    // Another account's user, and a message of another conversation: 404.
    let res = b
        .get(&format!("/conversations/{c}/messages/{}/body", m + 1000))
        .await;
    assert_eq!(res.status(), 404);
    let other = t.account("standard", "eve@example.com").await;
    let eve = t.signed_in(&other.owner_email).await;
    let res = eve
        .get(&format!("/conversations/{c}/messages/{m}/body"))
        .await;
    assert_eq!(res.status(), 404);
}

async fn plain_text_links_and_notes(kind: Kind) {
    let Setup {
        t,
        acc,
        b,
        conversation: c,
        message: m,
    } = setup(kind, TEXT_MAIL).await;
    let (_, page) = b.page(&format!("/conversations/{c}")).await;
    assert!(!page.contains("mail-frame\" src"), "text needs no frame");
    assert!(
        page.contains("<a href=\"https://shop.example/order?id=1&#38;x=2\" target=\"_blank\" rel=\"noopener noreferrer\">")
            || page.contains("<a href=\"https://shop.example/order?id=1&amp;x=2\" target=\"_blank\" rel=\"noopener noreferrer\">"),
        "{page}"
    );
    assert!(!page.contains("<b>not bold</b>"));
    let res = b
        .get(&format!("/conversations/{c}/messages/{m}/body"))
        .await;
    let body = res.text().await.unwrap();
    assert!(body.contains("&lt;b&gt;not bold&lt;/b&gt;"), "{body}");

    // A note: cleaned, shown in yellow after the message, recorded.
    let res = b
        .post(
            &format!("/conversations/{c}/notes"),
            &[("note_html", "<b>VIP</b> customer<script>alert(1)</script>")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let to = location(&res);
    assert!(to.starts_with(&format!("/conversations/{c}#note-")), "{to}");
    let (_, page) = b.page(&format!("/conversations/{c}")).await;
    let note_at = page.find("class=\"note\"").expect("note shown");
    assert!(note_at > page.find(&format!("id=\"message-{m}\"")).unwrap());
    assert!(page.contains("<b>VIP</b> customer"));
    assert!(!page.contains("<script>alert(1)"));

    // Empty: refused on the page with the text kept, nothing added.
    let res = b
        .post(
            &format!("/conversations/{c}/notes"),
            &[("note_html", "<p> </p>")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("Write something in the note."), "{page}");
    let owner = t.owner_actor(&acc).await;
    let notes = t
        .app
        .notes(&owner, ecp_domain::conversation::ConversationId(c))
        .await
        .unwrap();
    assert_eq!(notes.len(), 1);
    // Without the CSRF token: refused.
    let res = b
        .post_raw(&format!("/conversations/{c}/notes"), &[("note_html", "x")])
        .await;
    assert_eq!(res.status(), 403);
}

async fn presence_collision_and_online(kind: Kind) {
    let Setup {
        t,
        acc,
        b,
        conversation: c,
        message: m,
    } = setup(kind, TEXT_MAIL).await;
    t.add_user(&acc, "Ana Agent", "ana@example.com", "admin")
        .await;
    let ana = t.signed_in("ana@example.com").await;
    let (_, page) = ana.page(&format!("/conversations/{c}")).await;
    assert!(page.contains(&format!("data-last-message=\"{m}\"")));
    assert!(page.contains(&format!("name=\"seen_last_message\" value=\"{m}\"")));

    let res = ana
        .post(
            &format!("/conversations/{c}/presence"),
            &[("state", "replying")],
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = b
        .post(
            &format!("/conversations/{c}/presence"),
            &[("state", "viewing")],
        )
        .await;
    assert_eq!(res.status(), 200);
    let answer: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        answer,
        serde_json::json!({"others": [{"name": "Ana Agent", "state": "replying"}], "last_message_id": m})
    );
    let res = b
        .post(
            &format!("/conversations/{c}/presence"),
            &[("state", "dancing")],
        )
        .await;
    assert_eq!(res.status(), 422);

    // Ana replies; Olivia's form still shows the old last message.
    let res = post_multipart(
        &ana,
        &format!("/conversations/{c}/reply"),
        &[
            ("kind", "reply"),
            ("body_html", "On its way."),
            ("action", "send"),
            ("seen_last_message", &m.to_string()),
        ],
    )
    .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let res = post_multipart(
        &b,
        &format!("/conversations/{c}/reply"),
        &[
            ("kind", "reply"),
            ("body_html", "Sorry for the wait."),
            ("action", "send"),
            ("seen_last_message", &m.to_string()),
        ],
    )
    .await;
    assert_eq!(res.status(), 409);
    let page = res.text().await.unwrap();
    assert!(page.contains("Someone replied"), "{page}");
    assert!(page.contains("Sorry for the wait."), "the draft is kept");
    let owner = t.owner_actor(&acc).await;
    let view = t
        .app
        .conversation(&owner, ecp_domain::conversation::ConversationId(c))
        .await
        .unwrap();
    assert_eq!(view.messages.len(), 2, "nothing sent on a collision");
    let new = view.messages[1].id;
    assert!(
        page.contains(&format!("/conversations/{c}/messages/{new}/body")),
        "the new reply is shown"
    );
    assert!(page.contains(&format!("name=\"seen_last_message\" value=\"{new}\"")));

    // Users Online lists both, the viewer marked.
    let (status, page) = b.page("/users/online").await;
    assert_eq!(status, 200);
    assert!(page.contains("Ana Agent"), "{page}");
    assert!(
        page.contains("Olivia Owner <span class=\"muted\">(you)</span>"),
        "{page}"
    );
}

/// The reply form as a browser sends it (multipart, with the CSRF token).
async fn post_multipart(b: &Browser, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let boundary = "----ecpViewTestBoundary";
    let mut body = String::new();
    for (name, value) in [("csrf", b.csrf.as_str())].iter().chain(fields) {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    b.http
        .post(format!("{}{path}", b.base))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap()
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
    html_body_in_a_sandboxed_frame,
    plain_text_links_and_notes,
    presence_collision_and_online
);
