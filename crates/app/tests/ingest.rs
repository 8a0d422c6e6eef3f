//! Filing inbound mail, on both databases: threading, dedupe, spam,
//! unreadable mail, Maintain assignments.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ecp_app::inbound::{ProcessOutcome, Source};
use ecp_app::signup::SignupInput;
use ecp_app::{App, AppConfig};
use ecp_domain::{MailboxId, UserId};
use ecp_testkit::both_backends;
use ecp_testkit::db::TestDb;

struct Fixture {
    app: App,
    mailbox: MailboxId,
    owner: UserId,
    _db: TestDb,
}

async fn fixture(t: TestDb) -> Fixture {
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
    Fixture {
        app,
        mailbox: out.mailbox_id.unwrap(),
        owner: out.owner_id,
        _db: t,
    }
}

fn mail(from: &str, subject: &str, id: &str, extra: &str, body: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: support@in.acme.example\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n\
         Date: Mon, 2 Mar 2026 10:00:00 +0000\r\n{extra}\r\n{body}\r\n"
    )
    .into_bytes()
}

fn src(key: &str) -> Source {
    Source::Import { key: key.into() }
}

async fn filed(f: &Fixture, key: &str, raw: &[u8]) -> ProcessOutcome {
    let (received, outcome) = f.app.ingest(f.mailbox, &src(key), raw).await.unwrap();
    assert!(received.new);
    outcome.unwrap()
}

both_backends!(
    reading_respects_mailbox_permissions,
    a_50_mb_attachment_is_kept_whole,
    threads_by_headers_and_dedupes,
    token_only_for_participants,
    spam_and_contacts,
    unreadable_mail_is_kept,
    pending_survives_and_is_filed_once
);

async fn threads_by_headers_and_dedupes(t: TestDb) {
    let f = fixture(t).await;
    let first = filed(
        &f,
        "1",
        &mail(
            "Ann <ann@cust.example>",
            "Order late",
            "a1@cust.example",
            "",
            "Where is it?",
        ),
    )
    .await;
    let ProcessOutcome::Filed {
        conversation,
        new_conversation: true,
        spam: false,
        ..
    } = first
    else {
        panic!("{first:?}")
    };
    let reply = mail(
        "Ann <ann@cust.example>",
        "Re: Order late",
        "a2@cust.example",
        "In-Reply-To: <a1@cust.example>\r\nReferences: <a1@cust.example>\r\n",
        "Any news?",
    );
    let ProcessOutcome::Filed {
        conversation: c2,
        new_conversation: false,
        ..
    } = filed(&f, "2", &reply).await
    else {
        panic!("reply did not thread")
    };
    assert_eq!(c2, conversation);
    // The same message through another source: recognised by Message-ID.
    assert!(matches!(
        filed(&f, "3", &reply).await,
        ProcessOutcome::Duplicate { .. }
    ));
    // The same source again: nothing new at all.
    let (again, _) = f.app.ingest(f.mailbox, &src("2"), &reply).await.unwrap();
    assert!(!again.new);
    let mut c = f.app.db().read().await.unwrap();
    let conv = ecp_store::conversations::get_by_id(&mut c, conversation)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(conv.message_count, 2);
    assert_eq!(conv.customer_email, "ann@cust.example");
    let hits = ecp_store::search::find(&mut c, f.app.db().backend(), "news", 10)
        .await
        .unwrap();
    assert_eq!(hits.len(), 1);
}

