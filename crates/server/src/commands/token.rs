use crate::failure::Failure;
use ecp_app::App;

/// Prints only the secret, so `TOKEN=$(ecp token create ...)` works.
pub async fn create(app: &App, email: &str, name: &str) -> Result<(), Failure> {
    let token = app.create_token_for_email(email, name).await?;
    println!("{}", token.secret);
    Ok(())
}
