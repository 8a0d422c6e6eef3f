//! Search and saved searches. Results come only from the mailboxes the
//! token's user may see; a saved search is personal or (administrators
//! only) shared with the account.

use crate::api::conversations::{Conversation, ConversationPage};
use crate::api::shared::AuthErrors;
use crate::api::{ApiId, ApiJson, ApiUser};
use crate::error::{ApiError, ApiErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use ecp_app::search::SavedSearch as SavedSearchValue;
use ecp_domain::search::SearchForm;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search))
        .routes(routes!(list_saved, create_saved))
        .routes(routes!(get_saved, update_saved, delete_saved))
}

/// The search: words and filters, all optional but not all empty.
#[derive(Deserialize, Serialize, IntoParams, ToSchema, Default, Clone)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub(crate) struct SearchParams {
    /// Words to find in subjects, bodies, addresses and attachment names (all required).
    q: Option<String>,
    /// A mailbox id.
    mailbox: Option<String>,
    /// open, pending, closed or spam.
    status: Option<String>,
    /// `me`, `none` (unassigned) or a user id.
    assignee: Option<String>,
    /// A tag name (or id).
    tag: Option<String>,
    /// First day, YYYY-MM-DD, in the account's time zone.
    from: Option<String>,
    /// Last day (included), YYYY-MM-DD, in the account's time zone.
    to: Option<String>,
}

impl SearchParams {
    fn form(&self) -> SearchForm {
        let v = |s: &Option<String>| s.clone().unwrap_or_default();
        SearchForm {
            q: v(&self.q),
            mailbox: v(&self.mailbox),
            status: v(&self.status),
            assignee: v(&self.assignee),
            tag: v(&self.tag),
            from: v(&self.from),
            to: v(&self.to),
        }
    }

    fn of(f: &SearchForm) -> Self {
        let o = |s: &str| (!s.is_empty()).then(|| s.to_string());
        Self {
            q: o(&f.q),
            mailbox: o(&f.mailbox),
            status: o(&f.status),
            assignee: o(&f.assignee),
            tag: o(&f.tag),
            from: o(&f.from),
            to: o(&f.to),
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct PageParams {
    /// The `next` value of the previous page.
    cursor: Option<String>,
    /// 1 to 200, default 50.
    limit: Option<i64>,
}

pub(crate) fn parse_cursor(s: Option<&str>) -> Result<Option<(i64, i64)>, ApiError> {
    match s {
        None | Some("") => Ok(None),
        Some(c) => c
            .split_once('.')
            .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)))
            .map(Some)
            .ok_or_else(|| {
                ApiError::bad_request("\"cursor\" must be the \"next\" value of a previous page.")
            }),
    }
}

