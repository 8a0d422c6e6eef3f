//! Writing mail from the pages, against a real SMTP server (aiosmtpd), on
//! both databases: a reply from the reply box reaches the relay as the
//! mailbox and the customer's answer threads back; a template inserted; bad
//! input re-rendered with the user's input and per-field messages, nothing
//! queued; a 550 shown on the page and Retry; a new conversation; 404 on
//! every compose route for a user without the mailbox.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use ecp_app::AppConfig;
use ecp_app::inbound::{ProcessOutcome, Source};
use ecp_app::templates::TemplateInput;
use ecp_domain::conversation::{ConversationId, Status};
use ecp_domain::{MailboxId, MailboxInput};
use ecp_testkit::db::Kind;
use ecp_testkit::smtp_sink::SmtpSink;
use std::time::Duration;

fn config(sink: &SmtpSink) -> AppConfig {
    let mut config = AppConfig::default();
    config.outbound.smtp_relay = Some(sink.url());
    config.outbound.timeout = Duration::from_secs(10);
    config
}

struct Setup {
    t: TestApp,
    sink: SmtpSink,
    acc: Account,
    b: Browser,
    mailbox: MailboxId,
    conversation: ConversationId,
}

async fn setup(kind: Kind) -> Setup {
    let sink = SmtpSink::start().unwrap();
    let t = spawn_with(kind, config(&sink)).await;
    let acc = t.account("standard", "olivia@example.com").await;
    let owner = t.owner_actor(&acc).await;
    let mailbox = t
        .app
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
        .unwrap()
        .mailbox
        .id;
    let raw = b"From: Ann Lee <ann@cust.example>\r\nTo: support@in.acme.example\r\n\
Subject: Order late\r\nMessage-ID: <a1@cust.example>\r\n\
Date: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\nWhere is my order?\r\n";
    let (_, outcome) = t
        .app
        .ingest(mailbox, &Source::Import { key: "a1".into() }, raw)
        .await
        .unwrap();
    let Some(ProcessOutcome::Filed { conversation, .. }) = outcome else {
        panic!("{outcome:?}")
    };
    let b = t.signed_in(&acc.owner_email).await;
    Setup {
        t,
        sink,
        acc,
        b,
        mailbox,
        conversation,
    }
}

/// A `multipart/form-data` body as a browser sends it.
fn multipart(fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----ecpTestBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (name, filename, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn post_multipart(
    b: &Browser,
    path: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &[u8])],
) -> (u16, String, String) {
    let mut all = vec![("csrf", b.csrf.as_str())];
    all.extend_from_slice(fields);
    let (ct, body) = multipart(&all, files);
    let res = b
        .http
        .post(format!("{}{path}", b.base))
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let loc = location(&res);
    (status, loc, res.text().await.unwrap())
}

fn header_value(headers: &str, name: &str) -> String {
    headers
        .lines()
        .find(|l| {
            l.to_ascii_lowercase()
                .starts_with(&format!("{}:", name.to_ascii_lowercase()))
        })
        .map(|l| l[name.len() + 1..].trim().to_string())
        .unwrap_or_default()
}

async fn reply_reaches_relay_and_answer_threads(kind: Kind) {
    let s = setup(kind).await;
    let cid = s.conversation.0;
    let (status, page) = s.b.page(&format!("/conversations/{cid}")).await;
    assert_eq!(status, 200);
    assert!(page.contains(&format!("action=\"/conversations/{cid}/reply\"")));
    assert!(page.contains("enctype=\"multipart/form-data\""));
    assert!(page.contains("data-rich-editor"));
    assert!(page.contains("value=\"send_close\""));
    assert!(page.contains("Insert template"));

    let (status, loc, body) = post_multipart(
        &s.b,
        &format!("/conversations/{cid}/reply"),
        &[
            ("kind", "reply"),
            ("to", ""),
            ("cc", ""),
            (
                "body_html",
                "<p>UI-REPLY-BODY</p><script>alert(1)</script><img src=x onerror=alert(2)>",
            ),
            ("template", ""),
            ("action", "send_close"),
        ],
        &[("attachments", "invoice.txt", b"INVOICE-CONTENT")],
    )
    .await;
    assert_eq!(status, 303, "{body}");
    assert!(loc.starts_with(&format!("/conversations/{cid}")), "{loc}");
    let owner = s.t.owner_actor(&s.acc).await;
    let view = s.t.app.conversation(&owner, s.conversation).await.unwrap();
    assert_eq!(view.conversation.status, Status::Closed, "send and close");

    let (_, page) = s.b.page(&format!("/conversations/{cid}")).await;
    assert!(page.contains("<strong>queued</strong>"), "{page}");

    s.t.app.send_due_outbox().await.unwrap();
    let got = s.sink.wait_for(1, Duration::from_secs(10)).unwrap();
    let m = &got[0];
    let from = header_value(m.headers(), "From");
    assert!(from.contains("help@acme.example"), "{from}");
    assert_eq!(m.mail_from, "help@acme.example");
    assert!(m.rcpt_tos.iter().any(|r| r == "ann@cust.example"));
    assert!(m.data.contains("UI-REPLY-BODY"));
    assert!(!m.data.contains("<script>"), "hostile HTML removed");
    assert!(!m.data.contains("onerror"), "hostile HTML removed");
    assert!(m.data.contains("invoice.txt"));

    let (_, page) = s.b.page(&format!("/conversations/{cid}")).await;
    assert!(page.contains("<strong>sent</strong>"), "{page}");

    // The customer answers the message that arrived.
    let mid = header_value(m.headers(), "Message-ID");
    assert!(mid.starts_with('<'), "{mid}");
    let answer = format!(
        "From: Ann Lee <ann@cust.example>\r\nTo: help@acme.example\r\nSubject: Re: something else\r\n\
         Message-ID: <a2@cust.example>\r\nIn-Reply-To: {mid}\r\nDate: Mon, 2 Mar 2026 12:00:00 +0000\r\n\r\nThanks!\r\n"
    );
    let (_, outcome) =
        s.t.app
            .ingest(
                s.mailbox,
                &Source::Import { key: "a2".into() },
                answer.as_bytes(),
            )
            .await
            .unwrap();
    let Some(ProcessOutcome::Filed { conversation, .. }) = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(
        conversation, s.conversation,
        "threads into the conversation"
    );
}

