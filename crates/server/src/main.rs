//! `ecp`: the one binary of Email Center Pro. It reads the configuration,
//! then either serves everything or runs one operator command.

mod cli;
mod commands;
mod config;
mod failure;
mod logging;
mod serve;
mod smtp_listener;
mod tls;
mod wiring;

use clap::Parser;
use cli::{Cli, Command};
use failure::Failure;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("ecp: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

fn run(cli: Cli) -> Result<(), Failure> {
    let config = config::load(cli.config.as_deref(), &|key| std::env::var(key).ok())?;
    logging::init(&config.log, matches!(cli.command, Command::Serve))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::failed(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(commands::dispatch(cli.command, config))
}
