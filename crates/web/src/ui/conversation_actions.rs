//! The conversation page's side panel: assignee, status, tags, move,
//! merge, mark unread and the conversation's Recent Actions. Each action
//! is a small form that answers with a redirect back to the conversation.

use crate::auth::{CsrfForm, CurrentUser};
use crate::error::PageError;
use crate::state::AppState;
use crate::ui::activity::{ActionLine, line};
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Redirect;
use axum::routing::post;
use ecp_app::conversation_actions::Assignee;
use ecp_app::conversations::ConversationRecord;
use ecp_domain::conversation::{ConversationId, Status};
use ecp_domain::{MailboxId, UserId};
use serde::Deserialize;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/conversations/{id}/assign", post(assign))
        .route("/conversations/{id}/status", post(status))
        .route("/conversations/{id}/tags", post(add_tag))
        .route("/conversations/{id}/tags/remove", post(remove_tag))
        .route("/conversations/{id}/move", post(move_to))
        .route("/conversations/{id}/merge", post(merge))
        .route("/conversations/{id}/unread", post(unread))
}

pub(crate) struct MailboxOption {
    pub id: i64,
    pub name: String,
}

pub(crate) struct Panel {
    pub id: i64,
    pub status: &'static str,
    pub assignee: i64,
    pub assignees: Vec<Assignee>,
    pub tags: Vec<String>,
    pub mailbox: i64,
    pub mailboxes: Vec<MailboxOption>,
    pub actions: Vec<ActionLine>,
}

pub(crate) async fn panel(
    s: &AppState,
    user: &CurrentUser,
    c: &ConversationRecord,
) -> Result<Panel, PageError> {
    let tz = s.app.account(&user.actor).await?.options.time_zone;
    let actions = s.app.conversation_actions(&user.actor, c.id).await?;
    Ok(Panel {
        id: c.id.0,
        status: c.status.as_str(),
        assignee: c.assignee_id.map_or(0, |u| u.0),
        assignees: s.app.assignees(&user.actor, c.mailbox_id).await?,
        tags: s.app.conversation_tags(&user.actor, c.id).await?,
        mailbox: c.mailbox_id.0,
        mailboxes: s
            .app
            .visible_mailboxes(&user.actor)
            .await?
            .into_iter()
            .map(|m| MailboxOption {
                id: m.id.0,
                name: m.name,
            })
            .collect(),
        actions: actions.iter().rev().map(|a| line(a, &tz)).collect(),
    })
}

fn back(id: i64) -> Redirect {
    Redirect::to(&format!("/conversations/{id}"))
}

fn number(field: &str, s: &str) -> Result<i64, PageError> {
    s.trim()
        .trim_start_matches('#')
        .parse()
        .map_err(|_| PageError::bad_request(&format!("{field} must be a number.")))
}

#[derive(Deserialize)]
struct AssignForm {
    #[serde(default)]
    assignee: String,
}

async fn assign(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<AssignForm>,
) -> Result<Redirect, PageError> {
    let to = match f.assignee.trim() {
        "" | "0" => None,
        other => Some(UserId(number("The assignee", other)?)),
    };
    s.app.assign(&user.actor, ConversationId(id), to).await?;
    Ok(back(id))
}

#[derive(Deserialize)]
struct StatusForm {
    #[serde(default)]
    status: String,
}

async fn status(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<StatusForm>,
) -> Result<Redirect, PageError> {
    let status = Status::parse(&f.status).map_err(|e| PageError::bad_request(&e.message))?;
    s.app
        .set_status(&user.actor, ConversationId(id), status)
        .await?;
    Ok(back(id))
}

#[derive(Deserialize)]
struct TagForm {
    #[serde(default)]
    tag: String,
}

async fn add_tag(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<TagForm>,
) -> Result<Redirect, PageError> {
    s.app
        .add_tag(&user.actor, ConversationId(id), &f.tag)
        .await?;
    Ok(back(id))
}

async fn remove_tag(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<TagForm>,
) -> Result<Redirect, PageError> {
    s.app
        .remove_tag(&user.actor, ConversationId(id), &f.tag)
        .await?;
    Ok(back(id))
}

#[derive(Deserialize)]
struct MoveForm {
    #[serde(default)]
    mailbox: String,
}

async fn move_to(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<MoveForm>,
) -> Result<Redirect, PageError> {
    let to = MailboxId(number("The mailbox", &f.mailbox)?);
    s.app
        .move_conversation(&user.actor, ConversationId(id), to)
        .await?;
    Ok(back(id))
}

#[derive(Deserialize)]
struct MergeForm {
    #[serde(default)]
    other: String,
}

async fn merge(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<MergeForm>,
) -> Result<Redirect, PageError> {
    let other = ConversationId(number("The conversation number", &f.other)?);
    s.app.merge(&user.actor, ConversationId(id), other).await?;
    Ok(back(id))
}

#[derive(Deserialize)]
struct Empty {}

async fn unread(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Redirect, PageError> {
    let c = s.app.conversation(&user.actor, ConversationId(id)).await?;
    s.app.mark_unread(&user.actor, ConversationId(id)).await?;
    // Back to the list, or opening the conversation would read it again.
    Ok(Redirect::to(&format!(
        "/mailboxes/{}",
        c.conversation.mailbox_id.0
    )))
}
