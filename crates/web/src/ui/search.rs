//! The search page (words and filters, results newest first), saving a
//! search, and opening, renaming or deleting a saved one.

use crate::auth::{CsrfForm, CurrentUser};
use crate::error::PageError;
use crate::state::AppState;
use crate::ui::form::{FieldErrors, FormError, form_page, path_id};
use crate::ui::found::{Row, row};
use crate::ui::page::{NoticeQuery, Page};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use ecp_app::mailboxes::MailboxRecord;
use ecp_app::search::SavedSearch;
use ecp_domain::search::SearchForm;
use serde::Deserialize;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/search", get(show))
        .route("/search/save", post(save))
        .route("/saved-searches/{id}", get(open_saved))
        .route("/saved-searches/{id}/rename", post(rename))
        .route("/saved-searches/{id}/delete", post(delete))
}

const PAGE_SIZE: i64 = 50;

#[derive(Template, WebTemplate)]
#[template(path = "search.html")]
struct SearchPage {
    page: Page,
    mailboxes: Vec<MailboxRecord>,
    form: SearchForm,
    searched: bool,
    rows: Vec<Row>,
    older: Option<String>,
    stopped_early: bool,
    query_string: String,
    saved: Option<SavedSearch>,
    save_name: String,
    errors: FieldErrors,
    message: Option<String>,
}

form_page!(SearchPage);

#[derive(Deserialize, Default)]
#[serde(default)]
struct SearchQuery {
    #[serde(flatten)]
    form: SearchForm,
    before: Option<String>,
    saved: Option<String>,
    notice: Option<String>,
}

fn query_string(f: &SearchForm) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    [
        ("q", &f.q),
        ("mailbox", &f.mailbox),
        ("status", &f.status),
        ("assignee", &f.assignee),
        ("tag", &f.tag),
        ("from", &f.from),
        ("to", &f.to),
    ]
    .iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| format!("{k}={}", enc(v)))
    .collect::<Vec<_>>()
    .join("&")
}

async fn render(
    s: &AppState,
    user: &CurrentUser,
    form: SearchForm,
    before: Option<(i64, i64)>,
    saved: Option<SavedSearch>,
    notice: Option<&str>,
    error: Option<FormError>,
) -> Result<Response, PageError> {
    let mut rows = Vec::new();
    let mut older = None;
    let mut stopped_early = false;
    let mut error = error;
    let searched = !form.is_empty();
    // The search and the rest of the page side by side.
    let run = async {
        if searched && error.is_none() {
            Some(s.app.search(&user.actor, &form, before, PAGE_SIZE).await)
        } else {
            None
        }
    };
    let chrome = async {
        let account = s.app.account(&user.actor).await?;
        let page = Page::for_user("Search", user, "home")
            .with_notice(notice)
            .with_saved_searches(&s.app, user)
            .await?;
        let mailboxes = s.app.visible_mailboxes(&user.actor).await?;
        Ok::<_, PageError>((account.options.time_zone, page, mailboxes))
    };
    let (found, chrome) = tokio::join!(run, chrome);
    let (tz, page, mailboxes) = chrome?;
    if let Some(found) = found {
        match found {
            Ok(found) => {
                rows = found.conversations.iter().map(|c| row(c, &tz)).collect();
                older = found.next.map(|(at, id)| format!("{at}.{id}"));
                stopped_early = found.stopped_early;
            }
            Err(e) => error = Some(FormError::from_app(e, &[])?),
        }
    }
    let (status, errors, message) = match error {
        Some(e) => (e.status, e.fields, e.message),
        None => (StatusCode::OK, FieldErrors::default(), None),
    };
    let page = SearchPage {
        page,
        mailboxes,
        query_string: query_string(&form),
        save_name: saved.as_ref().map(|x| x.name.clone()).unwrap_or_default(),
        form,
        searched,
        rows,
        older,
        stopped_early,
        saved,
        errors,
        message,
    };
    Ok((status, page).into_response())
}

async fn show(
    State(s): State<AppState>,
    user: CurrentUser,
    Query(q): Query<SearchQuery>,
) -> Result<Response, PageError> {
    let before = q.before.as_deref().and_then(|b| {
        let (at, id) = b.split_once('.')?;
        Some((at.parse().ok()?, id.parse().ok()?))
    });
    let saved = match q.saved.as_deref().map(str::parse::<i64>) {
        Some(Ok(id)) => s.app.saved_search(&user.actor, id).await.ok(),
        _ => None,
    };
    render(&s, &user, q.form, before, saved, q.notice.as_deref(), None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SaveForm {
    #[serde(flatten)]
    form: SearchForm,
    name: String,
    shared: Option<String>,
}

async fn save(
    State(s): State<AppState>,
    user: CurrentUser,
    CsrfForm(f): CsrfForm<SaveForm>,
) -> Result<Response, PageError> {
    let shared = f.shared.is_some();
    match s
        .app
        .create_saved_search(&user.actor, &f.name, &f.form, shared)
        .await
    {
        Ok(saved) => Ok(Redirect::to(&format!(
            "/search?{}&saved={}&notice=search-saved",
            query_string(&saved.form),
            saved.id
        ))
        .into_response()),
        Err(e) => {
            let error = FormError::from_app(e, &[])?;
            render(&s, &user, f.form, None, None, None, Some(error)).await
        }
    }
}

async fn open_saved(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    let saved = s.app.saved_search(&user.actor, path_id(&id)?).await?;
    let form = saved.form.clone();
    render(
        &s,
        &user,
        form,
        None,
        Some(saved),
        q.notice.as_deref(),
        None,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RenameForm {
    name: String,
}

async fn rename(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<RenameForm>,
) -> Result<Response, PageError> {
    let id = path_id(&id)?;
    match s
        .app
        .update_saved_search(&user.actor, id, &f.name, None)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/saved-searches/{id}?notice=saved")).into_response()),
        Err(e) => {
            let error = FormError::from_app(e, &[])?;
            let saved = s.app.saved_search(&user.actor, id).await?;
            render(
                &s,
                &user,
                saved.form.clone(),
                None,
                Some(saved),
                None,
                Some(error),
            )
            .await
        }
    }
}

async fn delete(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    s.app
        .delete_saved_search(&user.actor, path_id(&id)?)
        .await?;
    Ok(Redirect::to("/search?notice=search-deleted").into_response())
}
