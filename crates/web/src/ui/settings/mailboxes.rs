//! Account & Tools -> Mailboxes: the list with the plan's cap, adding,
//! editing (details, send-as, permissions, signature, Auto-BCC) and
//! deleting after a confirmation that says what is lost. The editor of a
//! saved mailbox also lists its connected POP accounts (`pop_accounts`).

use super::auto_reply::{self, AutoReplySection};
use super::mailbox_form::{MailboxForm, PermissionRow, permission_rows};
use super::mailbox_smtp::{self, SmtpOutcome, SmtpSection};
use super::pop_accounts::{self, PopSection};
use super::pop_form::TestResult;
use super::{Dialog, mailbox_usage, mailboxes_read_only_note, require_admin};
use crate::auth::{CsrfForm, CurrentUser};
use crate::error::PageError;
use crate::state::AppState;
use crate::ui::form::{FieldErrors, FormError, form_page, path_id};
use crate::ui::page::{NoticeQuery, Page};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use ecp_app::account::AccountSummary;
use ecp_app::mailboxes::MailboxDetail;
use ecp_app::pop::PopAccountId;
use ecp_domain::MailboxId;
use ecp_domain::plan::LimitKind;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings/mailboxes", get(overview))
        .route("/settings/mailboxes/new", get(new_form).post(create))
        .route("/settings/mailboxes/{id}", get(edit_form).post(update))
        .route(
            "/settings/mailboxes/{id}/delete",
            get(delete_confirm).post(delete),
        )
}

/// A mailbox in the dialog's left-hand list.
pub(super) struct MailboxRow {
    pub id: i64,
    pub name: String,
    pub address: String,
    pub read_only: bool,
}

pub(super) async fn mailbox_rows(
    s: &AppState,
    user: &CurrentUser,
) -> Result<(Vec<MailboxRow>, AccountSummary), PageError> {
    let boxes = s.app.visible_mailboxes(&user.actor).await?;
    let summary = s.app.account_summary(&user.actor).await?;
    let ids: Vec<MailboxId> = boxes.iter().map(|m| m.id).collect();
    let over = summary.account.plan.over_limit(&ids, LimitKind::Mailboxes);
    let rows = boxes
        .into_iter()
        .map(|m| MailboxRow {
            id: m.id.0,
            read_only: over.contains(&m.id),
            name: m.name,
            address: m.direct_address.to_string(),
        })
        .collect();
    Ok((rows, summary))
}

#[derive(Template, WebTemplate)]
#[template(path = "settings/mailboxes.html")]
struct OverviewPage {
    page: Page,
    dialog: Dialog,
    mailboxes: Vec<MailboxRow>,
    current: i64,
    adding: bool,
    can_add: bool,
    usage: String,
    read_only_note: Option<String>,
    at_cap: Option<String>,
}

fn cap_note(s: &AccountSummary) -> Option<String> {
    s.account
        .plan
        .check_add_mailbox(s.mailboxes)
        .err()
        .map(|e| e.to_string())
}