async fn token_only_for_participants(t: TestDb) {
    let f = fixture(t).await;
    let ProcessOutcome::Filed { conversation, .. } = filed(
        &f,
        "1",
        &mail(
            "ann@cust.example",
            "Help",
            "t1@x",
            "Cc: bob@cust.example\r\n",
            "hi",
        ),
    )
    .await
    else {
        panic!()
    };
    let token_subject = format!("Re: Help [#{}]", conversation.0);
    // Bob was on Cc: his reply (no threading headers) joins by the token.
    let ProcessOutcome::Filed {
        conversation: c2, ..
    } = filed(
        &f,
        "2",
        &mail("bob@cust.example", &token_subject, "t2@x", "", "me too"),
    )
    .await
    else {
        panic!()
    };
    assert_eq!(c2, conversation);
    // A stranger using the token starts a new conversation.
    let ProcessOutcome::Filed {
        conversation: c3,
        new_conversation,
        ..
    } = filed(
        &f,
        "3",
        &mail(
            "mallory@evil.example",
            &token_subject,
            "t3@x",
            "",
            "let me in",
        ),
    )
    .await
    else {
        panic!()
    };
    assert!(new_conversation);
    assert_ne!(c3, conversation);
}

async fn spam_and_contacts(t: TestDb) {
    let f = fixture(t).await;
    let gtube = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";
    let out = filed(
        &f,
        "1",
        &mail("spammer@bad.example", "buy", "s1@bad", "", gtube),
    )
    .await;
    assert!(
        matches!(out, ProcessOutcome::Filed { spam: true, .. }),
        "{out:?}"
    );
    // Saved contacts are never spam.
    let actor = f.app.actor(f.owner).await.unwrap();
    let mut c = f.app.db().read().await.unwrap();
    ecp_store::contacts::set_saved(&mut c, actor.account_id, "spammer@bad.example", true)
        .await
        .unwrap();
    drop(c);
    let out = filed(
        &f,
        "2",
        &mail("spammer@bad.example", "again", "s2@bad", "", gtube),
    )
    .await;
    assert!(
        matches!(out, ProcessOutcome::Filed { spam: false, .. }),
        "{out:?}"
    );
}

async fn unreadable_mail_is_kept(t: TestDb) {
    let f = fixture(t).await;
    let out = filed(&f, "junk", b"\x00\x01\x02 not a mail at all").await;
    let ProcessOutcome::Unparseable { conversation } = out else {
        panic!("{out:?}")
    };
    let mut c = f.app.db().read().await.unwrap();
    let conv = ecp_store::conversations::get_by_id(&mut c, conversation)
        .await
        .unwrap()
        .unwrap();
    assert!(conv.unparseable);
    let msgs = ecp_store::messages::list_for_conversation(&mut c, conversation)
        .await
        .unwrap();
    assert_eq!(msgs.len(), 1);
    assert!(msgs[0].raw_id.is_some());
}

async fn pending_survives_and_is_filed_once(t: TestDb) {
    let f = fixture(t).await;
    // Stored but not filed (as after a crash between the two steps).
    let r = f
        .app
        .receive_raw(
            f.mailbox,
            &src("p1"),
            &mail("a@c.example", "x", "p1@c", "", "b"),
        )
        .await
        .unwrap();
    assert!(r.new);
    assert_eq!(f.app.process_pending(100).await.unwrap(), 1);
    assert_eq!(f.app.process_pending(100).await.unwrap(), 0);
    assert_eq!(
        f.app.process_raw(r.raw_id).await.unwrap(),
        ProcessOutcome::AlreadyDone
    );
    let mut c = f.app.db().read().await.unwrap();
    assert_eq!(
        ecp_store::conversations::count_for_mailbox(&mut c, f.mailbox)
            .await
            .unwrap(),
        1
    );
}

