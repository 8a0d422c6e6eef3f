//! Writing mail: the reply box under a conversation (reply, reply all,
//! forward, a template inserted, attachments, send / send and close), Retry
//! on a message that failed, and a new conversation from a mailbox. Forms
//! with files are `multipart/form-data` ([`CsrfMultipart`]).

use crate::auth::{CsrfForm, CurrentUser};
use crate::error::PageError;
use crate::state::AppState;
use crate::ui::compose_multipart::CsrfMultipart;
use crate::ui::conversations::{ReplyForm, conversation_page, human_size};
use crate::ui::form::{FieldErrors, FormError, form_page};
use crate::ui::page::Page;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use ecp_app::AppError;
use ecp_app::mailboxes::MailboxRecord;
use ecp_app::outbound::{NewOutgoing, OutboxId, OutgoingAttachment, ReplyInput, ReplyKind};
use ecp_app::templates::{TemplateContext, TemplateId};
use ecp_domain::MailboxId;
use ecp_domain::conversation::{ConversationId, Status};
use serde::Deserialize;

/// The most the attachments of one message may add up to (decoded bytes).
pub(crate) const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;

/// Request body limit of the compose routes: the attachments, base64 or
/// multipart overhead, and the text.
pub(crate) const COMPOSE_BODY_LIMIT: usize = MAX_ATTACHMENT_BYTES / 3 * 4 + 4 * 1024 * 1024;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/conversations/{id}/reply", post(reply))
        .route("/conversations/{id}/outbox/{outbox}/retry", post(retry))
        .route("/mailboxes/{id}/compose", get(compose).post(compose_send))
}

/// Addresses typed into a To or Cc field: separated by commas, semicolons
/// or line breaks.
pub(crate) fn split_addresses(s: &str) -> Vec<String> {
    s.split([',', ';', '\n'])
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_string)
        .collect()
}

/// True when the HTML has no text and no image: nothing to send.
pub(crate) fn body_is_empty(html: &str) -> bool {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text.replace("&nbsp;", " ").replace("&#160;", " ");
    text.trim().is_empty() && !html.to_ascii_lowercase().contains("<img")
}

