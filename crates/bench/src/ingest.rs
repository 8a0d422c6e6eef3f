//! The ingest benchmark: the product's own import of a Maildir into a fresh
//! database, timed from the first file read to the last commit.

use crate::proc_stats;
use anyhow::{Context, bail};
use ecp_app::import::{ImportEvent, ImportSummary};
use ecp_app::signup::SignupInput;
use ecp_app::{App, AppConfig};
use ecp_domain::MailboxId;
use ecp_store::{Backend, Db};
use sqlx::Connection;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Where the run's database lives, and how to clean it up.
pub(crate) enum Target {
    SqliteTemp {
        dir: tempfile::TempDir,
        url: String,
    },
    SqliteGiven {
        url: String,
    },
    Postgres {
        admin: String,
        name: String,
        url: String,
    },
}

impl Target {
    pub(crate) fn url(&self) -> &str {
        match self {
            Target::SqliteTemp { url, .. }
            | Target::SqliteGiven { url }
            | Target::Postgres { url, .. } => url,
        }
    }
}

pub async fn run(
    maildir: &Path,
    database_url: Option<&str>,
    keep: bool,
    machine: bool,
) -> anyhow::Result<()> {
    if !maildir.is_dir() {
        bail!("{} is not a folder", maildir.display());
    }
    let target = prepare(database_url).await?;
    let result = measure(maildir, &target, machine).await;
    cleanup(target, keep).await;
    result
}

pub(crate) async fn prepare(database_url: Option<&str>) -> anyhow::Result<Target> {
    match database_url {
        None => {
            let dir = tempfile::Builder::new().prefix("ecp-bench-").tempdir()?;
            let url = format!("sqlite://{}", dir.path().join("ecp.db").display());
            Ok(Target::SqliteTemp { dir, url })
        }
        Some(url) if url.starts_with("sqlite:") => Ok(Target::SqliteGiven {
            url: url.to_string(),
        }),
        Some(admin) if admin.starts_with("postgres:") || admin.starts_with("postgresql:") => {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)?
                .subsec_nanos();
            let name = format!("ecp_bench_{}_{nanos}", std::process::id());
            let mut conn = sqlx::PgConnection::connect(admin)
                .await
                .with_context(|| format!("connecting to PostgreSQL at {admin}"))?;
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut conn)
                .await?;
            conn.close().await?;
            let (base, query) = match admin.split_once('?') {
                Some((b, q)) => (b, format!("?{q}")),
                None => (admin, String::new()),
            };
            let base = base.rsplit_once('/').map_or(base, |(b, _)| b);
            Ok(Target::Postgres {
                admin: admin.to_string(),
                url: format!("{base}/{name}{query}"),
                name,
            })
        }
        Some(other) => bail!("unsupported database URL {other:?}: use sqlite: or postgres:"),
    }
}

pub(crate) async fn cleanup(target: Target, keep: bool) {
    match target {
        Target::SqliteTemp { dir, .. } => {
            if keep {
                let path = dir.keep();
                eprintln!("kept {}", path.display());
            }
        }
        Target::SqliteGiven { .. } => {}
        Target::Postgres { admin, name, .. } => {
            if keep {
                eprintln!("kept PostgreSQL database {name}");
                return;
            }
            if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                if let Err(e) = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .execute(&mut conn)
                    .await
                {
                    eprintln!("could not drop database {name}: {e}");
                }
                let _ = conn.close().await;
            }
        }
    }
}

async fn setup(url: &str) -> anyhow::Result<(App, MailboxId)> {
    let db = Db::connect(url).await?;
    db.migrate().await?;
    let app = App::new(db, AppConfig::default());
    let out = app
        .create_account(&SignupInput {
            account_name: "Bench".into(),
            owner_name: "Bench Owner".into(),
            owner_email: "owner@bench.example".into(),
            password: "correct horse battery staple".into(),
            plan: "premium".into(),
            mailbox_name: "Corpus".into(),
            mailbox_address: "corpus@in.bench.example".into(),
            ..Default::default()
        })
        .await?;
    let mailbox = out
        .mailbox_id
        .context("the account was created without its mailbox")?;
    Ok((app, mailbox))
}

