//! The mailbox editor's "Connected POP accounts": the list with each
//! account's fetch status and delivery ledger, the add/edit form, "Test
//! connection", "Fetch now" and removing one. The use cases decide who may
//! (NotFound for a mailbox the user can't see, Forbidden for non-admins).

use super::Dialog;
use super::mailboxes::{EditState, MailboxRow, mailbox_rows, render_edit};
use super::pop_form::{LedgerRow, PopForm, PopRow, TestResult, ledger_rows};
use crate::auth::{CsrfForm, CurrentUser};
use crate::error::PageError;
use crate::state::AppState;
use crate::ui::form::{FieldErrors, FormError, form_page, path_id};
use crate::ui::page::Page;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use ecp_app::AppError;
use ecp_app::pop::{PopAccountId, PopAccountView};
use ecp_domain::MailboxId;

pub(super) fn routes() -> Router<AppState> {
    const BASE: &str = "/settings/mailboxes/{id}/pop-accounts";
    Router::new()
        .route(&format!("{BASE}/new"), get(new_form).post(create))
        .route(&format!("{BASE}/test"), post(test_form))
        .route(&format!("{BASE}/{{pop}}"), get(edit_form).post(update))
        .route(&format!("{BASE}/{{pop}}/test"), post(test_saved))
        .route(&format!("{BASE}/{{pop}}/fetch"), post(fetch_now))
        .route(&format!("{BASE}/{{pop}}/delete"), post(delete))
}

/// Confirmations after a redirect back to the mailbox editor. Known codes
/// only, so a crafted link can't put words on the page.
pub(super) fn notice_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "pop-added" => {
            "The POP account was added. Use \"Test connection\" to check it; while it is Active \
             it is checked for new mail about every minute."
        }
        "pop-saved" => "The POP account was saved; it is checked again within a few seconds.",
        "pop-deleted" => {
            "The POP account was removed. Mail it already brought in stays in this mailbox."
        }
        "pop-fetch" => {
            "The POP account will be checked within a few seconds. Reload this page to see what \
             arrived."
        }
        _ => return None,
    })
}

/// The section as the mailbox editor shows it.
pub(super) struct PopSection {
    pub mailbox: i64,
    pub rows: Vec<PopRow>,
    pub editable: bool,
}

pub(super) async fn section(
    s: &AppState,
    user: &CurrentUser,
    mailbox: MailboxId,
    read_only: bool,
    mut test: Option<(PopAccountId, TestResult)>,
) -> Result<PopSection, PageError> {
    let tz = s.app.account(&user.actor).await?.options.time_zone;
    let mut rows = Vec::new();
    for v in s.app.pop_accounts(&user.actor, mailbox).await? {
        let ledger = s.app.pop_ledger(&user.actor, mailbox, v.id).await?;
        let result = match &test {
            Some((id, _)) if *id == v.id => test.take().map(|(_, t)| t),
            _ => None,
        };
        rows.push(PopRow::new(v, &ledger, &tz, result));
    }
    Ok(PopSection {
        mailbox: mailbox.0,
        rows,
        editable: !read_only,
    })
}

fn ids(mailbox: &str, pop: &str) -> Result<(MailboxId, PopAccountId), PageError> {
    Ok((MailboxId(path_id(mailbox)?), PopAccountId(path_id(pop)?)))
}

fn back_to(mailbox: MailboxId, notice: &str, anchor: &str) -> Response {
    Redirect::to(&format!(
        "/settings/mailboxes/{mailbox}?notice={notice}#{anchor}"
    ))
    .into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "settings/pop_edit.html")]
struct PopEditPage {
    page: Page,
    dialog: Dialog,
    mailboxes: Vec<MailboxRow>,
    /// The mailbox, for the list on the left and the form's addresses.
    current: i64,
    adding: bool,
    can_add: bool,
    usage: String,
    mailbox_name: String,
    /// The saved account being edited; `None` while adding one.
    account: Option<i64>,
    /// Its saved name, for the heading (the form may hold a refused one).
    saved_name: String,
    form: PopForm,
    ssl_offered: bool,
    ssl_note: Option<String>,
    plan: &'static str,
    read_only: Option<String>,
    test: Option<TestResult>,
    /// A test ran with a typed password, which is not sent back.
    retype_password: bool,
    ledger_summary: Option<String>,
    ledger: Vec<LedgerRow>,
    errors: FieldErrors,
    message: Option<String>,
}

