//! Templates on both backends: round trip, account scoping, the unique
//! name per account, and what deleting an account or a user does.
#![allow(clippy::unwrap_used)]

use ecp_domain::template::{TemplateId, TemplateName};
use ecp_domain::*;
use ecp_store::templates::{self, TemplateFields};
use ecp_store::{Db, accounts, users};
use ecp_testkit::both_backends;
use ecp_testkit::db::TestDb;

both_backends!(
    round_trip_and_scoping,
    names_are_unique_per_account,
    cascades
);

async fn open(t: &TestDb) -> Db {
    let db = Db::connect(&t.url).await.unwrap();
    db.migrate().await.unwrap();
    db
}

async fn account(db: &Db, email: &str) -> (AccountId, UserId) {
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
            password_hash: None,
            role: Role::Owner,
            now: 1,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (acc, owner)
}

async fn add(
    db: &Db,
    acc: AccountId,
    by: UserId,
    name: &str,
) -> Result<TemplateId, ecp_store::StoreError> {
    let name = TemplateName::parse(name).unwrap();
    let mut tx = db.begin().await.unwrap();
    let id = templates::insert(
        &mut tx,
        acc,
        TemplateFields {
            name: &name,
            subject: "Re: your question",
            body_html: "<p>Hi {{ customer.name }}</p>",
        },
        by,
        10,
    )
    .await?;
    tx.commit().await.unwrap();
    Ok(id)
}

async fn round_trip_and_scoping(t: TestDb) {
    let db = open(&t).await;
    let (acc, owner) = account(&db, "o@a.example").await;
    let (other, other_owner) = account(&db, "o@b.example").await;
    let thanks = add(&db, acc, owner, "thanks").await.unwrap();
    let away = add(&db, acc, owner, "Away").await.unwrap();
    add(&db, other, other_owner, "Theirs").await.unwrap();

    let mut c = db.read().await.unwrap();
    let got = templates::get_in_account(&mut c, acc, thanks)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.name, "thanks");
    assert_eq!(got.subject, "Re: your question");
    assert_eq!(got.body_html, "<p>Hi {{ customer.name }}</p>");
    assert_eq!(
        (got.created_by, got.created_at, got.updated_at),
        (Some(owner), 10, 10)
    );

    let names: Vec<_> = templates::list_for_account(&mut c, acc)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, ["Away", "thanks"], "by name, case aside");

    // Another account's id is not found, not changed, not deleted.
    assert!(
        templates::get_in_account(&mut c, other, thanks)
            .await
            .unwrap()
            .is_none()
    );
    let renamed = TemplateName::parse("Thank you").unwrap();
    let fields = TemplateFields {
        name: &renamed,
        subject: "",
        body_html: "<p>Thanks!</p>",
    };
    assert!(
        !templates::update(&mut c, other, thanks, fields, 20)
            .await
            .unwrap()
    );
    assert!(!templates::delete(&mut c, other, thanks).await.unwrap());

    assert!(
        templates::update(&mut c, acc, thanks, fields, 20)
            .await
            .unwrap()
    );
    let got = templates::get_in_account(&mut c, acc, thanks)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((got.name.as_str(), got.subject.as_str()), ("Thank you", ""));
    assert_eq!((got.created_at, got.updated_at), (10, 20));

    assert!(templates::delete(&mut c, acc, away).await.unwrap());
    assert!(!templates::delete(&mut c, acc, away).await.unwrap());
    assert_eq!(
        templates::list_for_account(&mut c, acc)
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn names_are_unique_per_account(t: TestDb) {
    let db = open(&t).await;
    let (acc, owner) = account(&db, "o@a.example").await;
    let (other, other_owner) = account(&db, "o@b.example").await;
    add(&db, acc, owner, "Thanks").await.unwrap();
    let err = add(&db, acc, owner, "Thanks").await.unwrap_err();
    assert!(templates::is_duplicate_name(&err), "{err}");
    add(&db, other, other_owner, "Thanks").await.unwrap();

    let second = add(&db, acc, owner, "Second").await.unwrap();
    let name = TemplateName::parse("Thanks").unwrap();
    let mut c = db.read().await.unwrap();
    let err = templates::update(
        &mut c,
        acc,
        second,
        TemplateFields {
            name: &name,
            subject: "",
            body_html: "x",
        },
        5,
    )
    .await
    .unwrap_err();
    assert!(templates::is_duplicate_name(&err), "{err}");
}

async fn cascades(t: TestDb) {
    let db = open(&t).await;
    let (acc, owner) = account(&db, "o@a.example").await;
    let mut tx = db.begin().await.unwrap();
    let agent = users::insert(
        &mut tx,
        users::NewUser {
            account_id: acc,
            name: "Agent",
            email: &EmailAddress::parse("agent@a.example").unwrap(),
            password_hash: None,
            role: Role::User,
            now: 1,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let id = add(&db, acc, agent, "By agent").await.unwrap();
    add(&db, acc, owner, "By owner").await.unwrap();

    let mut c = db.read().await.unwrap();
    sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(agent.0)
        .execute(&mut *c)
        .await
        .unwrap();
    let kept = templates::get_in_account(&mut c, acc, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.created_by, None, "the template outlives its author");

    sqlx::query("DELETE FROM accounts WHERE id = $1")
        .bind(acc.0)
        .execute(&mut *c)
        .await
        .unwrap();
    assert!(
        templates::list_for_account(&mut c, acc)
            .await
            .unwrap()
            .is_empty()
    );
}
