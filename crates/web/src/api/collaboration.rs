//! Working together in the API: internal notes, presence on a
//! conversation (collision detection) and Users Online. Conversations the
//! caller may not see answer 404.

use crate::api::shared::{AuthErrors, time};
use crate::api::{ApiId, ApiJson, ApiUser};
use crate::error::{ApiError, ApiErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use ecp_app::notes::NoteRecord;
use ecp_app::presence::{Presence, PresenceState};
use ecp_domain::conversation::ConversationId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_notes, add_note))
        .routes(routes!(get_presence, ping_presence))
        .routes(routes!(users_online))
}

#[derive(Serialize, ToSchema)]
pub(crate) struct Note {
    pub id: i64,
    pub conversation_id: i64,
    /// Null once the author is deleted.
    pub author_id: Option<i64>,
    pub author_name: String,
    /// Sanitized HTML (bold, italic, underline, links, lists, paragraphs).
    pub body_html: String,
    /// RFC 3339, UTC.
    pub created_at: String,
}

impl From<NoteRecord> for Note {
    fn from(n: NoteRecord) -> Self {
        Self {
            id: n.id,
            conversation_id: n.conversation_id.0,
            author_id: n.author_id.map(|u| u.0),
            author_name: n.author_name,
            body_html: n.body_html,
            created_at: time(n.created_at),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewNote {
    /// Rich text, sanitized like a signature; at most 64 KB.
    pub body_html: String,
}

/// A conversation's internal notes, oldest first.
#[utoipa::path(get, path = "/conversations/{id}/notes", tag = "conversations",
    params(("id" = i64, Path, description = "Conversation id")),
    responses(
        (status = 200, body = Vec<Note>),
        (status = 400, description = "The id is not a number", body = ApiErrorBody),
        (status = 404, description = "No such conversation, or the user may not see it", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn list_notes(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
) -> Result<Json<Vec<Note>>, ApiError> {
    let notes = s.app.notes(&actor, ConversationId(id)).await?;
    Ok(Json(notes.into_iter().map(Note::from).collect()))
}

/// Adds an internal note (seen by the team only, never sent). Recorded in
/// Recent Actions.
#[utoipa::path(post, path = "/conversations/{id}/notes", tag = "conversations",
    params(("id" = i64, Path, description = "Conversation id")),
    request_body = NewNote,
    responses(
        (status = 201, body = Note),
        (status = 400, description = "Bad id, or the body is not valid JSON for this endpoint", body = ApiErrorBody),
        (status = 404, description = "No such conversation, or the user may not see it", body = ApiErrorBody),
        (status = 422, description = "The note is empty or too long", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn add_note(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<NewNote>,
) -> Result<(StatusCode, Json<Note>), ApiError> {
    let note = s
        .app
        .add_note(&actor, ConversationId(id), &body.body_html)
        .await?;
    Ok((StatusCode::CREATED, Json(note.into())))
}

#[derive(Serialize, ToSchema)]
pub(crate) struct PresencePerson {
    pub user_id: i64,
    pub name: String,
    /// viewing or replying
    pub state: String,
    /// When they were last seen on it, RFC 3339 UTC.
    pub seen_at: String,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct PresenceAnswer {
    /// Everyone else seen on the conversation in the last 45 seconds.
    pub others: Vec<PresencePerson>,
    /// The newest message: compare with the one you showed to detect a
    /// reply you haven't seen.
    pub last_message_id: Option<i64>,
}

impl From<Presence> for PresenceAnswer {
    fn from(p: Presence) -> Self {
        Self {
            others: p
                .others
                .into_iter()
                .map(|o| PresencePerson {
                    user_id: o.user_id.0,
                    name: o.name,
                    state: o.state,
                    seen_at: time(o.seen_at),
                })
                .collect(),
            last_message_id: p.last_message_id,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PresencePing {
    /// viewing or replying
    pub state: String,
}

/// Who else is viewing or replying to the conversation right now.
#[utoipa::path(get, path = "/conversations/{id}/presence", tag = "conversations",
    params(("id" = i64, Path, description = "Conversation id")),
    responses(
        (status = 200, body = PresenceAnswer),
        (status = 400, description = "The id is not a number", body = ApiErrorBody),
        (status = 404, description = "No such conversation, or the user may not see it", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn get_presence(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
) -> Result<Json<PresenceAnswer>, ApiError> {
    Ok(Json(
        s.app.presence(&actor, ConversationId(id)).await?.into(),
    ))
}

/// Says the caller is viewing or replying to the conversation (repeat
/// every 15 s or so; it fades after 45 s), and answers who else is.
#[utoipa::path(post, path = "/conversations/{id}/presence", tag = "conversations",
    params(("id" = i64, Path, description = "Conversation id")),
    request_body = PresencePing,
    responses(
        (status = 200, body = PresenceAnswer),
        (status = 400, description = "Bad id, or the body is not valid JSON for this endpoint", body = ApiErrorBody),
        (status = 404, description = "No such conversation, or the user may not see it", body = ApiErrorBody),
        (status = 422, description = "Unknown state", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn ping_presence(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<PresencePing>,
) -> Result<Json<PresenceAnswer>, ApiError> {
    let state = PresenceState::parse(&body.state)?;
    let p = s
        .app
        .ping_presence(&actor, ConversationId(id), state)
        .await?;
    Ok(Json(p.into()))
}

#[derive(Serialize, ToSchema)]
pub(crate) struct OnlineUser {
    pub id: i64,
    pub name: String,
    /// The user's last request, RFC 3339 UTC (recorded at most once a
    /// minute).
    pub last_seen_at: String,
}

/// The account's users who made a request in the last five minutes, in
/// the UI or the API.
#[utoipa::path(get, path = "/users/online", tag = "users",
    responses((status = 200, body = Vec<OnlineUser>), AuthErrors))]
async fn users_online(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<Vec<OnlineUser>>, ApiError> {
    let users = s.app.users_online(&actor).await?;
    Ok(Json(
        users
            .into_iter()
            .map(|u| OnlineUser {
                id: u.user_id.0,
                name: u.name,
                last_seen_at: time(u.last_seen_at),
            })
            .collect(),
    ))
}