async fn reading_respects_mailbox_permissions(t: TestDb) {
    let f = fixture(t).await;
    let ProcessOutcome::Filed {
        conversation,
        message,
        ..
    } = filed(
        &f,
        "1",
        &mail("ann@cust.example", "Hello", "r1@x", "", "body text"),
    )
    .await
    else {
        panic!()
    };
    let owner = f.app.actor(f.owner).await.unwrap();
    let page = f
        .app
        .list_conversations(&owner, f.mailbox, None, None, 50)
        .await
        .unwrap();
    assert_eq!(page.conversations.len(), 1);
    assert!(page.next.is_none());
    let view = f.app.conversation(&owner, conversation).await.unwrap();
    assert_eq!(view.messages[0].text_body.trim(), "body text");
    let raw = f
        .app
        .raw_source(&owner, conversation, message)
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(&raw.bytes).contains("Subject: Hello"));

    let added = f
        .app
        .add_user(
            &owner,
            &ecp_app::users::NewUserInput {
                name: "Uma".into(),
                email: "uma@acme.example".into(),
                role: "user".into(),
                password: "correct horse battery".into(),
            },
        )
        .await
        .unwrap();
    let uma = f.app.actor(added.user.id).await.unwrap();
    assert!(matches!(
        f.app
            .list_conversations(&uma, f.mailbox, None, None, 50)
            .await,
        Err(ecp_app::AppError::NotFound)
    ));
    assert!(matches!(
        f.app.conversation(&uma, conversation).await,
        Err(ecp_app::AppError::NotFound)
    ));
    assert!(matches!(
        f.app.raw_source(&uma, conversation, message).await,
        Err(ecp_app::AppError::NotFound)
    ));
    f.app
        .set_mailbox_permissions(&owner, f.mailbox, &[uma.user_id])
        .await
        .unwrap();
    assert_eq!(
        f.app
            .conversation(&uma, conversation)
            .await
            .unwrap()
            .messages
            .len(),
        1
    );
}

#[tokio::test]
async fn keyset_paging_is_stable() {
    let f = fixture(TestDb::sqlite().unwrap()).await;
    for i in 0..7 {
        filed(
            &f,
            &format!("k{i}"),
            &mail("a@c.example", &format!("s{i}"), &format!("k{i}@c"), "", "b"),
        )
        .await;
    }
    let owner = f.app.actor(f.owner).await.unwrap();
    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let page = f
            .app
            .list_conversations(&owner, f.mailbox, Some("open"), before, 3)
            .await
            .unwrap();
        seen.extend(page.conversations.iter().map(|c| c.id));
        match page.next {
            Some(n) => before = Some(n),
            None => break,
        }
    }
    assert_eq!(seen.len(), 7);
    let mut dedup = seen.clone();
    dedup.sort();
    dedup.dedup();
    assert_eq!(dedup.len(), 7);
    assert!(
        f.app
            .list_conversations(&owner, f.mailbox, Some("bogus"), None, 3)
            .await
            .is_err()
    );
}

async fn a_50_mb_attachment_is_kept_whole(t: TestDb) {
    let f = fixture(t).await;
    let payload: Vec<u8> = (0..50 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    let mut b64 = String::new();
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (n, chunk) in payload.chunks(3).enumerate() {
        let v = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for k in 0..4 {
            if k <= chunk.len() {
                b64.push(ALPHABET[((v >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                b64.push('=');
            }
        }
        if n % 19 == 18 {
            b64.push_str("\r\n");
        }
    }
    let raw = format!(
        "From: ann@cust.example\r\nSubject: big file\r\nMessage-ID: <big@cust.example>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n\
         --b\r\nContent-Type: application/octet-stream; name=\"big.bin\"\r\nContent-Transfer-Encoding: base64\r\n\
         Content-Disposition: attachment; filename=\"big.bin\"\r\n\r\n{b64}\r\n--b--\r\n"
    );
    let out = filed(&f, "big", raw.as_bytes()).await;
    let ProcessOutcome::Filed { conversation, .. } = out else {
        panic!("{out:?}")
    };
    let owner = f.app.actor(f.owner).await.unwrap();
    let view = f.app.conversation(&owner, conversation).await.unwrap();
    assert_eq!(view.attachments.len(), 1);
    assert_eq!(view.attachments[0].size, payload.len() as i64);
    let d = f
        .app
        .attachment(&owner, conversation, view.attachments[0].id)
        .await
        .unwrap();
    assert!(d.bytes == payload, "attachment bytes differ");
}
