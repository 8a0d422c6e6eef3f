//! A configuration mistake stops the binary with one clear line on stderr
//! and exit code 2: no panic, no backtrace.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Ecp, Output};
use ecp_testkit::db::pg_admin_url;

fn assert_config_error(out: &Output, needle: &str) {
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line expected: {:?}", out.stderr);
    assert!(lines[0].starts_with("ecp: "), "{:?}", lines[0]);
    assert!(
        lines[0].contains(needle),
        "{needle:?} not in {:?}",
        lines[0]
    );
    for bad in ["panicked", "backtrace", "RUST_BACKTRACE"] {
        assert!(!out.stderr.contains(bad), "{:?}", out.stderr);
    }
}

async fn with_file(toml: &str, args: &[&str]) -> Output {
    let ecp = Ecp::on_any_port();
    std::fs::write(ecp.path().join("ecp.toml"), toml).unwrap();
    let mut all = vec!["--config", "ecp.toml"];
    all.extend_from_slice(args);
    ecp.run(&all, "").await
}

#[tokio::test]
async fn unparseable_toml() {
    let out = with_file("data_dir = \"x\"\nhttp_addr = [\n", &["serve"]).await;
    assert_config_error(&out, "ecp.toml: line 2");
}

#[tokio::test]
async fn unknown_key() {
    let out = with_file(
        "data_dir = \"x\"\nsmtp_listen = \"0.0.0.0:25\"\n",
        &["serve"],
    )
    .await;
    assert_config_error(&out, "smtp_listen");
}

#[tokio::test]
async fn missing_config_file() {
    let out = Ecp::new()
        .run(&["--config", "nowhere.toml", "serve"], "")
        .await;
    assert_config_error(&out, "cannot read config file nowhere.toml");
}

#[tokio::test]
async fn bad_address() {
    let out = Ecp::new()
        .env("ECP_HTTP_ADDR", "localhost:eighty")
        .run(&["serve"], "")
        .await;
    assert_config_error(&out, "http_addr \"localhost:eighty\"");
}

#[tokio::test]
async fn address_in_use() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = Ecp::new()
        .env("ECP_HTTP_ADDR", &addr)
        .run(&["serve"], "")
        .await;
    assert_config_error(&out, &format!("http_addr {addr}: cannot listen there"));
}

#[tokio::test]
async fn bad_switch_value() {
    let out = Ecp::on_any_port()
        .env("ECP_SIGNUP_ENABLED", "sometimes")
        .run(&["migrate"], "")
        .await;
    assert_config_error(&out, "ECP_SIGNUP_ENABLED");
}

#[tokio::test]
async fn bad_log_filter() {
    let out = Ecp::on_any_port()
        .env("ECP_LOG", "ecp=loud")
        .run(&["migrate"], "")
        .await;
    assert_config_error(&out, "log filter");
}

#[tokio::test]
async fn unwritable_data_dir() {
    // A path under a regular file: no permission bits involved, so the test
    // also holds when it runs as root.
    let ecp = Ecp::on_any_port().env("ECP_DATA_DIR", "a-file/data");
    std::fs::write(ecp.path().join("a-file"), "not a directory").unwrap();
    let out = ecp.run(&["serve"], "").await;
    assert_config_error(&out, "a-file/data: cannot create it");
}

#[tokio::test]
async fn unreachable_database() {
    let base = pg_admin_url();
    let base = base.rsplit_once('/').unwrap().0;
    let url = format!("{base}/ecp_test_does_not_exist");
    let out = Ecp::on_any_port()
        .env("ECP_DATABASE_URL", &url)
        .run(&["serve"], "")
        .await;
    assert_config_error(&out, "cannot open the database");
}

#[tokio::test]
async fn unsupported_database_scheme_hides_the_password() {
    let out = Ecp::on_any_port()
        .env("ECP_DATABASE_URL", "mysql://ecp:hunter2@db/ecp")
        .run(&["migrate"], "")
        .await;
    assert_config_error(&out, "mysql://ecp:***@db/ecp");
    assert!(!out.stderr.contains("hunter2"));
}
