//! The operator's commands: accounts, options, tokens, migrations.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::Ecp;
use std::time::Duration;

const PASSWORD: &str = "correct horse battery";

async fn create_account(ecp: &Ecp, plan: &str, email: &str) -> String {
    let out = ecp
        .ok(
            &[
                "account",
                "create",
                "--name",
                "Acme",
                "--owner-email",
                email,
                "--owner-name",
                "Ada Owner",
                "--plan",
                plan,
                "--time-zone",
                "Europe/Berlin",
            ],
            &format!("{PASSWORD}\n"),
        )
        .await;
    let id = out.trim().to_string();
    assert!(id.parse::<i64>().is_ok(), "not an id: {out:?}");
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_options_follow_the_plan() {
    let ecp = Ecp::on_any_port();
    let standard = create_account(&ecp, "standard", "owner@standard.example").await;
    let out = ecp
        .ok(
            &[
                "account",
                "options",
                "--account",
                &standard,
                "--api",
                "on",
                "--spam-threshold",
                "3",
            ],
            "",
        )
        .await;
    assert!(out.contains("api: on"), "{out}");
    assert!(out.contains("spam_threshold: 3"), "{out}");
    assert!(out.contains("time_zone: Europe/Berlin"), "{out}");
    assert!(out.contains("plan: standard"), "{out}");

    let free = create_account(&ecp, "free", "owner@free.example").await;
    let out = ecp
        .run(
            &["account", "options", "--account", &free, "--api", "on"],
            "",
        )
        .await;
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        out.stderr
            .contains("The API is available on paid plans only"),
        "{out:?}"
    );
    let shown = ecp
        .ok(&["account", "options", "--account", &free], "")
        .await;
    assert!(shown.contains("api: off"), "{shown}");

    let out = ecp
        .run(
            &[
                "account",
                "options",
                "--account",
                &free,
                "--time-zone",
                "Mars/Olympus",
            ],
            "",
        )
        .await;
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(out.stderr.lines().count(), 1, "{out:?}");

    let out = ecp
        .run(
            &["account", "options", "--account", "999999", "--rss", "on"],
            "",
        )
        .await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stderr.contains("no account has the id 999999"),
        "{out:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_create_refuses_an_empty_password_and_bad_input() {
    let ecp = Ecp::on_any_port();
    let args = [
        "account",
        "create",
        "--name",
        "Acme",
        "--owner-email",
        "a@example.com",
        "--owner-name",
        "Ada",
        "--plan",
        "free",
    ];
    let out = ecp.run(&args, "\n").await;
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(out.stderr.contains("password is empty"), "{out:?}");

    let out = ecp.run(&args, "").await;
    assert_eq!(out.status.code(), Some(1), "{out:?}");

    let mut bad_email = args;
    bad_email[5] = "not-an-address";
    let out = ecp.run(&bad_email, &format!("{PASSWORD}\n")).await;
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(out.stderr.starts_with("ecp: "), "{out:?}");

    let mut bad_plan = args;
    bad_plan[9] = "platinum";
    let out = ecp.run(&bad_plan, &format!("{PASSWORD}\n")).await;
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_from_the_cli_opens_the_api() {
    let ecp = Ecp::on_any_port();
    let id = create_account(&ecp, "premium", "owner@premium.example").await;
    ecp.ok(&["account", "options", "--account", &id, "--api", "on"], "")
        .await;
    let token = ecp
        .ok(
            &[
                "token",
                "create",
                "--email",
                "owner@premium.example",
                "--name",
                "deploy",
            ],
            "",
        )
        .await
        .trim()
        .to_string();
    assert!(token.starts_with("ecp_"), "{token:?}");

    let out = ecp
        .run(
            &["token", "create", "--email", "nobody@premium.example"],
            "",
        )
        .await;
    assert_eq!(out.status.code(), Some(1), "{out:?}");

    let server = ecp.serve().await;
    let client = reqwest::Client::new();
    let me = client
        .get(format!("{}/api/v1/me", server.url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let body: serde_json::Value = me.json().await.unwrap();
    assert_eq!(body["email"], "owner@premium.example", "{body}");
    let anonymous = client
        .get(format!("{}/api/v1/me", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(
        server.stop("TERM", Duration::from_secs(15)).await.code(),
        Some(0)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_twice_is_fine() {
    let ecp = Ecp::on_any_port();
    let first = ecp.ok(&["migrate"], "").await;
    assert!(first.contains("up to date"), "{first}");
    ecp.ok(&["migrate"], "").await;
    assert!(ecp.path().join("data/ecp.db").is_file());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_is_resumable_and_reports_what_it_did() {
    let ecp = Ecp::on_any_port();
    let out = ecp
        .ok(
            &[
                "account",
                "create",
                "--name",
                "Acme",
                "--owner-email",
                "o@import.example",
                "--owner-name",
                "Olivia",
                "--plan",
                "standard",
                "--mailbox-name",
                "Archive",
                "--mailbox-address",
                "archive@in.import.example",
            ],
            &format!("{PASSWORD}\n"),
        )
        .await;
    assert!(out.trim().parse::<i64>().is_ok());
    let maildir = ecp.path().join("old-mail");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(maildir.join(sub)).unwrap();
    }
    for i in 0..12 {
        std::fs::write(
            maildir.join("cur").join(format!("{i}.host:2,S")),
            format!("From: c{i}@cust.example\r\nSubject: old {i}\r\nMessage-ID: <old-{i}@cust.example>\r\n\r\nbody\r\n"),
        )
        .unwrap();
    }
    std::fs::write(maildir.join("new").join("junk"), b"\x00\x01 not mail").unwrap();
    // The first mailbox of the first account has id 1 on a fresh database.
    let first = ecp.ok(&["import", "--mailbox", "1", "old-mail"], "").await;
    assert!(
        first.starts_with("imported 12, duplicates 0, unreadable (kept) 1, skipped 0"),
        "{first}"
    );
    let again = ecp.ok(&["import", "--mailbox", "1", "old-mail"], "").await;
    assert!(
        again.starts_with("imported 0, duplicates 13, unreadable (kept) 0, skipped 0"),
        "{again}"
    );
    let missing = ecp
        .run(&["import", "--mailbox", "99", "old-mail"], "")
        .await;
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        missing.stderr.contains("no mailbox with id 99"),
        "{}",
        missing.stderr
    );
    let nothing = ecp
        .run(&["import", "--mailbox", "1", "no-such-dir"], "")
        .await;
    assert_eq!(nothing.status.code(), Some(1));
    assert!(nothing.stderr.contains("no-such-dir"), "{}", nothing.stderr);
}
