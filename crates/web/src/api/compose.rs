//! Writing mail through the API: reply / reply all / forward, a new outgoing
//! conversation, the delivery state of a conversation's outgoing messages
//! and retrying one that failed. Messages are queued here and sent by the
//! outbox sender. A conversation or mailbox the caller may not see answers
//! 404.

use crate::api::shared::{AuthErrors, time};
use crate::api::{ApiId, ApiJson, ApiUser};
use crate::error::{ApiError, ApiErrorBody};
use crate::state::AppState;
use crate::ui::compose::{parse_kind, precheck};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use base64::Engine;
use ecp_app::AppError;
use ecp_app::outbound::{
    NewOutgoing, OutboxId, OutboxState, OutboxStatus, OutgoingAttachment, Queued, ReplyInput,
};
use ecp_domain::MailboxId;
use ecp_domain::conversation::{ConversationId, Status};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(send_reply))
        .routes(routes!(start_conversation))
        .routes(routes!(conversation_outbox))
        .routes(routes!(retry_outbox))
}

/// A file to attach. All attachments of a message together may be at most
/// 10 MB (decoded).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AttachmentUpload {
    pub filename: String,
    /// `type/subtype`; anything unusable is sent as application/octet-stream.
    #[serde(default)]
    pub content_type: String,
    /// The file's bytes, standard base64.
    pub data_base64: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewReply {
    /// `reply` (default), `reply_all` or `forward`.
    #[serde(default)]
    pub kind: Option<String>,
    /// Addresses ("ann@x.test" or "Ann <ann@x.test>"). Required for a
    /// forward; added to the computed recipients for a reply.
    #[serde(default)]
    pub to: Vec<String>,
    #[serde(default)]
    pub cc: Vec<String>,
    /// HTML fragment; sanitized before sending.
    pub body_html: String,
    /// `open`, `pending` or `closed` after sending; left out keeps the
    /// conversation's status.
    #[serde(default)]
    pub status_after: Option<String>,
    #[serde(default)]
    pub attachments: Vec<AttachmentUpload>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewConversationMessage {
    /// At least one address; the first is the conversation's customer.
    pub to: Vec<String>,
    #[serde(default)]
    pub cc: Vec<String>,
    pub subject: String,
    /// HTML fragment; sanitized before sending.
    pub body_html: String,
    /// Default: pending.
    #[serde(default)]
    pub status_after: Option<String>,
    #[serde(default)]
    pub attachments: Vec<AttachmentUpload>,
}

/// A queued message.
#[derive(Serialize, ToSchema)]
pub(crate) struct QueuedMessage {
    pub conversation_id: i64,
    pub message_id: i64,
    /// Its delivery row (`GET /conversations/{id}/outbox`).
    pub outbox_id: i64,
    /// The Message-ID header, without angle brackets.
    pub message_id_header: String,
}

impl From<Queued> for QueuedMessage {
    fn from(q: Queued) -> Self {
        Self {
            conversation_id: q.conversation.0,
            message_id: q.message,
            outbox_id: q.outbox.0,
            message_id_header: q.message_id_header,
        }
    }
}

/// Delivery state of one outgoing message.
#[derive(Serialize, ToSchema)]
pub(crate) struct OutboxItem {
    pub id: i64,
    pub message_id: i64,
    /// `queued` (waiting or being sent), `sent` or `failed`.
    pub state: String,
    pub attempts: i64,
    /// RFC 3339, UTC: when a queued message is tried next.
    pub next_attempt_at: String,
    /// The server's answer to the last failed attempt.
    pub last_error: Option<String>,
    pub sent_at: Option<String>,
}

impl From<OutboxStatus> for OutboxItem {
    fn from(o: OutboxStatus) -> Self {
        Self {
            id: o.id.0,
            message_id: o.message_id,
            state: match o.state {
                OutboxState::Queued | OutboxState::Sending => "queued",
                OutboxState::Sent => "sent",
                OutboxState::Failed => "failed",
            }
            .to_string(),
            attempts: o.attempts,
            next_attempt_at: time(o.next_attempt_at),
            last_error: o.last_error,
            sent_at: o.sent_at.map(time),
        }
    }
}

fn decode(list: Vec<AttachmentUpload>) -> Result<Vec<OutgoingAttachment>, AppError> {
    list.into_iter()
        .map(|a| {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(a.data_base64.trim())
                .map_err(|_| {
                    AppError::invalid(
                        "attachments",
                        format!("\"{}\": data_base64 is not valid base64.", a.filename),
                    )
                })?;
            Ok(OutgoingAttachment {
                filename: a.filename,
                content_type: a.content_type,
                bytes,
            })
        })
        .collect()
}

fn status_after(s: Option<&str>) -> Result<Option<Status>, AppError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => match Status::parse(s) {
            Ok(Status::Spam) | Err(_) => Err(AppError::invalid(
                "status_after",
                "Use open, pending or closed.",
            )),
            Ok(st) => Ok(Some(st)),
        },
    }
}

