//! Adding an internal note from the conversation page.

use crate::auth::{CsrfForm, CurrentUser};
use crate::error::PageError;
use crate::state::AppState;
use crate::ui::conversations::{ReplyForm, conversation_page};
use crate::ui::form::{FieldErrors, FormError};
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use ecp_domain::conversation::ConversationId;
use serde::Deserialize;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/conversations/{id}/notes", post(add))
}

#[derive(Deserialize)]
struct NoteForm {
    #[serde(default)]
    note_html: String,
}

async fn add(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<NoteForm>,
) -> Result<Response, PageError> {
    let id = ConversationId(id);
    match s.app.add_note(&user.actor, id, &f.note_html).await {
        Ok(note) => {
            Ok(Redirect::to(&format!("/conversations/{}#note-{}", id.0, note.id)).into_response())
        }
        Err(e) => {
            let e = FormError::from_app(e, &[("body_html", "note_html")])?;
            let mut fields = e.fields;
            if let Some(m) = e.message {
                fields = FieldErrors::one("note_html", m);
            }
            let mut page =
                conversation_page(&s, &user, id, ReplyForm::default(), fields, None).await?;
            page.keep_note(f.note_html);
            Ok((e.status, page).into_response())
        }
    }
}
