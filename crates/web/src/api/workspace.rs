//! The agent workspace over the API: folder counts, folder lists and My
//! Mail (keyset cursors), assign, status, read state, tags, merge, move,
//! bulk, and Recent Actions. What the user may not see answers 404.

use crate::api::conversations::Conversation;
use crate::api::shared::{AuthErrors, time};
use crate::api::{ApiId, ApiJson, ApiUser};
use crate::error::{ApiError, ApiErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use ecp_app::activity::ActivityRecord;
use ecp_app::lists::ListPage;
use ecp_domain::conversation::{ConversationId, Status};
use ecp_domain::workspace::{BulkAction, Cursor, Folder, Sort};
use ecp_domain::{MailboxId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(folders))
        .routes(routes!(folder_list))
        .routes(routes!(my_mail))
        .routes(routes!(assign))
        .routes(routes!(set_status))
        .routes(routes!(set_read))
        .routes(routes!(list_tags, add_tag, remove_tag))
        .routes(routes!(merge))
        .routes(routes!(move_conversation))
        .routes(routes!(bulk))
        .routes(routes!(account_activity))
        .routes(routes!(conversation_activity))
}

#[derive(Serialize, ToSchema)]
pub(crate) struct MailboxFolders {
    pub mailbox_id: i64,
    pub name: String,
    /// unassigned, mine, assigned, pending, closed, spam → count
    pub counts: std::collections::BTreeMap<String, i64>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct Folders {
    pub mailboxes: Vec<MailboxFolders>,
    /// Open conversations assigned to the caller in every visible mailbox.
    pub my_mail: i64,
}

/// Folder counts of every mailbox the caller may see. Folders:
/// unassigned (open, nobody assigned), mine (open, assigned to the
/// caller), assigned (open, assigned to anyone), pending, closed, spam.
#[utoipa::path(get, path = "/folders", tag = "workspace",
    responses((status = 200, body = Folders), AuthErrors))]
