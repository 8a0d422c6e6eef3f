//! `import_path` over corpora nobody here wrote (mail-parser's test
//! messages, CPython's email test data), as a Maildir and as an mbox, on
//! both databases: nothing panics, nothing is lost, a second run adds nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ecp_app::import::ImportSummary;
use ecp_app::signup::SignupInput;
use ecp_app::{App, AppConfig};
use ecp_domain::MailboxId;
use ecp_testkit::both_backends;
use ecp_testkit::corpora::{cpython_email_data, files_under, mail_parser_resources};
use ecp_testkit::db::TestDb;
use std::path::PathBuf;

fn corpus() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = files_under(&mail_parser_resources())
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    files.extend(files_under(&cpython_email_data()).into_iter().filter(|p| {
        p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("msg_"))
    }));
    assert!(files.len() > 150, "corpus too small: {}", files.len());
    files
}

async fn setup(t: &TestDb) -> (App, MailboxId) {
    let db = ecp_store::Db::connect(&t.url).await.unwrap();
    db.migrate().await.unwrap();
    let app = App::new(db, AppConfig::default());
    let out = app
        .create_account(&SignupInput {
            account_name: "Acme".into(),
            owner_name: "Olivia".into(),
            owner_email: "olivia@acme.example".into(),
            password: "correct horse battery".into(),
            plan: "premium".into(),
            mailbox_name: "Archive".into(),
            mailbox_address: "archive@in.acme.example".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    (app, out.mailbox_id.unwrap())
}

async fn counts(app: &App, mailbox: MailboxId) -> (i64, Vec<(String, i64)>) {
    let mut c = app.db().read().await.unwrap();
    let convs = ecp_store::conversations::count_for_mailbox(&mut c, mailbox)
        .await
        .unwrap();
    let states = ecp_store::raw_messages::count_by_state(&mut c, mailbox)
        .await
        .unwrap();
    (convs, states)
}

fn check_first_run(s: ImportSummary, total: usize) {
    assert_eq!(s.skipped, 0, "{s:?}");
    // CPython's msg_19.txt is a body without headers: kept as unreadable.
    assert_eq!(s.unparseable, 1, "{s:?}");
    assert_eq!(
        (s.imported + s.duplicates + s.unparseable) as usize,
        total,
        "{s:?}"
    );
    assert!(s.imported as usize > total * 3 / 4, "{s:?}");
}

both_backends!(
    maildir_import_is_complete_and_resumable,
    mbox_import_matches_maildir
);

async fn maildir_import_is_complete_and_resumable(t: TestDb) {
    let (app, mailbox) = setup(&t).await;
    let files = corpus();
    let dir = tempfile::tempdir().unwrap();
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir(dir.path().join(sub)).unwrap();
    }
    for (i, f) in files.iter().enumerate() {
        std::fs::copy(f, dir.path().join("cur").join(format!("{i}.corpus:2,S"))).unwrap();
    }
    // A half-delivered message in tmp/ is not mail yet.
    std::fs::write(dir.path().join("tmp").join("partial"), b"Subject: half").unwrap();

    let first = app.import_path(mailbox, dir.path(), &|_| {}).await.unwrap();
    check_first_run(first, files.len());
    let (convs, states) = counts(&app, mailbox).await;
    assert!(!states.iter().any(|(s, _)| s == "pending"), "{states:?}");
    let filed: i64 = states
        .iter()
        .filter(|(s, _)| s == "processed")
        .map(|(_, n)| n)
        .sum();
    assert_eq!(filed as u64, first.imported);
    assert!(convs >= 1 && convs <= (first.imported + first.unparseable) as i64);

    let again = app.import_path(mailbox, dir.path(), &|_| {}).await.unwrap();
    assert_eq!(again.imported, 0, "{again:?}");
    assert_eq!(again.unparseable, 0, "{again:?}");
    assert_eq!(again.duplicates as usize, files.len(), "{again:?}");
    assert_eq!(counts(&app, mailbox).await.0, convs);
}

async fn mbox_import_matches_maildir(t: TestDb) {
    let (app, mailbox) = setup(&t).await;
    let files = corpus();
    let mut mbox = Vec::new();
    for f in &files {
        mbox.extend_from_slice(b"From corpus@example.invalid Thu Jan  1 00:00:00 2026\n");
        let data = std::fs::read(f).unwrap();
        for line in data.split_inclusive(|b| *b == b'\n') {
            if line.starts_with(b"From ") {
                mbox.push(b'>');
            }
            mbox.extend_from_slice(line);
        }
        if !mbox.ends_with(b"\n") {
            mbox.push(b'\n');
        }
        mbox.push(b'\n');
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("corpus.mbox");
    std::fs::write(&path, &mbox).unwrap();
    let events = std::sync::Mutex::new(0u64);
    let s = app
        .import_path(mailbox, &path, &|e| {
            if let ecp_app::import::ImportEvent::Advanced { units } = e {
                *events.lock().unwrap() += units;
            }
        })
        .await
        .unwrap();
    check_first_run(s, files.len());
    assert!(*events.lock().unwrap() > 0);
    let again = app.import_path(mailbox, &path, &|_| {}).await.unwrap();
    assert_eq!(again.imported, 0);
}
