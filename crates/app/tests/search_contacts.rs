//! Search, contacts and agent notifications on both databases: filters
//! combine with the words and the permitted mailboxes, dates are days in
//! the account's zone, pages don't overlap; Add to Contacts moves spam back
//! and exempts later mail; "assigned to you" reaches a real SMTP server.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ecp_app::inbound::{ProcessOutcome, Source};
use ecp_app::signup::SignupInput;
use ecp_app::{Actor, App, AppConfig, AppError};
use ecp_domain::conversation::{ConversationId, Status};
use ecp_domain::search::SearchForm;
use ecp_domain::time_zone::TimeZoneName;
use ecp_domain::{MailboxId, MailboxInput};
use ecp_testkit::both_backends;
use ecp_testkit::db::TestDb;
use ecp_testkit::smtp_sink::SmtpSink;
use std::time::Duration;

const GTUBE: &str = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

struct Fx {
    app: App,
    owner: Actor,
    agent: Actor,
    support: MailboxId,
    billing: MailboxId,
    _db: TestDb,
}

async fn fixture(t: TestDb, config: AppConfig) -> Fx {
    let db = ecp_store::Db::connect(&t.url).await.unwrap();
    db.migrate().await.unwrap();
    let app = App::new(db, config);
    let out = app
        .create_account(&SignupInput {
            account_name: "Acme".into(),
            owner_name: "Olivia".into(),
            owner_email: "olivia@acme.example".into(),
            password: "correct horse battery".into(),
            plan: "standard".into(),
            time_zone: "America/New_York".into(),
            mailbox_name: "Support".into(),
            mailbox_address: "support@in.acme.example".into(),
        })
        .await
        .unwrap();
    let owner = app.actor(out.owner_id).await.unwrap();
    let support = out.mailbox_id.unwrap();
    let billing = app
        .create_mailbox(
            &owner,
            &MailboxInput {
                name: "Billing",
                direct_address: "billing@in.acme.example",
                ..Default::default()
            },
            &[],
        )
        .await
        .unwrap()
        .mailbox
        .id;
    let agent = app
        .add_user(
            &owner,
            &ecp_app::users::NewUserInput {
                name: "Andy Agent".into(),
                email: "andy@acme.example".into(),
                role: "user".into(),
                password: "correct horse battery".into(),
            },
        )
        .await
        .unwrap()
        .user
        .id;
    app.set_mailbox_permissions(&owner, support, &[agent])
        .await
        .unwrap();
    let agent = app.actor(agent).await.unwrap();
    Fx {
        app,
        owner,
        agent,
        support,
        billing,
        _db: t,
    }
}

async fn mail(
    f: &Fx,
    mailbox: MailboxId,
    key: &str,
    from: &str,
    subject: &str,
    body: &str,
) -> ConversationId {
    let raw = format!(
        "From: {from}\r\nTo: x@in.acme.example\r\nSubject: {subject}\r\nMessage-ID: <{key}@cust.example>\r\n\
         Date: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\n{body}\r\n"
    );
    let (_, outcome) = f
        .app
        .ingest(mailbox, &Source::Import { key: key.into() }, raw.as_bytes())
        .await
        .unwrap();
    match outcome.unwrap() {
        ProcessOutcome::Filed { conversation, .. } => conversation,
        other => panic!("{other:?}"),
    }
}

async fn sql(f: &Fx, statement: &str) {
    let mut tx = f.app.db().begin().await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(statement.to_string()))
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

fn q(text: &str) -> SearchForm {
    SearchForm {
        q: text.into(),
        ..Default::default()
    }
}

async fn ids(f: &Fx, actor: &Actor, form: &SearchForm) -> Vec<i64> {
    f.app
        .search(actor, form, None, 50)
        .await
        .unwrap()
        .conversations
        .iter()
        .map(|c| c.id.0)
        .collect()
}

both_backends!(
    filters_combine_within_permitted_mailboxes,
    dates_are_days_in_the_accounts_zone_and_pages_do_not_overlap,
    saved_searches_personal_and_shared,
    add_to_contacts_moves_spam_back_and_exempts_later_mail,
    assigned_notification_is_delivered,
    assigning_emails_the_assignee,
    rss_token_lookup,
    a_search_out_of_time_answers_with_what_it_found_and_goes_on
);

