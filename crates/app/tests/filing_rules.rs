//! Rules applied while filing, on both databases: Maintain assignments
//! (a customer's new message goes to whoever sent the latest reply, and is
//! unread for everyone), reopening, and which new conversations the
//! autoresponder may answer.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ecp_app::account::OptionsPatch;
use ecp_app::inbound::{ProcessOutcome, Source};
use ecp_app::signup::SignupInput;
use ecp_app::{App, AppConfig};
use ecp_domain::conversation::{ConversationId, Status};
use ecp_domain::{MailboxId, UserId};
use ecp_store::{conversations, messages};
use ecp_testkit::both_backends;
use ecp_testkit::db::TestDb;

struct Fixture {
    app: App,
    mailbox: MailboxId,
    owner: UserId,
    _db: TestDb,
}

async fn fixture(t: TestDb, maintain: bool) -> Fixture {
    let db = ecp_store::Db::connect(&t.url).await.unwrap();
    db.migrate().await.unwrap();
    let app = App::new(db, AppConfig::default());
    let out = app
        .create_account(&SignupInput {
            account_name: "Acme".into(),
            owner_name: "Olivia".into(),
            owner_email: "olivia@acme.example".into(),
            password: "correct horse battery".into(),
            plan: "standard".into(),
            mailbox_name: "Support".into(),
            mailbox_address: "support@in.acme.example".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    app.set_options(
        out.account_id,
        &OptionsPatch {
            maintain_assignments: Some(maintain),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    Fixture {
        app,
        mailbox: out.mailbox_id.unwrap(),
        owner: out.owner_id,
        _db: t,
    }
}

fn mail(id: &str, extra: &str) -> Vec<u8> {
    format!(
        "From: Ann <ann@cust.example>\r\nTo: support@in.acme.example\r\nSubject: Order late\r\n\
         Message-ID: <{id}>\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\n{extra}\r\nWhere is it?\r\n"
    )
    .into_bytes()
}

async fn file(f: &Fixture, key: &str, raw: &[u8]) -> ProcessOutcome {
    file_from(f, &Source::Import { key: key.into() }, raw).await
}

async fn file_from(f: &Fixture, source: &Source, raw: &[u8]) -> ProcessOutcome {
    let (_, outcome) = f.app.ingest(f.mailbox, source, raw).await.unwrap();
    outcome.unwrap()
}

fn smtp(key: &str) -> Source {
    Source::Smtp {
        envelope_id: key.into(),
    }
}

/// A reply by `author`, as the outbound path will store it.
async fn team_reply(f: &Fixture, conversation: ConversationId, author: UserId, message_id: &str) {
    let mut c = f.app.db().read().await.unwrap();
    messages::insert(
        &mut c,
        messages::NewMessage {
            conversation_id: conversation,
            mailbox_id: f.mailbox,
            raw_id: None,
            direction: "out",
            author_id: Some(author),
            message_id_header: Some(message_id),
            in_reply_to: "",
            references: "",
            from_name: "Support",
            from_address: "support@in.acme.example",
            to_list: "ann@cust.example",
            cc_list: "",
            subject: "Re: Order late",
            text_body: "On its way.",
            html_body: None,
            sent_at: None,
            now: 1,
            spam_score_milli: 0,
            spam_reasons: "",
            automated: "",
        },
    )
    .await
    .unwrap();
}

async fn conversation(f: &Fixture, id: ConversationId) -> conversations::ConversationRecord {
    let mut c = f.app.db().read().await.unwrap();
    conversations::get_by_id(&mut c, id).await.unwrap().unwrap()
}

both_backends!(
    maintain_assignments_on,
    maintain_assignments_off,
    autoresponder_candidates,
    token_of_a_merged_conversation_leads_to_its_target
);

/// A customer who answers with the subject token of a conversation that was
/// merged away lands in the conversation it was merged into.
async fn token_of_a_merged_conversation_leads_to_its_target(t: TestDb) {
    let f = fixture(t, false).await;
    let ProcessOutcome::Filed {
        conversation: target,
        ..
    } = file(&f, "1", &mail("t1@cust.example", "")).await
    else {
        panic!("not filed")
    };
    let other = "From: Ann <ann@cust.example>\r\nTo: support@in.acme.example\r\nSubject: Second thing\r\n\
         Message-ID: <s1@cust.example>\r\nDate: Mon, 2 Mar 2026 11:00:00 +0000\r\n\r\nAlso this.\r\n";
    let ProcessOutcome::Filed {
        conversation: source,
        ..
    } = file(&f, "2", other.as_bytes()).await
    else {
        panic!("not filed")
    };
    assert_ne!(target, source);
    let owner = f.app.actor(f.owner).await.unwrap();
    f.app.merge(&owner, target, source).await.unwrap();

    // No In-Reply-To or References: only the token says where it belongs.
    let answer = format!(
        "From: Ann <ann@cust.example>\r\nTo: support@in.acme.example\r\n\
         Subject: Re: Second thing [#{}]\r\nMessage-ID: <a1@cust.example>\r\n\
         Date: Mon, 2 Mar 2026 12:00:00 +0000\r\n\r\nAny news?\r\n",
        source.0
    );
    let ProcessOutcome::Filed {
        conversation: filed,
        ..
    } = file(&f, "3", answer.as_bytes()).await
    else {
        panic!("not filed")
    };
    assert_eq!(filed, target, "filed into the merge target");
    assert_eq!(
        conversation(&f, target).await.message_count,
        3,
        "both earlier messages and the answer"
    );
}

async fn maintain_assignments_on(t: TestDb) {
    let f = fixture(t, true).await;
    let ProcessOutcome::Filed {
        conversation: conv, ..
    } = file(&f, "1", &mail("m1@cust.example", "")).await
    else {
        panic!()
    };
    assert_eq!(conversation(&f, conv).await.assignee_id, None);
    team_reply(&f, conv, f.owner, "r1@in.acme.example").await;
    // The customer writes again, as a reply to the team's message.
    let again = mail("m2@cust.example", "In-Reply-To: <r1@in.acme.example>\r\n");
    let ProcessOutcome::Filed {
        conversation: c2,
        new_conversation: false,
        ..
    } = file(&f, "2", &again).await
    else {
        panic!("did not thread")
    };
    assert_eq!(c2, conv);
    let after = conversation(&f, conv).await;
    assert_eq!(
        after.assignee_id,
        Some(f.owner),
        "goes to whoever sent the latest reply"
    );
    assert_eq!(after.status, Status::Open);
    let mut c = f.app.db().read().await.unwrap();
    let unread: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM conversation_reads WHERE conversation_id = $1")
            .bind(conv.0)
            .fetch_one(&mut *c)
            .await
            .unwrap();
    assert_eq!(unread, 0, "unread for everyone");
}

async fn maintain_assignments_off(t: TestDb) {
    let f = fixture(t, false).await;
    let ProcessOutcome::Filed {
        conversation: conv, ..
    } = file(&f, "1", &mail("m1@cust.example", "")).await
    else {
        panic!()
    };
    team_reply(&f, conv, f.owner, "r1@in.acme.example").await;
    file(
        &f,
        "2",
        &mail("m2@cust.example", "In-Reply-To: <r1@in.acme.example>\r\n"),
    )
    .await;
    assert_eq!(conversation(&f, conv).await.assignee_id, None);
}

async fn autoresponder_candidates(t: TestDb) {
    let f = fixture(t, false).await;
    // Auto Reply off: nothing is flagged for the autoresponder.
    let ProcessOutcome::Filed {
        conversation: before,
        ..
    } = file_from(&f, &smtp("0"), &mail("o@cust.example", "")).await
    else {
        panic!()
    };
    assert!(!conversation(&f, before).await.autoreply_pending);
    let owner = f.app.actor(f.owner).await.unwrap();
    let template = f
        .app
        .create_template(
            &owner,
            &ecp_app::templates::TemplateInput {
                name: "Thanks",
                subject: "",
                body_html: "<p>We have it.</p>",
            },
        )
        .await
        .unwrap()
        .id
        .0;
    f.app
        .set_autoresponder(&owner, f.mailbox, true, Some(template), "24")
        .await
        .unwrap();

    let ProcessOutcome::Filed {
        conversation: person,
        ..
    } = file_from(&f, &smtp("1"), &mail("p@cust.example", "")).await
    else {
        panic!()
    };
    assert!(conversation(&f, person).await.autoreply_pending);
    let ProcessOutcome::Filed {
        conversation: imported,
        ..
    } = file(&f, "1i", &mail("i@cust.example", "")).await
    else {
        panic!()
    };
    assert!(
        !conversation(&f, imported).await.autoreply_pending,
        "imported mail is history, not a new request"
    );
    let list = "List-Id: <news.example.org>\r\nPrecedence: list\r\n";
    let raw = String::from_utf8(mail("l@cust.example", list))
        .unwrap()
        .replace("ann@cust.example", "news@example.org");
    let ProcessOutcome::Filed {
        conversation: listed,
        ..
    } = file_from(&f, &smtp("2"), raw.as_bytes()).await
    else {
        panic!()
    };
    assert!(
        !conversation(&f, listed).await.autoreply_pending,
        "never answer a mailing list"
    );
    let bounce = "Auto-Submitted: auto-replied\r\n";
    let raw = String::from_utf8(mail("b@cust.example", bounce))
        .unwrap()
        .replace("ann@cust.example", "bob@cust.example");
    let ProcessOutcome::Filed {
        conversation: auto, ..
    } = file_from(&f, &smtp("3"), raw.as_bytes()).await
    else {
        panic!()
    };
    assert!(
        !conversation(&f, auto).await.autoreply_pending,
        "never answer an auto-reply"
    );
}