async fn templates_and_bad_input(kind: Kind) {
    let s = setup(kind).await;
    let cid = s.conversation.0;
    let owner = s.t.owner_actor(&s.acc).await;
    let template =
        s.t.app
            .create_template(
                &owner,
                &TemplateInput {
                    name: "Shipping",
                    subject: "",
                    body_html: "<p>Dear {{ customer.name }}, TEMPLATE-TEXT</p>",
                },
            )
            .await
            .unwrap();
    let tid = template.id.0.to_string();
    let path = format!("/conversations/{cid}/reply");
    let (status, _, page) = post_multipart(
        &s.b,
        &path,
        &[
            ("kind", "reply"),
            ("body_html", ""),
            ("template", &tid),
            ("action", "insert_template"),
        ],
        &[],
    )
    .await;
    assert_eq!(status, 200);
    assert!(page.contains("TEMPLATE-TEXT"), "{page}");
    assert!(page.contains("Dear Ann Lee"), "{page}");

    // Forward needs an address.
    let (status, _, page) = post_multipart(
        &s.b,
        &path,
        &[
            ("kind", "forward"),
            ("to", ""),
            ("body_html", "<p>KEPT-BODY</p>"),
            ("action", "send"),
        ],
        &[],
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        page.contains("Add at least one address to forward to."),
        "{page}"
    );
    assert!(page.contains("KEPT-BODY"), "input kept");
    assert!(page.contains("value=\"forward\" checked"), "kind kept");

    // A bad address.
    let (status, _, page) = post_multipart(
        &s.b,
        &path,
        &[
            ("kind", "reply"),
            ("cc", "not an address"),
            ("body_html", "<p>Hi</p>"),
            ("action", "send"),
        ],
        &[],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("id=\"cc-error\""), "{page}");
    assert!(page.contains("value=\"not an address\""));

    // An empty body.
    let (status, _, page) = post_multipart(
        &s.b,
        &path,
        &[
            ("kind", "reply"),
            ("body_html", "<p> </p>"),
            ("action", "send"),
        ],
        &[],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("Write a message before sending."));

    // Attachments over the limit.
    let big = vec![b'x'; 10 * 1024 * 1024 + 1];
    let (status, _, page) = post_multipart(
        &s.b,
        &path,
        &[
            ("kind", "reply"),
            ("body_html", "<p>With a big file</p>"),
            ("action", "send"),
        ],
        &[("attachments", "big.bin", &big)],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("over the 10.0 MB limit"), "{page}");

    // No CSRF token: refused.
    let (ct, body) = multipart(&[("body_html", "<p>Hi</p>")], &[]);
    let res =
        s.b.http
            .post(format!("{}{path}", s.b.base))
            .header("content-type", ct)
            .body(body)
            .send()
            .await
            .unwrap();
    assert_eq!(res.status(), 403);

    let outbox =
        s.t.app
            .outbox_for_conversation(&owner, s.conversation)
            .await
            .unwrap();
    assert!(outbox.is_empty(), "nothing queued");
}

