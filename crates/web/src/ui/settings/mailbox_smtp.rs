//! The mailbox editor's "Outgoing mail (SMTP)": the mailbox's own SMTP
//! server (host, port, TLS, login), saved, removed or tried with "Send test
//! email". The password field is never filled in: blank keeps the stored
//! one. The use cases decide who may (NotFound / Forbidden).

use super::mailboxes::{EditState, render_edit};
use crate::auth::{CsrfForm, CurrentUser};
use crate::error::PageError;
use crate::state::AppState;
use crate::ui::form::{FieldErrors, FormError, path_id};
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use ecp_app::outbound::{SmtpServerView, SmtpTestResult};
use ecp_domain::MailboxId;
use ecp_domain::smtp_server::SmtpServerInput;
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings/mailboxes/{id}/smtp", post(save))
        .route("/settings/mailboxes/{id}/smtp/test", post(test))
        .route("/settings/mailboxes/{id}/smtp/delete", post(delete))
}

/// Confirmations after a redirect back to the mailbox editor.
pub(super) fn notice_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "smtp-saved" => {
            "The outgoing mail settings were saved. Use \"Send test email\" to check them."
        }
        "smtp-deleted" => "This mailbox's mail goes through the main SMTP relay again.",
        _ => return None,
    })
}

/// The form as the browser sends it; `enabled` arrives only when ticked.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct SmtpForm {
    pub enabled: String,
    pub host: String,
    pub port: String,
    pub tls: String,
    pub username: String,
    pub password: String,
}

impl SmtpForm {
    fn from_view(v: &SmtpServerView) -> Self {
        Self {
            enabled: if v.enabled { "1".into() } else { String::new() },
            host: v.host.clone(),
            port: v.port.to_string(),
            tls: v.tls.as_str().into(),
            username: v.username.clone(),
            password: String::new(),
        }
    }

    fn input(&self) -> SmtpServerInput<'_> {
        SmtpServerInput {
            enabled: !self.enabled.is_empty(),
            host: &self.host,
            port: &self.port,
            tls: &self.tls,
            username: &self.username,
            password: &self.password,
        }
    }
}

/// What a submission leaves for the section to show.
#[derive(Default)]
pub(super) struct SmtpOutcome {
    /// The refused form, kept as typed (but for the password).
    pub form: Option<SmtpForm>,
    pub error: Option<FormError>,
    pub test: Option<SmtpTestResult>,
}

/// The section as the mailbox editor shows it.
pub(super) struct SmtpSection {
    pub mailbox: i64,
    pub form: SmtpForm,
    pub saved: bool,
    pub has_password: bool,
    pub editable: bool,
    pub errors: FieldErrors,
    pub message: Option<String>,
    pub test: Option<SmtpTestResult>,
}

impl SmtpSection {
    pub fn selected(&self, tls: &str) -> bool {
        self.form.tls == tls || (self.form.tls.is_empty() && tls == "starttls")
    }
}

pub(super) async fn section(
    s: &AppState,
    user: &CurrentUser,
    mailbox: MailboxId,
    read_only: bool,
    outcome: SmtpOutcome,
) -> Result<SmtpSection, PageError> {
    let saved = s.app.mailbox_smtp_server(&user.actor, mailbox).await?;
    let form = match (outcome.form, &saved) {
        (Some(f), _) => SmtpForm {
            password: String::new(),
            ..f
        },
        (None, Some(v)) => SmtpForm::from_view(v),
        (None, None) => SmtpForm {
            enabled: "1".into(),
            tls: "starttls".into(),
            ..SmtpForm::default()
        },
    };
    let (errors, message) = match outcome.error {
        Some(e) => (e.fields, e.message),
        None => (FieldErrors::default(), None),
    };
    Ok(SmtpSection {
        mailbox: mailbox.0,
        form,
        has_password: saved.as_ref().is_some_and(|v| v.has_password),
        saved: saved.is_some(),
        editable: !read_only,
        errors,
        message,
        test: outcome.test,
    })
}

fn back_to(mailbox: MailboxId, notice: &str) -> Response {
    Redirect::to(&format!(
        "/settings/mailboxes/{mailbox}?notice={notice}#smtp"
    ))
    .into_response()
}

async fn again(
    s: &AppState,
    user: &CurrentUser,
    mailbox: MailboxId,
    outcome: SmtpOutcome,
) -> Result<Response, PageError> {
    let detail = s.app.mailbox_detail(&user.actor, mailbox).await?;
    let status = outcome.error.as_ref().map(|e| e.status);
    let st = EditState::of(&detail, None).with_smtp(outcome);
    let mut page = render_edit(s, user, st).await?;
    if let Some(status) = status {
        *page.status_mut() = status;
    }
    Ok(page)
}

async fn save(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<SmtpForm>,
) -> Result<Response, PageError> {
    let mailbox = MailboxId(path_id(&id)?);
    let error = match s
        .app
        .save_mailbox_smtp_server(&user.actor, mailbox, &f.input())
        .await
    {
        Ok(_) => return Ok(back_to(mailbox, "smtp-saved")),
        Err(e) => FormError::from_app(e, &[])?,
    };
    let outcome = SmtpOutcome {
        form: Some(f),
        error: Some(error),
        test: None,
    };
    again(&s, &user, mailbox, outcome).await
}

/// "Send test email" with the saved settings; the answer shows in the
/// section.
async fn test(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let mailbox = MailboxId(path_id(&id)?);
    let outcome = match s.app.send_smtp_test_email(&user.actor, mailbox).await {
        Ok(t) => SmtpOutcome {
            test: Some(t),
            ..SmtpOutcome::default()
        },
        Err(e) => SmtpOutcome {
            error: Some(FormError::from_app(e, &[])?),
            ..SmtpOutcome::default()
        },
    };
    again(&s, &user, mailbox, outcome).await
}

async fn delete(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let mailbox = MailboxId(path_id(&id)?);
    s.app
        .delete_mailbox_smtp_server(&user.actor, mailbox)
        .await?;
    Ok(back_to(mailbox, "smtp-deleted"))
}
