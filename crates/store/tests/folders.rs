//! Folder lists and counts on both backends: keyset paging returns every
//! row exactly once in both directions even when many rows share a
//! timestamp; counts follow status and assignee; merge and move.
#![allow(clippy::unwrap_used)]

use ecp_domain::conversation::{ConversationId, Status};
use ecp_domain::workspace::{Cursor, Folder, Sort, TagName};
use ecp_domain::*;
use ecp_store::conversations::{self, NewConversation};
use ecp_store::{Db, accounts, conversation_changes as changes, folders, users};
use ecp_testkit::both_backends;
use ecp_testkit::db::TestDb;

both_backends!(paging_counts_merge_move);

async fn setup(db: &Db) -> (AccountId, UserId, MailboxId, MailboxId) {
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
    let mut ids = Vec::new();
    for addr in ["one@example.com", "two@example.com"] {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO mailboxes (account_id, name, direct_address, send_as_name, send_as_address, created_at) \
             VALUES ($1, 'M', $2, 'M', $2, 1) RETURNING id",
        )
        .bind(acc.0)
        .bind(addr)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
        ids.push(MailboxId(id));
    }
    tx.commit().await.unwrap();
    (acc, ana, ids[0], ids[1])
}

async fn all_pages(
    db: &Db,
    me: UserId,
    mb: MailboxId,
    folder: Folder,
    sort: Sort,
    size: usize,
) -> Vec<Vec<i64>> {
    let mut c = db.read().await.unwrap();
    let mut pages = Vec::new();
    let mut cursor = None;
    loop {
        let rows = folders::list_folder(
            &mut c,
            me,
            mb,
            folder,
            sort,
            cursor.as_ref(),
            size as i64 + 1,
        )
        .await
        .unwrap();
        let more = rows.len() > size;
        let page: Vec<_> = rows.into_iter().take(size).collect();
        pages.push(page.iter().map(|r| r.conversation.id.0).collect());
        if !more {
            break;
        }
        let last = &page[size - 1].conversation;
        cursor = Some(Cursor::after(last.last_message_at, last.id.0));
    }
    pages
}