async fn filters_combine_within_permitted_mailboxes(t: TestDb) {
    let f = fixture(t, AppConfig::default()).await;
    let a = mail(
        &f,
        f.support,
        "a",
        "Ann <ann@cust.example>",
        "Refund please",
        "my parcel broke",
    )
    .await;
    let b = mail(
        &f,
        f.support,
        "b",
        "Bob <bob@cust.example>",
        "Refund again",
        "second parcel",
    )
    .await;
    let c = mail(
        &f,
        f.billing,
        "c",
        "Cid <cid@cust.example>",
        "Refund invoice",
        "secret billing parcel",
    )
    .await;
    sql(
        &f,
        &format!(
            "UPDATE conversations SET status = 'closed', assignee_id = {} WHERE id = {}",
            f.agent.user_id.0, b.0
        ),
    )
    .await;
    sql(
        &f,
        &format!(
            "INSERT INTO tags (account_id, name, created_at) VALUES ({}, 'VIP', 0)",
            f.owner.account_id.0
        ),
    )
    .await;
    sql(&f, &format!("INSERT INTO conversation_tags (conversation_id, tag_id) SELECT {}, id FROM tags WHERE name = 'VIP'", a.0)).await;

    let mut all = ids(&f, &f.owner, &q("refund")).await;
    all.sort();
    assert_eq!(all, vec![a.0, b.0, c.0]);
    // The agent may not see Billing: its conversation is never found,
    // not by words, not by naming the mailbox.
    assert_eq!(ids(&f, &f.agent, &q("refund")).await, vec![b.0, a.0]);
    assert!(ids(&f, &f.agent, &q("secret billing")).await.is_empty());
    let billing_only = SearchForm {
        mailbox: f.billing.0.to_string(),
        ..q("refund")
    };
    assert!(ids(&f, &f.agent, &billing_only).await.is_empty());
    assert_eq!(ids(&f, &f.owner, &billing_only).await, vec![c.0]);
    // Addresses and filters combine with the words.
    assert_eq!(ids(&f, &f.owner, &q("bob@cust.example")).await, vec![b.0]);
    let closed_mine = SearchForm {
        status: "closed".into(),
        assignee: "me".into(),
        ..q("parcel")
    };
    assert_eq!(ids(&f, &f.agent, &closed_mine).await, vec![b.0]);
    assert!(ids(&f, &f.owner, &closed_mine).await.is_empty());
    let unassigned_vip = SearchForm {
        assignee: "none".into(),
        tag: "vip".into(),
        ..Default::default()
    };
    assert_eq!(ids(&f, &f.agent, &unassigned_vip).await, vec![a.0]);
    // Query syntax of either database is just words: "or" must be found too.
    assert!(ids(&f, &f.owner, &q("refund\" OR \"*")).await.is_empty());
    assert_eq!(
        ids(&f, &f.owner, &q("refund AND second")).await,
        Vec::<i64>::new()
    );
    assert_eq!(ids(&f, &f.owner, &q("refund second")).await, vec![b.0]);
    let e = f
        .app
        .search(&f.owner, &SearchForm::default(), None, 10)
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::Validation(_)), "{e:?}");
    let e = f
        .app
        .search(
            &f.owner,
            &SearchForm {
                status: "lost".into(),
                ..q("x")
            },
            None,
            10,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&e, AppError::Validation(v) if v[0].field == "status"),
        "{e:?}"
    );
}

