//! A fresh, empty database per test on either backend: a SQLite file in a
//! temp dir, or a new PostgreSQL database on the machine's server (dropped
//! when the fixture is). Tests never share a database, so they run in
//! parallel without `#[serial]`.

use std::sync::atomic::{AtomicU64, Ordering};

/// The server's maintenance database; override with ECP_TEST_PG_URL.
pub fn pg_admin_url() -> String {
    std::env::var("ECP_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

pub struct TestDb {
    pub url: String,
    pub kind: Kind,
    _dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

impl TestDb {
    pub async fn new(kind: Kind) -> anyhow::Result<Self> {
        match kind {
            Kind::Sqlite => Self::sqlite(),
            Kind::Postgres => Self::postgres().await,
        }
    }

    pub fn sqlite() -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let url = format!("sqlite://{}", dir.path().join("ecp.db").display());
        Ok(Self {
            url,
            kind: Kind::Sqlite,
            _dir: Some(dir),
            pg_name: None,
        })
    }

    pub async fn postgres() -> anyhow::Result<Self> {
        use sqlx::Connection;
        let name = format!(
            "ecp_test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)?
                .subsec_nanos()
        );
        let admin = pg_admin_url();
        let mut conn = sqlx::PgConnection::connect(&admin)
            .await
            .map_err(|e| anyhow::anyhow!("PostgreSQL at {admin} is needed for this test: {e}"))?;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await?;
        conn.close().await?;
        let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
        Ok(Self {
            url: format!("{base}/{name}"),
            kind: Kind::Postgres,
            _dir: None,
            pg_name: Some(name),
        })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(name) = self.pg_name.take() else {
            return;
        };
        // Drop may run inside a tokio runtime, which can't be blocked on:
        // do the cleanup on a thread with a runtime of its own.
        let admin = pg_admin_url();
        let handle = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                use sqlx::Connection;
                if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    let _ = sqlx::query(sqlx::AssertSqlSafe(sql))
                        .execute(&mut conn)
                        .await;
                    let _ = conn.close().await;
                }
            });
        });
        let _ = handle.join();
    }
}

/// Declares one `#[tokio::test]` per backend for an `async fn(TestDb)`.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::db::TestDb::new($crate::db::Kind::Sqlite).await.unwrap()).await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::db::TestDb::new($crate::db::Kind::Postgres).await.unwrap()).await;
                }
            }
        )+
    };
}