async fn failed_delivery_shows_and_retry(kind: Kind) {
    let s = setup(kind).await;
    let cid = s.conversation.0;
    s.sink.set_mode("550").unwrap();
    let (status, _, body) = post_multipart(
        &s.b,
        &format!("/conversations/{cid}/reply"),
        &[
            ("kind", "reply"),
            ("body_html", "<p>Will bounce</p>"),
            ("action", "send"),
        ],
        &[],
    )
    .await;
    assert_eq!(status, 303, "{body}");
    s.t.app.send_due_outbox().await.unwrap();
    let (_, page) = s.b.page(&format!("/conversations/{cid}")).await;
    assert!(page.contains("<strong>failed</strong>"), "{page}");
    assert!(page.contains("550"), "the server's answer is shown");
    let owner = s.t.owner_actor(&s.acc).await;
    let outbox =
        s.t.app
            .outbox_for_conversation(&owner, s.conversation)
            .await
            .unwrap();
    let oid = outbox[0].id.0;
    let retry = format!("/conversations/{cid}/outbox/{oid}/retry");
    assert!(page.contains(&format!("action=\"{retry}\"")));
    assert!(page.contains(">Retry</button>"));

    let res = s.b.post(&retry, &[]).await;
    assert_eq!(res.status(), 303);
    let (_, page) = s.b.page(&format!("/conversations/{cid}")).await;
    assert!(page.contains("<strong>queued</strong>"), "{page}");

    s.sink.set_mode("ok").unwrap();
    s.t.app.send_due_outbox().await.unwrap();
    let got = s.sink.wait_for(1, Duration::from_secs(10)).unwrap();
    assert!(got[0].data.contains("Will bounce"));
    let (_, page) = s.b.page(&format!("/conversations/{cid}")).await;
    assert!(page.contains("<strong>sent</strong>"), "{page}");
}

async fn new_conversation_and_no_access(kind: Kind) {
    let s = setup(kind).await;
    let mid = s.mailbox.0;
    let compose = format!("/mailboxes/{mid}/compose");
    let (_, list) = s.b.page(&format!("/mailboxes/{mid}")).await;
    assert!(list.contains(&format!("href=\"{compose}\"")));
    let (status, page) = s.b.page(&compose).await;
    assert_eq!(status, 200);
    assert!(page.contains("New conversation"));
    assert!(page.contains("data-rich-editor"));

    let (status, _, page) = post_multipart(
        &s.b,
        &compose,
        &[
            ("to", ""),
            ("subject", "KEPT-SUBJECT"),
            ("body_html", "<p>Hello</p>"),
        ],
        &[],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("id=\"to-error\""), "{page}");
    assert!(page.contains("value=\"KEPT-SUBJECT\""));

    let (status, loc, body) = post_multipart(
        &s.b,
        &compose,
        &[
            ("to", "Dora <dora@cust.example>"),
            ("cc", "eve@cust.example"),
            ("subject", "Your quote"),
            ("body_html", "<p>NEW-CONV-BODY</p>"),
        ],
        &[("attachments", "quote.pdf", b"%PDF-1.4 test")],
    )
    .await;
    assert_eq!(status, 303, "{body}");
    let new_cid: i64 = loc
        .strip_prefix("/conversations/")
        .unwrap()
        .parse()
        .unwrap();
    assert_ne!(new_cid, s.conversation.0);
    s.t.app.send_due_outbox().await.unwrap();
    let got = s.sink.wait_for(1, Duration::from_secs(10)).unwrap();
    assert!(got[0].data.contains("NEW-CONV-BODY"));
    assert!(header_value(got[0].headers(), "Subject").contains("Your quote"));
    assert!(got[0].rcpt_tos.iter().any(|r| r == "eve@cust.example"));
    assert!(got[0].data.contains("quote.pdf"));

    // Forward from the UI goes only to the given address.
    let cid = s.conversation.0;
    let (status, _, body) = post_multipart(
        &s.b,
        &format!("/conversations/{cid}/reply"),
        &[
            ("kind", "forward"),
            ("to", "finance@partner.example"),
            ("body_html", "<p>FYI</p>"),
            ("action", "send"),
        ],
        &[],
    )
    .await;
    assert_eq!(status, 303, "{body}");
    s.t.app.send_due_outbox().await.unwrap();
    let got = s.sink.wait_for(2, Duration::from_secs(10)).unwrap();
    assert_eq!(got[1].rcpt_tos, vec!["finance@partner.example".to_string()]);

    // A user without the mailbox: 404 everywhere.
    s.t.add_user(&s.acc, "Uma User", "uma@example.com", "user")
        .await;
    let uma = s.t.signed_in("uma@example.com").await;
    let owner = s.t.owner_actor(&s.acc).await;
    let oid =
        s.t.app
            .outbox_for_conversation(&owner, s.conversation)
            .await
            .unwrap()[0]
            .id
            .0;
    let (status, _) = uma.page(&compose).await;
    assert_eq!(status, 404);
    let (status, _, _) = post_multipart(
        &uma,
        &compose,
        &[
            ("to", "x@y.example"),
            ("subject", "S"),
            ("body_html", "<p>Hi</p>"),
        ],
        &[],
    )
    .await;
    assert_eq!(status, 404);
    for action in ["send", "insert_template"] {
        let (status, _, _) = post_multipart(
            &uma,
            &format!("/conversations/{cid}/reply"),
            &[
                ("body_html", "<p>Hi</p>"),
                ("template", "1"),
                ("action", action),
            ],
            &[],
        )
        .await;
        assert_eq!(status, 404, "{action}");
    }
    let res = uma
        .post(&format!("/conversations/{cid}/outbox/{oid}/retry"), &[])
        .await;
    assert_eq!(res.status(), 404);
    let (status, _) = uma.page(&format!("/conversations/{cid}")).await;
    assert_eq!(status, 404);
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
    reply_reaches_relay_and_answer_threads,
    templates_and_bad_input,
    failed_delivery_shows_and_retry,
    new_conversation_and_no_access
);