async fn dates_are_days_in_the_accounts_zone_and_pages_do_not_overlap(t: TestDb) {
    let f = fixture(t, AppConfig::default()).await;
    let late = mail(
        &f,
        f.support,
        "l",
        "Ann <ann@cust.example>",
        "Late evening",
        "word",
    )
    .await;
    // 2026-03-02 03:30 UTC is 2026-03-01 22:30 in New York.
    let at = "2026-03-02T03:30:00Z"
        .parse::<jiff::Timestamp>()
        .unwrap()
        .as_millisecond();
    sql(
        &f,
        &format!(
            "UPDATE messages SET created_at = {at} WHERE conversation_id = {}",
            late.0
        ),
    )
    .await;
    let day = |from: &str, to: &str| SearchForm {
        from: from.into(),
        to: to.into(),
        ..q("word")
    };
    assert_eq!(
        ids(&f, &f.owner, &day("2026-03-01", "2026-03-01")).await,
        vec![late.0]
    );
    assert!(ids(&f, &f.owner, &day("2026-03-02", "")).await.is_empty());
    assert_eq!(
        ids(&f, &f.owner, &day("", "2026-03-01")).await,
        vec![late.0]
    );
    // Filters without words use the dates too.
    let no_words = SearchForm {
        from: "2026-03-02".into(),
        to: "2026-03-02".into(),
        ..Default::default()
    };
    assert!(ids(&f, &f.owner, &no_words).await.is_empty());
    let e = f
        .app
        .search(&f.owner, &day("March 1st", ""), None, 10)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, AppError::Validation(v) if v[0].field == "from"),
        "{e:?}"
    );

    for i in 0..5 {
        mail(
            &f,
            f.support,
            &format!("p{i}"),
            "Pat <pat@cust.example>",
            &format!("Paging {i}"),
            "pageword",
        )
        .await;
    }
    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let page = f
            .app
            .search(&f.owner, &q("pageword"), before, 2)
            .await
            .unwrap();
        assert!(page.conversations.len() <= 2);
        seen.extend(page.conversations.iter().map(|c| c.id.0));
        match page.next {
            Some(n) => before = Some(n),
            None => break,
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(seen.len(), 5);
    assert_eq!(unique.len(), 5);

    // A conversation with several matching messages is listed once, where
    // its newest match stands, on whichever page that falls.
    let a = mail(
        &f,
        f.support,
        "m1",
        "Mo <mo@cust.example>",
        "Multi one",
        "multiword",
    )
    .await;
    let b = mail(
        &f,
        f.support,
        "m2",
        "Nia <nia@cust.example>",
        "Multi two",
        "multiword",
    )
    .await;
    let raw = "From: Mo <mo@cust.example>\r\nTo: x@in.acme.example\r\nSubject: Re: Multi one\r\n\
               Message-ID: <m3@cust.example>\r\nIn-Reply-To: <m1@cust.example>\r\n\
               References: <m1@cust.example>\r\nDate: Mon, 2 Mar 2026 11:00:00 +0000\r\n\r\nmultiword again\r\n";
    let (_, outcome) = f
        .app
        .ingest(
            f.support,
            &Source::Import { key: "m3".into() },
            raw.as_bytes(),
        )
        .await
        .unwrap();
    assert!(
        matches!(outcome.unwrap(), ProcessOutcome::Filed { conversation, .. } if conversation == a),
        "the answer threads into the first conversation"
    );
    let mut order = Vec::new();
    let mut before = None;
    for _ in 0..5 {
        let page = f
            .app
            .search(&f.owner, &q("multiword"), before, 1)
            .await
            .unwrap();
        order.extend(page.conversations.iter().map(|c| c.id.0));
        match page.next {
            Some(n) => before = Some(n),
            None => break,
        }
    }
    assert_eq!(order, vec![a.0, b.0]);
    assert_eq!(ids(&f, &f.owner, &q("multiword")).await, vec![a.0, b.0]);
}

async fn saved_searches_personal_and_shared(t: TestDb) {
    let f = fixture(t, AppConfig::default()).await;
    let mine = f
        .app
        .create_saved_search(&f.agent, "My refunds", &q("refund"), false)
        .await
        .unwrap();
    let e = f
        .app
        .create_saved_search(&f.agent, "Everyone", &q("refund"), true)
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::Forbidden(_)));
    let shared = f
        .app
        .create_saved_search(
            &f.owner,
            "Team VIP",
            &SearchForm {
                tag: "VIP".into(),
                ..Default::default()
            },
            true,
        )
        .await
        .unwrap();
    let e = f
        .app
        .create_saved_search(
            &f.owner,
            "Bad",
            &SearchForm {
                from: "yesterday".into(),
                ..Default::default()
            },
            false,
        )
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::Validation(_)));
    let names: Vec<String> = f
        .app
        .saved_searches(&f.agent)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, ["My refunds", "Team VIP"]);
    // The owner does not see the agent's personal search.
    let owners: Vec<String> = f
        .app
        .saved_searches(&f.owner)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(owners, ["Team VIP"]);
    assert!(matches!(
        f.app.saved_search(&f.owner, mine.id).await,
        Err(AppError::NotFound)
    ));
    // Only administrators change the shared one.
    assert!(matches!(
        f.app.delete_saved_search(&f.agent, shared.id).await,
        Err(AppError::Forbidden(_))
    ));
    let renamed = f
        .app
        .update_saved_search(&f.agent, mine.id, "Refunds", None)
        .await
        .unwrap();
    assert_eq!(
        (renamed.name.as_str(), renamed.form.q.as_str()),
        ("Refunds", "refund")
    );
    f.app.delete_saved_search(&f.agent, mine.id).await.unwrap();
    assert!(matches!(
        f.app.saved_search(&f.agent, mine.id).await,
        Err(AppError::NotFound)
    ));
}