/// Replies to, replies to all of, or forwards a conversation; the message
/// is queued for sending.
#[utoipa::path(post, path = "/conversations/{id}/replies", tag = "compose", request_body = NewReply,
    params(("id" = i64, Path, description = "Conversation id")),
    responses(
        (status = 201, body = QueuedMessage),
        (status = 400, description = "The id or the body is not valid", body = ApiErrorBody),
        (status = 404, description = "No such conversation, or not visible to you", body = ApiErrorBody),
        (status = 413, description = "The request is larger than the attachments allow", body = ApiErrorBody),
        (status = 422, description = "No recipient, a bad address, an empty body or attachments over the limit", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn send_reply(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<NewReply>,
) -> Result<(StatusCode, Json<QueuedMessage>), ApiError> {
    let id = ConversationId(id);
    s.app.conversation(&actor, id).await?;
    let kind = parse_kind(body.kind.as_deref().unwrap_or(""))
        .ok_or_else(|| AppError::invalid("kind", "Use reply, reply_all or forward."))?;
    let status_after = status_after(body.status_after.as_deref())?;
    let attachments = decode(body.attachments)?;
    precheck(&body.body_html, &attachments)?;
    let q = s
        .app
        .send_reply(
            &actor,
            id,
            ReplyInput {
                kind,
                to: body.to,
                cc: body.cc,
                body_html: body.body_html,
                attachments,
                status_after,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(q.into())))
}

/// Starts a conversation with a customer from the mailbox; its first
/// message is queued for sending.
#[utoipa::path(post, path = "/mailboxes/{id}/conversations", tag = "compose", request_body = NewConversationMessage,
    params(("id" = i64, Path, description = "Mailbox id")),
    responses(
        (status = 201, body = QueuedMessage),
        (status = 400, description = "The id or the body is not valid", body = ApiErrorBody),
        (status = 404, description = "No such mailbox, or not visible to you", body = ApiErrorBody),
        (status = 413, description = "The request is larger than the attachments allow", body = ApiErrorBody),
        (status = 422, description = "No recipient, a bad address, no subject, an empty body or attachments over the limit", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn start_conversation(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<NewConversationMessage>,
) -> Result<(StatusCode, Json<QueuedMessage>), ApiError> {
    let mailbox = MailboxId(id);
    s.app.mailbox(&actor, mailbox).await?;
    let status_after = status_after(body.status_after.as_deref())?;
    let attachments = decode(body.attachments)?;
    precheck(&body.body_html, &attachments)?;
    let q = s
        .app
        .start_conversation(
            &actor,
            mailbox,
            NewOutgoing {
                to: body.to,
                cc: body.cc,
                subject: body.subject,
                body_html: body.body_html,
                attachments,
                status_after,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(q.into())))
}

/// Delivery state of each outgoing message of the conversation.
#[utoipa::path(get, path = "/conversations/{id}/outbox", tag = "compose",
    params(("id" = i64, Path, description = "Conversation id")),
    responses(
        (status = 200, body = Vec<OutboxItem>),
        (status = 400, description = "The id is not a number", body = ApiErrorBody),
        (status = 404, description = "No such conversation, or not visible to you", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn conversation_outbox(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
) -> Result<Json<Vec<OutboxItem>>, ApiError> {
    let list = s
        .app
        .outbox_for_conversation(&actor, ConversationId(id))
        .await?;
    Ok(Json(list.into_iter().map(OutboxItem::from).collect()))
}

/// Queues a message that failed for sending again at once.
#[utoipa::path(post, path = "/outbox/{id}/retry", tag = "compose",
    params(("id" = i64, Path, description = "Outbox id (from GET /conversations/{id}/outbox)")),
    responses(
        (status = 204, description = "Queued again"),
        (status = 400, description = "The id is not a number", body = ApiErrorBody),
        (status = 404, description = "No such message, or not visible to you", body = ApiErrorBody),
        (status = 409, description = "The message is queued or sent, not failed", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn retry_outbox(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
) -> Result<StatusCode, ApiError> {
    s.app.retry_outbox(&actor, OutboxId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
