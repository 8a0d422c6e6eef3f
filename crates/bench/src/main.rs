//! `ecp-bench`: benchmarks that print figures. Speed is checked here, by
//! reading numbers, never by timed tests.
//!
//! `ecp-bench ingest --maildir DIR [--database-url URL]` imports a Maildir
//! into a fresh database with the product's own import (durable settings:
//! SQLite in WAL with synchronous=FULL, one commit per batch) and prints
//! messages, seconds, messages per second and the peak resident memory.

mod ingest;
mod proc_stats;

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
    }
}
