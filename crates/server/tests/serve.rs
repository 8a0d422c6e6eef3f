//! `ecp serve` as an operator runs it: zero configuration, PostgreSQL,
//! configuration layers, signals and the health check.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::Ecp;
use ecp_testkit::db::{TestDb, pg_admin_url};
use sqlx::Connection;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zero_config_serves_on_sqlite_in_data_and_stops_on_sigterm() {
    let ecp = Ecp::on_any_port();
    let server = ecp.serve().await;
    assert!(
        server.first_line.contains("open http://127.0.0.1:"),
        "{}",
        server.first_line
    );
    assert!(ecp.path().join("data/ecp.db").is_file());
    assert_eq!(server.healthz().await, 200);
    let page = server.get("/").await;
    assert!(page.status().is_success() || page.status().is_redirection());

    let started = Instant::now();
    let status = server.stop("TERM", Duration::from_secs(15)).await;
    assert_eq!(status.code(), Some(0));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_binary_serves_on_postgres_and_stops_on_ctrl_c() {
    let db = TestDb::postgres().await.unwrap();
    let ecp = Ecp::on_any_port().env("ECP_DATABASE_URL", &db.url);
    let server = ecp.serve().await;
    assert_eq!(server.healthz().await, 200);
    assert!(server.stderr().contains("Postgres"), "{}", server.stderr());
    assert!(!ecp.path().join("data/ecp.db").exists());
    let status = server.stop("INT", Duration::from_secs(15)).await;
    assert_eq!(status.code(), Some(0));

    let mut admin = sqlx::PgConnection::connect(&db.url).await.unwrap();
    let migrated: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations")
        .fetch_one(&mut admin)
        .await
        .unwrap();
    assert!(migrated > 0);
    admin.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn environment_overrides_the_toml_file() {
    let ecp = Ecp::new().env("ECP_DATA_DIR", "env-data");
    std::fs::write(
        ecp.path().join("ecp.toml"),
        "data_dir = \"toml-data\"\nhttp_addr = \"127.0.0.1:0\"\nsmtp_addr = \"127.0.0.1:0\"\nlog_format = \"json\"\nsecure_cookies = true\n",
    )
    .unwrap();
    let ecp = ecp.env("ECP_CONFIG", "ecp.toml");
    let server = ecp.serve().await;
    assert_eq!(server.healthz().await, 200);
    // The file's port 0 and log format were used, its data_dir was not.
    assert!(ecp.path().join("env-data/ecp.db").is_file());
    assert!(!ecp.path().join("toml-data").exists());
    let first_log = server
        .stderr()
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    let parsed: serde_json::Value = serde_json::from_str(&first_log)
        .unwrap_or_else(|e| panic!("not a JSON log line ({e}): {first_log:?}"));
    assert!(parsed.get("level").is_some(), "{parsed}");
    assert_eq!(
        server.stop("TERM", Duration::from_secs(15)).await.code(),
        Some(0)
    );

    // A flag names the file as well as ECP_CONFIG does.
    let out = ecp.run(&["--config", "ecp.toml", "migrate"], "").await;
    assert!(out.status.success(), "{out:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_answers_503_while_the_database_refuses_and_200_after() {
    let db = TestDb::postgres().await.unwrap();
    let name = db.url.rsplit('/').next().unwrap().to_string();
    let ecp = Ecp::on_any_port().env("ECP_DATABASE_URL", &db.url);
    let server = ecp.serve().await;
    assert_eq!(server.healthz().await, 200);

    let mut admin = sqlx::PgConnection::connect(&pg_admin_url()).await.unwrap();
    let refuse = format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false");
    sqlx::query(sqlx::AssertSqlSafe(refuse))
        .execute(&mut admin)
        .await
        .unwrap();
    sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1")
        .bind(&name)
        .execute(&mut admin)
        .await
        .unwrap();
    let started = Instant::now();
    assert_eq!(server.healthz().await, 503);
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );

    let allow = format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true");
    sqlx::query(sqlx::AssertSqlSafe(allow))
        .execute(&mut admin)
        .await
        .unwrap();
    admin.close().await.unwrap();
    assert_eq!(server.healthz().await, 200);
    assert_eq!(
        server.stop("TERM", Duration::from_secs(15)).await.code(),
        Some(0)
    );
}
