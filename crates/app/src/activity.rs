//! Recent Actions: recording a change in the transaction that makes it,
//! and reading them back through the mailbox permission policy.

use crate::actor::Actor;
use crate::{App, AppResult, now_ms};
use ecp_domain::activity::Action;
use ecp_domain::conversation::ConversationId;
use ecp_domain::{AccountId, MailboxId, permission};
use ecp_store::Conn;
use ecp_store::activity::{self, NewActivity};

pub use ecp_store::activity::ActivityRecord;

/// Largest page of Recent Actions, whatever is asked.
pub const MAX_ACTIVITY_PAGE: i64 = 200;

/// Where an action happened; `user` None is the system (a rule, a worker).
#[derive(Debug, Clone, Copy)]
pub struct ActivityScope {
    pub account: AccountId,
    pub mailbox: Option<MailboxId>,
    pub conversation: Option<ConversationId>,
    pub user: Option<ecp_domain::UserId>,
}

impl ActivityScope {
    /// An actor's action on a conversation in a mailbox.
    pub fn conversation(actor: &Actor, mailbox: MailboxId, conversation: ConversationId) -> Self {
        ActivityScope {
            account: actor.account_id,
            mailbox: Some(mailbox),
            conversation: Some(conversation),
            user: Some(actor.user_id),
        }
    }
}

/// Records `action` on `conn`: call it inside the transaction that makes
/// the change, so the record and the change land together or not at all.
/// `detail` is a JSON object (`serde_json::json!({...})`).
pub async fn record(
    conn: &mut Conn,
    scope: ActivityScope,
    action: Action,
    detail: serde_json::Value,
) -> AppResult<()> {
    let detail = if detail.is_null() {
        "{}".to_string()
    } else {
        detail.to_string()
    };
    activity::record(
        conn,
        &NewActivity {
            account_id: scope.account,
            mailbox_id: scope.mailbox.map(|m| m.0),
            conversation_id: scope.conversation.map(|c| c.0),
            user_id: scope.user.map(|u| u.0),
            action: action.as_str(),
            detail: &detail,
            at: now_ms(),
        },
    )
    .await?;
    Ok(())
}

impl App {
    /// The account's Recent Actions the actor may see (account-wide ones and
    /// those of their mailboxes), newest first, older than `before`.
    pub async fn recent_actions(
        &self,
        actor: &Actor,
        before: Option<i64>,
        limit: i64,
    ) -> AppResult<Vec<ActivityRecord>> {
        let all = permission::can_see_mailbox(actor.role, actor.plan, false);
        let visible: Vec<i64> = if all {
            Vec::new()
        } else {
            self.visible_mailboxes(actor)
                .await?
                .iter()
                .map(|m| m.id.0)
                .collect()
        };
        let mut c = self.db.read().await?;
        Ok(activity::list_for_account(
            &mut c,
            actor.account_id,
            all,
            &visible,
            before,
            limit.clamp(1, MAX_ACTIVITY_PAGE),
        )
        .await?)
    }

    /// One conversation's actions, oldest first (NotFound if the actor may
    /// not see it).
    pub async fn conversation_actions(
        &self,
        actor: &Actor,
        id: ConversationId,
    ) -> AppResult<Vec<ActivityRecord>> {
        self.visible_conversation(actor, id).await?;
        let mut c = self.db.read().await?;
        Ok(activity::list_for_conversation(&mut c, id.0).await?)
    }
}
