//! The store against both real backends: a fresh SQLite file and a fresh
//! PostgreSQL database per test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ecp_domain::*;
use ecp_store::{
    Db, StoreError, accounts, api_tokens, invites, login_failures, mailboxes, sessions, users,
};
use ecp_testkit::both_backends;
use ecp_testkit::db::TestDb;

async fn open(t: &TestDb) -> Db {
    let db = Db::connect(&t.url).await.unwrap();
    db.migrate().await.unwrap();
    db
}

async fn account_with_owner(db: &Db, email: &str) -> (AccountId, UserId) {
    let mut tx = db.begin().await.unwrap();
    let acc = accounts::insert(
        &mut tx,
        &AccountName::parse("Acme").unwrap(),
        Plan::Standard,
        &TimeZoneName::default_zone(),
        1,
    )
    .await
    .unwrap();
    let owner = users::insert(
        &mut tx,
        users::NewUser {
            account_id: acc,
            name: "Owner",
            email: &EmailAddress::parse(email).unwrap(),
            password_hash: Some("hash"),
            role: Role::Owner,
            now: 1,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (acc, owner)
}

fn settings(name: &str, addr: &str) -> MailboxSettings {
    MailboxSettings::parse(
        &MailboxInput {
            name,
            direct_address: addr,
            auto_bcc: "a@example.com b@example.com",
            ..Default::default()
        },
        "<b>sig</b>".into(),
    )
    .unwrap()
}

both_backends!(
    migrations_are_idempotent,
    accounts_round_trip,
    users_unique_email_and_one_owner,
    mailboxes_and_permissions,
    sessions_tokens_invites,
    login_failures_window,
    rollback_leaves_nothing,
);

async fn migrations_are_idempotent(t: TestDb) {
    let db = open(&t).await;
    db.migrate().await.unwrap();
    assert!(db.ping().await);
}

async fn accounts_round_trip(t: TestDb) {
    let db = open(&t).await;
    let (acc, _) = account_with_owner(&db, "o@example.com").await;
    let mut c = db.read().await.unwrap();
    let rec = accounts::get_by_id(&mut c, acc).await.unwrap().unwrap();
    assert_eq!(rec.name, "Acme");
    assert_eq!(rec.plan, Plan::Standard);
    assert_eq!(rec.options, AccountOptions::defaults());
    let mut o = rec.options.clone();
    o.time_zone = TimeZoneName::parse("Europe/Paris").unwrap();
    o.api_enabled = true;
    o.rss_enabled = true;
    o.spam_threshold = SpamThreshold::new(8).unwrap();
    accounts::update_options(&mut c, acc, &o).await.unwrap();
    accounts::set_plan(&mut c, acc, Plan::Premium)
        .await
        .unwrap();
    let rec = accounts::get_by_id(&mut c, acc).await.unwrap().unwrap();
    assert_eq!(rec.options, o);
    assert_eq!(rec.plan, Plan::Premium);
    assert_eq!(accounts::count(&mut c).await.unwrap(), 1);
    assert!(
        accounts::get_by_id(&mut c, AccountId(999))
            .await
            .unwrap()
            .is_none()
    );
}

async fn users_unique_email_and_one_owner(t: TestDb) {
    let db = open(&t).await;
    let (acc, owner) = account_with_owner(&db, "o@example.com").await;
    let mut c = db.read().await.unwrap();
    let dup = users::insert(
        &mut c,
        users::NewUser {
            account_id: acc,
            name: "Again",
            email: &EmailAddress::parse("O@Example.com").unwrap(),
            password_hash: None,
            role: Role::User,
            now: 2,
        },
    )
    .await
    .unwrap_err();
    assert!(dup.is_duplicate_of("email"), "{dup:?}");
    let second_owner = users::insert(
        &mut c,
        users::NewUser {
            account_id: acc,
            name: "Two",
            email: &EmailAddress::parse("two@example.com").unwrap(),
            password_hash: None,
            role: Role::Owner,
            now: 2,
        },
    )
    .await
    .unwrap_err();
    assert!(
        matches!(second_owner, StoreError::Duplicate(_)),
        "{second_owner:?}"
    );

    let (found, hash) =
        users::find_for_login(&mut c, &EmailAddress::parse("o@example.com").unwrap())
            .await
            .unwrap()
            .unwrap();
    assert_eq!(found.id, owner);
    assert!(found.has_password);
    assert_eq!(hash.as_deref(), Some("hash"));
    users::set_active(&mut c, owner, false).await.unwrap();
    assert!(
        !users::get_by_id(&mut c, owner)
            .await
            .unwrap()
            .unwrap()
            .active
    );
    assert_eq!(users::count_active(&mut c, acc).await.unwrap(), 0);
}

async fn mailboxes_and_permissions(t: TestDb) {
    let db = open(&t).await;
    let (acc, owner) = account_with_owner(&db, "o@example.com").await;
    let mut c = db.read().await.unwrap();
    let s = settings("Sales", "sales@in.example.com");
    let mb = mailboxes::insert(&mut c, acc, &s, 5).await.unwrap();
    let dup = mailboxes::insert(&mut c, acc, &settings("Other", "SALES@in.example.com"), 6)
        .await
        .unwrap_err();
    assert!(dup.is_duplicate_of("direct_address"), "{dup:?}");
    let rec = mailboxes::get_by_id(&mut c, mb).await.unwrap().unwrap();
    assert_eq!(rec.name, "Sales");
    assert_eq!(rec.auto_bcc.len(), 2);
    assert_eq!(rec.signature_html, "<b>sig</b>");
    let found = mailboxes::find_by_direct_address(
        &mut c,
        &EmailAddress::parse("Sales@In.Example.com").unwrap(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(found.id, mb);

    mailboxes::set_permitted_users(&mut c, mb, &[owner])
        .await
        .unwrap();
    assert_eq!(
        mailboxes::permitted_users(&mut c, mb).await.unwrap(),
        vec![owner]
    );
    assert_eq!(
        mailboxes::listed_for_user(&mut c, owner).await.unwrap(),
        vec![mb]
    );
    mailboxes::set_permitted_users(&mut c, mb, &[])
        .await
        .unwrap();
    assert!(
        mailboxes::permitted_users(&mut c, mb)
            .await
            .unwrap()
            .is_empty()
    );

    let mut renamed = s.clone();
    renamed.name = MailboxName::parse("Sales EU").unwrap();
    mailboxes::update(&mut c, mb, &renamed).await.unwrap();
    assert_eq!(
        mailboxes::list_for_account(&mut c, acc).await.unwrap()[0].name,
        "Sales EU"
    );
    mailboxes::set_permitted_users(&mut c, mb, &[owner])
        .await
        .unwrap();
    assert!(mailboxes::delete(&mut c, mb).await.unwrap());
    assert!(!mailboxes::delete(&mut c, mb).await.unwrap());
    assert!(
        mailboxes::listed_for_user(&mut c, owner)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(mailboxes::count_for_account(&mut c, acc).await.unwrap(), 0);
}

async fn sessions_tokens_invites(t: TestDb) {
    let db = open(&t).await;
    let (_, owner) = account_with_owner(&db, "o@example.com").await;
    let mut c = db.read().await.unwrap();
    sessions::insert(&mut c, "h1", owner, "csrf", 10, 100)
        .await
        .unwrap();
    let s = sessions::find(&mut c, "h1").await.unwrap().unwrap();
    assert_eq!(
        (s.user_id, s.csrf_token.as_str(), s.expires_at),
        (owner, "csrf", 100)
    );
    sessions::touch(&mut c, "h1", 50, 200).await.unwrap();
    assert_eq!(
        sessions::find(&mut c, "h1")
            .await
            .unwrap()
            .unwrap()
            .expires_at,
        200
    );
    assert_eq!(sessions::delete_expired(&mut c, 150).await.unwrap(), 0);
    assert_eq!(sessions::delete_expired(&mut c, 250).await.unwrap(), 1);
    assert!(sessions::find(&mut c, "h1").await.unwrap().is_none());

    let tok = api_tokens::insert(&mut c, owner, "ci", "th", "ecp_ab", 1)
        .await
        .unwrap();
    assert_eq!(
        api_tokens::find_active(&mut c, "th").await.unwrap(),
        Some((tok, owner))
    );
    assert_eq!(
        api_tokens::list_active_for_user(&mut c, owner)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(api_tokens::revoke(&mut c, owner, tok, 2).await.unwrap());
    assert!(!api_tokens::revoke(&mut c, owner, tok, 3).await.unwrap());
    assert!(
        api_tokens::find_active(&mut c, "th")
            .await
            .unwrap()
            .is_none()
    );

    invites::insert(&mut c, "inv", owner, 1, 100).await.unwrap();
    assert_eq!(
        invites::find_valid(&mut c, "inv", 50).await.unwrap(),
        Some(owner)
    );
    assert_eq!(invites::find_valid(&mut c, "inv", 150).await.unwrap(), None);
    assert!(invites::mark_used(&mut c, "inv", 60).await.unwrap());
    assert!(!invites::mark_used(&mut c, "inv", 61).await.unwrap());
    assert_eq!(invites::find_valid(&mut c, "inv", 62).await.unwrap(), None);
}

async fn login_failures_window(t: TestDb) {
    let db = open(&t).await;
    let mut c = db.read().await.unwrap();
    for at in [10, 20, 30] {
        login_failures::record(&mut c, "email:x", at).await.unwrap();
    }
    assert_eq!(
        login_failures::recent(&mut c, "email:x", 15).await.unwrap(),
        (2, Some(20))
    );
    assert_eq!(
        login_failures::recent(&mut c, "email:y", 0).await.unwrap(),
        (0, None)
    );
    assert_eq!(login_failures::prune(&mut c, 25).await.unwrap(), 2);
    login_failures::clear(&mut c, "email:x").await.unwrap();
    assert_eq!(
        login_failures::recent(&mut c, "email:x", 0)
            .await
            .unwrap()
            .0,
        0
    );
}

async fn rollback_leaves_nothing(t: TestDb) {
    let db = open(&t).await;
    let mut tx = db.begin().await.unwrap();
    accounts::insert(
        &mut tx,
        &AccountName::parse("Gone").unwrap(),
        Plan::Free,
        &TimeZoneName::default_zone(),
        1,
    )
    .await
    .unwrap();
    tx.rollback().await.unwrap();
    let mut c = db.read().await.unwrap();
    assert_eq!(accounts::count(&mut c).await.unwrap(), 0);
}

#[test]
fn migration_folders_match() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let names = |d: &str| {
        let mut v: Vec<String> = std::fs::read_dir(root.join(d))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let sqlite = names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, names("postgres"));
}
