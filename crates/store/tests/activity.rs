//! Recent Actions on both backends: newest first, paging by id, the
//! mailbox filter for users who see only some mailboxes, the actor's name.
#![allow(clippy::unwrap_used)]

use ecp_domain::*;
use ecp_store::activity::{self, NewActivity};
use ecp_store::{Db, accounts, users};
use ecp_testkit::both_backends;
use ecp_testkit::db::TestDb;

both_backends!(filters_and_pages);

async fn mailbox(db: &Db, acc: AccountId, address: &str) -> i64 {
    let mut c = db.read().await.unwrap();
    sqlx::query_scalar(
        "INSERT INTO mailboxes (account_id, name, direct_address, send_as_name, send_as_address, created_at) \
         VALUES ($1, 'M', $2, 'M', $2, 1) RETURNING id",
    )
    .bind(acc.0)
    .bind(address)
    .fetch_one(&mut *c)
    .await
    .unwrap()
}

async fn filters_and_pages(t: TestDb) {
    let db = Db::connect(&t.url).await.unwrap();
    db.migrate().await.unwrap();
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
    let ana = users::insert(
        &mut tx,
        users::NewUser {
            account_id: acc,
            name: "Ana",
            email: &EmailAddress::parse("ana@example.com").unwrap(),
            password_hash: None,
            role: Role::Owner,
            now: 1,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let m1 = mailbox(&db, acc, "one@example.com").await;
    let m2 = mailbox(&db, acc, "two@example.com").await;
    let m12 = mailbox(&db, acc, "three@example.com").await;

    let mut c = db.read().await.unwrap();
    for (i, (mb, user)) in [
        (Some(m1), Some(ana.0)),
        (Some(m2), None),
        (None, Some(ana.0)),
        (Some(m12), Some(ana.0)),
        (Some(m1), Some(ana.0)),
    ]
    .into_iter()
    .enumerate()
    {
        activity::record(
            &mut c,
            &NewActivity {
                account_id: acc,
                mailbox_id: mb,
                conversation_id: None,
                user_id: user,
                action: "assigned",
                detail: &format!("{{\"n\":{i}}}"),
                at: 100 + i as i64,
            },
        )
        .await
        .unwrap();
    }

    let all = activity::list_for_account(&mut c, acc, true, &[], None, 10)
        .await
        .unwrap();
    assert_eq!(all.len(), 5);
    assert!(all.windows(2).all(|w| w[0].id > w[1].id), "newest first");
    assert_eq!(all[0].detail, "{\"n\":4}");
    assert_eq!(all[0].user_name.as_deref(), Some("Ana"));
    assert_eq!(all[3].user_name, None, "the system has no name");

    // Only the permitted mailbox and the account-wide action.
    let some = activity::list_for_account(&mut c, acc, false, &[m1], None, 10)
        .await
        .unwrap();
    let seen: Vec<Option<i64>> = some.iter().map(|a| a.mailbox_id).collect();
    assert_eq!(seen, vec![Some(m1), None, Some(m1)]);
    let none = activity::list_for_account(&mut c, acc, false, &[], None, 10)
        .await
        .unwrap();
    assert_eq!(none.len(), 1);
    assert_eq!(none[0].mailbox_id, None);

    let page1 = activity::list_for_account(&mut c, acc, true, &[], None, 2)
        .await
        .unwrap();
    let page2 = activity::list_for_account(&mut c, acc, true, &[], Some(page1[1].id), 2)
        .await
        .unwrap();
    assert_eq!(page2.len(), 2);
    assert!(page2[0].id < page1[1].id);
    drop(c);
    db.close().await;
}
