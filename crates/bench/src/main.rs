//! `ecp-bench`: benchmarks that print figures. Speed is checked here, by
//! reading numbers, never by timed tests.
//!
//! `ecp-bench ingest --maildir DIR [--database-url URL]` imports a Maildir
//! into a fresh database with the product's own import (durable settings:
//! SQLite in WAL with synchronous=FULL, one commit per batch) and prints
//! messages, seconds, messages per second and the peak resident memory.
//!
//! `ecp-bench search --database-url URL WORDS...` runs the product's search
//! on an existing database (one line per query: hits, milliseconds, ids).
//!
//! `ecp-bench workspace-data --database-url URL` fills an empty database
//! with an account, agents, mailboxes and N synthetic conversations for
//! the list, view and search load test (`scripts/bench-workspace.sh`).

mod ingest;
mod proc_stats;
mod search;
mod workspace_data;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(name = "ecp-bench", about = "Email Center Pro benchmarks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Import a Maildir into a fresh database and report the rate.
    Ingest {
        /// The Maildir (or folder of one-message files) to import.
        #[arg(long)]
        maildir: PathBuf,
        /// `postgres://…/anydb`: a fresh database is created on that server
        /// for the run and dropped afterwards. `sqlite://FILE`: that file
        /// (it should not exist yet). Default: a new SQLite file in a
        /// temporary folder.
        #[arg(long)]
        database_url: Option<String>,
        /// Keep the PostgreSQL database (or the temporary SQLite folder)
        /// after the run, to look at it.
        #[arg(long)]
        keep: bool,
        /// Print one `key=value` line after the report, for scripts.
        #[arg(long)]
        machine: bool,
    },
    /// Search an existing database (a kept benchmark database, say) with
    /// the product's own search, one query per argument.
    Search {
        /// `sqlite://FILE` or `postgres://…/db`.
        #[arg(long)]
        database_url: String,
        /// Results per query, best first.
        #[arg(long, default_value_t = 50)]
        limit: i64,
        /// Apply the product's pending migrations first (a database kept
        /// by an older build).
        #[arg(long)]
        migrate: bool,
        /// Queries (plain words, all required).
        #[arg(required = true)]
        queries: Vec<String>,
    },
    /// Fill an empty database with synthetic conversations for the
    /// workspace load test; prints `key=value` lines.
    WorkspaceData {
        /// `sqlite://FILE` or `postgres://…/db` (an empty database).
        #[arg(long)]
        database_url: String,
        #[arg(long, default_value_t = 100_000)]
        conversations: u64,
        #[arg(long, default_value_t = 4)]
        mailboxes: u64,
        /// Agents besides the owner, each permitted on every mailbox.
        #[arg(long, default_value_t = 20)]
        agents: u64,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Ingest {
            maildir,
            database_url,
            keep,
            machine,
        } => ingest::run(&maildir, database_url.as_deref(), keep, machine).await,
        Command::Search {
            database_url,
            limit,
            migrate,
            queries,
        } => search::run(&database_url, migrate, &queries, limit).await,
        Command::WorkspaceData {
            database_url,
            conversations,
            mailboxes,
            agents,
        } => {
            workspace_data::run(
                &database_url,
                &workspace_data::Options {
                    conversations,
                    mailboxes,
                    agents,
                },
            )
            .await
        }
    }
}