async fn add_to_contacts_moves_spam_back_and_exempts_later_mail(t: TestDb) {
    let f = fixture(t, AppConfig::default()).await;
    let spam = mail(
        &f,
        f.support,
        "s1",
        "Sam <sam@cust.example>",
        "Offer",
        GTUBE,
    )
    .await;
    let spam_billing = mail(
        &f,
        f.billing,
        "s2",
        "Sam <sam@cust.example>",
        "Offer 2",
        GTUBE,
    )
    .await;
    let view = f.app.conversation(&f.owner, spam).await.unwrap();
    assert_eq!(view.conversation.status, Status::Spam);
    let contact = view.conversation.contact_id.unwrap();

    // The agent sees Sam through Support, and Sam's history only there.
    let history = f
        .app
        .contact_history(&f.agent, contact, None, 50)
        .await
        .unwrap();
    assert_eq!(
        history
            .conversations
            .iter()
            .map(|c| c.id)
            .collect::<Vec<_>>(),
        vec![spam]
    );
    let found = f
        .app
        .list_contacts(&f.agent, "sam", false, None, 50)
        .await
        .unwrap();
    assert_eq!(found.contacts.len(), 1);
    // Someone who wrote only to Billing is not the agent's to see.
    let bill = mail(
        &f,
        f.billing,
        "b1",
        "Bea <bea@cust.example>",
        "Invoice",
        "hello",
    )
    .await;
    let bea = f
        .app
        .conversation(&f.owner, bill)
        .await
        .unwrap()
        .conversation
        .contact_id
        .unwrap();
    assert!(matches!(
        f.app.contact(&f.agent, bea).await,
        Err(AppError::NotFound)
    ));
    assert!(
        f.app
            .list_contacts(&f.agent, "bea", false, None, 50)
            .await
            .unwrap()
            .contacts
            .is_empty()
    );

    let moved = f.app.save_sender_of(&f.agent, spam).await.unwrap();
    assert_eq!(moved, contact);
    for c in [spam, spam_billing] {
        assert_eq!(
            f.app
                .conversation(&f.owner, c)
                .await
                .unwrap()
                .conversation
                .status,
            Status::Open
        );
        let actions = f.app.conversation_actions(&f.owner, c).await.unwrap();
        assert!(
            actions.iter().any(|a| a.action == "not_spam"),
            "{actions:?}"
        );
    }
    assert!(f.app.contact(&f.owner, contact).await.unwrap().saved);
    // From now on Sam's mail is never spam.
    let later = mail(
        &f,
        f.support,
        "s3",
        "Sam <sam@cust.example>",
        "Another offer",
        GTUBE,
    )
    .await;
    assert_eq!(
        f.app
            .conversation(&f.owner, later)
            .await
            .unwrap()
            .conversation
            .status,
        Status::Open
    );
    // Removed from Contacts: scored again.
    f.app.unsave_contact(&f.owner, contact).await.unwrap();
    let again = mail(
        &f,
        f.support,
        "s4",
        "Sam <sam@cust.example>",
        "Third offer",
        GTUBE,
    )
    .await;
    assert_eq!(
        f.app
            .conversation(&f.owner, again)
            .await
            .unwrap()
            .conversation
            .status,
        Status::Spam
    );

    let edited = f
        .app
        .update_contact(&f.agent, contact, "Samuel", "Buys a lot")
        .await
        .unwrap();
    assert_eq!(
        (edited.name.as_str(), edited.notes.as_str()),
        ("Samuel", "Buys a lot")
    );
    let e = f
        .app
        .update_contact(&f.agent, contact, "Sam\nuel", "")
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::Validation(_)));
}