async fn overview(
    State(s): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NoticeQuery>,
) -> Result<OverviewPage, PageError> {
    require_admin(&user)?;
    let (mailboxes, summary) = mailbox_rows(&s, &user).await?;
    Ok(OverviewPage {
        page: Page::for_user("Account & Tools: Mailboxes", &user, "settings")
            .with_notice(q.notice.as_deref()),
        dialog: Dialog::new("mailboxes"),
        mailboxes,
        current: 0,
        adding: false,
        can_add: cap_note(&summary).is_none(),
        usage: mailbox_usage(&summary),
        read_only_note: mailboxes_read_only_note(&summary),
        at_cap: cap_note(&summary),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "settings/mailbox_edit.html")]
struct EditPage {
    page: Page,
    dialog: Dialog,
    mailboxes: Vec<MailboxRow>,
    /// The mailbox being edited; 0 while adding one.
    current: i64,
    adding: bool,
    can_add: bool,
    usage: String,
    form: MailboxForm,
    permissions_enabled: bool,
    plan: &'static str,
    users: Vec<PermissionRow>,
    read_only: Option<String>,
    at_cap: Option<String>,
    errors: FieldErrors,
    message: Option<String>,
    /// The connected POP accounts of a saved mailbox.
    pop: Option<PopSection>,
    /// Its own SMTP server, for administrators.
    smtp: Option<SmtpSection>,
    /// The autoresponder of a saved mailbox.
    auto_reply: Option<AutoReplySection>,
}

form_page!(EditPage);

pub(super) struct EditState {
    current: Option<MailboxId>,
    form: MailboxForm,
    read_only: bool,
    error: Option<FormError>,
    notice: Option<String>,
    /// A "Test connection" answer to show next to that POP account.
    pop_test: Option<(PopAccountId, TestResult)>,
    /// What an Outgoing mail (SMTP) submission left to show.
    smtp: SmtpOutcome,
}

impl EditState {
    /// The editor of a saved mailbox as stored.
    pub(super) fn of(detail: &MailboxDetail, notice: Option<String>) -> Self {
        Self {
            current: Some(detail.mailbox.id),
            form: MailboxForm::from_record(&detail.mailbox, &detail.permitted_users),
            read_only: detail.read_only,
            error: None,
            notice,
            pop_test: None,
            smtp: SmtpOutcome::default(),
        }
    }

    pub(super) fn with_pop_test(mut self, id: PopAccountId, result: TestResult) -> Self {
        self.pop_test = Some((id, result));
        self
    }

    pub(super) fn with_smtp(mut self, outcome: SmtpOutcome) -> Self {
        self.smtp = outcome;
        self
    }
}

pub(super) async fn render_edit(
    s: &AppState,
    user: &CurrentUser,
    st: EditState,
) -> Result<Response, PageError> {
    let (mailboxes, summary) = mailbox_rows(s, user).await?;
    let users = s.app.list_users(&user.actor).await?;
    let plan = summary.account.plan;
    let title = match st.current {
        Some(_) => format!("Account & Tools: {}", st.form.name),
        None => "Account & Tools: Add a mailbox".to_string(),
    };
    let read_only = st.read_only.then(|| {
        format!(
            "This mailbox is read-only: the {} plan allows {} mailboxes and this account has {}. \
             Its mail stays, but its settings can't be changed until you delete another mailbox \
             or the account owner upgrades the plan in Account Options.",
            plan.label(),
            plan.limits().max_mailboxes,
            summary.mailboxes
        )
    });
    let at_cap = if st.current.is_none() {
        cap_note(&summary)
    } else {
        None
    };
    let editable = read_only.is_none() && at_cap.is_none();
    let dialog = Dialog::new("mailboxes");
    let (status, errors, message) = match st.error {
        Some(e) => (e.status, e.fields, e.message),
        None => (StatusCode::OK, FieldErrors::default(), None),
    };
    let pop = match st.current {
        Some(id) => Some(pop_accounts::section(s, user, id, st.read_only, st.pop_test).await?),
        None => None,
    };
    let smtp = match st.current {
        Some(id) if user.actor.is_admin() => {
            Some(mailbox_smtp::section(s, user, id, st.read_only, st.smtp).await?)
        }
        _ => None,
    };
    let auto_reply = match st.current {
        Some(id) => Some(auto_reply::section(s, user, id, st.read_only).await?),
        None => None,
    };
    let mut page = Page::for_user(&title, user, "settings").with_notice(st.notice.as_deref());
    if page.notice.is_none() {
        page.notice = st
            .notice
            .as_deref()
            .and_then(|c| {
                pop_accounts::notice_text(c)
                    .or_else(|| mailbox_smtp::notice_text(c))
                    .or_else(|| auto_reply::notice_text(c))
            })
            .map(str::to_string);
    }
    let page = EditPage {
        page,
        dialog: if editable {
            dialog.saving("mailbox-form")
        } else {
            dialog
        },
        mailboxes,
        current: st.current.map_or(0, |m| m.0),
        adding: st.current.is_none(),
        can_add: cap_note(&summary).is_none(),
        usage: mailbox_usage(&summary),
        users: permission_rows(&users, &st.form),
        form: st.form,
        permissions_enabled: plan.limits().per_mailbox_permissions,
        plan: plan.label(),
        read_only,
        at_cap,
        errors,
        message,
        pop,
        smtp,
        auto_reply,
    };
    Ok((status, page).into_response())
}

async fn new_form(State(s): State<AppState>, user: CurrentUser) -> Result<Response, PageError> {
    require_admin(&user)?;
    let st = EditState {
        current: None,
        form: MailboxForm {
            permissions_shown: "1".into(),
            ..Default::default()
        },
        read_only: false,
        error: None,
        notice: None,
        pop_test: None,
        smtp: SmtpOutcome::default(),
    };
    render_edit(&s, &user, st).await
}

async fn create(
    State(s): State<AppState>,
    user: CurrentUser,
    CsrfForm(f): CsrfForm<MailboxForm>,
) -> Result<Response, PageError> {
    require_admin(&user)?;
    let plan = user.actor.plan;
    let users = s.app.list_users(&user.actor).await?;
    let permitted = if plan.limits().per_mailbox_permissions {
        f.permitted(&users, &[])
    } else {
        Ok(None)
    };
    let error = match permitted {
        Err(fields) => FormError::fields(fields),
        Ok(p) => match s
            .app
            .create_mailbox(&user.actor, &f.input(), p.as_deref().unwrap_or_default())
            .await
        {
            Ok(d) => {
                let to = format!(
                    "/settings/mailboxes/{}?notice=mailbox-created",
                    d.mailbox.id
                );
                return Ok(Redirect::to(&to).into_response());
            }
            Err(e) => FormError::from_app(e, &[])?,
        },
    };
    let st = EditState {
        current: None,
        form: f.cleaned(),
        read_only: false,
        error: Some(error),
        notice: None,
        pop_test: None,
        smtp: SmtpOutcome::default(),
    };
    render_edit(&s, &user, st).await
}

async fn edit_form(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    let id = MailboxId(path_id(&id)?);
    let detail = s.app.mailbox_detail(&user.actor, id).await?;
    render_edit(&s, &user, EditState::of(&detail, q.notice)).await
}

async fn update(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<MailboxForm>,
) -> Result<Response, PageError> {
    let id = MailboxId(path_id(&id)?);
    let detail = s.app.mailbox_detail(&user.actor, id).await?;
    let users = s.app.list_users(&user.actor).await?;
    let permitted = if user.actor.plan.limits().per_mailbox_permissions {
        f.permitted(&users, &detail.permitted_users)
    } else {
        Ok(None)
    };
    let error = match permitted {
        Err(fields) => FormError::fields(fields),
        Ok(p) => match s
            .app
            .update_mailbox(&user.actor, id, &f.input(), p.as_deref())
            .await
        {
            Ok(_) => {
                let to = format!("/settings/mailboxes/{id}?notice=saved");
                return Ok(Redirect::to(&to).into_response());
            }
            Err(e) => FormError::from_app(e, &[])?,
        },
    };
    let st = EditState {
        current: Some(id),
        form: f.cleaned(),
        read_only: detail.read_only,
        error: Some(error),
        notice: None,
        pop_test: None,
        smtp: SmtpOutcome::default(),
    };
    render_edit(&s, &user, st).await
}

#[derive(Template, WebTemplate)]
#[template(path = "settings/mailbox_delete.html")]
struct DeletePage {
    page: Page,
    dialog: Dialog,
    id: i64,
    name: String,
    impact: String,
}

async fn delete_confirm(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<DeletePage, PageError> {
    let id = MailboxId(path_id(&id)?);
    let impact = s.app.mailbox_delete_impact(&user.actor, id).await?;
    Ok(DeletePage {
        page: Page::for_user("Delete mailbox", &user, "settings"),
        dialog: Dialog::new("mailboxes"),
        id: id.0,
        impact: impact.describe(),
        name: impact.name,
    })
}

async fn delete(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let id = MailboxId(path_id(&id)?);
    s.app.delete_mailbox(&user.actor, id).await?;
    Ok(Redirect::to("/settings/mailboxes?notice=mailbox-deleted").into_response())
}
