//! A conversation's messages (the lists are in `lists`, the side panel's
//! actions in `conversation_actions`).

use crate::auth::CurrentUser;
use crate::error::PageError;
use crate::state::AppState;
use crate::ui::form::{FieldErrors, form_page};
use crate::ui::page::Page;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ecp_app::conversations::{AttachmentRecord, ConversationRecord, Download, MessageRecord};
use ecp_app::mailboxes::MailboxRecord;
use ecp_app::outbound::{OutboxState, OutboxStatus};
use ecp_domain::TimeZoneName;
use ecp_domain::conversation::ConversationId;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/conversations/{id}", get(conversation))
        .route("/conversations/{id}/messages/{message}/source", get(source))
        .route(
            "/conversations/{id}/attachments/{attachment}",
            get(attachment),
        )
}

async fn zone(s: &AppState, user: &CurrentUser) -> Result<TimeZoneName, PageError> {
    Ok(s.app.account(&user.actor).await?.options.time_zone)
}

pub(crate) struct MessageView {
    pub id: i64,
    pub outgoing: bool,
    pub from: String,
    pub to: String,
    pub cc: String,
    pub when: String,
    pub text: String,
    pub has_source: bool,
    pub spam: Option<String>,
    pub attachments: Vec<AttachmentView>,
    /// Delivery of an outgoing message: queued, sent or failed.
    pub delivery: Option<DeliveryView>,
}

pub(crate) struct DeliveryView {
    pub outbox: i64,
    pub state: &'static str,
    /// The server's answer or the last temporary error.
    pub error: String,
    pub attempts: i64,
    pub failed: bool,
}

/// What the reply box holds (kept after a refused send).
#[derive(Default)]
pub(crate) struct ReplyForm {
    pub kind: String,
    pub to: String,
    pub cc: String,
    pub body_html: String,
    pub template: String,
}

pub(crate) struct TemplateOption {
    pub id: String,
    pub name: String,
}

pub(crate) struct AttachmentView {
    pub id: i64,
    pub filename: String,
    pub size: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "conversation.html")]
pub(crate) struct ConversationPage {
    page: Page,
    nav: crate::ui::lists::Nav,
    panel: crate::ui::conversation_actions::Panel,
    mailbox: MailboxRecord,
    conversation: ConversationRecord,
    messages: Vec<MessageView>,
    reply: ReplyForm,
    templates: Vec<TemplateOption>,
    errors: FieldErrors,
    message: Option<String>,
    max_attachments: String,
}

form_page!(ConversationPage);

async fn conversation(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let id_ = ConversationId(id);
    if let Some(target) = s.app.merged_target(&user.actor, id_).await? {
        return Ok(
            axum::response::Redirect::to(&format!("/conversations/{}", target.0)).into_response(),
        );
    }
    s.app.mark_read(&user.actor, id_).await?;
    Ok(conversation_page(
        &s,
        &user,
        ConversationId(id),
        ReplyForm::default(),
        FieldErrors::default(),
        None,
    )
    .await?
    .into_response())
}

/// The conversation with its reply box holding `reply`, and the messages
/// of a refused send.
pub(crate) async fn conversation_page(
    s: &AppState,
    user: &CurrentUser,
    id: ConversationId,
    reply: ReplyForm,
    errors: FieldErrors,
    message: Option<String>,
) -> Result<ConversationPage, PageError> {
    let view = s.app.conversation(&user.actor, id).await?;
    let outbox = s.app.outbox_for_conversation(&user.actor, id).await?;
    let templates = s
        .app
        .list_templates(&user.actor)
        .await?
        .into_iter()
        .map(|t| TemplateOption {
            id: t.id.0.to_string(),
            name: t.name,
        })
        .collect();
    let mailbox = s
        .app
        .mailbox(&user.actor, view.conversation.mailbox_id)
        .await?;
    let tz = zone(s, user).await?;
    let messages = view
        .messages
        .iter()
        .map(|m| {
            let mut v = message_view(m, &view.attachments, &tz);
            v.delivery = outbox
                .iter()
                .find(|o| o.message_id == m.id)
                .map(delivery_view);
            v
        })
        .collect();
    Ok(ConversationPage {
        page: Page::for_user(&view.conversation.subject, user, "home"),
        nav: crate::ui::lists::nav(s, user, None).await?,
        panel: crate::ui::conversation_actions::panel(s, user, &view.conversation).await?,
        mailbox,
        conversation: view.conversation,
        messages,
        reply,
        templates,
        errors,
        message,
        max_attachments: human_size(crate::ui::compose::MAX_ATTACHMENT_BYTES as i64),
    })
}

fn delivery_view(o: &OutboxStatus) -> DeliveryView {
    DeliveryView {
        outbox: o.id.0,
        state: match o.state {
            OutboxState::Queued | OutboxState::Sending => "queued",
            OutboxState::Sent => "sent",
            OutboxState::Failed => "failed",
        },
        error: o.last_error.clone().unwrap_or_default(),
        attempts: o.attempts,
        failed: o.state == OutboxState::Failed,
    }
}

fn message_view(
    m: &MessageRecord,
    attachments: &[AttachmentRecord],
    tz: &TimeZoneName,
) -> MessageView {
    MessageView {
        id: m.id,
        outgoing: m.direction == "out",
        from: if m.from_name.is_empty() {
            m.from_address.clone()
        } else {
            format!("{} <{}>", m.from_name, m.from_address)
        },
        to: m.to_list.clone(),
        cc: m.cc_list.clone(),
        when: tz.format_ms(m.created_at),
        text: m.text_body.clone(),
        has_source: m.raw_id.is_some(),
        spam: (m.spam_score_milli > 0).then(|| {
            format!(
                "{:.1} ({})",
                m.spam_score_milli as f64 / 1000.0,
                m.spam_reasons
            )
        }),
        attachments: attachments
            .iter()
            .filter(|a| a.message_id == m.id)
            .map(|a| AttachmentView {
                id: a.id,
                filename: a.filename.clone(),
                size: human_size(a.size),
            })
            .collect(),
        delivery: None,
    }
}

pub(crate) fn human_size(n: i64) -> String {
    match n {
        n if n >= 1 << 20 => format!("{:.1} MB", n as f64 / 1048576.0),
        n if n >= 1 << 10 => format!("{:.0} KB", n as f64 / 1024.0),
        n => format!("{n} bytes"),
    }
}

async fn source(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, message)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let d = s
        .app
        .raw_source(&user.actor, ConversationId(id), message)
        .await?;
    Ok(download(d, false))
}

async fn attachment(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, attachment)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let d = s
        .app
        .attachment(&user.actor, ConversationId(id), attachment)
        .await?;
    Ok(download(d, true))
}

/// Always a download, never rendered by the browser as a page of ours; only
/// inert types keep their Content-Type, everything else is octet-stream.
pub(crate) fn download(d: Download, keep_safe_type: bool) -> Response {
    let base = d
        .content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    const SAFE: &[&str] = &[
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "application/pdf",
        "text/plain",
    ];
    let content_type = if keep_safe_type && SAFE.contains(&base.as_str()) {
        base
    } else if !keep_safe_type {
        "message/rfc822".to_string()
    } else {
        "application/octet-stream".to_string()
    };
    let ascii: String = d
        .filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        crate::auth::url_encode(&d.filename).replace('/', "%2F")
    );
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::CONTENT_SECURITY_POLICY,
                "sandbox; default-src 'none'".to_string(),
            ),
        ],
        d.bytes,
    )
        .into_response()
}
