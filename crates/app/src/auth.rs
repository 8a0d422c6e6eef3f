//! Signing in and out, browser sessions, API tokens, invite links, and the
//! limit on failed sign-ins.

use crate::actor::Actor;
use crate::error::AppError;
use crate::secrets::{hash_token, random_token};
use crate::{App, AppResult, now_ms, passwords};
use ecp_domain::options::api_access;
use ecp_domain::{EmailAddress, NewPassword, UserId};
use ecp_store::{accounts, api_tokens, invites, login_failures, sessions, users};

/// Failed sign-ins allowed per address, and per client address, in the window.
const MAX_FAILURES_PER_EMAIL: i64 = 5;
const MAX_FAILURES_PER_IP: i64 = 30;
const FAILURE_WINDOW_MS: i64 = 15 * 60 * 1000;
/// Sessions are extended at most this often, so reads don't all write.
const TOUCH_EVERY_MS: i64 = 5 * 60 * 1000;

/// A new browser session: the cookie value and its CSRF token.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub user_id: UserId,
}

/// A live session, resolved from its cookie.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub actor: Actor,
    pub csrf_token: String,
}

impl App {
    /// Checks the password and opens a session. `client` is the peer
    /// address, used only for the failure limit.
    pub async fn login(&self, email: &str, password: &str, client: &str) -> AppResult<NewSession> {
        let wrong =
            || AppError::Unauthenticated("The email address or password is not correct.".into());
        let now = now_ms();
        let since = now - FAILURE_WINDOW_MS;
        let email_key = format!("email:{}", email.trim().to_lowercase());
        let ip_key = format!("ip:{client}");
        {
            let mut c = self.db.read().await?;
            for (key, max) in [
                (&email_key, MAX_FAILURES_PER_EMAIL),
                (&ip_key, MAX_FAILURES_PER_IP),
            ] {
                let (count, oldest) = login_failures::recent(&mut c, key, since).await?;
                if count >= max {
                    let free_at = oldest.unwrap_or(now) + FAILURE_WINDOW_MS;
                    return Err(AppError::TooManyAttempts {
                        retry_after_minutes: ((free_at - now) / 60_000).max(1),
                    });
                }
            }
        }
        let found = match EmailAddress::parse(email) {
            Ok(addr) => {
                let mut c = self.db.read().await?;
                users::find_for_login(&mut c, &addr).await?
            }
            Err(_) => None,
        };
        let ok = match &found {
            Some((_, Some(hash))) => passwords::verify(password.to_string(), hash.clone()).await?,
            // Same work as a real check, so timing does not tell which
            // addresses exist.
            _ => {
                passwords::hash(password.to_string()).await?;
                false
            }
        };
        let user = match found {
            Some((user, _)) if ok => user,
            _ => {
                let mut tx = self.db.begin().await?;
                login_failures::record(&mut tx, &email_key, now).await?;
                login_failures::record(&mut tx, &ip_key, now).await?;
                login_failures::prune(&mut tx, since - FAILURE_WINDOW_MS).await?;
                tx.commit().await?;
                return Err(wrong());
            }
        };
        if !user.active {
            return Err(AppError::Unauthenticated(
                "This user has been deactivated. Ask an administrator of your account to reactivate you.".into(),
            ));
        }
        let mut tx = self.db.begin().await?;
        login_failures::clear(&mut tx, &email_key).await?;
        let session = self.open_session(&mut tx, user.id, now).await?;
        tx.commit().await?;
        Ok(session)
    }

    async fn open_session(
        &self,
        conn: &mut ecp_store::Conn,
        user: UserId,
        now: i64,
    ) -> AppResult<NewSession> {
        let token = random_token();
        let csrf_token = random_token();
        sessions::insert(
            conn,
            &hash_token(&token),
            user,
            &csrf_token,
            now,
            now + self.config.session_ttl_ms,
        )
        .await?;
        Ok(NewSession {
            token,
            csrf_token,
            user_id: user,
        })
    }

