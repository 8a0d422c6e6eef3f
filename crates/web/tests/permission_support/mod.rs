//! The world of permission_workspace.rs: an account with a Support
//! mailbox its user Ursula may see and a Vault mailbox she may not, mail in
//! both, and what each page and API call of Vault is.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use crate::common::*;
use crate::ui_support::*;
use ecp_app::inbound::{ProcessOutcome, Source};
use ecp_domain::{MailboxId, UserId};
use ecp_testkit::db::Kind;
use serde_json::{Value, json};

/// What only Vault holds; none of it may show on an outsider's page.
pub const SECRETS: [&str; 5] = [
    "Vault",
    "Zebra note",
    "Zebra ledger",
    "bea@cust.example",
    "vault@in.acme.example",
];

pub struct World {
    pub t: TestApp,
    pub owner: Api,
    pub owner_ui: Browser,
    pub vault: i64,
    pub support: i64,
    /// Bea's HTML mail with an attachment, in Vault only.
    pub hidden: i64,
    pub hidden_msg: i64,
    pub hidden_att: i64,
    /// Sam wrote to both: his Support conversation.
    pub visible: i64,
    pub visible_msg: i64,
    pub visible_att: i64,
    /// Sam's Vault conversation.
    pub sam_vault: i64,
    pub bea: i64,
    pub sam: i64,
    pub shared_search: i64,
}

fn mail(key: &str, from: &str, subject: &str, body: &str) -> String {
    format!(
        "From: {from}\r\nTo: x@in.acme.example\r\nSubject: {subject}\r\n\
         Message-ID: <{key}@cust.example>\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
         --b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>{body}</p>\r\n\
         --b\r\nContent-Type: text/plain; name=\"{key}.txt\"\r\n\
         Content-Disposition: attachment; filename=\"{key}.txt\"\r\n\r\nattached {key}\r\n--b--\r\n"
    )
}

