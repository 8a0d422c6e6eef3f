//! Personal choices in Preferences beyond name, password and signature:
//! the "assigned to you" email and the personal RSS token (the secret is
//! shown once; only its hash is stored, like API tokens).

use crate::actor::Actor;
use crate::error::AppError;
use crate::secrets::{hash_token, random_token};
use crate::{App, AppResult};
use ecp_store::user_preferences;

pub use ecp_store::user_preferences::UserPreferences;

/// RSS tokens start with their own marker, so a leaked one is recognised
/// and never mistaken for an API token.
const RSS_PREFIX: &str = "ecprss_";

impl App {
    pub async fn preferences(&self, actor: &Actor) -> AppResult<UserPreferences> {
        let mut c = self.db.read().await?;
        user_preferences::get(&mut c, actor.user_id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// "Email me when a conversation is assigned to me".
    pub async fn set_notify_assigned(&self, actor: &Actor, on: bool) -> AppResult<()> {
        actor.require_writable()?;
        let mut c = self.db.read().await?;
        user_preferences::set_notify_assigned(&mut c, actor.user_id, on).await?;
        Ok(())
    }

    /// Makes a new RSS token (the old one stops working) and returns the
    /// secret, which is not stored and can't be shown again.
    pub async fn regenerate_rss_token(&self, actor: &Actor) -> AppResult<String> {
        actor.require_writable()?;
        let secret = format!("{RSS_PREFIX}{}", random_token());
        let mut c = self.db.read().await?;
        user_preferences::set_rss_token_hash(&mut c, actor.user_id, Some(&hash_token(&secret)))
            .await?;
        Ok(secret)
    }

    /// Revokes the RSS token: feed URLs holding it stop working.
    pub async fn revoke_rss_token(&self, actor: &Actor) -> AppResult<()> {
        actor.require_writable()?;
        let mut c = self.db.read().await?;
        user_preferences::set_rss_token_hash(&mut c, actor.user_id, None).await?;
        Ok(())
    }

    /// The actor an RSS feed URL's token stands for (for the feed, which
    /// applies the same mailbox permissions). Unauthenticated for an
    /// unknown or revoked token or a deactivated user.
    pub async fn user_by_rss_token(&self, token: &str) -> AppResult<Actor> {
        let bad = || AppError::Unauthenticated("This feed address is not valid (any more).".into());
        let token = token.trim();
        if !token.starts_with(RSS_PREFIX) {
            return Err(bad());
        }
        let user = {
            let mut c = self.db.read().await?;
            user_preferences::user_by_rss_hash(&mut c, &hash_token(token)).await?
        }
        .ok_or_else(bad)?;
        self.actor(user).await.map_err(|_| bad())
    }
}