async fn assigned_notification_is_delivered(t: TestDb) {
    let sink = SmtpSink::start().unwrap();
    let mut config = AppConfig::default();
    config.outbound.smtp_relay = Some(sink.url());
    config.outbound.timeout = Duration::from_secs(10);
    let f = fixture(t, config).await;
    let conv = mail(
        &f,
        f.support,
        "n1",
        "Ann <ann@cust.example>",
        "Broken <toaster>",
        "help",
    )
    .await;
    // To oneself, or into a mailbox the assignee can't see: nothing.
    assert_eq!(
        f.app
            .notify_assigned(conv, f.owner.user_id, &f.owner)
            .await
            .unwrap(),
        None
    );
    let hidden = mail(
        &f,
        f.billing,
        "n2",
        "Ann <ann@cust.example>",
        "Invoice",
        "help",
    )
    .await;
    assert_eq!(
        f.app
            .notify_assigned(hidden, f.agent.user_id, &f.owner)
            .await
            .unwrap(),
        None
    );

    let queued = f
        .app
        .notify_assigned(conv, f.agent.user_id, &f.owner)
        .await
        .unwrap()
        .unwrap();
    // Not a message of the conversation.
    assert!(
        f.app
            .outbox_for_conversation(&f.owner, conv)
            .await
            .unwrap()
            .is_empty()
    );
    let sent = f.app.send_due_outbox().await.unwrap();
    assert_eq!(sent, vec![(queued, ecp_app::outbound::SendOutcome::Sent)]);
    let got = sink.wait_for(1, Duration::from_secs(10)).unwrap();
    let m = &got[0];
    assert_eq!(m.rcpt_tos, vec!["andy@acme.example".to_string()]);
    let head = m.headers();
    assert!(head.contains(&format!("[#{}]", conv.0)), "{head}");
    assert!(head.contains("Assigned to you: Broken <toaster>"), "{head}");
    assert!(m.data.contains(&format!("/conversations/{}", conv.0)));
    assert!(m.data.contains("Auto-Submitted: auto-generated"));
    assert_eq!(m.mail_from, "support@in.acme.example");

    // Turned off, or deactivated: nothing more is queued.
    f.app.set_notify_assigned(&f.agent, false).await.unwrap();
    assert_eq!(
        f.app
            .notify_assigned(conv, f.agent.user_id, &f.owner)
            .await
            .unwrap(),
        None
    );
    f.app.set_notify_assigned(&f.agent, true).await.unwrap();
    f.app
        .set_user_active(&f.owner, f.agent.user_id, false)
        .await
        .unwrap();
    assert_eq!(
        f.app
            .notify_assigned(conv, f.agent.user_id, &f.owner)
            .await
            .unwrap(),
        None
    );
    assert_eq!(sink.messages().unwrap().len(), 1);
}

/// The assignment use case itself queues the email, in its transaction.
async fn assigning_emails_the_assignee(t: TestDb) {
    let sink = SmtpSink::start().unwrap();
    let mut config = AppConfig::default();
    config.outbound.smtp_relay = Some(sink.url());
    config.outbound.timeout = Duration::from_secs(10);
    let f = fixture(t, config).await;
    let conv = mail(
        &f,
        f.support,
        "a1",
        "Ann <ann@cust.example>",
        "Refund",
        "help",
    )
    .await;
    f.app
        .assign(&f.owner, conv, Some(f.agent.user_id))
        .await
        .unwrap();
    let sent = f.app.send_due_outbox().await.unwrap();
    assert_eq!(sent.len(), 1, "{sent:?}");
    let got = sink.wait_for(1, Duration::from_secs(10)).unwrap();
    assert_eq!(got[0].rcpt_tos, vec!["andy@acme.example".to_string()]);
    assert!(got[0].headers().contains("Assigned to you: Refund"));
    // Assigning to oneself emails nobody.
    f.app
        .assign(&f.agent, conv, Some(f.agent.user_id))
        .await
        .unwrap();
    f.app.assign(&f.owner, conv, None).await.unwrap();
    f.app
        .assign(&f.owner, conv, Some(f.owner.user_id))
        .await
        .unwrap();
    assert!(f.app.send_due_outbox().await.unwrap().is_empty());
    assert_eq!(sink.messages().unwrap().len(), 1);
}