async fn paging_counts_merge_move(t: TestDb) {
    let db = Db::connect(&t.url).await.unwrap();
    db.migrate().await.unwrap();
    let (acc, ana, m1, m2) = setup(&db).await;
    let mut c = db.read().await.unwrap();
    let mut ids = Vec::new();
    // 23 open conversations, most sharing one of three timestamps.
    for i in 0..23 {
        let id = conversations::insert(
            &mut c,
            NewConversation {
                account_id: acc,
                mailbox_id: m1,
                contact_id: None,
                subject: &format!("s{i}"),
                status: Status::Open,
                spam_score_milli: 0,
                spam_reasons: "",
                unparseable: false,
                autoreply_pending: false,
                now: 1000 + (i % 3),
            },
        )
        .await
        .unwrap();
        ids.push(id.0);
    }
    for sort in [Sort::Newest, Sort::Oldest] {
        let pages = all_pages(&db, ana, m1, Folder::Unassigned, sort, 5).await;
        assert_eq!(pages.len(), 5);
        let flat: Vec<i64> = pages.concat();
        let mut sorted = flat.clone();
        sorted.sort();
        let mut expected = ids.clone();
        expected.sort();
        assert_eq!(sorted, expected, "every row exactly once ({sort:?})");
        // Going back from the third page gives the second page again.
        let third_first = flat[10];
        let at = 1000 + (ids.iter().position(|i| *i == third_first).unwrap() as i64 % 3);
        let back = folders::list_folder(
            &mut c,
            ana,
            m1,
            Folder::Unassigned,
            sort,
            Some(&Cursor::before(at, third_first)),
            5,
        )
        .await
        .unwrap();
        let back: Vec<i64> = back.iter().map(|r| r.conversation.id.0).collect();
        assert_eq!(back, pages[1], "previous page ({sort:?})");
    }

    // Assign two to Ana, pend one, close one, spam one.
    let id = |i: usize| ConversationId(ids[i]);
    changes::set_assignee(&mut c, id(0), Some(ana))
        .await
        .unwrap();
    changes::set_assignee(&mut c, id(1), Some(ana))
        .await
        .unwrap();
    changes::set_status(&mut c, id(2), Status::Pending)
        .await
        .unwrap();
    changes::set_status(&mut c, id(3), Status::Closed)
        .await
        .unwrap();
    changes::set_status(&mut c, id(4), Status::Spam)
        .await
        .unwrap();
    let counts = folders::counts(&mut c, acc, ana).await.unwrap();
    assert_eq!(counts.len(), 1);
    let n = counts[0];
    assert_eq!(
        (
            n.unassigned,
            n.mine,
            n.assigned,
            n.pending,
            n.closed,
            n.spam
        ),
        (18, 2, 2, 1, 1, 1)
    );
    let mine = all_pages(&db, ana, m1, Folder::Mine, Sort::Newest, 10)
        .await
        .concat();
    assert_eq!(mine.len(), 2);
    let my = folders::list_my_mail(&mut c, ana, acc, false, &[m2.0], Sort::Newest, None, 10)
        .await
        .unwrap();
    assert!(my.is_empty(), "My Mail keeps to the visible mailboxes");
    let my = folders::list_my_mail(&mut c, ana, acc, false, &[m1.0], Sort::Newest, None, 10)
        .await
        .unwrap();
    assert_eq!(my.len(), 2);
    assert!(
        my.iter()
            .all(|r| r.unread && r.assignee_name.as_deref() == Some("Ana"))
    );
    changes::mark_read(&mut c, id(0), ana, 5).await.unwrap();
    changes::mark_read(&mut c, id(0), ana, 6).await.unwrap();
    assert!(changes::is_read(&mut c, id(0), ana).await.unwrap());

    // Tags, then merge 6 into 5: tags and counts follow, 6 leaves folders.
    let vip = TagName::parse("VIP").unwrap();
    assert!(changes::add_tag(&mut c, acc, id(6), &vip, 1).await.unwrap());
    assert!(!changes::add_tag(&mut c, acc, id(6), &vip, 1).await.unwrap());
    changes::merge(&mut c, id(6), id(5)).await.unwrap();
    assert_eq!(changes::tags_of(&mut c, id(5)).await.unwrap(), vec!["vip"]);
    assert_eq!(
        changes::merged_into(&mut c, id(6)).await.unwrap(),
        Some(id(5))
    );
    let n = folders::counts(&mut c, acc, ana).await.unwrap()[0];
    assert_eq!(
        (n.unassigned, n.closed),
        (17, 1),
        "the merged one is in no folder"
    );
    assert_eq!(
        changes::account_tags(&mut c, acc).await.unwrap(),
        vec![("vip".to_string(), 2)]
    );
    assert!(changes::remove_tag(&mut c, acc, id(6), &vip).await.unwrap());

    // Move 7 to the second mailbox.
    changes::move_to(&mut c, id(7), m2).await.unwrap();
    let counts = folders::counts(&mut c, acc, ana).await.unwrap();
    let second = counts.iter().find(|n| n.mailbox_id == m2.0).unwrap();
    assert_eq!(second.unassigned, 1);

    // The trigger-kept counts agree with counting the rows themselves, after
    // every kind of change above and a delete.
    sqlx::query("DELETE FROM conversations WHERE id = $1")
        .bind(id(2).0)
        .execute(&mut *c)
        .await
        .unwrap();
    let kept = folders::counts(&mut c, acc, ana).await.unwrap();
    for n in &kept {
        let rows: Vec<(String, Option<i64>)> = sqlx::query_as(
            "SELECT status, assignee_id FROM conversations \
             WHERE mailbox_id = $1 AND merged_into_id IS NULL",
        )
        .bind(n.mailbox_id)
        .fetch_all(&mut *c)
        .await
        .unwrap();
        let count = |status: &str, who: &dyn Fn(Option<i64>) -> bool| {
            rows.iter().filter(|(s, a)| s == status && who(*a)).count() as i64
        };
        assert_eq!(n.unassigned, count("open", &|a| a.is_none()));
        assert_eq!(n.mine, count("open", &|a| a == Some(ana.0)));
        assert_eq!(n.assigned, count("open", &|a| a.is_some()));
        assert_eq!(n.pending, count("pending", &|_| true));
        assert_eq!(n.closed, count("closed", &|_| true));
        assert_eq!(n.spam, count("spam", &|_| true));
    }
    assert_eq!(kept.len(), 2, "both mailboxes counted");
    drop(c);
    db.close().await;
}
