//! The agent workspace through the API: folders and counts, folder lists
//! with cursors both ways, My Mail, every change (recorded in Recent
//! Actions), bulk, merge and move; garbage input is a clear 4xx; a user
//! not permitted on a mailbox finds nothing of it anywhere.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use ecp_app::inbound::Source;
use ecp_domain::{MailboxId, UserId};
use ecp_testkit::db::Kind;
use serde_json::json;

fn mail(n: usize, to: &str) -> Vec<u8> {
    format!(
        "From: Cust {n} <c{n}@cust.example>\r\nTo: {to}\r\nSubject: Question {n}\r\n\
         Message-ID: <w{n}@cust.example>\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\nBody {n}\r\n"
    )
    .into_bytes()
}

struct Setup {
    api: Api,
    support: i64,
    secret: i64,
    /// Conversation ids in Support, then one in Secret.
    ids: Vec<i64>,
    secret_conv: i64,
    pat: i64,
}

async fn setup(t: &TestApp) -> Setup {
    let (acc, api) = t.api_account("standard").await;
    let mut mbs = Vec::new();
    for (name, addr) in [
        ("Support", "support@in.acme.example"),
        ("Secret", "secret@in.acme.example"),
    ] {
        let (status, mb) = api
            .call(
                "POST",
                "/mailboxes",
                Some(json!({"name": name, "direct_address": addr})),
            )
            .await;
        assert_eq!(status, 201, "{mb}");
        mbs.push(mb["id"].as_i64().unwrap());
    }
    let mut ids = Vec::new();
    for n in 0..5 {
        let (_, out) = t
            .app
            .ingest(
                MailboxId(mbs[0]),
                &Source::Import { key: n.to_string() },
                &mail(n, "support@in.acme.example"),
            )
            .await
            .unwrap();
        let Some(ecp_app::inbound::ProcessOutcome::Filed { conversation, .. }) = out else {
            panic!("{out:?}")
        };
        ids.push(conversation.0);
    }
    let (_, out) = t
        .app
        .ingest(
            MailboxId(mbs[1]),
            &Source::Import { key: "s".into() },
            &mail(9, "secret@in.acme.example"),
        )
        .await
        .unwrap();
    let Some(ecp_app::inbound::ProcessOutcome::Filed { conversation, .. }) = out else {
        panic!("{out:?}")
    };
    let pat = t.add_user(&acc, "Pat", "pat@example.com", "user").await;
    let owner = t.owner_actor(&acc).await;
    t.app
        .set_mailbox_permissions(&owner, MailboxId(mbs[0]), &[UserId(pat)])
        .await
        .unwrap();
    Setup {
        api,
        support: mbs[0],
        secret: mbs[1],
        ids,
        secret_conv: conversation.0,
        pat,
    }
}

