//! Internal notes: anyone who may see a conversation's mailbox reads and
//! adds them. The body is rich text cleaned like a signature, so it is safe
//! to show as HTML; each note is recorded in Recent Actions.

use crate::activity::{self, ActivityScope};
use crate::actor::Actor;
use crate::error::AppError;
use crate::{App, AppResult, now_ms};
use ecp_domain::activity::Action;
use ecp_domain::conversation::ConversationId;
use ecp_mail::html::{sanitize_signature, to_plain_text};
use ecp_store::conversations::{self, ConversationRecord};
use ecp_store::notes;

pub use ecp_store::notes::NoteRecord;

/// Longest note accepted, in bytes of HTML as typed.
pub const MAX_NOTE_BYTES: usize = 64 * 1024;

impl App {
    /// The conversation if the actor may see its mailbox, else NotFound.
    pub(crate) async fn visible_conversation(
        &self,
        actor: &Actor,
        id: ConversationId,
    ) -> AppResult<ConversationRecord> {
        let conversation = {
            let mut c = self.db.read().await?;
            conversations::get_by_id(&mut c, id).await?
        }
        .filter(|c| c.account_id == actor.account_id)
        .ok_or(AppError::NotFound)?;
        self.mailbox(actor, conversation.mailbox_id).await?;
        Ok(conversation)
    }

    /// A conversation's notes, oldest first.
    pub async fn notes(&self, actor: &Actor, id: ConversationId) -> AppResult<Vec<NoteRecord>> {
        self.visible_conversation(actor, id).await?;
        let mut c = self.db.read().await?;
        Ok(notes::list_for_conversation(&mut c, id).await?)
    }

    /// Adds a note by the actor; refused when nothing readable is left
    /// after cleaning, or when it is too long.
    pub async fn add_note(
        &self,
        actor: &Actor,
        id: ConversationId,
        body_html: &str,
    ) -> AppResult<NoteRecord> {
        let conversation = self.visible_conversation(actor, id).await?;
        actor.require_writable()?;
        if body_html.len() > MAX_NOTE_BYTES {
            return Err(AppError::invalid(
                "body_html",
                format!(
                    "The note is too long: at most {} KB.",
                    MAX_NOTE_BYTES / 1024
                ),
            ));
        }
        let clean = sanitize_signature(body_html);
        if to_plain_text(&clean).trim().is_empty() {
            return Err(AppError::invalid(
                "body_html",
                "Write something in the note.",
            ));
        }
        let now = now_ms();
        let mut tx = self.db.begin().await?;
        let note_id = notes::insert(&mut tx, id, actor.user_id, &clean, now).await?;
        activity::record(
            &mut tx,
            ActivityScope::conversation(actor, conversation.mailbox_id, id),
            Action::NoteAdded,
            serde_json::json!({ "note_id": note_id }),
        )
        .await?;
        tx.commit().await?;
        let mut c = self.db.read().await?;
        notes::list_for_conversation(&mut c, id)
            .await?
            .into_iter()
            .find(|n| n.id == note_id)
            .ok_or_else(|| AppError::Internal("a note vanished right after it was added".into()))
    }
}