/// What the database holds after the run, counted there rather than taken
/// from the importer's own tally.
struct Stored {
    messages: i64,
    conversations: i64,
    raw_by_state: Vec<(String, i64)>,
}

async fn stored(app: &App, mailbox: MailboxId) -> anyhow::Result<Stored> {
    let mut c = app.db().read().await?;
    let messages: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM messages WHERE mailbox_id = $1 AND direction = 'in'",
    )
    .bind(mailbox.0)
    .fetch_one(&mut *c)
    .await?;
    let conversations = ecp_store::conversations::count_for_mailbox(&mut c, mailbox).await?;
    let raw_by_state = ecp_store::raw_messages::count_by_state(&mut c, mailbox).await?;
    Ok(Stored {
        messages,
        conversations,
        raw_by_state,
    })
}

async fn measure(maildir: &Path, target: &Target, machine: bool) -> anyhow::Result<()> {
    let (app, mailbox) = setup(target.url()).await?;
    let backend = match app.db().backend() {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let files = AtomicU64::new(0);
    let skipped = AtomicU64::new(0);
    let progress = |e: ImportEvent| match e {
        ImportEvent::Total { units, .. } => files.store(units, Ordering::Relaxed),
        ImportEvent::Skipped { path, reason } => {
            skipped.fetch_add(1, Ordering::Relaxed);
            eprintln!("skipped {}: {reason}", path.display());
        }
        ImportEvent::Advanced { .. } => {}
    };
    let load_before = load_average();
    let cpu_before = proc_stats::cpu_seconds();
    let rss_before = proc_stats::rss_kib();
    let started = Instant::now();
    let summary: ImportSummary = app.import_path(mailbox, maildir, &progress).await?;
    let seconds = started.elapsed().as_secs_f64();
    let cpu_after = proc_stats::cpu_seconds();
    let peak_kib = proc_stats::peak_rss_kib();
    let load_after = load_average();
    let stored = stored(&app, mailbox).await?;
    app.db().close().await;

    // Only what the import filed counts: new messages in conversations.
    // Duplicates (same bytes or same Message-ID) and unreadable files are
    // reported but not counted in the rate.
    let filed = summary.imported;
    let rate = if seconds > 0.0 {
        filed as f64 / seconds
    } else {
        0.0
    };
    let cpu = match (cpu_before, cpu_after) {
        (Some((u0, s0)), Some((u1, s1))) => Some((u1 - u0, s1 - s0)),
        _ => None,
    };
    let mib = |k: u64| k as f64 / 1024.0;

    println!("ecp ingest benchmark ({backend})");
    println!("  maildir            {}", maildir.display());
    println!("  files found        {}", files.load(Ordering::Relaxed));
    println!("  filed (counted)    {filed}");
    println!("  duplicates         {}", summary.duplicates);
    println!("  unparseable        {}", summary.unparseable);
    println!("  skipped            {}", summary.skipped);
    println!("  seconds            {seconds:.3}");
    println!("  messages/second    {rate:.1}");
    match peak_kib {
        Some(k) => println!("  peak RSS (VmHWM)   {:.1} MiB ({k} KiB)", mib(k)),
        None => println!("  peak RSS (VmHWM)   unknown"),
    }
    if let Some(k) = rss_before {
        println!("  RSS before import  {:.1} MiB", mib(k));
    }
    if let Some((u, s)) = cpu {
        println!("  CPU during import  {u:.2} s user, {s:.2} s system");
    }
    println!("  load average       {load_before} -> {load_after}");
    println!(
        "  database holds     {} inbound messages in {} conversations; raw: {}",
        stored.messages,
        stored.conversations,
        stored
            .raw_by_state
            .iter()
            .map(|(s, n)| format!("{s} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if backend == "postgres" {
        println!("  note: the PostgreSQL server's own memory is not in the peak RSS");
    }
    if stored.messages < filed as i64 {
        bail!(
            "the database holds {} messages but the import reported {filed} filed",
            stored.messages
        );
    }
    if machine {
        println!(
            "RESULT tool=ecp-{backend} messages={filed} seconds={seconds:.3} rate={rate:.1} peak_kib={} duplicates={} unparseable={} skipped={}",
            peak_kib.unwrap_or(0),
            summary.duplicates,
            summary.unparseable,
            summary.skipped
        );
    }
    Ok(())
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "?".into())
}