form_page!(PopEditPage);

struct FormState {
    mailbox: MailboxId,
    saved: Option<PopAccountView>,
    form: PopForm,
    test: Option<TestResult>,
    retype_password: bool,
    error: Option<FormError>,
}

async fn render_form(
    s: &AppState,
    user: &CurrentUser,
    st: FormState,
) -> Result<Response, PageError> {
    let detail = s.app.mailbox_detail(&user.actor, st.mailbox).await?;
    let (mailboxes, summary) = mailbox_rows(s, user).await?;
    let plan = summary.account.plan;
    let had_ssl = st.saved.as_ref().is_some_and(|v| v.use_ssl);
    let ssl_offered = plan.limits().pop_over_ssl || had_ssl;
    let ssl_note = (!plan.limits().pop_over_ssl && had_ssl).then(|| {
        format!(
            "This account was set up with SSL before the plan changed to {}. It keeps SSL; \
             if you untick it, it can only be turned on again after an upgrade.",
            plan.label()
        )
    });
    let read_only = detail.read_only.then(|| {
        format!(
            "This mailbox is read-only: the {} plan allows {} mailboxes and this account has {}. \
             Its POP accounts can't be added or changed until you delete another mailbox or the \
             account owner upgrades the plan in Account Options.",
            plan.label(),
            plan.limits().max_mailboxes,
            summary.mailboxes
        )
    });
    let (ledger_summary, ledger) = match &st.saved {
        Some(v) => {
            let l = s.app.pop_ledger(&user.actor, st.mailbox, v.id).await?;
            let tz = s.app.account(&user.actor).await?.options.time_zone;
            (Some(l.summary.clone()), ledger_rows(&l, &tz))
        }
        None => (None, Vec::new()),
    };
    let (status, errors, message) = match st.error {
        Some(e) => (e.status, e.fields, e.message),
        None => (StatusCode::OK, FieldErrors::default(), None),
    };
    let title = match &st.saved {
        Some(v) => format!("POP account: {}", v.name),
        None => format!("Add a POP account to {}", detail.mailbox.name),
    };
    let dialog = Dialog::new("mailboxes");
    let page = PopEditPage {
        page: Page::for_user(&title, user, "settings"),
        dialog: if read_only.is_none() {
            dialog.saving("pop-form")
        } else {
            dialog
        },
        mailboxes,
        current: st.mailbox.0,
        adding: false,
        can_add: plan.check_add_mailbox(summary.mailboxes).is_ok(),
        usage: super::mailbox_usage(&summary),
        mailbox_name: detail.mailbox.name,
        account: st.saved.as_ref().map(|v| v.id.0),
        saved_name: st.saved.map(|v| v.name).unwrap_or_default(),
        form: st.form.without_password(),
        ssl_offered,
        ssl_note,
        plan: plan.label(),
        read_only,
        test: st.test,
        retype_password: st.retype_password,
        ledger_summary,
        ledger,
        errors,
        message,
    };
    Ok((status, page).into_response())
}

async fn new_form(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let st = FormState {
        mailbox: MailboxId(path_id(&id)?),
        saved: None,
        form: PopForm::new_account(),
        test: None,
        retype_password: false,
        error: None,
    };
    render_form(&s, &user, st).await
}

async fn create(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<PopForm>,
) -> Result<Response, PageError> {
    let mailbox = MailboxId(path_id(&id)?);
    let error = match s
        .app
        .create_pop_account(&user.actor, mailbox, &f.input())
        .await
    {
        Ok(v) => return Ok(back_to(mailbox, "pop-added", &format!("pop-{}", v.id))),
        Err(e) => FormError::from_app(e, &[])?,
    };
    let st = FormState {
        mailbox,
        saved: None,
        form: PopForm {
            account: String::new(),
            ..f
        },
        test: None,
        retype_password: false,
        error: Some(error),
    };
    render_form(&s, &user, st).await
}