/// The checks done before the use case: a body, attachments within the
/// limit. Field names as the API and the forms use them.
pub(crate) fn precheck(
    body_html: &str,
    attachments: &[OutgoingAttachment],
) -> Result<(), AppError> {
    let mut errors = Vec::new();
    if body_is_empty(body_html) {
        errors.push(ecp_domain::ValidationError::new(
            "body_html",
            "Write a message before sending.",
        ));
    }
    let total: usize = attachments.iter().map(|a| a.bytes.len()).sum();
    if total > MAX_ATTACHMENT_BYTES {
        errors.push(ecp_domain::ValidationError::new(
            "attachments",
            format!(
                "The attachments add up to {}, over the {} limit. Remove some, or send them in another message.",
                human_size(total as i64),
                human_size(MAX_ATTACHMENT_BYTES as i64)
            ),
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

pub(crate) fn parse_kind(s: &str) -> Option<ReplyKind> {
    match s.trim().to_ascii_lowercase().as_str() {
        "" | "reply" => Some(ReplyKind::Reply),
        "reply_all" | "reply-all" => Some(ReplyKind::ReplyAll),
        "forward" => Some(ReplyKind::Forward),
        _ => None,
    }
}

fn files(form: &CsrfMultipart) -> Vec<OutgoingAttachment> {
    form.files
        .iter()
        .filter(|(name, _)| name == "attachments")
        .map(|(_, f)| f.clone())
        .collect()
}

async fn reply(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    form: CsrfMultipart,
) -> Result<Response, PageError> {
    let id = ConversationId(id);
    let mut reply = ReplyForm {
        kind: form.field("kind"),
        to: form.field("to"),
        cc: form.field("cc"),
        body_html: form.field("body_html"),
        template: form.field("template"),
    };
    let action = form.field("action");
    if action == "insert_template" {
        let view = s.app.conversation(&user.actor, id).await?;
        let Ok(template) = reply.template.trim().parse::<i64>() else {
            let errors = FieldErrors::one("template", "Choose a template to insert.");
            return refused(&s, &user, id, reply, FormError::fields(errors)).await;
        };
        let mailbox = s
            .app
            .mailbox(&user.actor, view.conversation.mailbox_id)
            .await?;
        let ctx = TemplateContext {
            customer_name: view.conversation.customer_name.clone(),
            customer_email: view.conversation.customer_email.clone(),
            mailbox_name: mailbox.name.clone(),
            agent_name: user.actor.name.clone(),
            conversation_number: Some(id.0),
        };
        return match s
            .app
            .render_template(&user.actor, TemplateId(template), &ctx)
            .await
        {
            Ok(r) => {
                if body_is_empty(&reply.body_html) {
                    reply.body_html = r.html;
                } else {
                    reply.body_html.push_str(&r.html);
                }
                Ok(
                    conversation_page(&s, &user, id, reply, FieldErrors::default(), None)
                        .await?
                        .into_response(),
                )
            }
            Err(AppError::NotFound) => {
                let errors = FieldErrors::one("template", "That template no longer exists.");
                refused(&s, &user, id, reply, FormError::fields(errors)).await
            }
            Err(e) => {
                let e = FormError::from_app(e, &[("body_html", "template")])?;
                refused(&s, &user, id, reply, e).await
            }
        };
    }
    // Unknown conversation: 404 before anything is checked.
    let view = s.app.conversation(&user.actor, id).await?;
    if let Some(e) = crate::ui::presence::collision(&view, &form.field("seen_last_message")) {
        return refused(&s, &user, id, reply, e).await;
    }
    let Some(kind) = parse_kind(&reply.kind) else {
        let errors = FieldErrors::one("kind", "Choose Reply, Reply all or Forward.");
        return refused(&s, &user, id, reply, FormError::fields(errors)).await;
    };
    let attachments = files(&form);
    if let Err(e) = precheck(&reply.body_html, &attachments) {
        let e = FormError::from_app(e, &[])?;
        return refused(&s, &user, id, reply, e).await;
    }
    let input = ReplyInput {
        kind,
        to: split_addresses(&reply.to),
        cc: split_addresses(&reply.cc),
        body_html: reply.body_html.clone(),
        attachments,
        status_after: (action == "send_close").then_some(Status::Closed),
    };
    match s.app.send_reply(&user.actor, id, input).await {
        Ok(q) => Ok(
            Redirect::to(&format!("/conversations/{}#message-{}", id.0, q.message)).into_response(),
        ),
        Err(e) => {
            let e = FormError::from_app(e, &[])?;
            reply.kind = reply.kind.trim().to_ascii_lowercase();
            refused(&s, &user, id, reply, e).await
        }
    }
}

async fn refused(
    s: &AppState,
    user: &CurrentUser,
    id: ConversationId,
    reply: ReplyForm,
    e: FormError,
) -> Result<Response, PageError> {
    let page = conversation_page(s, user, id, reply, e.fields, e.message).await?;
    Ok((e.status, page).into_response())
}

#[derive(Deserialize)]
struct NoFields {}

async fn retry(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, outbox)): Path<(i64, i64)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let id = ConversationId(id);
    s.app.conversation(&user.actor, id).await?;
    let belongs = s
        .app
        .outbox_for_conversation(&user.actor, id)
        .await?
        .iter()
        .any(|o| o.id.0 == outbox);
    if !belongs {
        return Err(AppError::NotFound.into());
    }
    match s.app.retry_outbox(&user.actor, OutboxId(outbox)).await {
        Ok(()) => Ok(Redirect::to(&format!("/conversations/{}", id.0)).into_response()),
        Err(AppError::NotFound) => Err(AppError::NotFound.into()),
        Err(e) => {
            let e = FormError::from_app(e, &[])?;
            refused(&s, &user, id, ReplyForm::default(), e).await
        }
    }
}

#[derive(Default)]
struct ComposeForm {
    to: String,
    cc: String,
    subject: String,
    body_html: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "compose.html")]
struct ComposePage {
    page: Page,
    mailboxes: Vec<MailboxRecord>,
    mailbox: MailboxRecord,
    form: ComposeForm,
    errors: FieldErrors,
    message: Option<String>,
    max_attachments: String,
}

form_page!(ComposePage);

async fn compose_page(
    s: &AppState,
    user: &CurrentUser,
    mailbox: MailboxId,
    form: ComposeForm,
    errors: FieldErrors,
    message: Option<String>,
) -> Result<ComposePage, PageError> {
    let mailbox = s.app.mailbox(&user.actor, mailbox).await?;
    Ok(ComposePage {
        page: Page::for_user("New conversation", user, "home"),
        mailboxes: s.app.visible_mailboxes(&user.actor).await?,
        mailbox,
        form,
        errors,
        message,
        max_attachments: human_size(MAX_ATTACHMENT_BYTES as i64),
    })
}

async fn compose(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<ComposePage, PageError> {
    compose_page(
        &s,
        &user,
        MailboxId(id),
        ComposeForm::default(),
        FieldErrors::default(),
        None,
    )
    .await
}

async fn compose_send(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    form: CsrfMultipart,
) -> Result<Response, PageError> {
    let mailbox = MailboxId(id);
    s.app.mailbox(&user.actor, mailbox).await?;
    let kept = ComposeForm {
        to: form.field("to"),
        cc: form.field("cc"),
        subject: form.field("subject"),
        body_html: form.field("body_html"),
    };
    let attachments = files(&form);
    let result = match precheck(&kept.body_html, &attachments) {
        Ok(()) => {
            s.app
                .start_conversation(
                    &user.actor,
                    mailbox,
                    NewOutgoing {
                        to: split_addresses(&kept.to),
                        cc: split_addresses(&kept.cc),
                        subject: kept.subject.clone(),
                        body_html: kept.body_html.clone(),
                        attachments,
                        status_after: None,
                    },
                )
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(q) => Ok(Redirect::to(&format!("/conversations/{}", q.conversation.0)).into_response()),
        Err(e) => {
            let e = FormError::from_app(e, &[])?;
            let page = compose_page(&s, &user, mailbox, kept, e.fields, e.message).await?;
            Ok((e.status, page).into_response())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_bodies_and_addresses() {
        assert!(body_is_empty("<p> &nbsp;</p><br>"));
        assert!(!body_is_empty("<p>Hi</p>"));
        assert!(!body_is_empty("<img src=\"cid:x\">"));
        assert_eq!(
            split_addresses("a@x.test, Bob <b@y.test>;\nc@z.test,"),
            vec!["a@x.test", "Bob <b@y.test>", "c@z.test"]
        );
        assert_eq!(parse_kind("Reply_All"), Some(ReplyKind::ReplyAll));
        assert_eq!(parse_kind("bcc"), None);
    }
}