/// Vault mail says "zebra"; Support mail does not.
async fn ingest(t: &TestApp, mailbox: i64, key: &str, from: &str, subject: &str) -> i64 {
    let body = if subject.starts_with("Zebra") {
        "zebra refund details"
    } else {
        "refund details"
    };
    let raw = mail(key, from, subject, body);
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

/// The first message's id and its attachment's id, as the owner sees them.
async fn ids_in(owner: &Api, conversation: i64) -> (i64, i64) {
    let (status, c) = owner.get(&format!("/conversations/{conversation}")).await;
    assert_eq!(status, 200, "{c}");
    let m = &c["messages"][0];
    (
        m["id"].as_i64().unwrap(),
        m["attachments"][0]["id"].as_i64().unwrap(),
    )
}

async fn contact_id(owner: &Api, email: &str) -> i64 {
    let (_, list) = owner.get(&format!("/contacts?q={email}")).await;
    list["contacts"][0]["id"].as_i64().expect(email)
}

pub async fn world(kind: Kind) -> World {
    let t = spawn(kind).await;
    let acc = t.account("standard", "olivia@example.com").await;
    api_on(&t, &acc).await;
    let owner = t.api_as("olivia@example.com").await;
    let support = new_mailbox(&t, &acc, "Support", "support@in.acme.example").await;
    let vault = new_mailbox(&t, &acc, "Vault", "vault@in.acme.example").await;
    let ursula = new_user(&t, &acc, "Ursula", "ursula@example.com", "user").await;
    let boss = actor_of(&t, acc.owner_id).await;
    t.app
        .set_mailbox_permissions(&boss, MailboxId(support), &[UserId(ursula)])
        .await
        .unwrap();
    let visible = ingest(&t, support, "s1", "Sam <sam@cust.example>", "Refund offer").await;
    let sam_vault = ingest(&t, vault, "v1", "Sam <sam@cust.example>", "Zebra ledger 2").await;
    let hidden = ingest(&t, vault, "v2", "Bea <bea@cust.example>", "Zebra ledger").await;
    // Ursula once had Vault and was given Bea's conversation: losing the
    // permission must take it out of her My Mail and searches.
    t.app
        .set_mailbox_permissions(&boss, MailboxId(vault), &[UserId(ursula)])
        .await
        .unwrap();
    let (status, _) = owner
        .call(
            "PUT",
            &format!("/conversations/{hidden}/assignee"),
            Some(json!({"assignee_id": ursula})),
        )
        .await;
    assert_eq!(status, 204);
    t.app
        .set_mailbox_permissions(&boss, MailboxId(vault), &[])
        .await
        .unwrap();
    let (status, _) = owner
        .call(
            "POST",
            &format!("/conversations/{hidden}/tags"),
            Some(json!({"tag": "zebra-tag"})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = owner
        .call(
            "POST",
            &format!("/conversations/{hidden}/notes"),
            Some(json!({"body_html": "Zebra note"})),
        )
        .await;
    assert_eq!(status, 201);
    let (status, saved) = owner
        .call(
            "POST",
            "/saved-searches",
            Some(json!({"name": "Striped things", "shared": true,
                "search": {"q": "zebra", "mailbox": vault.to_string()}})),
        )
        .await;
    assert_eq!(status, 201, "{saved}");
    let (hidden_msg, hidden_att) = ids_in(&owner, hidden).await;
    let (visible_msg, visible_att) = ids_in(&owner, visible).await;
    World {
        owner_ui: t.signed_in("olivia@example.com").await,
        bea: contact_id(&owner, "bea@cust.example").await,
        sam: contact_id(&owner, "sam@cust.example").await,
        shared_search: saved["id"].as_i64().unwrap(),
        owner,
        t,
        vault,
        support,
        hidden,
        hidden_msg,
        hidden_att,
        visible,
        visible_msg,
        visible_att,
        sam_vault,
    }
}

pub fn conv_ids(body: &Value) -> Vec<i64> {
    body["conversations"]
        .as_array()
        .unwrap_or_else(|| panic!("no conversations in {body}"))
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect()
}

pub fn assert_no_secret(page: &str, w: &World, what: &str) {
    for s in SECRETS {
        assert!(!page.contains(s), "{what} shows {s:?}");
    }
    for id in [w.hidden, w.sam_vault] {
        assert!(
            !page.contains(&format!("/conversations/{id}\"")),
            "{what} links conversation {id}"
        );
    }
    assert!(
        !page.contains(&format!("href=\"/mailboxes/{}", w.vault)),
        "{what} links the Vault mailbox"
    );
}

impl World {
    /// UI pages of the hidden mailbox and conversation: 200 for the owner.
    pub fn hidden_pages(&self) -> Vec<String> {
        let (v, h, hm, ha) = (self.vault, self.hidden, self.hidden_msg, self.hidden_att);
        vec![
            format!("/mailboxes/{v}"),
            format!("/mailboxes/{v}?folder=closed"),
            format!("/conversations/{h}"),
            format!("/conversations/{h}/messages/{hm}/body"),
            format!("/conversations/{h}/messages/{hm}/source"),
            format!("/conversations/{h}/messages/{hm}/source.txt"),
            format!("/conversations/{h}/attachments/{ha}"),
            format!("/contacts/{}", self.bea),
        ]
    }

    /// A hidden message or attachment under the user's visible
    /// conversation (404 for the owner too: they don't belong together).
    pub fn smuggled_pages(&self) -> Vec<String> {
        let (c, hm, ha) = (self.visible, self.hidden_msg, self.hidden_att);
        vec![
            format!("/conversations/{c}/messages/{hm}/body"),
            format!("/conversations/{c}/messages/{hm}/source"),
            format!("/conversations/{c}/messages/{hm}/source.txt"),
            format!("/conversations/{c}/attachments/{ha}"),
        ]
    }

    /// API reads of the hidden mailbox and conversation: 200 for the owner.
    pub fn hidden_api(&self) -> Vec<String> {
        let (v, h) = (self.vault, self.hidden);
        let mut paths = vec![
            format!("/mailboxes/{v}"),
            format!("/mailboxes/{v}/conversations"),
            format!("/conversations/{h}"),
            format!("/conversations/{h}/notes"),
            format!("/conversations/{h}/presence"),
            format!("/conversations/{h}/activity"),
            format!("/conversations/{h}/tags"),
            format!("/conversations/{h}/outbox"),
            format!("/messages/{}/source", self.hidden_msg),
            format!("/attachments/{}", self.hidden_att),
            format!("/contacts/{}", self.bea),
            format!("/contacts/{}/conversations", self.bea),
        ];
        for f in [
            "unassigned",
            "mine",
            "assigned",
            "pending",
            "closed",
            "spam",
        ] {
            paths.push(format!("/mailboxes/{v}/folder-conversations?folder={f}"));
        }
        paths
    }
}
