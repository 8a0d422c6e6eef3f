//! Account & Tools -> Account Options (owner only): time zone, switches,
//! the spam threshold, the plan, and the start of an ownership transfer
//! (its confirmation is in `owner`).

use super::{
    Dialog, mailbox_usage, mailboxes_read_only_note, plan_summary, require_owner, user_usage,
    users_read_only_note,
};
use crate::auth::{CsrfForm, CurrentUser};
use crate::error::PageError;
use crate::state::AppState;
use crate::ui::form::{FieldErrors, FormError, form_page};
use crate::ui::page::{NoticeQuery, Page};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use ecp_app::account::{AccountRecord, OptionsPatch};
use ecp_domain::{Plan, Role, TimeZoneName};
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings/options", get(show).post(save))
        .route("/settings/options/plan", post(change_plan))
}

/// Checkboxes send a value only when ticked, hence the `Option`s.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct OptionsForm {
    time_zone: String,
    ssl_required: Option<String>,
    maintain_assignments: Option<String>,
    admin_only_dashboards: Option<String>,
    rss_enabled: Option<String>,
    api_enabled: Option<String>,
    spam_threshold: String,
}

pub(super) struct OptionsView {
    time_zone: String,
    ssl_required: bool,
    maintain_assignments: bool,
    admin_only_dashboards: bool,
    rss_enabled: bool,
    api_enabled: bool,
    spam_threshold: String,
}

impl OptionsView {
    fn stored(a: &AccountRecord) -> Self {
        let o = &a.options;
        Self {
            time_zone: o.time_zone.as_str().to_string(),
            ssl_required: o.ssl_required,
            maintain_assignments: o.maintain_assignments,
            admin_only_dashboards: o.admin_only_dashboards,
            rss_enabled: o.rss_enabled,
            api_enabled: o.api_enabled,
            spam_threshold: o.spam_threshold.value().to_string(),
        }
    }

    fn submitted(f: OptionsForm) -> Self {
        Self {
            time_zone: f.time_zone,
            ssl_required: f.ssl_required.is_some(),
            maintain_assignments: f.maintain_assignments.is_some(),
            admin_only_dashboards: f.admin_only_dashboards.is_some(),
            rss_enabled: f.rss_enabled.is_some(),
            api_enabled: f.api_enabled.is_some(),
            spam_threshold: f.spam_threshold,
        }
    }
}

struct PlanRow {
    value: &'static str,
    label: &'static str,
    summary: String,
    current: bool,
}

struct Candidate {
    id: i64,
    name: String,
    role: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "settings/options.html")]
struct OptionsPage {
    page: Page,
    dialog: Dialog,
    form: OptionsView,
    time_zones: Vec<String>,
    plan: &'static str,
    api_available: bool,
    plans: Vec<PlanRow>,
    mailbox_usage: String,
    user_usage: String,
    mailboxes_note: Option<String>,
    users_note: Option<String>,
    candidates: Vec<Candidate>,
    errors: FieldErrors,
    message: Option<String>,
}

form_page!(OptionsPage);

/// Renders the tab; `form` is the refused submission to show again, or
/// `None` for what is stored.
pub(super) async fn render(
    s: &AppState,
    user: &CurrentUser,
    notice: Option<&str>,
    form: Option<OptionsForm>,
    error: Option<FormError>,
) -> Result<Response, PageError> {
    let summary = s.app.account_summary(&user.actor).await?;
    let plan = summary.account.plan;
    let candidates = s
        .app
        .list_users(&user.actor)
        .await?
        .into_iter()
        .filter(|r| r.user.active && r.user.role != Role::Owner)
        .map(|r| Candidate {
            id: r.user.id.0,
            name: r.user.name,
            role: r.user.role.label(),
        })
        .collect();
    let (status, errors, message) = match error {
        Some(e) => (e.status, e.fields, e.message),
        None => (StatusCode::OK, FieldErrors::default(), None),
    };
    let page = OptionsPage {
        page: Page::for_user("Account & Tools: Account Options", user, "settings")
            .with_notice(notice),
        dialog: Dialog::new("options").saving("options-form"),
        form: form.map_or_else(
            || OptionsView::stored(&summary.account),
            OptionsView::submitted,
        ),
        time_zones: TimeZoneName::all(),
        plan: plan.label(),
        api_available: plan.limits().api,
        plans: Plan::ALL
            .iter()
            .map(|p| PlanRow {
                value: p.as_str(),
                label: p.label(),
                summary: plan_summary(*p),
                current: *p == plan,
            })
            .collect(),
        mailbox_usage: mailbox_usage(&summary),
        user_usage: user_usage(&summary),
        mailboxes_note: mailboxes_read_only_note(&summary),
        users_note: users_read_only_note(&summary),
        candidates,
        errors,
        message,
    };
    Ok((status, page).into_response())
}

async fn show(
    State(s): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    require_owner(&user)?;
    render(&s, &user, q.notice.as_deref(), None, None).await
}

async fn save(
    State(s): State<AppState>,
    user: CurrentUser,
    CsrfForm(f): CsrfForm<OptionsForm>,
) -> Result<Response, PageError> {
    require_owner(&user)?;
    // Checked before anything is written, so a bad value saves nothing.
    let Ok(spam) = f.spam_threshold.trim().parse::<i64>() else {
        let fields = FieldErrors::one(
            "spam_threshold",
            "The spam threshold must be a whole number from 1 to 10: move the slider and save again.",
        );
        return render(&s, &user, None, Some(f), Some(FormError::fields(fields))).await;
    };
    let api_on_plan = user.actor.plan.limits().api;
    let patch = OptionsPatch {
        time_zone: Some(f.time_zone.clone()),
        ssl_required: Some(f.ssl_required.is_some()),
        maintain_assignments: Some(f.maintain_assignments.is_some()),
        admin_only_dashboards: Some(f.admin_only_dashboards.is_some()),
        rss_enabled: Some(f.rss_enabled.is_some()),
        // Without the API on the plan the box is disabled and sends nothing:
        // the stored choice is kept for when the plan allows it again.
        api_enabled: if api_on_plan || f.api_enabled.is_some() {
            Some(f.api_enabled.is_some())
        } else {
            None
        },
        spam_threshold: Some(spam),
    };
    match s.app.update_options(&user.actor, &patch).await {
        Ok(_) => Ok(Redirect::to("/settings/options?notice=options-saved").into_response()),
        Err(e) => {
            let error = FormError::from_app(e, &[])?;
            render(&s, &user, None, Some(f), Some(error)).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PlanForm {
    plan: String,
}

async fn change_plan(
    State(s): State<AppState>,
    user: CurrentUser,
    CsrfForm(f): CsrfForm<PlanForm>,
) -> Result<Response, PageError> {
    require_owner(&user)?;
    match s.app.change_plan(&user.actor, &f.plan).await {
        Ok(_) => Ok(Redirect::to("/settings/options?notice=plan").into_response()),
        Err(e) => {
            let error = FormError::from_app(e, &[])?;
            render(&s, &user, None, None, Some(error)).await
        }
    }
}