async fn edit_form(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, pop)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (mailbox, pop) = ids(&id, &pop)?;
    let saved = s.app.pop_account(&user.actor, mailbox, pop).await?;
    let st = FormState {
        mailbox,
        form: PopForm::from_view(&saved),
        saved: Some(saved),
        test: None,
        retype_password: false,
        error: None,
    };
    render_form(&s, &user, st).await
}

async fn update(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, pop)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<PopForm>,
) -> Result<Response, PageError> {
    let (mailbox, pop) = ids(&id, &pop)?;
    let saved = s.app.pop_account(&user.actor, mailbox, pop).await?;
    let error = match s
        .app
        .update_pop_account(&user.actor, mailbox, pop, &f.input())
        .await
    {
        Ok(_) => return Ok(back_to(mailbox, "pop-saved", &format!("pop-{pop}"))),
        Err(e) => FormError::from_app(e, &[])?,
    };
    let st = FormState {
        mailbox,
        form: PopForm {
            account: pop.0.to_string(),
            ..f
        },
        saved: Some(saved),
        test: None,
        retype_password: false,
        error: Some(error),
    };
    render_form(&s, &user, st).await
}

/// "Test connection" on the add/edit form: the settings as typed, with the
/// stored password standing in for an empty field when editing.
async fn test_form(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<PopForm>,
) -> Result<Response, PageError> {
    let mailbox = MailboxId(path_id(&id)?);
    let saved = match f.account.trim() {
        "" => None,
        raw => Some(
            s.app
                .pop_account(&user.actor, mailbox, PopAccountId(path_id(raw)?))
                .await?,
        ),
    };
    let typed = !f.password.is_empty();
    let (test, error) = match s
        .app
        .test_pop_connection(
            &user.actor,
            mailbox,
            &f.input(),
            saved.as_ref().map(|v| v.id),
        )
        .await
    {
        Ok(t) => (Some(t.into()), None),
        Err(e) => (None, Some(FormError::from_app(e, &[])?)),
    };
    let st = FormState {
        mailbox,
        saved,
        retype_password: typed && test.is_some(),
        form: f,
        test,
        error,
    };
    render_form(&s, &user, st).await
}

/// "Test connection" in the list: the saved settings, answered on the
/// mailbox editor next to the account.
async fn test_saved(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, pop)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let (mailbox, pop) = ids(&id, &pop)?;
    let saved = s.app.pop_account(&user.actor, mailbox, pop).await?;
    let form = PopForm::from_view(&saved);
    let result = match s
        .app
        .test_pop_connection(&user.actor, mailbox, &form.input(), Some(pop))
        .await
    {
        Ok(t) => t.into(),
        // Stored settings that no longer pass (a rule changed since): say
        // which, on the row, rather than leaving the page.
        Err(AppError::Validation(list)) => TestResult {
            ok: false,
            step: "Checking the settings",
            message: list
                .iter()
                .map(|e| e.message.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        },
        Err(e) => return Err(e.into()),
    };
    let detail = s.app.mailbox_detail(&user.actor, mailbox).await?;
    let st = EditState::of(&detail, None).with_pop_test(pop, result);
    render_edit(&s, &user, st).await
}

async fn fetch_now(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, pop)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let (mailbox, pop) = ids(&id, &pop)?;
    s.app
        .fetch_pop_account_soon(&user.actor, mailbox, pop)
        .await?;
    Ok(back_to(mailbox, "pop-fetch", &format!("pop-{pop}")))
}

async fn delete(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, pop)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let (mailbox, pop) = ids(&id, &pop)?;
    s.app.delete_pop_account(&user.actor, mailbox, pop).await?;
    Ok(back_to(mailbox, "pop-deleted", "pop-accounts"))
}
