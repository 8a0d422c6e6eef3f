//! Logs go to stderr so that stdout carries only what a command prints for
//! scripts (an id, a token, the URL to open).

use crate::config::{LogConfig, LogFormat};
use crate::failure::Failure;
use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

/// `serving` picks the default verbosity: a server reports its progress,
/// a one-shot command stays quiet unless something goes wrong.
pub fn init(config: &LogConfig, serving: bool) -> Result<(), Failure> {
    let default = if serving { "info,sqlx=warn" } else { "warn" };
    let directives = config.filter.as_deref().unwrap_or(default);
    let filter = EnvFilter::builder()
        .parse(directives)
        .map_err(|e| Failure::config(format!("log filter {directives:?}: {e}")))?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour codes only help a person at a terminal; in a file or a
        // journal they are noise.
        .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none());
    // Only fails if a subscriber is already installed, which main never does.
    let _ = match config.format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
    Ok(())
}