async fn folders(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<Folders>, ApiError> {
    let n = s.app.navigation(&actor).await?;
    Ok(Json(Folders {
        mailboxes: n
            .mailboxes
            .iter()
            .map(|(m, c)| MailboxFolders {
                mailbox_id: m.id.0,
                name: m.name.clone(),
                counts: Folder::ALL
                    .into_iter()
                    .map(|f| (f.as_str().to_string(), c.get(f)))
                    .collect(),
            })
            .collect(),
        my_mail: n.my_mail,
    }))
}

#[derive(Serialize, ToSchema)]
pub(crate) struct ListedConversation {
    #[serde(flatten)]
    pub conversation: Conversation,
    pub unread: bool,
    pub assignee_name: Option<String>,
    pub tags: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct FolderPage {
    pub conversations: Vec<ListedConversation>,
    /// Pass as `cursor` for the following page; absent on the last.
    pub next: Option<String>,
    /// Pass as `cursor` for the page before; absent on the first.
    pub previous: Option<String>,
}

impl From<ListPage> for FolderPage {
    fn from(p: ListPage) -> Self {
        FolderPage {
            conversations: p
                .items
                .iter()
                .map(|i| ListedConversation {
                    conversation: Conversation::from(&i.row.conversation),
                    unread: i.row.unread,
                    assignee_name: i.row.assignee_name.clone(),
                    tags: i.tags.clone(),
                })
                .collect(),
            next: p.next.map(|c| c.to_string()),
            previous: p.previous.map(|c| c.to_string()),
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListParams {
    /// unassigned (default), mine, assigned, pending, closed or spam.
    folder: Option<String>,
    /// newest (default) or oldest, by latest message.
    sort: Option<String>,
    /// The `next` or `previous` value of a page.
    cursor: Option<String>,
    /// 1 to 200, default 50.
    limit: Option<i64>,
}

fn bad(e: ecp_domain::ValidationError) -> ApiError {
    ApiError::bad_request(&e.message)
}

fn parse_list(p: &ListParams) -> Result<(Sort, Option<Cursor>), ApiError> {
    let sort = Sort::parse(p.sort.as_deref().unwrap_or("")).map_err(bad)?;
    let cursor = match p.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(Cursor::parse(c).map_err(bad)?),
    };
    Ok((sort, cursor))
}

/// One folder of a mailbox, keyset paged.
#[utoipa::path(get, path = "/mailboxes/{id}/folder-conversations", tag = "workspace",
    params(("id" = i64, Path, description = "Mailbox id"), ListParams),
    responses(
        (status = 200, body = FolderPage),
        (status = 400, description = "Unknown folder or sort, or a cursor this server did not give", body = ApiErrorBody),
        (status = 404, description = "No such mailbox, or the user may not see it", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn folder_list(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
    Query(p): Query<ListParams>,
) -> Result<Json<FolderPage>, ApiError> {
    let folder = match p.folder.as_deref().filter(|f| !f.is_empty()) {
        None => Folder::Unassigned,
        Some(f) => Folder::parse(f).map_err(bad)?,
    };
    let (sort, cursor) = parse_list(&p)?;
    let page = s
        .app
        .folder_page(
            &actor,
            MailboxId(id),
            folder,
            sort,
            cursor,
            p.limit.unwrap_or(50),
        )
        .await?;
    Ok(Json(page.into()))
}

/// My Mail: open conversations assigned to the caller, every mailbox.
#[utoipa::path(get, path = "/my-mail", tag = "workspace",
    params(ListParams),
    responses(
        (status = 200, body = FolderPage),
        (status = 400, description = "Unknown sort, or a bad cursor", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn my_mail(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(p): Query<ListParams>,
) -> Result<Json<FolderPage>, ApiError> {
    let (sort, cursor) = parse_list(&p)?;
    let page = s
        .app
        .my_mail(&actor, sort, cursor, p.limit.unwrap_or(50))
        .await?;
    Ok(Json(page.into()))
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct AssigneeBody {
    /// A user who may see the mailbox; null unassigns.
    assignee_id: Option<i64>,
}

/// Assigns (or with null, unassigns) a conversation.
#[utoipa::path(put, path = "/conversations/{id}/assignee", tag = "workspace",
    params(("id" = i64, Path, description = "Conversation id")),
    request_body = AssigneeBody,
    responses(
        (status = 204, description = "Assigned"),
        (status = 404, description = "No such conversation, or the user may not see it", body = ApiErrorBody),
        (status = 409, description = "Merged into another conversation", body = ApiErrorBody),
        (status = 422, description = "That user can't be assigned here", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn assign(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
    ApiJson(b): ApiJson<AssigneeBody>,
) -> Result<StatusCode, ApiError> {
    s.app
        .assign(&actor, ConversationId(id), b.assignee_id.map(UserId))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct StatusBody {
    /// open, pending, closed or spam
    status: String,
}

/// Changes the status (spam and back is "mark spam / not spam").
#[utoipa::path(put, path = "/conversations/{id}/status", tag = "workspace",
    params(("id" = i64, Path, description = "Conversation id")),
    request_body = StatusBody,
    responses(
        (status = 204, description = "Changed"),
        (status = 404, description = "No such conversation, or the user may not see it", body = ApiErrorBody),
        (status = 422, description = "Unknown status", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn set_status(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
    ApiJson(b): ApiJson<StatusBody>,
) -> Result<StatusCode, ApiError> {
    let status = Status::parse(&b.status).map_err(ecp_app::AppError::from)?;
    s.app.set_status(&actor, ConversationId(id), status).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct ReadBody {
    /// true: read by the caller; false: unread for the caller.
    read: bool,
}

/// Marks the conversation read or unread for the caller only.
#[utoipa::path(put, path = "/conversations/{id}/read", tag = "workspace",
    params(("id" = i64, Path, description = "Conversation id")),
    request_body = ReadBody,
    responses(
        (status = 204, description = "Marked"),
        (status = 404, description = "No such conversation, or the user may not see it", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn set_read(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
    ApiJson(b): ApiJson<ReadBody>,
) -> Result<StatusCode, ApiError> {
    if b.read {
        s.app.mark_read(&actor, ConversationId(id)).await?;
    } else {
        s.app.mark_unread(&actor, ConversationId(id)).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub(crate) struct Tags {
    pub tags: Vec<String>,
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct TagBody {
    /// 1 to 40 characters, no commas; stored in lower case.
    tag: String,
}

/// The conversation's tags.
#[utoipa::path(get, path = "/conversations/{id}/tags", tag = "workspace",
    params(("id" = i64, Path, description = "Conversation id")),
    responses(
        (status = 200, body = Tags),
        (status = 404, description = "No such conversation, or the user may not see it", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn list_tags(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
) -> Result<Json<Tags>, ApiError> {
    let tags = s.app.conversation_tags(&actor, ConversationId(id)).await?;
    Ok(Json(Tags { tags }))
}

/// Adds a tag (nothing happens if it is there already).
#[utoipa::path(post, path = "/conversations/{id}/tags", tag = "workspace",
    params(("id" = i64, Path, description = "Conversation id")),
    request_body = TagBody,
    responses(
        (status = 200, description = "The tags now", body = Tags),
        (status = 404, description = "No such conversation, or the user may not see it", body = ApiErrorBody),
        (status = 422, description = "Bad tag name", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn add_tag(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
    ApiJson(b): ApiJson<TagBody>,
) -> Result<Json<Tags>, ApiError> {
    s.app.add_tag(&actor, ConversationId(id), &b.tag).await?;
    let tags = s.app.conversation_tags(&actor, ConversationId(id)).await?;
    Ok(Json(Tags { tags }))
}

/// Removes a tag (nothing happens if it was not there).
#[utoipa::path(delete, path = "/conversations/{id}/tags", tag = "workspace",
    params(("id" = i64, Path, description = "Conversation id")),
    request_body = TagBody,
    responses(
        (status = 200, description = "The tags now", body = Tags),
        (status = 404, description = "No such conversation, or the user may not see it", body = ApiErrorBody),
        (status = 422, description = "Bad tag name", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn remove_tag(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
    ApiJson(b): ApiJson<TagBody>,
) -> Result<Json<Tags>, ApiError> {
    s.app.remove_tag(&actor, ConversationId(id), &b.tag).await?;
    let tags = s.app.conversation_tags(&actor, ConversationId(id)).await?;
    Ok(Json(Tags { tags }))
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct MergeBody {
    /// The conversation merged into this one (same mailbox); it then
    /// redirects here and leaves every folder.
    other_id: i64,
}

/// Merges another conversation into this one.
#[utoipa::path(post, path = "/conversations/{id}/merge", tag = "workspace",
    params(("id" = i64, Path, description = "Conversation that stays")),
    request_body = MergeBody,
    responses(
        (status = 204, description = "Merged"),
        (status = 404, description = "No such conversation, or the user may not see it", body = ApiErrorBody),
        (status = 409, description = "One of them was already merged", body = ApiErrorBody),
        (status = 422, description = "The same conversation, another mailbox, or one the user can't see", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn merge(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
    ApiJson(b): ApiJson<MergeBody>,
) -> Result<StatusCode, ApiError> {
    s.app
        .merge(&actor, ConversationId(id), ConversationId(b.other_id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct MoveBody {
    /// A mailbox of the account that the user may see.
    mailbox_id: i64,
}

/// Moves a conversation to another mailbox.
#[utoipa::path(post, path = "/conversations/{id}/move", tag = "workspace",
    params(("id" = i64, Path, description = "Conversation id")),
    request_body = MoveBody,
    responses(
        (status = 204, description = "Moved"),
        (status = 404, description = "No such conversation or mailbox, or the user may not see it", body = ApiErrorBody),
        (status = 409, description = "The mailbox already holds one of its messages", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn move_conversation(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
    ApiJson(b): ApiJson<MoveBody>,
) -> Result<StatusCode, ApiError> {
    s.app
        .move_conversation(&actor, ConversationId(id), MailboxId(b.mailbox_id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct BulkBody {
    /// Up to 200 conversation ids; one the user can't see fails all.
    conversation_ids: Vec<i64>,
    /// assign, unassign, open, pending, close, spam, not_spam or tag
    action: String,
    /// The user id for assign, the tag for tag.
    #[serde(default)]
    value: String,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct BulkResult {
    pub conversations: usize,
}

/// One action on many conversations, all or nothing.
#[utoipa::path(post, path = "/conversations/bulk", tag = "workspace",
    request_body = BulkBody,
    responses(
        (status = 200, body = BulkResult),
        (status = 400, description = "Unknown action", body = ApiErrorBody),
        (status = 404, description = "A conversation the user may not see", body = ApiErrorBody),
        (status = 422, description = "No or too many conversations, or a bad value", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn bulk(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(b): ApiJson<BulkBody>,
) -> Result<Json<BulkResult>, ApiError> {
    let action = BulkAction::parse(&b.action, &b.value).map_err(|e| {
        if e.field == "action" {
            bad(e)
        } else {
            ApiError::from(ecp_app::AppError::from(e))
        }
    })?;
    let ids: Vec<ConversationId> = b.conversation_ids.into_iter().map(ConversationId).collect();
    let n = s.app.bulk(&actor, &ids, &action).await?;
    Ok(Json(BulkResult { conversations: n }))
}

#[derive(Serialize, ToSchema)]
pub(crate) struct ActivityItem {
    pub id: i64,
    pub mailbox_id: Option<i64>,
    pub conversation_id: Option<i64>,
    /// None: the system did it.
    pub user_id: Option<i64>,
    pub user_name: Option<String>,
    /// assigned, unassigned, status_changed, tagged, merged, moved, ...
    pub action: String,
    /// What the action recorded (assignee, from/to, tag), as JSON.
    pub detail: serde_json::Value,
    /// RFC 3339, UTC.
    pub at: String,
}

fn item(a: &ActivityRecord) -> ActivityItem {
    ActivityItem {
        id: a.id,
        mailbox_id: a.mailbox_id,
        conversation_id: a.conversation_id,
        user_id: a.user_id,
        user_name: a.user_name.clone(),
        action: a.action.clone(),
        detail: serde_json::from_str(&a.detail).unwrap_or_default(),
        at: time(a.at),
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ActivityParams {
    /// Only actions older than this id (the last id of the previous page).
    before: Option<i64>,
    /// 1 to 200, default 50.
    limit: Option<i64>,
}

/// Recent Actions of the account that the caller may see, newest first.
#[utoipa::path(get, path = "/activity", tag = "workspace",
    params(ActivityParams),
    responses((status = 200, body = Vec<ActivityItem>), AuthErrors))]
async fn account_activity(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(p): Query<ActivityParams>,
) -> Result<Json<Vec<ActivityItem>>, ApiError> {
    let list = s
        .app
        .recent_actions(&actor, p.before, p.limit.unwrap_or(50))
        .await?;
    Ok(Json(list.iter().map(item).collect()))
}

/// One conversation's actions, oldest first.
#[utoipa::path(get, path = "/conversations/{id}/activity", tag = "workspace",
    params(("id" = i64, Path, description = "Conversation id")),
    responses(
        (status = 200, body = Vec<ActivityItem>),
        (status = 404, description = "No such conversation, or the user may not see it", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn conversation_activity(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
) -> Result<Json<Vec<ActivityItem>>, ApiError> {
    let list = s
        .app
        .conversation_actions(&actor, ConversationId(id))
        .await?;
    Ok(Json(list.iter().map(item).collect()))
}
