//! Personal API tokens, created and revoked in Preferences, the API, or by
//! the operator's CLI.

use crate::actor::Actor;
use crate::error::AppError;
use crate::secrets::{hash_token, random_token};
use crate::{App, AppResult, now_ms};
use ecp_domain::{ApiTokenId, EmailAddress, TokenName, UserId};
use ecp_store::{api_tokens, users};

pub use ecp_store::api_tokens::ApiTokenRecord;

/// A token just created: the secret is shown this once.
#[derive(Debug, Clone)]
pub struct CreatedToken {
    pub id: ApiTokenId,
    pub name: String,
    pub secret: String,
}

/// Tokens start with a fixed marker so secret scanners can spot a leaked one.
const PREFIX: &str = "ecp_";
const MAX_TOKENS_PER_USER: usize = 50;

impl App {
    pub async fn create_token(&self, actor: &Actor, name: &str) -> AppResult<CreatedToken> {
        actor.require_writable()?;
        let name = TokenName::parse(name)?;
        self.issue_token(actor.user_id, name).await
    }

    /// For the operator's CLI: a token for the user with this email.
    pub async fn create_token_for_email(&self, email: &str, name: &str) -> AppResult<CreatedToken> {
        let email = EmailAddress::parse(email)?;
        let name = TokenName::parse(name)?;
        let user = {
            let mut c = self.db.read().await?;
            users::find_for_login(&mut c, &email).await?
        };
        let Some((user, _)) = user.filter(|(u, _)| u.active) else {
            return Err(AppError::invalid(
                "email",
                format!("No active user has the address {email}."),
            ));
        };
        self.issue_token(user.id, name).await
    }

    async fn issue_token(&self, user: UserId, name: TokenName) -> AppResult<CreatedToken> {
        let secret = format!("{PREFIX}{}", random_token());
        let visible: String = secret.chars().take(PREFIX.len() + 6).collect();
        let mut tx = self.db.begin().await?;
        if api_tokens::list_active_for_user(&mut tx, user).await?.len() >= MAX_TOKENS_PER_USER {
            return Err(AppError::Conflict(format!(
                "You already have {MAX_TOKENS_PER_USER} API tokens: revoke one you no longer use first."
            )));
        }
        let id = api_tokens::insert(
            &mut tx,
            user,
            name.as_str(),
            &hash_token(&secret),
            &visible,
            now_ms(),
        )
        .await?;
        tx.commit().await?;
        Ok(CreatedToken {
            id,
            name: name.into_string(),
            secret,
        })
    }

    pub async fn list_tokens(&self, actor: &Actor) -> AppResult<Vec<ApiTokenRecord>> {
        let mut c = self.db.read().await?;
        Ok(api_tokens::list_active_for_user(&mut c, actor.user_id).await?)
    }

    pub async fn revoke_token(&self, actor: &Actor, id: ApiTokenId) -> AppResult<()> {
        let mut c = self.db.read().await?;
        if api_tokens::revoke(&mut c, actor.user_id, id, now_ms()).await? {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }
}
