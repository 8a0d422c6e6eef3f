//! Account & Tools -> Templates: the account's canned replies, added and
//! edited with the signature editor, placeholders to insert, a Preview
//! with sample values, and deleting after a confirmation.

use super::templates_form::{PreviewView, TemplateForm, TemplateRow};
use super::{Dialog, require_admin};
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
use axum::routing::{get, post};
use ecp_app::templates::{PLACEHOLDERS, Placeholder, TemplateId};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings/templates", get(overview))
        .route("/settings/templates/new", get(new_form).post(create))
        .route("/settings/templates/preview", post(preview))
        .route("/settings/templates/{id}", get(edit_form).post(update))
        .route(
            "/settings/templates/{id}/delete",
            get(delete_confirm).post(delete),
        )
}

async fn rows(s: &AppState, user: &CurrentUser) -> Result<Vec<TemplateRow>, PageError> {
    let list = s.app.list_templates(&user.actor).await?;
    Ok(list.into_iter().map(TemplateRow::from).collect())
}

#[derive(Template, WebTemplate)]
#[template(path = "settings/templates.html")]
struct OverviewPage {
    page: Page,
    dialog: Dialog,
    templates: Vec<TemplateRow>,
    current: i64,
    adding: bool,
    placeholders: &'static [Placeholder],
}

async fn overview(
    State(s): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NoticeQuery>,
) -> Result<OverviewPage, PageError> {
    require_admin(&user)?;
    Ok(OverviewPage {
        page: Page::for_user("Account & Tools: Templates", &user, "settings")
            .with_notice(q.notice.as_deref()),
        dialog: Dialog::new("templates"),
        templates: rows(&s, &user).await?,
        current: 0,
        adding: false,
        placeholders: PLACEHOLDERS,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "settings/template_edit.html")]
struct EditPage {
    page: Page,
    dialog: Dialog,
    templates: Vec<TemplateRow>,
    /// The template being edited; 0 while adding one.
    current: i64,
    adding: bool,
    form: TemplateForm,
    placeholders: &'static [Placeholder],
    preview: Option<PreviewView>,
    errors: FieldErrors,
    message: Option<String>,
}

form_page!(EditPage);

struct EditState {
    current: Option<TemplateId>,
    form: TemplateForm,
    preview: Option<PreviewView>,
    error: Option<FormError>,
    notice: Option<String>,
}

impl EditState {
    fn form(current: Option<TemplateId>, form: TemplateForm) -> Self {
        Self {
            current,
            form,
            preview: None,
            error: None,
            notice: None,
        }
    }
}

async fn render_edit(
    s: &AppState,
    user: &CurrentUser,
    st: EditState,
) -> Result<Response, PageError> {
    let title = match st.current {
        Some(_) => format!("Account & Tools: template {}", st.form.name),
        None => "Account & Tools: Add a template".to_string(),
    };
    let (status, errors, message) = match st.error {
        Some(e) => (e.status, e.fields, e.message),
        None => (StatusCode::OK, FieldErrors::default(), None),
    };
    let page = EditPage {
        page: Page::for_user(&title, user, "settings").with_notice(st.notice.as_deref()),
        dialog: Dialog::new("templates").saving("template-form"),
        templates: rows(s, user).await?,
        current: st.current.map_or(0, |t| t.0),
        adding: st.current.is_none(),
        form: st.form,
        placeholders: PLACEHOLDERS,
        preview: st.preview,
        errors,
        message,
    };
    Ok((status, page).into_response())
}

async fn new_form(State(s): State<AppState>, user: CurrentUser) -> Result<Response, PageError> {
    require_admin(&user)?;
    render_edit(&s, &user, EditState::form(None, TemplateForm::default())).await
}

async fn create(
    State(s): State<AppState>,
    user: CurrentUser,
    CsrfForm(f): CsrfForm<TemplateForm>,
) -> Result<Response, PageError> {
    require_admin(&user)?;
    match s.app.create_template(&user.actor, &f.input()).await {
        Ok(t) => {
            let to = format!("/settings/templates/{}?notice=created", t.id);
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => {
            let st = EditState {
                error: Some(FormError::from_app(e, &[])?),
                ..EditState::form(None, f.cleaned())
            };
            render_edit(&s, &user, st).await
        }
    }
}

async fn edit_form(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    require_admin(&user)?;
    let id = TemplateId(path_id(&id)?);
    let t = s.app.template(&user.actor, id).await?;
    let st = EditState {
        notice: q.notice,
        ..EditState::form(Some(id), TemplateForm::from_record(&t))
    };
    render_edit(&s, &user, st).await
}

async fn update(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<TemplateForm>,
) -> Result<Response, PageError> {
    require_admin(&user)?;
    let id = TemplateId(path_id(&id)?);
    match s.app.update_template(&user.actor, id, &f.input()).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/settings/templates/{id}?notice=saved")).into_response())
        }
        Err(e) => {
            let st = EditState {
                error: Some(FormError::from_app(e, &[])?),
                ..EditState::form(Some(id), f.cleaned())
            };
            render_edit(&s, &user, st).await
        }
    }
}

/// Fills in the form as it stands with the sample values; nothing is
/// saved, and the form comes back as typed.
async fn preview(
    State(s): State<AppState>,
    user: CurrentUser,
    CsrfForm(f): CsrfForm<TemplateForm>,
) -> Result<Response, PageError> {
    require_admin(&user)?;
    let current = match f.id.trim() {
        "" | "0" => None,
        raw => {
            let id = TemplateId(path_id(raw)?);
            s.app.template(&user.actor, id).await?;
            Some(id)
        }
    };
    let st = match s.app.preview_template(&user.actor, &f.input()) {
        Ok(r) => EditState {
            preview: Some(r.into()),
            ..EditState::form(current, f.cleaned())
        },
        Err(e) => EditState {
            error: Some(FormError::from_app(e, &[])?),
            ..EditState::form(current, f.cleaned())
        },
    };
    render_edit(&s, &user, st).await
}

#[derive(Template, WebTemplate)]
#[template(path = "settings/template_delete.html")]
struct DeletePage {
    page: Page,
    dialog: Dialog,
    id: i64,
    name: String,
}

async fn delete_confirm(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<DeletePage, PageError> {
    require_admin(&user)?;
    let id = TemplateId(path_id(&id)?);
    let t = s.app.template(&user.actor, id).await?;
    Ok(DeletePage {
        page: Page::for_user("Delete template", &user, "settings"),
        dialog: Dialog::new("templates"),
        id: id.0,
        name: t.name,
    })
}

async fn delete(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let id = TemplateId(path_id(&id)?);
    s.app.delete_template(&user.actor, id).await?;
    Ok(Redirect::to("/settings/templates?notice=deleted").into_response())
}
