//! One module per subcommand; each opens what it needs and prints its
//! result on stdout for scripts.

mod account;
mod import;
mod migrate;
mod token;

use crate::cli::{AccountCommand, Command, TokenCommand};
use crate::config::Config;
use crate::failure::Failure;
use crate::{serve, wiring};
use ecp_app::App;

pub async fn dispatch(command: Command, config: Config) -> Result<(), Failure> {
    match command {
        Command::Serve => serve::run(config).await,
        Command::Migrate => migrate::run(&config).await,
        Command::Account(AccountCommand::Create(args)) => {
            with_app(
                &config,
                |app| async move { account::create(&app, &args).await },
            )
            .await
        }
        Command::Account(AccountCommand::Options(args)) => {
            with_app(
                &config,
                |app| async move { account::options(&app, &args).await },
            )
            .await
        }
        Command::Import(args) => {
            with_app(&config, |app| async move { import::run(&app, &args).await }).await
        }
        Command::Token(TokenCommand::Create { email, name }) => {
            with_app(&config, |app| async move {
                token::create(&app, &email, &name).await
            })
            .await
        }
    }
}

/// Runs `f` with the app on a migrated database, and closes the pool
/// whatever `f` answers (SQLite checkpoints its WAL on close).
async fn with_app<F, Fut>(config: &Config, f: F) -> Result<(), Failure>
where
    F: FnOnce(App) -> Fut,
    Fut: Future<Output = Result<(), Failure>>,
{
    let db = wiring::open_database(config).await?;
    let app_config = match wiring::app_config(config) {
        Ok(c) => c,
        Err(e) => {
            db.close().await;
            return Err(e);
        }
    };
    let app = App::new(db.clone(), app_config);
    let outcome = f(app).await;
    db.close().await;
    outcome
}
