//! The mailbox editor's "Auto Reply" section: turn the autoresponder on
//! with a template and a per-sender period, and see (and undo) the loop
//! breaker's stop. Its own form, so it saves apart from the mailbox form.

use crate::auth::{CsrfForm, CurrentUser};
use crate::error::PageError;
use crate::state::AppState;
use crate::ui::form::path_id;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use ecp_app::AppError;
use ecp_domain::MailboxId;
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/settings/mailboxes/{id}/auto-reply", post(save))
}

/// Confirmations and refusals after the redirect back to the editor. Known
/// codes only, so a crafted link can't put words on the page.
pub(super) fn notice_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "auto-reply-saved" => "Auto Reply was saved.",
        "auto-reply-template" => {
            "Auto Reply was not saved: choose the template to answer new conversations with \
             (create one under Templates first)."
        }
        "auto-reply-period" => {
            "Auto Reply was not saved: the period is a whole number of hours from 1 to 720."
        }
        _ => return None,
    })
}

pub(super) struct TemplateOption {
    pub id: i64,
    pub name: String,
    pub selected: bool,
}

/// The section as the mailbox editor shows it.
pub(super) struct AutoReplySection {
    pub mailbox: i64,
    pub enabled: bool,
    pub period_hours: i64,
    pub templates: Vec<TemplateOption>,
    /// The chosen template, for the "turn on again" button.
    pub template_id: Option<i64>,
    /// When the loop breaker stopped it, in words.
    pub stopped: Option<String>,
    pub editable: bool,
}

pub(super) async fn section(
    s: &AppState,
    user: &CurrentUser,
    mailbox: MailboxId,
    read_only: bool,
) -> Result<AutoReplySection, PageError> {
    let view = s.app.autoresponder(&user.actor, mailbox).await?;
    let chosen = view.settings.template.map(|t| t.0);
    let templates = s
        .app
        .list_templates(&user.actor)
        .await?
        .into_iter()
        .map(|t| TemplateOption {
            selected: Some(t.id.0) == chosen,
            id: t.id.0,
            name: t.name,
        })
        .collect();
    let stopped = view.stopped_at.map(|ms| {
        jiff::Timestamp::from_millisecond(ms)
            .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_default()
    });
    Ok(AutoReplySection {
        mailbox: mailbox.0,
        enabled: view.settings.enabled,
        period_hours: view.settings.period_hours,
        templates,
        template_id: chosen,
        stopped,
        editable: !read_only,
    })
}

#[derive(Deserialize)]
struct AutoReplyForm {
    #[serde(default)]
    enabled: Option<String>,
    #[serde(default)]
    template_id: String,
    #[serde(default)]
    period_hours: String,
}

async fn save(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<AutoReplyForm>,
) -> Result<Response, PageError> {
    let id = MailboxId(path_id(&id)?);
    let template = f.template_id.trim().parse::<i64>().ok();
    let notice = match s
        .app
        .set_autoresponder(
            &user.actor,
            id,
            f.enabled.is_some(),
            template,
            &f.period_hours,
        )
        .await
    {
        Ok(_) => "auto-reply-saved",
        Err(AppError::Validation(errors)) => {
            if errors.iter().any(|e| e.field == "template_id") {
                "auto-reply-template"
            } else {
                "auto-reply-period"
            }
        }
        Err(e) => return Err(e.into()),
    };
    Ok(Redirect::to(&format!(
        "/settings/mailboxes/{id}?notice={notice}#auto-reply"
    ))
    .into_response())
}
