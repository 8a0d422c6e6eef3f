//! A conversation's messages (the lists are in `lists`, the side panel's
//! actions in `conversation_actions`).

use crate::auth::CurrentUser;
use crate::error::PageError;
use crate::state::AppState;
use crate::ui::form::{FieldErrors, form_page};
use crate::ui::message_body::{FRAME_SANDBOX, TextPiece, display, linkify};
use crate::ui::page::Page;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ecp_app::conversations::{AttachmentRecord, ConversationRecord, Download, MessageRecord};
use ecp_app::mailboxes::MailboxRecord;
use ecp_app::outbound::{OutboxState, OutboxStatus};
use ecp_domain::TimeZoneName;
use ecp_domain::conversation::ConversationId;
use serde::Deserialize;

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
    pub has_source: bool,
    pub spam: Option<String>,
    pub attachments: Vec<AttachmentView>,
    /// Delivery of an outgoing message: queued, sent or failed.
    pub delivery: Option<DeliveryView>,
    /// The HTML body's sandboxed frame; None shows `text` instead.
    pub frame: Option<FrameView>,
    /// `text` with its links made clickable.
    pub pieces: Vec<TextPiece>,
    /// Internal notes written after this message (and before the next).
    pub notes_after: Vec<NoteView>,
}

pub(crate) struct FrameView {
    pub src: String,
    /// Remote images were held back: offer "Show images".
    pub blocked_images: bool,
    pub showing_images: bool,
}

pub(crate) struct NoteView {
    pub id: i64,
    pub author: String,
    pub when: String,
    /// Cleaned when stored and again here, so `|safe` in the template.
    pub body_html: String,
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
    /// Notes older than the first message.
    notes_first: Vec<NoteView>,
    /// The newest message shown: the reply form and the presence ping send
    /// it back to detect a reply that arrived meanwhile.
    last_message_id: i64,
    /// The note box's text after a refused note.
    note_html: String,
    frame_sandbox: &'static str,
}

form_page!(ConversationPage);

impl ConversationPage {
    pub(crate) fn keep_note(&mut self, html: String) {
        self.note_html = html;
    }
}

#[derive(Deserialize, Default)]
struct ConversationQuery {
    /// A message whose remote images the person asked to see.
    #[serde(default)]
    images: Option<String>,
}

async fn conversation(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<ConversationQuery>,
) -> Result<Response, PageError> {
    let id_ = ConversationId(id);
    if let Some(target) = s.app.merged_target(&user.actor, id_).await? {
        return Ok(
            axum::response::Redirect::to(&format!("/conversations/{}", target.0)).into_response(),
        );
    }
    s.app.mark_read(&user.actor, id_).await?;
    let images = q.images.as_deref().and_then(|m| m.parse().ok());
    Ok(page_with(
        &s,
        &user,
        ConversationId(id),
        (ReplyForm::default(), FieldErrors::default(), None),
        images,
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
    page_with(s, user, id, (reply, errors, message), None).await
}

async fn page_with(
    s: &AppState,
    user: &CurrentUser,
    id: ConversationId,
    (reply, errors, message): (ReplyForm, FieldErrors, Option<String>),
    show_images_of: Option<i64>,
) -> Result<ConversationPage, PageError> {
    // Independent reads side by side: the page waits for the slowest, not
    // for their sum (each is a few round trips to the database).
    let (view, notes, outbox, templates, tz, nav) = tokio::try_join!(
        async { Ok::<_, PageError>(s.app.conversation(&user.actor, id).await?) },
        async { Ok::<_, PageError>(s.app.notes(&user.actor, id).await?) },
        async { Ok::<_, PageError>(s.app.outbox_for_conversation(&user.actor, id).await?) },
        async { Ok::<_, PageError>(s.app.list_templates(&user.actor).await?) },
        zone(s, user),
        crate::ui::lists::nav(s, user, None),
    )?;
    let templates = templates
        .into_iter()
        .map(|t| TemplateOption {
            id: t.id.0.to_string(),
            name: t.name,
        })
        .collect();
    let (mailbox, panel) = tokio::try_join!(
        async {
            Ok::<_, PageError>(
                s.app
                    .mailbox(&user.actor, view.conversation.mailbox_id)
                    .await?,
            )
        },
        crate::ui::conversation_actions::panel(s, user, &view.conversation),
    )?;
    let mut messages: Vec<MessageView> = view
        .messages
        .iter()
        .map(|m| {
            let mut v = message_view(m, &view.attachments, &tz);
            v.delivery = outbox
                .iter()
                .find(|o| o.message_id == m.id)
                .map(delivery_view);
            let show = show_images_of == Some(m.id);
            v.frame = display(id.0, m, &view.attachments, show).map(|d| FrameView {
                src: format!(
                    "/conversations/{}/messages/{}/body{}",
                    id.0,
                    m.id,
                    if show { "?images=1" } else { "" }
                ),
                blocked_images: d.blocked_remote_images,
                showing_images: show,
            });
            v
        })
        .collect();
    let mut notes_first = Vec::new();
    for n in notes {
        let note = NoteView {
            id: n.id,
            author: if n.author_name.is_empty() {
                "Deleted user".into()
            } else {
                n.author_name
            },
            when: tz.format_ms(n.created_at),
            body_html: ecp_app::sanitize_signature(&n.body_html),
        };
        let after = view
            .messages
            .iter()
            .rposition(|m| m.created_at <= n.created_at)
            .and_then(|i| messages.get_mut(i));
        match after {
            Some(m) => m.notes_after.push(note),
            None => notes_first.push(note),
        }
    }
    Ok(ConversationPage {
        page: Page::for_user(&view.conversation.subject, user, "home"),
        nav,
        panel,
        mailbox,
        conversation: view.conversation,
        messages,
        reply,
        templates,
        errors,
        message,
        max_attachments: human_size(crate::ui::compose::MAX_ATTACHMENT_BYTES as i64),
        notes_first,
        last_message_id: view.messages.iter().map(|m| m.id).max().unwrap_or(0),
        note_html: String::new(),
        frame_sandbox: FRAME_SANDBOX,
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
        pieces: linkify(&m.text_body),
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
        frame: None,
        notes_after: Vec::new(),
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