    /// Resolves a session cookie; `None` when it is unknown or expired.
    pub async fn session(&self, token: &str) -> AppResult<Option<SessionInfo>> {
        let hash = hash_token(token);
        let now = now_ms();
        let record = {
            let mut c = self.db.read().await?;
            sessions::find(&mut c, &hash).await?
        };
        let Some(record) = record else {
            return Ok(None);
        };
        if record.expires_at < now {
            let mut c = self.db.read().await?;
            sessions::delete(&mut c, &hash).await?;
            return Ok(None);
        }
        let actor = match self.actor(record.user_id).await {
            Ok(a) => a,
            Err(AppError::Unauthenticated(_)) => return Ok(None),
            Err(e) => return Err(e),
        };
        if now - record.last_seen_at > TOUCH_EVERY_MS {
            let mut c = self.db.read().await?;
            sessions::touch(&mut c, &hash, now, now + self.config.session_ttl_ms).await?;
        }
        Ok(Some(SessionInfo {
            actor,
            csrf_token: record.csrf_token,
        }))
    }

    pub async fn logout(&self, token: &str) -> AppResult<()> {
        let mut c = self.db.read().await?;
        sessions::delete(&mut c, &hash_token(token)).await?;
        Ok(())
    }

    /// Resolves a bearer token, and refuses when the plan or the account's
    /// "Enable API" option forbids the API.
    pub async fn api_actor(&self, token: &str) -> AppResult<Actor> {
        let bad =
            || AppError::Unauthenticated("The API token is missing, unknown or revoked.".into());
        let found = {
            let mut c = self.db.read().await?;
            api_tokens::find_active(&mut c, &hash_token(token)).await?
        };
        let (token_id, user) = found.ok_or_else(bad)?;
        let actor = match self.actor(user).await {
            Ok(a) => a,
            Err(AppError::Unauthenticated(_)) => return Err(bad()),
            Err(e) => return Err(e),
        };
        let mut c = self.db.read().await?;
        let account = accounts::get_by_id(&mut c, actor.account_id)
            .await?
            .ok_or(AppError::NotFound)?;
        api_access(account.plan, &account.options).map_err(AppError::Forbidden)?;
        api_tokens::touch(&mut c, token_id, now_ms()).await?;
        Ok(actor)
    }

    /// Changes one's own password after checking the current one; the
    /// user's other sessions (other devices) are signed out.
    pub async fn change_password(
        &self,
        actor: &Actor,
        current: &str,
        new: &str,
        keep_session: Option<&str>,
    ) -> AppResult<()> {
        let new = NewPassword::parse(new)?;
        let stored = {
            let mut c = self.db.read().await?;
            users::password_hash(&mut c, actor.user_id).await?
        };
        let ok = match stored {
            Some(h) => passwords::verify(current.to_string(), h).await?,
            None => false,
        };
        if !ok {
            return Err(AppError::invalid(
                "current_password",
                "The current password is not correct.",
            ));
        }
        let hash = passwords::hash(new.expose().to_string()).await?;
        let keep = keep_session.map(hash_token);
        let mut tx = self.db.begin().await?;
        users::set_password_hash(&mut tx, actor.user_id, &hash).await?;
        sessions::delete_for_user(&mut tx, actor.user_id, keep.as_deref()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The user an invite link belongs to (name and email, to greet them),
    /// or NotFound when it is unknown, used or expired.
    pub async fn invite_user(&self, token: &str) -> AppResult<users::UserRecord> {
        let mut c = self.db.read().await?;
        let user = invites::find_valid(&mut c, &hash_token(token), now_ms())
            .await?
            .ok_or(AppError::NotFound)?;
        users::get_by_id(&mut c, user)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// Sets the password of an invited user and signs them in.
    pub async fn accept_invite(&self, token: &str, password: &str) -> AppResult<NewSession> {
        let password = NewPassword::parse(password)?;
        let user = self.invite_user(token).await?;
        if !user.active {
            return Err(AppError::NotFound);
        }
        let hash = passwords::hash(password.expose().to_string()).await?;
        let now = now_ms();
        let mut tx = self.db.begin().await?;
        if !invites::mark_used(&mut tx, &hash_token(token), now).await? {
            return Err(AppError::NotFound);
        }
        users::set_password_hash(&mut tx, user.id, &hash).await?;
        let session = self.open_session(&mut tx, user.id, now).await?;
        tx.commit().await?;
        Ok(session)
    }
}
