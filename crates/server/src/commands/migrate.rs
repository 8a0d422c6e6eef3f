use crate::config::{Config, redact};
use crate::failure::Failure;
use crate::wiring;

/// Opening the database migrates it; this command stops there.
pub async fn run(config: &Config) -> Result<(), Failure> {
    let db = wiring::open_database(config).await?;
    db.close().await;
    println!(
        "The database {} is up to date.",
        redact(&config.database_url)
    );
    Ok(())
}
