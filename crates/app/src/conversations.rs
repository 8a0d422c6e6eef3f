//! Reading conversations: lists per mailbox and a conversation with its
//! messages, always through the mailbox permission policy (404 otherwise).

use crate::actor::Actor;
use crate::error::AppError;
use crate::{App, AppResult};
use ecp_domain::MailboxId;
use ecp_domain::conversation::{ConversationId, Status};
use ecp_store::{blobs, conversations, messages, raw_messages};

pub use ecp_store::conversations::ConversationRecord;
pub use ecp_store::messages::{AttachmentRecord, MessageRecord};

/// Largest page a list returns, whatever is asked.
pub const MAX_PAGE: i64 = 200;

#[derive(Debug, Clone)]
pub struct ConversationPage {
    pub conversations: Vec<ConversationRecord>,
    /// Pass back as `before` for the next page; None on the last page.
    pub next: Option<(i64, i64)>,
}

#[derive(Debug, Clone)]
pub struct ConversationView {
    pub conversation: ConversationRecord,
    pub messages: Vec<MessageRecord>,
    pub attachments: Vec<AttachmentRecord>,
}

/// Bytes to download with what the browser needs to save them safely.
#[derive(Debug, Clone)]
pub struct Download {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl App {
    pub async fn list_conversations(
        &self,
        actor: &Actor,
        mailbox: MailboxId,
        status: Option<&str>,
        before: Option<(i64, i64)>,
        limit: i64,
    ) -> AppResult<ConversationPage> {
        self.mailbox(actor, mailbox).await?;
        let status = match status.filter(|s| !s.is_empty()) {
            Some(s) => Some(Status::parse(s)?),
            None => None,
        };
        let limit = limit.clamp(1, MAX_PAGE);
        let mut c = self.db.read().await?;
        let mut list =
            conversations::list_for_mailbox(&mut c, mailbox, status, before, limit + 1).await?;
        let next = if list.len() as i64 > limit {
            list.truncate(limit as usize);
            list.last().map(|l| (l.last_message_at, l.id.0))
        } else {
            None
        };
        Ok(ConversationPage {
            conversations: list,
            next,
        })
    }

    /// A conversation the actor may see (its mailbox decides), or NotFound.
    pub async fn conversation(
        &self,
        actor: &Actor,
        id: ConversationId,
    ) -> AppResult<ConversationView> {
        let conversation = self.visible_conversation(actor, id).await?;
        let mut c = self.db.read().await?;
        let messages = messages::list_for_conversation(&mut c, id).await?;
        let attachments = messages::attachments_for_conversation(&mut c, id).await?;
        Ok(ConversationView {
            conversation,
            messages,
            attachments,
        })
    }

    /// The message exactly as received (for "show original").
    pub async fn raw_source(
        &self,
        actor: &Actor,
        conversation: ConversationId,
        message: i64,
    ) -> AppResult<Download> {
        let view = self.conversation(actor, conversation).await?;
        let raw_id = view
            .messages
            .iter()
            .find(|m| m.id == message)
            .and_then(|m| m.raw_id)
            .ok_or(AppError::NotFound)?;
        let mut c = self.db.read().await?;
        let raw = raw_messages::get_by_id(&mut c, raw_messages::RawId(raw_id))
            .await?
            .ok_or(AppError::NotFound)?;
        let bytes = blobs::get(&mut c, &raw.blob_sha256)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(Download {
            filename: format!("message-{message}.eml"),
            content_type: "message/rfc822".into(),
            bytes,
        })
    }

    pub async fn attachment(
        &self,
        actor: &Actor,
        conversation: ConversationId,
        attachment: i64,
    ) -> AppResult<Download> {
        let view = self.conversation(actor, conversation).await?;
        let a = view
            .attachments
            .into_iter()
            .find(|a| a.id == attachment)
            .ok_or(AppError::NotFound)?;
        let mut c = self.db.read().await?;
        let bytes = blobs::get(&mut c, &a.blob_sha256)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(Download {
            filename: a.filename,
            content_type: a.content_type,
            bytes,
        })
    }
}

impl App {
    /// The original of a message, found by the message alone (for the API).
    pub async fn raw_source_of_message(&self, actor: &Actor, message: i64) -> AppResult<Download> {
        let conversation = {
            let mut c = self.db.read().await?;
            messages::conversation_of(&mut c, message).await?
        }
        .ok_or(AppError::NotFound)?;
        self.raw_source(actor, conversation, message).await
    }

    /// An attachment found by its id alone (for the API).
    pub async fn attachment_by_id(&self, actor: &Actor, attachment: i64) -> AppResult<Download> {
        let conversation = {
            let mut c = self.db.read().await?;
            messages::conversation_of_attachment(&mut c, attachment).await?
        }
        .ok_or(AppError::NotFound)?;
        self.attachment(actor, conversation, attachment).await
    }
}
