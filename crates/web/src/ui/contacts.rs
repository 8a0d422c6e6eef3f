//! Contacts: the list with search and paging, a contact's page (edit,
//! Add to / Remove from Contacts, conversation history), and "Add sender
//! to Contacts" from a conversation.

use crate::auth::{CsrfForm, CurrentUser};
use crate::error::PageError;
use crate::state::AppState;
use crate::ui::form::{FieldErrors, FormError, form_page, path_id};
use crate::ui::found::{Row, row};
use crate::ui::page::Page;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use ecp_app::contacts::ContactRecord;
use ecp_app::mailboxes::MailboxRecord;
use ecp_domain::conversation::ConversationId;
use serde::Deserialize;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/contacts", get(list))
        .route("/contacts/{id}", get(show).post(edit))
        .route("/contacts/{id}/save", post(save))
        .route("/contacts/{id}/unsave", post(unsave))
        .route("/conversations/{id}/save-sender", post(save_sender))
}

const PAGE_SIZE: i64 = 50;

#[derive(Template, WebTemplate)]
#[template(path = "contacts.html")]
struct ContactsPage {
    page: Page,
    mailboxes: Vec<MailboxRecord>,
    q: String,
    saved_only: bool,
    contacts: Vec<ContactRecord>,
    next: Option<String>,
    errors: FieldErrors,
    message: Option<String>,
}

form_page!(ContactsPage);

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    q: String,
    saved: Option<String>,
    after: Option<String>,
}

async fn list(
    State(s): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let saved_only = q.saved.is_some_and(|v| !v.is_empty());
    let (contacts, next, error) = match s
        .app
        .list_contacts(&user.actor, &q.q, saved_only, q.after.as_deref(), PAGE_SIZE)
        .await
    {
        Ok(p) => (p.contacts, p.next, None),
        Err(e) => (Vec::new(), None, Some(FormError::from_app(e, &[])?)),
    };
    let (status, errors, message) = match error {
        Some(e) => (e.status, e.fields, e.message),
        None => (StatusCode::OK, FieldErrors::default(), None),
    };
    let page = ContactsPage {
        page: Page::for_user("Contacts", &user, "home")
            .with_saved_searches(&s.app, &user)
            .await?,
        mailboxes: s.app.visible_mailboxes(&user.actor).await?,
        q: q.q,
        saved_only,
        contacts,
        next,
        errors,
        message,
    };
    Ok((status, page).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "contact.html")]
struct ContactPage {
    page: Page,
    mailboxes: Vec<MailboxRecord>,
    contact: ContactRecord,
    name: String,
    notes: String,
    rows: Vec<Row>,
    older: Option<String>,
    errors: FieldErrors,
    message: Option<String>,
}

form_page!(ContactPage);

#[derive(Deserialize, Default)]
#[serde(default)]
struct ShowQuery {
    notice: Option<String>,
    before: Option<String>,
}

async fn render(
    s: &AppState,
    user: &CurrentUser,
    id: i64,
    before: Option<(i64, i64)>,
    notice: Option<&str>,
    input: Option<EditForm>,
    error: Option<FormError>,
) -> Result<Response, PageError> {
    let contact = s.app.contact(&user.actor, id).await?;
    let history = s
        .app
        .contact_history(&user.actor, id, before, PAGE_SIZE)
        .await?;
    let tz = s.app.account(&user.actor).await?.options.time_zone;
    let (status, errors, message) = match error {
        Some(e) => (e.status, e.fields, e.message),
        None => (StatusCode::OK, FieldErrors::default(), None),
    };
    let input = input.unwrap_or(EditForm {
        name: contact.name.clone(),
        notes: contact.notes.clone(),
    });
    let page = ContactPage {
        page: Page::for_user("Contact", user, "home")
            .with_notice(notice)
            .with_saved_searches(&s.app, user)
            .await?,
        mailboxes: s.app.visible_mailboxes(&user.actor).await?,
        rows: history.conversations.iter().map(|c| row(c, &tz)).collect(),
        older: history.next.map(|(at, id)| format!("{at}.{id}")),
        contact,
        name: input.name,
        notes: input.notes,
        errors,
        message,
    };
    Ok((status, page).into_response())
}

async fn show(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, PageError> {
    let before = q.before.as_deref().and_then(|b| {
        let (at, id) = b.split_once('.')?;
        Some((at.parse().ok()?, id.parse().ok()?))
    });
    render(
        &s,
        &user,
        path_id(&id)?,
        before,
        q.notice.as_deref(),
        None,
        None,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct EditForm {
    name: String,
    notes: String,
}

async fn edit(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<EditForm>,
) -> Result<Response, PageError> {
    let id = path_id(&id)?;
    match s
        .app
        .update_contact(&user.actor, id, &f.name, &f.notes)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/contacts/{id}?notice=saved")).into_response()),
        Err(e) => {
            let error = FormError::from_app(e, &[])?;
            render(&s, &user, id, None, None, Some(f), Some(error)).await
        }
    }
}

async fn save(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let id = path_id(&id)?;
    s.app.save_contact(&user.actor, id).await?;
    Ok(Redirect::to(&format!("/contacts/{id}?notice=contact-saved")).into_response())
}

async fn unsave(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let id = path_id(&id)?;
    s.app.unsave_contact(&user.actor, id).await?;
    Ok(Redirect::to(&format!("/contacts/{id}?notice=contact-unsaved")).into_response())
}

async fn save_sender(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let conversation = ConversationId(path_id(&id)?);
    let contact = s.app.save_sender_of(&user.actor, conversation).await?;
    Ok(Redirect::to(&format!("/contacts/{contact}?notice=contact-saved")).into_response())
}
