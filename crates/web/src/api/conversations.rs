//! Conversations: a mailbox's list (keyset-paged), one conversation with
//! its messages, and the original of a message or an attachment as bytes.
//! Everything answers 404 when the conversation's mailbox is not visible.

use crate::api::shared::{AuthErrors, time};
use crate::api::{ApiId, ApiUser};
use crate::error::{ApiError, ApiErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use axum::response::Response;
use ecp_app::conversations::{AttachmentRecord, ConversationRecord, MessageRecord};
use ecp_domain::MailboxId;
use ecp_domain::conversation::ConversationId;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_conversations))
        .routes(routes!(get_conversation))
        .routes(routes!(message_source))
        .routes(routes!(attachment))
}

#[derive(Serialize, ToSchema)]
pub(crate) struct Conversation {
    pub id: i64,
    pub mailbox_id: i64,
    pub subject: String,
    /// open, pending, closed or spam
    pub status: String,
    pub assignee_id: Option<i64>,
    pub customer_email: String,
    pub customer_name: String,
    pub message_count: i64,
    /// Spam points (the account's threshold decides).
    pub spam_score: f64,
    pub spam_reasons: String,
    /// The message could not be read as email; its original is kept.
    pub unreadable: bool,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub last_message_at: String,
}

impl From<&ConversationRecord> for Conversation {
    fn from(c: &ConversationRecord) -> Self {
        Self {
            id: c.id.0,
            mailbox_id: c.mailbox_id.0,
            subject: c.subject.clone(),
            status: c.status.as_str().into(),
            assignee_id: c.assignee_id.map(|u| u.0),
            customer_email: c.customer_email.clone(),
            customer_name: c.customer_name.clone(),
            message_count: c.message_count,
            spam_score: c.spam_score_milli as f64 / 1000.0,
            spam_reasons: c.spam_reasons.clone(),
            unreadable: c.unparseable,
            created_at: time(c.created_at),
            last_message_at: time(c.last_message_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub(crate) struct ConversationPage {
    pub conversations: Vec<Conversation>,
    /// Pass as `before` to get the next (older) page; absent on the last page.
    pub next: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct Attachment {
    pub id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    /// Referenced from the HTML body (`cid:`), e.g. an inline image.
    pub inline: bool,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct Message {
    pub id: i64,
    /// in (from the customer) or out (sent by the team)
    pub direction: String,
    pub from_name: String,
    pub from_address: String,
    pub to: String,
    pub cc: String,
    pub subject: String,
    pub text_body: String,
    /// The HTML as received: unsafe to render without sanitizing.
    pub html_body: Option<String>,
    pub message_id_header: Option<String>,
    /// When it was received, RFC 3339 UTC.
    pub created_at: String,
    /// The sender's Date header, if it made sense.
    pub sent_at: Option<String>,
    pub has_original: bool,
    pub attachments: Vec<Attachment>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct ConversationDetail {
    pub conversation: Conversation,
    pub messages: Vec<Message>,
}

fn message(m: &MessageRecord, attachments: &[AttachmentRecord]) -> Message {
    Message {
        id: m.id,
        direction: m.direction.clone(),
        from_name: m.from_name.clone(),
        from_address: m.from_address.clone(),
        to: m.to_list.clone(),
        cc: m.cc_list.clone(),
        subject: m.subject.clone(),
        text_body: m.text_body.clone(),
        html_body: m.html_body.clone(),
        message_id_header: m.message_id_header.clone(),
        created_at: time(m.created_at),
        sent_at: m.sent_at.map(time),
        has_original: m.raw_id.is_some(),
        attachments: attachments
            .iter()
            .filter(|a| a.message_id == m.id)
            .map(|a| Attachment {
                id: a.id,
                filename: a.filename.clone(),
                content_type: a.content_type.clone(),
                size: a.size,
                inline: a.inline_part,
            })
            .collect(),
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListParams {
    /// open, pending, closed or spam; all when absent.
    status: Option<String>,
    /// The `next` value of the previous page.
    before: Option<String>,
    /// 1 to 200, default 50.
    limit: Option<i64>,
}

/// A mailbox's conversations, latest activity first.
#[utoipa::path(get, path = "/mailboxes/{id}/conversations", tag = "conversations",
    params(("id" = i64, Path, description = "Mailbox id"), ListParams),
    responses(
        (status = 200, body = ConversationPage),
        (status = 400, description = "Bad id or cursor", body = ApiErrorBody),
        (status = 404, description = "No such mailbox, or the user may not see it", body = ApiErrorBody),
        (status = 422, description = "Unknown status", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn list_conversations(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
    Query(p): Query<ListParams>,
) -> Result<Json<ConversationPage>, ApiError> {
    let before = match p.before.as_deref() {
        None | Some("") => None,
        Some(cursor) => Some(parse_cursor(cursor).ok_or_else(|| {
            ApiError::bad_request("\"before\" must be the \"next\" value of a previous page.")
        })?),
    };
    let page = s
        .app
        .list_conversations(
            &actor,
            MailboxId(id),
            p.status.as_deref(),
            before,
            p.limit.unwrap_or(50),
        )
        .await?;
    Ok(Json(ConversationPage {
        conversations: page.conversations.iter().map(Conversation::from).collect(),
        next: page.next.map(|(at, id)| format!("{at}.{id}")),
    }))
}

fn parse_cursor(s: &str) -> Option<(i64, i64)> {
    let (at, id) = s.split_once('.')?;
    Some((at.parse().ok()?, id.parse().ok()?))
}

/// One conversation with all its messages.
#[utoipa::path(get, path = "/conversations/{id}", tag = "conversations",
    params(("id" = i64, Path, description = "Conversation id")),
    responses(
        (status = 200, body = ConversationDetail),
        (status = 400, description = "The id is not a number", body = ApiErrorBody),
        (status = 404, description = "No such conversation, or the user may not see it", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn get_conversation(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
) -> Result<Json<ConversationDetail>, ApiError> {
    let view = s.app.conversation(&actor, ConversationId(id)).await?;
    Ok(Json(ConversationDetail {
        conversation: Conversation::from(&view.conversation),
        messages: view
            .messages
            .iter()
            .map(|m| message(m, &view.attachments))
            .collect(),
    }))
}

/// A message exactly as it was received (message/rfc822).
#[utoipa::path(get, path = "/messages/{id}/source", tag = "conversations",
    params(("id" = i64, Path, description = "Message id")),
    responses(
        (status = 200, description = "The original message", content_type = "message/rfc822", body = Vec<u8>),
        (status = 404, description = "No such message, no original kept, or the user may not see it", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn message_source(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
) -> Result<Response, ApiError> {
    let d = s.app.raw_source_of_message(&actor, id).await?;
    Ok(crate::ui::download(d, false))
}

/// An attachment's bytes, always as a download.
#[utoipa::path(get, path = "/attachments/{id}", tag = "conversations",
    params(("id" = i64, Path, description = "Attachment id")),
    responses(
        (status = 200, description = "The attachment", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 404, description = "No such attachment, or the user may not see it", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn attachment(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
) -> Result<Response, ApiError> {
    let d = s.app.attachment_by_id(&actor, id).await?;
    Ok(crate::ui::download(d, true))
}
