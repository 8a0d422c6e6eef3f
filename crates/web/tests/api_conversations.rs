//! Conversations through the API: lists with paging and filters, one
//! conversation, originals and attachments, and 404 for anyone without
//! access to the mailbox.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use ecp_app::inbound::Source;
use ecp_domain::MailboxId;
use ecp_testkit::db::Kind;

fn mail(n: usize) -> Vec<u8> {
    format!(
        "From: Cust {n} <c{n}@cust.example>\r\nTo: support@in.acme.example\r\nSubject: Question {n}\r\n\
         Message-ID: <q{n}@cust.example>\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n\
         Body {n}\r\n--b\r\nContent-Type: application/pdf; name=\"invoice.pdf\"\r\n\
         Content-Disposition: attachment; filename=\"invoice.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n\
         JVBERi0xLjQK\r\n--b--\r\n"
    )
    .into_bytes()
}

async fn setup(t: &TestApp) -> (Account, Api, MailboxId) {
    let (acc, api) = t.api_account("standard").await;
    let (status, mb) = api
        .call(
            "POST",
            "/mailboxes",
            Some(
                serde_json::json!({"name": "Support", "direct_address": "support@in.acme.example"}),
            ),
        )
        .await;
    assert_eq!(status, 201, "{mb}");
    let mailbox = MailboxId(mb["id"].as_i64().unwrap());
    for n in 0..5 {
        t.app
            .ingest(mailbox, &Source::Import { key: n.to_string() }, &mail(n))
            .await
            .unwrap();
    }
    (acc, api, mailbox)
}

async fn list_and_read(kind: Kind) {
    let t = spawn(kind).await;
    let (_acc, api, mailbox) = setup(&t).await;
    let mid = mailbox.0;

    let (status, page) = api
        .get(&format!("/mailboxes/{mid}/conversations?limit=2"))
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["conversations"].as_array().unwrap().len(), 2);
    let mut seen: Vec<i64> = page["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    let mut next = page["next"].as_str().map(str::to_string);
    while let Some(cursor) = next {
        let (status, p) = api
            .get(&format!(
                "/mailboxes/{mid}/conversations?limit=2&before={cursor}"
            ))
            .await;
        assert_eq!(status, 200);
        seen.extend(
            p["conversations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_i64().unwrap()),
        );
        next = p["next"].as_str().map(str::to_string);
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 5);

    let (status, closed) = api
        .get(&format!("/mailboxes/{mid}/conversations?status=closed"))
        .await;
    assert_eq!(status, 200);
    assert!(closed["conversations"].as_array().unwrap().is_empty());
    let (status, body) = api
        .get(&format!("/mailboxes/{mid}/conversations?status=shredded"))
        .await;
    assert_eq!(status, 422, "{body}");
    let (status, _) = api
        .get(&format!("/mailboxes/{mid}/conversations?before=yesterday"))
        .await;
    assert_eq!(status, 400);

    let conv = seen[0];
    let (status, detail) = api.get(&format!("/conversations/{conv}")).await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["conversation"]["status"], "open");
    let msg = &detail["messages"][0];
    assert!(msg["text_body"].as_str().unwrap().contains("Body"));
    assert_eq!(msg["has_original"], true);
    let message_id = msg["id"].as_i64().unwrap();
    let attachment_id = msg["attachments"][0]["id"].as_i64().unwrap();
    assert_eq!(msg["attachments"][0]["filename"], "invoice.pdf");

    let (status, original) = api.get(&format!("/messages/{message_id}/source")).await;
    assert_eq!(status, 200);
    assert!(original.as_str().unwrap().contains("Subject: Question"));
    let (status, pdf) = api.get(&format!("/attachments/{attachment_id}")).await;
    assert_eq!(status, 200);
    assert!(pdf.as_str().unwrap().starts_with("%PDF"));
    // Headers: always a download, with the original only as message/rfc822.
    let res = api
        .http
        .get(format!("{}/attachments/{attachment_id}", api.base))
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    let res = api
        .http
        .get(format!("{}/messages/{message_id}/source", api.base))
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "message/rfc822");

    for path in [
        "/conversations/0",
        "/conversations/abc",
        "/messages/999999/source",
        "/attachments/999999",
    ] {
        let (status, _) = api.get(path).await;
        assert!(status == 400 || status == 404, "{path}: {status}");
    }
}

async fn unpermitted_users_find_nothing(kind: Kind) {
    let t = spawn(kind).await;
    let (acc, api, mailbox) = setup(&t).await;
    let (_, page) = api
        .get(&format!("/mailboxes/{}/conversations", mailbox.0))
        .await;
    let conv = page["conversations"][0]["id"].as_i64().unwrap();
    let (_, detail) = api.get(&format!("/conversations/{conv}")).await;
    let message_id = detail["messages"][0]["id"].as_i64().unwrap();
    let attachment_id = detail["messages"][0]["attachments"][0]["id"]
        .as_i64()
        .unwrap();

    t.add_user(&acc, "Uma", "uma@example.com", "user").await;
    let uma = t.api_as("uma@example.com").await;
    for path in [
        format!("/mailboxes/{}/conversations", mailbox.0),
        format!("/conversations/{conv}"),
        format!("/messages/{message_id}/source"),
        format!("/attachments/{attachment_id}"),
    ] {
        let (status, body) = uma.get(&path).await;
        assert_eq!(status, 404, "{path}: {body}");
    }
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

on_both!(list_and_read, unpermitted_users_find_nothing);