fn ids_of(page: &serde_json::Value) -> Vec<i64> {
    page["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect()
}

async fn counts(api: &Api, mailbox: i64) -> serde_json::Value {
    let (status, f) = api.get("/folders").await;
    assert_eq!(status, 200, "{f}");
    f["mailboxes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["mailbox_id"] == mailbox)
        .map(|m| m["counts"].clone())
        .unwrap_or(serde_json::Value::Null)
}

async fn workspace_flow(kind: Kind) {
    let t = spawn(kind).await;
    let s = setup(&t).await;
    let (api, mid, pat) = (&s.api, s.support, s.pat);
    let c = counts(api, mid).await;
    assert_eq!(c["unassigned"], 5);
    assert_eq!(c["mine"], 0);

    // Paging: 2 + 2 + 1, and back again.
    let (status, p1) = api
        .get(&format!("/mailboxes/{mid}/folder-conversations?limit=2"))
        .await;
    assert_eq!(status, 200, "{p1}");
    assert!(p1["previous"].is_null());
    assert!(p1["conversations"][0]["unread"].as_bool().unwrap());
    let next = p1["next"].as_str().unwrap();
    let (_, p2) = api
        .get(&format!(
            "/mailboxes/{mid}/folder-conversations?folder=unassigned&limit=2&cursor={next}"
        ))
        .await;
    let (_, p3) = api
        .get(&format!(
            "/mailboxes/{mid}/folder-conversations?limit=2&cursor={}",
            p2["next"].as_str().unwrap()
        ))
        .await;
    assert!(p3["next"].is_null());
    let mut all = [ids_of(&p1), ids_of(&p2), ids_of(&p3)].concat();
    all.sort();
    let mut expected = s.ids.clone();
    expected.sort();
    assert_eq!(all, expected);
    let (_, back) = api
        .get(&format!(
            "/mailboxes/{mid}/folder-conversations?limit=2&cursor={}",
            p2["previous"].as_str().unwrap()
        ))
        .await;
    assert_eq!(ids_of(&back), ids_of(&p1));
    let (_, oldest) = api
        .get(&format!(
            "/mailboxes/{mid}/folder-conversations?sort=oldest&limit=5"
        ))
        .await;
    let mut rev = ids_of(&oldest);
    rev.reverse();
    assert_eq!(rev, [ids_of(&p1), ids_of(&p2), ids_of(&p3)].concat());

    // Garbage is a clear 400, never a 500.
    for q in ["cursor=zzz", "cursor=a1.x", "folder=inbox", "sort=sideways"] {
        let (status, body) = api
            .get(&format!("/mailboxes/{mid}/folder-conversations?{q}"))
            .await;
        assert_eq!(status, 400, "{q}: {body}");
        assert!(!err_message(&body).is_empty());
    }
    let (status, _) = api.get("/my-mail?cursor=nonsense").await;
    assert_eq!(status, 400);

    // Assign to Pat and to the owner; refuse someone unknown.
    let [a, b, cc, d, e] = s.ids[..] else {
        panic!()
    };
    let (status, body) = api
        .call(
            "PUT",
            &format!("/conversations/{a}/assignee"),
            Some(json!({"assignee_id": pat})),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let (status, body) = api
        .call(
            "PUT",
            &format!("/conversations/{a}/assignee"),
            Some(json!({"assignee_id": 999999})),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    let me = api.get("/me").await.1["id"].as_i64().unwrap();
    api.call(
        "PUT",
        &format!("/conversations/{b}/assignee"),
        Some(json!({"assignee_id": me})),
    )
    .await;
    let c = counts(api, mid).await;
    assert_eq!(
        (
            c["unassigned"].as_i64(),
            c["assigned"].as_i64(),
            c["mine"].as_i64()
        ),
        (Some(3), Some(2), Some(1))
    );
    let (status, my) = api.get("/my-mail").await;
    assert_eq!(status, 200);
    assert_eq!(ids_of(&my), vec![b]);

    // Status, read state, tags.
    let (status, _) = api
        .call(
            "PUT",
            &format!("/conversations/{cc}/status"),
            Some(json!({"status": "closed"})),
        )
        .await;
    assert_eq!(status, 204);
    let (status, body) = api
        .call(
            "PUT",
            &format!("/conversations/{cc}/status"),
            Some(json!({"status": "gone"})),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    let (status, _) = api
        .call(
            "PUT",
            &format!("/conversations/{d}/read"),
            Some(json!({"read": true})),
        )
        .await;
    assert_eq!(status, 204);
    let (_, l) = api
        .get(&format!("/mailboxes/{mid}/folder-conversations?limit=10"))
        .await;
    let row = l["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == d)
        .unwrap()
        .clone();
    assert_eq!(row["unread"], false);
    api.call(
        "PUT",
        &format!("/conversations/{d}/read"),
        Some(json!({"read": false})),
    )
    .await;
    let (status, tags) = api
        .call(
            "POST",
            &format!("/conversations/{d}/tags"),
            Some(json!({"tag": " VIP "})),
        )
        .await;
    assert_eq!(status, 200, "{tags}");
    assert_eq!(tags["tags"], json!(["vip"]));
    let (status, _) = api
        .call(
            "POST",
            &format!("/conversations/{d}/tags"),
            Some(json!({"tag": "a,b"})),
        )
        .await;
    assert_eq!(status, 422);
    let (_, tags) = api.get(&format!("/conversations/{d}/tags")).await;
    assert_eq!(tags["tags"], json!(["vip"]));
    let (status, tags) = api
        .call(
            "DELETE",
            &format!("/conversations/{d}/tags"),
            Some(json!({"tag": "vip"})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(tags["tags"], json!([]));

    // Bulk: spam two, then not spam; unknown action is a 400.
    let (status, r) = api
        .call(
            "POST",
            "/conversations/bulk",
            Some(json!({"conversation_ids": [d, e], "action": "spam"})),
        )
        .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["conversations"], 2);
    assert_eq!(counts(api, mid).await["spam"], 2);
    api.call(
        "POST",
        "/conversations/bulk",
        Some(json!({"conversation_ids": [d, e], "action": "not_spam"})),
    )
    .await;
    let (status, _) = api
        .call(
            "POST",
            "/conversations/bulk",
            Some(json!({"conversation_ids": [d], "action": "explode"})),
        )
        .await;
    assert_eq!(status, 400);
    let (status, _) = api
        .call(
            "POST",
            "/conversations/bulk",
            Some(json!({"conversation_ids": [], "action": "close"})),
        )
        .await;
    assert_eq!(status, 422);

    // Merge e into d; e leaves the folders; merging again is refused.
    let (status, body) = api
        .call(
            "POST",
            &format!("/conversations/{d}/merge"),
            Some(json!({"other_id": e})),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let (_, detail) = api.get(&format!("/conversations/{d}")).await;
    assert_eq!(detail["messages"].as_array().unwrap().len(), 2);
    let (status, _) = api
        .call(
            "POST",
            &format!("/conversations/{d}/merge"),
            Some(json!({"other_id": e})),
        )
        .await;
    assert_eq!(status, 409);
    let (status, _) = api
        .call(
            "POST",
            &format!("/conversations/{d}/merge"),
            Some(json!({"other_id": d})),
        )
        .await;
    assert_eq!(status, 422);

    // Move d to Secret: Pat (not permitted there) is fine, it was unassigned.
    let (status, body) = api
        .call(
            "POST",
            &format!("/conversations/{d}/move"),
            Some(json!({"mailbox_id": s.secret})),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(counts(api, s.secret).await["unassigned"], 2);

    // Recent Actions: every change, with who and what.
    let (status, acts) = api.get(&format!("/conversations/{d}/activity")).await;
    assert_eq!(status, 200);
    let names: Vec<&str> = acts
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    for want in [
        "tagged",
        "untagged",
        "marked_spam",
        "not_spam",
        "merged",
        "moved",
    ] {
        assert!(names.contains(&want), "{want} in {names:?}");
    }
    let (status, all) = api.get("/activity").await;
    assert_eq!(status, 200);
    let all = all.as_array().unwrap();
    assert!(
        all.iter()
            .any(|x| x["action"] == "assigned" && x["detail"]["assignee"] == "Pat")
    );
    assert!(
        all.iter()
            .all(|x| x["user_name"] == "Olivia" || !x["user_name"].is_null())
    );
}

async fn unpermitted_user_finds_nothing(kind: Kind) {
    let t = spawn(kind).await;
    let s = setup(&t).await;
    let pat = t.api_as("pat@example.com").await;
    let (secret, conv) = (s.secret, s.secret_conv);
    // Something happens in Secret so there is something to leak.
    s.api
        .call(
            "POST",
            &format!("/conversations/{conv}/tags"),
            Some(json!({"tag": "hidden"})),
        )
        .await;
    let owner_id = s.api.get("/me").await.1["id"].as_i64().unwrap();
    s.api
        .call(
            "PUT",
            &format!("/conversations/{conv}/assignee"),
            Some(json!({"assignee_id": owner_id})),
        )
        .await;

    let (_, f) = pat.get("/folders").await;
    let listed: Vec<i64> = f["mailboxes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["mailbox_id"].as_i64().unwrap())
        .collect();
    assert_eq!(listed, vec![s.support]);
    let (status, _) = pat
        .get(&format!("/mailboxes/{secret}/folder-conversations"))
        .await;
    assert_eq!(status, 404);
    let (_, acts) = pat.get("/activity").await;
    assert!(
        acts.as_array()
            .unwrap()
            .iter()
            .all(|a| a["conversation_id"] != conv),
        "{acts}"
    );
    for (method, path, body) in [
        ("GET", format!("/conversations/{conv}/activity"), None),
        ("GET", format!("/conversations/{conv}/tags"), None),
        (
            "PUT",
            format!("/conversations/{conv}/assignee"),
            Some(json!({"assignee_id": null})),
        ),
        (
            "PUT",
            format!("/conversations/{conv}/status"),
            Some(json!({"status": "closed"})),
        ),
        (
            "PUT",
            format!("/conversations/{conv}/read"),
            Some(json!({"read": true})),
        ),
        (
            "POST",
            format!("/conversations/{conv}/tags"),
            Some(json!({"tag": "x"})),
        ),
        (
            "DELETE",
            format!("/conversations/{conv}/tags"),
            Some(json!({"tag": "hidden"})),
        ),
        (
            "POST",
            format!("/conversations/{conv}/move"),
            Some(json!({"mailbox_id": s.support})),
        ),
        (
            "POST",
            format!("/conversations/{}/move", s.ids[0]),
            Some(json!({"mailbox_id": secret})),
        ),
        (
            "POST",
            format!("/conversations/{conv}/merge"),
            Some(json!({"other_id": s.ids[0]})),
        ),
        (
            "POST",
            "/conversations/bulk".to_string(),
            Some(json!({"conversation_ids": [s.ids[0], conv], "action": "close"})),
        ),
    ] {
        let (status, b) = pat.call(method, &path, body).await;
        assert_eq!(status, 404, "{method} {path}: {b}");
    }
    // Merging a hidden one into a visible one tells nothing more than a typo.
    let (status, b) = pat
        .call(
            "POST",
            &format!("/conversations/{}/merge", s.ids[0]),
            Some(json!({"other_id": conv})),
        )
        .await;
    assert_eq!(status, 422);
    assert!(err_message(&b).contains("no conversation"), "{b}");
    // Nothing changed: the all-or-nothing bulk closed none.
    let c = counts(&s.api, s.support).await;
    assert_eq!(c["closed"], 0);
    let (_, tags) = s.api.get(&format!("/conversations/{conv}/tags")).await;
    assert_eq!(tags["tags"], json!(["hidden"]));
    // Pat's My Mail shows nothing of Secret even when assigned there before.
    let (_, my) = pat.get("/my-mail").await;
    assert!(ids_of(&my).is_empty());
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

on_both!(workspace_flow, unpermitted_user_finds_nothing);