async fn rss_token_lookup(t: TestDb) {
    let f = fixture(t, AppConfig::default()).await;
    assert!(!f.app.preferences(&f.agent).await.unwrap().has_rss_token);
    let first = f.app.regenerate_rss_token(&f.agent).await.unwrap();
    assert_eq!(
        f.app.user_by_rss_token(&first).await.unwrap().user_id,
        f.agent.user_id
    );
    assert!(f.app.preferences(&f.agent).await.unwrap().has_rss_token);
    let second = f.app.regenerate_rss_token(&f.agent).await.unwrap();
    assert_ne!(first, second);
    assert!(matches!(
        f.app.user_by_rss_token(&first).await,
        Err(AppError::Unauthenticated(_))
    ));
    assert_eq!(
        f.app.user_by_rss_token(&second).await.unwrap().user_id,
        f.agent.user_id
    );
    // An API token is not an RSS token, and garbage is refused.
    let api = f.app.create_token(&f.agent, "x").await.unwrap().secret;
    assert!(f.app.user_by_rss_token(&api).await.is_err());
    assert!(f.app.user_by_rss_token("").await.is_err());
    f.app.revoke_rss_token(&f.agent).await.unwrap();
    assert!(f.app.user_by_rss_token(&second).await.is_err());
}

async fn a_search_out_of_time_answers_with_what_it_found_and_goes_on(t: TestDb) {
    use ecp_store::conversation_search::{self, Budget, Scope};
    use std::time::Instant;
    let f = fixture(t, AppConfig::default()).await;
    let older = mail(
        &f,
        f.support,
        "y",
        "Yan <yan@cust.example>",
        "Older",
        "floodword",
    )
    .await;
    let busy = mail(
        &f,
        f.support,
        "x0",
        "Xi <xi@cust.example>",
        "Busy",
        "floodword",
    )
    .await;
    // 70 matching messages in one conversation: more than the first read.
    for i in 1..70 {
        let raw = format!(
            "From: Xi <xi@cust.example>\r\nTo: x@in.acme.example\r\nSubject: Re: Busy\r\n\
             Message-ID: <x{i}@cust.example>\r\nIn-Reply-To: <x{}@cust.example>\r\n\
             Date: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\nfloodword {i}\r\n",
            i - 1
        );
        f.app
            .ingest(
                f.support,
                &Source::Import {
                    key: format!("x{i}"),
                },
                raw.as_bytes(),
            )
            .await
            .unwrap();
    }
    let query = q("floodword")
        .parse(&TimeZoneName::default_zone(), f.owner.user_id)
        .unwrap();
    let scope = Scope {
        account: f.owner.account_id,
        all_mailboxes: true,
        mailboxes: &[],
    };
    let backend = f.app.db().backend();
    let mut c = f.app.db().read().await.unwrap();
    // A deadline already past: the first read is all the search does.
    let first = conversation_search::find(
        &mut c,
        backend,
        scope,
        &query,
        None,
        1,
        Budget::until(Instant::now()),
    )
    .await
    .unwrap();
    assert!(first.stopped_early);
    assert_eq!(
        first.conversations.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![busy]
    );
    let next = first.next.expect("it says where to go on");
    let later = Budget::until(Instant::now() + Duration::from_secs(30));
    let rest = conversation_search::find(&mut c, backend, scope, &query, Some(next), 1, later)
        .await
        .unwrap();
    assert!(!rest.stopped_early);
    assert_eq!(
        rest.conversations.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![older],
        "the busy conversation is not listed again"
    );
    assert_eq!(rest.next, None);

    // Both ways of reading the hits (PostgreSQL lists few hits from the
    // GIN index and reads many in message order; SQLite always reads in
    // order) page the same, at every page size.
    for few_hits in [0, i64::MAX] {
        for size in [1, 2, 50] {
            let budget = Budget { few_hits, ..later };
            let mut order = Vec::new();
            let mut before = None;
            loop {
                let page =
                    conversation_search::find(&mut c, backend, scope, &query, before, size, budget)
                        .await
                        .unwrap();
                assert!(!page.stopped_early);
                order.extend(page.conversations.iter().map(|c| c.id));
                match page.next {
                    Some(n) => before = Some(n),
                    None => break,
                }
            }
            assert_eq!(
                order,
                vec![busy, older],
                "few_hits {few_hits}, pages of {size}"
            );
        }
    }
}
