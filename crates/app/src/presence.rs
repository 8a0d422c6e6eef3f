//! Collision detection and Users Online. Presence lives in the database so
//! agents on different nodes see each other; a row counts only while its
//! page keeps refreshing it.

use crate::actor::Actor;
use crate::error::AppError;
use crate::{App, AppResult, now_ms};
use ecp_domain::UserId;
use ecp_domain::conversation::ConversationId;
use ecp_store::presence;

pub use ecp_store::presence::{OnlineRecord, PresenceRecord};

/// A page pings about every 15 s; three missed pings and the person fades.
pub const PRESENCE_FRESH_MS: i64 = 45_000;
/// Users Online: someone who made a request in the last five minutes.
pub const ONLINE_WINDOW_MS: i64 = 5 * 60_000;
/// A user's last-seen time is written at most once per this period.
pub const SEEN_WRITE_EVERY_MS: i64 = 60_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PresenceState {
    Viewing,
    Replying,
}

impl PresenceState {
    pub fn parse(s: &str) -> AppResult<Self> {
        match s.trim() {
            "viewing" => Ok(PresenceState::Viewing),
            "replying" => Ok(PresenceState::Replying),
            _ => Err(AppError::invalid(
                "state",
                "State must be \"viewing\" or \"replying\".",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PresenceState::Viewing => "viewing",
            PresenceState::Replying => "replying",
        }
    }
}

/// Who else is on a conversation, and its newest message (a page compares
/// it with the one it showed to warn of a reply it has not seen).
#[derive(Debug, Clone)]
pub struct Presence {
    pub others: Vec<PresenceRecord>,
    pub last_message_id: Option<i64>,
}

impl App {
    /// Records that the actor is on the conversation now, and answers who
    /// else is.
    pub async fn ping_presence(
        &self,
        actor: &Actor,
        id: ConversationId,
        state: PresenceState,
    ) -> AppResult<Presence> {
        self.visible_conversation(actor, id).await?;
        {
            let mut c = self.db.begin().await?;
            presence::upsert(&mut c, actor.user_id, id, state.as_str(), now_ms()).await?;
            c.commit().await?;
        }
        self.presence(actor, id).await
    }

    /// Who else is viewing or replying to the conversation right now.
    pub async fn presence(&self, actor: &Actor, id: ConversationId) -> AppResult<Presence> {
        self.visible_conversation(actor, id).await?;
        let mut c = self.db.read().await?;
        let others = presence::list_for_conversation(&mut c, id, now_ms() - PRESENCE_FRESH_MS)
            .await?
            .into_iter()
            .filter(|p| p.user_id != actor.user_id)
            .collect();
        let last_message_id = presence::last_message_id(&mut c, id).await?;
        Ok(Presence {
            others,
            last_message_id,
        })
    }

    /// Notes a request by `user` (the session layer calls it; it throttles
    /// per node, this throttles in the database).
    pub async fn touch_user(&self, user: UserId) -> AppResult<()> {
        let now = now_ms();
        let mut c = self.db.begin().await?;
        presence::touch_user(&mut c, user, now, now - SEEN_WRITE_EVERY_MS).await?;
        c.commit().await?;
        Ok(())
    }

    /// The actor's account's users seen in the last five minutes.
    pub async fn users_online(&self, actor: &Actor) -> AppResult<Vec<OnlineRecord>> {
        let mut c = self.db.read().await?;
        Ok(presence::online(&mut c, actor.account_id, now_ms() - ONLINE_WINDOW_MS).await?)
    }
}
