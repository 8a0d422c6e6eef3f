//! The command line. Settings live in the config file and `ECP_*`
//! variables (see config.rs); flags here only say what to do.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "ecp",
    version,
    about = "Email Center Pro: a shared-inbox email help desk",
    long_about = "Email Center Pro: a shared-inbox email help desk.\n\n\
        Runs with zero configuration (SQLite in ./data, web on 127.0.0.1:8080). \
        Settings come from an optional TOML file (--config) and ECP_* environment \
        variables, which win over the file."
)]
pub struct Cli {
    /// TOML configuration file; environment variables override its values.
    #[arg(long, global = true, env = "ECP_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web UI and the API until SIGTERM or Ctrl-C (migrates first).
    Serve,
    /// Bring the database schema up to date, then exit.
    Migrate,
    /// Create accounts and change their options, as the operator.
    #[command(subcommand)]
    Account(AccountCommand),
    /// Issue API tokens, as the operator.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Import an mbox file or a Maildir (or a folder of .eml files) into a
    /// mailbox. Safe to run again: what was imported is not imported twice.
    Import(ImportArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The mailbox's id (Account & Tools -> Mailboxes, or GET /api/v1/mailboxes).
    #[arg(long, value_name = "ID")]
    pub mailbox: i64,
    /// An mbox file, a Maildir, or a folder of message files.
    pub path: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Create an account and its owner; reads the owner's password from
    /// standard input (one line) and prints the new account's id.
    Create(CreateAccount),
    /// Change Account Options; prints the options as they are afterwards.
    Options(AccountOptions),
}

#[derive(Debug, Args)]
pub struct CreateAccount {
    /// Account (company or team) name.
    #[arg(long)]
    pub name: String,
    #[arg(long, value_name = "EMAIL")]
    pub owner_email: String,
    #[arg(long, value_name = "NAME")]
    pub owner_name: String,
    #[arg(long, value_enum, default_value_t = PlanArg::Free)]
    pub plan: PlanArg,
    /// IANA time zone used for every time and day-based metric.
    #[arg(long, value_name = "ZONE", default_value = "America/Los_Angeles")]
    pub time_zone: String,
    /// Name of a first mailbox to create with the account.
    #[arg(long, requires = "mailbox_address")]
    pub mailbox_name: Option<String>,
    /// Direct address of that first mailbox.
    #[arg(long, requires = "mailbox_name", value_name = "EMAIL")]
    pub mailbox_address: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PlanArg {
    Free,
    Standard,
    Premium,
}

impl PlanArg {
    pub fn as_str(self) -> &'static str {
        match self {
            PlanArg::Free => "free",
            PlanArg::Standard => "standard",
            PlanArg::Premium => "premium",
        }
    }
}

#[derive(Debug, Args)]
pub struct AccountOptions {
    /// The account's id, as `ecp account create` printed it.
    #[arg(long, value_name = "ID")]
    pub account: i64,
    /// Token-authenticated REST API (paid plans only).
    #[arg(long, value_enum)]
    pub api: Option<Switch>,
    /// Per-user secret RSS feed URLs.
    #[arg(long, value_enum)]
    pub rss: Option<Switch>,
    /// Require TLS for the account's mail transmissions.
    #[arg(long, value_enum)]
    pub ssl: Option<Switch>,
    /// Assign new messages to whoever sent the latest reply.
    #[arg(long, value_enum)]
    pub maintain_assignments: Option<Switch>,
    /// Only administrators customize dashboards.
    #[arg(long, value_enum)]
    pub admin_only_dashboards: Option<Switch>,
    /// Lower sends more mail to Spam.
    #[arg(long, value_name = "N")]
    pub spam_threshold: Option<i64>,
    /// IANA time zone, e.g. Europe/Berlin.
    #[arg(long, value_name = "ZONE")]
    pub time_zone: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Switch {
    On,
    Off,
}

impl Switch {
    pub fn is_on(self) -> bool {
        self == Switch::On
    }
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token for the active user with this email address and
    /// print it (it is shown only this once).
    Create {
        #[arg(long, value_name = "EMAIL")]
        email: String,
        /// A label to recognize the token by in Preferences.
        #[arg(long, default_value = "Command line")]
        name: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
