//! Bulk import files mail exactly as filing one message at a time does:
//! same conversations, same duplicates, same statuses, counts and
//! participants, on both databases. The bulk path remembers threads,
//! senders and conversations inside a batch and writes some rows at the
//! end of it; this is the check that it changes nothing but the speed.
#![allow(clippy::unwrap_used)]

use ecp_app::inbound::{ProcessOutcome, Source};
use ecp_app::signup::SignupInput;
use ecp_app::{App, AppConfig};
use ecp_domain::MailboxId;
use ecp_testkit::both_backends;
use ecp_testkit::corpora::{files_under, mail_parser_resources};
use ecp_testkit::db::TestDb;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

async fn account(app: &App, n: u32) -> MailboxId {
    app.create_account(&SignupInput {
        account_name: format!("Acme {n}"),
        owner_name: "Olivia".into(),
        owner_email: format!("olivia{n}@acme.example"),
        password: "correct horse battery".into(),
        plan: "premium".into(),
        mailbox_name: "Support".into(),
        mailbox_address: format!("support{n}@in.acme.example"),
        ..Default::default()
    })
    .await
    .unwrap()
    .mailbox_id
    .unwrap()
}

/// Threads that cross batch boundaries and stay inside one, duplicates
/// by Message-ID, senders first without and then with a name, CC'd
/// people, NUL bytes, a message without Message-ID, unreadable bytes,
/// and the mail-parser corpus.
fn messages() -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    for i in 0..1_400u32 {
        let thread = i % 97;
        let from = if i % 5 == 0 {
            format!("c{}@example.org", i % 41)
        } else {
            format!("\"Customer {}\" <c{}@example.org>", i % 41, i % 41)
        };
        let mut m = format!(
            "From: {from}\r\nTo: support@in.acme.example\r\nCc: cc{}@example.org\r\n\
             Subject: Question {thread}\r\nDate: Thu, 1 Jan 2026 00:00:00 +0000\r\n",
            i % 7
        );
        if i % 211 != 0 {
            m.push_str(&format!("Message-ID: <m{i}@example.org>\r\n"));
        }
        if i >= 97 {
            // A reply to the previous message of its thread; every third
            // also names the thread's first message.
            m.push_str(&format!("In-Reply-To: <m{}@example.org>\r\n", i - 97));
            if i % 3 == 0 {
                m.push_str(&format!(
                    "References: <m{thread}@example.org> <m{}@example.org>\r\n",
                    i - 97
                ));
            }
        }
        m.push_str("\r\n");
        if i % 157 == 0 {
            m.push_str("body with a NUL \0 byte\r\n");
        } else {
            m.push_str(&format!("Hello, this is message {i}.\r\n"));
        }
        out.push(m.into_bytes());
        if i % 113 == 0 {
            // The same message again (another copy: other bytes, same id).
            let mut again = out[out.len() - 1].clone();
            again.extend_from_slice(b"\r\n-- \r\nresent\r\n");
            out.push(again);
        }
    }
    out.push(b"\x00\x01 not mail at all".to_vec());
    let mut corpus: Vec<_> = files_under(&mail_parser_resources())
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    corpus.sort();
    for f in corpus {
        out.push(std::fs::read(f).unwrap());
    }
    out
}

/// Everything filing decided, keyed by what doesn't depend on ids or
/// clocks: per conversation, its messages' Message-IDs (or subjects),
/// status, count, and who takes part.
type Filed = BTreeMap<Vec<String>, Vec<(String, i64, Vec<bool>)>>;

async fn filed(app: &App, mailbox: MailboxId) -> Filed {
    let mut c = app.db().read().await.unwrap();
    let mut out = BTreeMap::new();
    let mut before = None;
    loop {
        let page = ecp_store::conversations::list_for_mailbox(&mut c, mailbox, None, before, 200)
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        before = Some((last.last_message_at, last.id.0));
        for conv in &page {
            let msgs = ecp_store::messages::list_for_conversation(&mut c, conv.id)
                .await
                .unwrap();
            let key: Vec<String> = msgs
                .iter()
                .map(|m| {
                    m.message_id_header
                        .clone()
                        .unwrap_or_else(|| format!("{} / {}", m.subject, m.text_body))
                })
                .collect();
            let mut people = Vec::new();
            for p in (0..41)
                .map(|n| format!("c{n}@example.org"))
                .chain((0..7).map(|n| format!("cc{n}@example.org")))
            {
                people.push(
                    ecp_store::conversations::has_participant(&mut c, conv.id, &p)
                        .await
                        .unwrap(),
                );
            }
            let value = (conv.status.as_str().to_string(), conv.message_count, people);
            // Messages without Message-ID may look alike: a list per key.
            let same: &mut Vec<_> = out.entry(key).or_default();
            same.push(value);
            same.sort();
        }
    }
    out
}

both_backends!(bulk_import_files_like_one_by_one);

async fn bulk_import_files_like_one_by_one(t: TestDb) {
    let db = ecp_store::Db::connect(&t.url).await.unwrap();
    db.migrate().await.unwrap();
    let app = App::new(db, AppConfig::default());
    let bulk = account(&app, 1).await;
    let single = account(&app, 2).await;
    let all = messages();

    let dir = tempfile::tempdir().unwrap();
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir(dir.path().join(sub)).unwrap();
    }
    for (i, m) in all.iter().enumerate() {
        std::fs::write(dir.path().join("cur").join(format!("{i:06}.x:2,")), m).unwrap();
    }
    let summary = app.import_path(bulk, dir.path(), &|_| {}).await.unwrap();

    let (mut imported, mut duplicates, mut unparseable) = (0u64, 0u64, 0u64);
    for m in &all {
        // The import's own key: the same bytes twice are one message.
        let source = Source::Import {
            key: format!("sha256:{}", hex::encode(Sha256::digest(m))),
        };
        let (received, outcome) = app.ingest(single, &source, m).await.unwrap();
        if !received.new {
            duplicates += 1;
            continue;
        }
        match outcome.unwrap() {
            ProcessOutcome::Filed { .. } => imported += 1,
            ProcessOutcome::Duplicate { .. } | ProcessOutcome::AlreadyDone => duplicates += 1,
            ProcessOutcome::Unparseable { .. } => unparseable += 1,
        }
    }
    assert_eq!(
        (summary.imported, summary.duplicates, summary.unparseable),
        (imported, duplicates, unparseable)
    );
    assert!(summary.imported > 1_400, "{summary:?}");
    assert!(summary.duplicates >= 12, "{summary:?}");

    let a = filed(&app, bulk).await;
    let b = filed(&app, single).await;
    assert_eq!(a.len(), b.len());
    assert!(a.len() < summary.imported as usize, "some threads");
    assert_eq!(a, b);
}