/// Conversations matching words and filters: with words, the conversation
/// with the newest matching message first; with filters only, newest
/// activity first. A search stops after two seconds; a page may then hold
/// fewer results than asked, and `next` goes on from where it stopped.
#[utoipa::path(get, path = "/search", tag = "search",
    params(SearchParams, PageParams),
    responses(
        (status = 200, body = ConversationPage),
        (status = 400, description = "Bad cursor", body = ApiErrorBody),
        (status = 422, description = "Nothing to search for, or a filter is not valid (each field named)", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn search(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(p): Query<SearchParams>,
    Query(page): Query<PageParams>,
) -> Result<Json<ConversationPage>, ApiError> {
    let before = parse_cursor(page.cursor.as_deref())?;
    let found = s
        .app
        .search(&actor, &p.form(), before, page.limit.unwrap_or(50))
        .await?;
    Ok(Json(ConversationPage {
        conversations: found.conversations.iter().map(Conversation::from).collect(),
        next: found.next.map(|(at, id)| format!("{at}.{id}")),
    }))
}

#[derive(Serialize, ToSchema)]
pub(crate) struct SavedSearch {
    pub id: i64,
    pub name: String,
    /// Shared with everyone in the account (else only its maker sees it).
    pub shared: bool,
    /// Whether the token's user may change or delete it.
    pub editable: bool,
    pub search: SearchParams,
}

impl From<SavedSearchValue> for SavedSearch {
    fn from(s: SavedSearchValue) -> Self {
        Self {
            id: s.id,
            name: s.name,
            shared: s.shared,
            editable: s.editable,
            search: SearchParams::of(&s.form),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewSavedSearch {
    pub name: String,
    /// Share with everyone in the account (administrators only).
    #[serde(default)]
    pub shared: bool,
    pub search: SearchParams,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SavedSearchPatch {
    pub name: String,
    /// The new search; absent keeps it.
    pub search: Option<SearchParams>,
}

/// The token user's saved searches and the account's shared ones.
#[utoipa::path(get, path = "/saved-searches", tag = "search",
    responses((status = 200, body = Vec<SavedSearch>), AuthErrors))]
async fn list_saved(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<Vec<SavedSearch>>, ApiError> {
    let list = s.app.saved_searches(&actor).await?;
    Ok(Json(list.into_iter().map(SavedSearch::from).collect()))
}

/// Saves a search under a name.
#[utoipa::path(post, path = "/saved-searches", tag = "search", request_body = NewSavedSearch,
    responses(
        (status = 201, body = SavedSearch),
        (status = 400, description = "The body is not valid JSON for this endpoint", body = ApiErrorBody),
        (status = 403, description = "Sharing needs an administrator", body = ApiErrorBody),
        (status = 409, description = "Too many saved searches", body = ApiErrorBody),
        (status = 422, description = "Bad name or search", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn create_saved(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(body): ApiJson<NewSavedSearch>,
) -> Result<(StatusCode, Json<SavedSearch>), ApiError> {
    let saved = s
        .app
        .create_saved_search(&actor, &body.name, &body.search.form(), body.shared)
        .await?;
    Ok((StatusCode::CREATED, Json(saved.into())))
}

/// One saved search.
#[utoipa::path(get, path = "/saved-searches/{id}", tag = "search",
    params(("id" = i64, Path, description = "Saved search id")),
    responses(
        (status = 200, body = SavedSearch),
        (status = 400, description = "The id is not a number", body = ApiErrorBody),
        (status = 404, description = "No such search of this user or shared", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn get_saved(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
) -> Result<Json<SavedSearch>, ApiError> {
    Ok(Json(s.app.saved_search(&actor, id).await?.into()))
}

/// Renames a saved search, and changes it when `search` is given.
#[utoipa::path(patch, path = "/saved-searches/{id}", tag = "search", request_body = SavedSearchPatch,
    params(("id" = i64, Path, description = "Saved search id")),
    responses(
        (status = 200, body = SavedSearch),
        (status = 400, description = "Bad id or body", body = ApiErrorBody),
        (status = 403, description = "A shared search, and not an administrator", body = ApiErrorBody),
        (status = 404, description = "No such search of this user or shared", body = ApiErrorBody),
        (status = 422, description = "Bad name or search", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn update_saved(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<SavedSearchPatch>,
) -> Result<Json<SavedSearch>, ApiError> {
    let form = body.search.as_ref().map(SearchParams::form);
    let saved = s
        .app
        .update_saved_search(&actor, id, &body.name, form.as_ref())
        .await?;
    Ok(Json(saved.into()))
}

/// Deletes a saved search.
#[utoipa::path(delete, path = "/saved-searches/{id}", tag = "search",
    params(("id" = i64, Path, description = "Saved search id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "The id is not a number", body = ApiErrorBody),
        (status = 403, description = "A shared search, and not an administrator", body = ApiErrorBody),
        (status = 404, description = "No such search of this user or shared", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn delete_saved(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
) -> Result<StatusCode, ApiError> {
    s.app.delete_saved_search(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
