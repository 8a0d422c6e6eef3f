//! Contacts: the senders the token's user may see (through a mailbox they
//! may see), editing, Add to / Remove from Contacts, and history.

use crate::api::conversations::{Conversation, ConversationPage};
use crate::api::search::parse_cursor;
use crate::api::shared::{AuthErrors, time};
use crate::api::{ApiId, ApiJson, ApiUser};
use crate::error::{ApiError, ApiErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use ecp_app::contacts::ContactRecord;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_contacts))
        .routes(routes!(get_contact, update_contact))
        .routes(routes!(save_contact, unsave_contact))
        .routes(routes!(contact_history))
}

#[derive(Serialize, ToSchema)]
pub(crate) struct Contact {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub notes: String,
    /// In Contacts: never spam.
    pub saved: bool,
    /// RFC 3339, UTC.
    pub created_at: String,
}

impl From<ContactRecord> for Contact {
    fn from(c: ContactRecord) -> Self {
        Self {
            id: c.id,
            email: c.email,
            name: c.name,
            notes: c.notes,
            saved: c.saved,
            created_at: time(c.created_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub(crate) struct ContactList {
    pub contacts: Vec<Contact>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListParams {
    /// Part of a name or address.
    q: Option<String>,
    /// Only those in Contacts.
    saved: Option<bool>,
    /// The `next` value of the previous page.
    after: Option<String>,
    /// 1 to 200, default 50.
    limit: Option<i64>,
}

/// Contacts by address, optionally searched by name or address.
#[utoipa::path(get, path = "/contacts", tag = "contacts",
    params(ListParams),
    responses(
        (status = 200, body = ContactList),
        (status = 400, description = "A parameter is malformed", body = ApiErrorBody),
        (status = 422, description = "The search is too long", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn list_contacts(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(p): Query<ListParams>,
) -> Result<Json<ContactList>, ApiError> {
    let page = s
        .app
        .list_contacts(
            &actor,
            p.q.as_deref().unwrap_or(""),
            p.saved.unwrap_or(false),
            p.after.as_deref(),
            p.limit.unwrap_or(50),
        )
        .await?;
    Ok(Json(ContactList {
        contacts: page.contacts.into_iter().map(Contact::from).collect(),
        next: page.next,
    }))
}

/// One contact.
#[utoipa::path(get, path = "/contacts/{id}", tag = "contacts",
    params(("id" = i64, Path, description = "Contact id")),
    responses(
        (status = 200, body = Contact),
        (status = 400, description = "The id is not a number", body = ApiErrorBody),
        (status = 404, description = "No such contact, or none the user may see", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn get_contact(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
) -> Result<Json<Contact>, ApiError> {
    Ok(Json(s.app.contact(&actor, id).await?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ContactPatch {
    /// Empty: the address shows instead.
    pub name: String,
    #[serde(default)]
    pub notes: String,
}

/// Changes a contact's name and notes.
#[utoipa::path(patch, path = "/contacts/{id}", tag = "contacts", request_body = ContactPatch,
    params(("id" = i64, Path, description = "Contact id")),
    responses(
        (status = 200, body = Contact),
        (status = 400, description = "Bad id or body", body = ApiErrorBody),
        (status = 404, description = "No such contact, or none the user may see", body = ApiErrorBody),
        (status = 422, description = "Name or notes not valid", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn update_contact(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<ContactPatch>,
) -> Result<Json<Contact>, ApiError> {
    Ok(Json(
        s.app
            .update_contact(&actor, id, &body.name, &body.notes)
            .await?
            .into(),
    ))
}

#[derive(Serialize, ToSchema)]
pub(crate) struct Saved {
    pub contact: Contact,
    /// Spam conversations of this sender moved back to open.
    pub moved_back: Vec<i64>,
}

/// Adds the contact to Contacts: their spam conversations move back to
/// open, and their mail is never spam from now on.
#[utoipa::path(put, path = "/contacts/{id}/saved", tag = "contacts",
    params(("id" = i64, Path, description = "Contact id")),
    responses(
        (status = 200, body = Saved),
        (status = 400, description = "The id is not a number", body = ApiErrorBody),
        (status = 404, description = "No such contact, or none the user may see", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn save_contact(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
) -> Result<Json<Saved>, ApiError> {
    let moved = s.app.save_contact(&actor, id).await?;
    Ok(Json(Saved {
        contact: s.app.contact(&actor, id).await?.into(),
        moved_back: moved.into_iter().map(|c| c.0).collect(),
    }))
}

/// Removes the contact from Contacts (their mail is scored again).
#[utoipa::path(delete, path = "/contacts/{id}/saved", tag = "contacts",
    params(("id" = i64, Path, description = "Contact id")),
    responses(
        (status = 204, description = "Removed from Contacts"),
        (status = 400, description = "The id is not a number", body = ApiErrorBody),
        (status = 404, description = "No such contact, or none the user may see", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn unsave_contact(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
) -> Result<StatusCode, ApiError> {
    s.app.unsave_contact(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct HistoryParams {
    /// The `next` value of the previous page.
    cursor: Option<String>,
    /// 1 to 200, default 50.
    limit: Option<i64>,
}

/// The contact's conversations in the mailboxes the user may see, newest first.
#[utoipa::path(get, path = "/contacts/{id}/conversations", tag = "contacts",
    params(("id" = i64, Path, description = "Contact id"), HistoryParams),
    responses(
        (status = 200, body = ConversationPage),
        (status = 400, description = "Bad id or cursor", body = ApiErrorBody),
        (status = 404, description = "No such contact, or none the user may see", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn contact_history(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
    Query(p): Query<HistoryParams>,
) -> Result<Json<ConversationPage>, ApiError> {
    let before = parse_cursor(p.cursor.as_deref())?;
    let page = s
        .app
        .contact_history(&actor, id, before, p.limit.unwrap_or(50))
        .await?;
    Ok(Json(ConversationPage {
        conversations: page.conversations.iter().map(Conversation::from).collect(),
        next: page.next.map(|(at, id)| format!("{at}.{id}")),
    }))
}
