//! What the UI tests share beyond `common`: users and mailboxes made
//! through the use cases, and reading values out of pages.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use crate::common::{Account, PASSWORD, TestApp};
use ecp_domain::{AccountId, MailboxId, MailboxInput, UserId};

pub async fn actor_of(t: &TestApp, user_id: i64) -> ecp_app::Actor {
    t.app.actor(UserId(user_id)).await.unwrap()
}

/// A user with the test password, added by the owner; returns the id.
pub async fn new_user(t: &TestApp, acc: &Account, name: &str, email: &str, role: &str) -> i64 {
    let owner = actor_of(t, acc.owner_id).await;
    let input = ecp_app::users::NewUserInput {
        name: name.into(),
        email: email.into(),
        role: role.into(),
        password: PASSWORD.into(),
    };
    t.app.add_user(&owner, &input).await.unwrap().user.id.0
}

pub async fn new_mailbox(t: &TestApp, acc: &Account, name: &str, address: &str) -> i64 {
    let owner = actor_of(t, acc.owner_id).await;
    let input = MailboxInput {
        name,
        direct_address: address,
        ..Default::default()
    };
    t.app
        .create_mailbox(&owner, &input, &[])
        .await
        .unwrap()
        .mailbox
        .id
        .0
}

pub async fn mailbox_names(t: &TestApp, acc: &Account) -> Vec<String> {
    let owner = actor_of(t, acc.owner_id).await;
    t.app
        .visible_mailboxes(&owner)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.name)
        .collect()
}

pub async fn mailbox_record(
    t: &TestApp,
    acc: &Account,
    id: i64,
) -> ecp_app::mailboxes::MailboxRecord {
    let owner = actor_of(t, acc.owner_id).await;
    t.app.mailbox(&owner, MailboxId(id)).await.unwrap()
}

pub async fn user_emails(t: &TestApp, acc: &Account) -> Vec<String> {
    let owner = actor_of(t, acc.owner_id).await;
    t.app
        .list_users(&owner)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.user.email.to_string())
        .collect()
}

pub async fn account_record(t: &TestApp, acc: &Account) -> ecp_app::account::AccountRecord {
    t.app
        .account_by_id(AccountId(acc.account_id))
        .await
        .unwrap()
}

pub async fn api_on(t: &TestApp, acc: &Account) {
    let patch = ecp_app::account::OptionsPatch {
        api_enabled: Some(true),
        ..Default::default()
    };
    t.app
        .set_options(AccountId(acc.account_id), &patch)
        .await
        .unwrap();
}

/// The number at the end of a redirect to `/prefix/{id}...`.
pub fn id_after(location: &str, prefix: &str) -> i64 {
    let rest = location.strip_prefix(prefix).expect(location);
    rest.split(['?', '/'])
        .next()
        .unwrap()
        .parse()
        .expect(location)
}

/// The `value` of the input with this id.
pub fn input_value(html: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\"");
    let at = html.find(&marker).expect(&marker);
    let rest = &html[at..];
    let v = rest.find("value=\"").expect("value") + 7;
    let end = rest[v..].find('"').unwrap();
    rest[v..v + end].to_string()
}

pub fn hostile_markers_absent(html: &str) {
    for bad in [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<img src=\"x\" onerror",
    ] {
        assert!(!html.contains(bad), "unescaped {bad} in page");
    }
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
pub(crate) use on_both;

/// `s` as the templates escape it.
pub fn escaped(s: &str) -> String {
    s.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

/// A refused form: its fields, the id of the error it shows, and a piece of
/// that error's text.
pub type BadForm<'a> = (Vec<(&'a str, &'a str)>, &'a str, &'a str);
