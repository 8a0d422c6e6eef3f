//! Mailboxes: the ones the token's user may see, and the Mailboxes tab's
//! administration. A mailbox the user may not see answers 404, exactly as
//! one that does not exist.

use crate::api::shared::{AuthErrors, rename_field, time};
use crate::api::{ApiId, ApiJson, ApiUser};
use crate::error::{ApiError, ApiErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use ecp_app::mailboxes::{MailboxDetail, MailboxRecord};
use ecp_domain::{MailboxId, MailboxInput, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_mailboxes, create_mailbox))
        .routes(routes!(get_mailbox, update_mailbox, delete_mailbox))
        .routes(routes!(get_permissions, set_permissions))
}

#[derive(Serialize, ToSchema)]
pub(crate) struct Mailbox {
    pub id: i64,
    pub name: String,
    /// The mailbox's own address; mail sent to it arrives by SMTP.
    pub direct_address: String,
    /// From name on outgoing mail.
    pub send_as_name: String,
    /// From address on outgoing mail; replies come back to it, so it must
    /// be redirected to the mailbox.
    pub send_as_address: String,
    /// Sanitized HTML added to every message sent from the mailbox.
    pub signature_html: String,
    /// Blind-copied on every outgoing message.
    pub auto_bcc: Vec<String>,
    /// RFC 3339, UTC.
    pub created_at: String,
}

impl From<MailboxRecord> for Mailbox {
    fn from(m: MailboxRecord) -> Self {
        Self {
            id: m.id.0,
            name: m.name,
            direct_address: m.direct_address.to_string(),
            send_as_name: m.send_as_name,
            send_as_address: m.send_as_address.to_string(),
            signature_html: m.signature_html,
            auto_bcc: m.auto_bcc.iter().map(|a| a.to_string()).collect(),
            created_at: time(m.created_at),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewMailbox {
    pub name: String,
    pub direct_address: String,
    /// Defaults to the mailbox name.
    #[serde(default)]
    pub send_as_name: Option<String>,
    /// Defaults to the direct address.
    #[serde(default)]
    pub send_as_address: Option<String>,
    /// Sanitized: only simple formatting and http(s)/mailto links are kept.
    #[serde(default)]
    pub signature_html: Option<String>,
    #[serde(default)]
    pub auto_bcc: Option<Vec<String>>,
    /// Users permitted to see the mailbox (administrators always are).
    #[serde(default)]
    pub user_ids: Option<Vec<i64>>,
}

/// Fields left out keep their current value.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct MailboxChange {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub direct_address: Option<String>,
    #[serde(default)]
    pub send_as_name: Option<String>,
    #[serde(default)]
    pub send_as_address: Option<String>,
    #[serde(default)]
    pub signature_html: Option<String>,
    #[serde(default)]
    pub auto_bcc: Option<Vec<String>>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct Permissions {
    pub mailbox_id: i64,
    /// Users listed on the mailbox. Owner and administrators see every
    /// mailbox whether listed or not; on the Free plan every user does.
    pub user_ids: Vec<i64>,
    /// Over the plan's mailbox limit after a downgrade: it can't be changed
    /// until the account is back under the limit.
    pub read_only: bool,
}

impl From<MailboxDetail> for Permissions {
    fn from(d: MailboxDetail) -> Self {
        Self {
            mailbox_id: d.mailbox.id.0,
            user_ids: d.permitted_users.iter().map(|u| u.0).collect(),
            read_only: d.read_only,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PermissionsChange {
    /// The complete list of permitted users; it replaces the current one.
    pub user_ids: Vec<i64>,
}

/// A JSON list of addresses as the one-line list the use case parses. An
/// element that itself holds a separator would turn into several addresses,
/// so it is refused.
fn bcc_line(list: &[String]) -> Result<String, ApiError> {
    if list
        .iter()
        .any(|a| a.contains(|c: char| c == ',' || c == ';' || c.is_whitespace()))
    {
        return Err(ecp_app::AppError::invalid(
            "auto_bcc",
            "Give each Auto-BCC address as its own list element, without commas or spaces.",
        )
        .into());
    }
    Ok(list.join(", "))
}

fn user_ids(ids: &[i64]) -> Vec<UserId> {
    ids.iter().copied().map(UserId).collect()
}

/// The mailboxes the token's user may see, oldest first.
#[utoipa::path(get, path = "/mailboxes", tag = "mailboxes",
    responses((status = 200, body = Vec<Mailbox>), AuthErrors))]
async fn list_mailboxes(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<Vec<Mailbox>>, ApiError> {
    let list = s.app.visible_mailboxes(&actor).await?;
    Ok(Json(list.into_iter().map(Mailbox::from).collect()))
}

/// Adds a mailbox (owner and administrators).
#[utoipa::path(post, path = "/mailboxes", tag = "mailboxes", request_body = NewMailbox,
    responses(
        (status = 201, body = Mailbox),
        (status = 400, description = "The body is not valid JSON for this endpoint", body = ApiErrorBody),
        (status = 422, description = "A field is invalid or the address is in use", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn create_mailbox(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(body): ApiJson<NewMailbox>,
) -> Result<(StatusCode, Json<Mailbox>), ApiError> {
    let bcc = bcc_line(body.auto_bcc.as_deref().unwrap_or_default())?;
    let input = MailboxInput {
        name: &body.name,
        direct_address: &body.direct_address,
        send_as_name: body.send_as_name.as_deref().unwrap_or_default(),
        send_as_address: body.send_as_address.as_deref().unwrap_or_default(),
        signature_html: body.signature_html.as_deref().unwrap_or_default(),
        auto_bcc: &bcc,
    };
    let permitted = user_ids(body.user_ids.as_deref().unwrap_or_default());
    let detail = s
        .app
        .create_mailbox(&actor, &input, &permitted)
        .await
        .map_err(|e| rename_field(e, "permissions", "user_ids"))?;
    Ok((StatusCode::CREATED, Json(detail.mailbox.into())))
}

/// One mailbox the token's user may see.
#[utoipa::path(get, path = "/mailboxes/{id}", tag = "mailboxes",
    params(("id" = i64, Path, description = "Mailbox id")),
    responses(
        (status = 200, body = Mailbox),
        (status = 400, description = "The id is not a number", body = ApiErrorBody),
        (status = 404, description = "No such mailbox, or the user may not see it", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn get_mailbox(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
) -> Result<Json<Mailbox>, ApiError> {
    Ok(Json(s.app.mailbox(&actor, MailboxId(id)).await?.into()))
}

/// Changes a mailbox's settings (owner and administrators). Fields left
/// out keep their value; on any invalid field nothing is changed.
#[utoipa::path(patch, path = "/mailboxes/{id}", tag = "mailboxes", request_body = MailboxChange,
    params(("id" = i64, Path, description = "Mailbox id")),
    responses(
        (status = 200, body = Mailbox),
        (status = 400, description = "The id or the body is not valid", body = ApiErrorBody),
        (status = 404, description = "No such mailbox, or the user may not see it", body = ApiErrorBody),
        (status = 422, description = "A field is invalid or the address is in use", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn update_mailbox(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<MailboxChange>,
) -> Result<Json<Mailbox>, ApiError> {
    let id = MailboxId(id);
    let current = s.app.mailbox(&actor, id).await?;
    let bcc = match &body.auto_bcc {
        Some(list) => bcc_line(list)?,
        None => current
            .auto_bcc
            .iter()
            .map(|a| a.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    };
    let direct = current.direct_address.to_string();
    let send_as = current.send_as_address.to_string();
    let input = MailboxInput {
        name: body.name.as_deref().unwrap_or(&current.name),
        direct_address: body.direct_address.as_deref().unwrap_or(&direct),
        send_as_name: body
            .send_as_name
            .as_deref()
            .unwrap_or(&current.send_as_name),
        send_as_address: body.send_as_address.as_deref().unwrap_or(&send_as),
        signature_html: body
            .signature_html
            .as_deref()
            .unwrap_or(&current.signature_html),
        auto_bcc: &bcc,
    };
    let detail = s.app.update_mailbox(&actor, id, &input, None).await?;
    Ok(Json(detail.mailbox.into()))
}

/// Deletes a mailbox and every conversation in it (owner and
/// administrators). Allowed on a read-only mailbox: it is how an account
/// gets back under its plan's limit.
#[utoipa::path(delete, path = "/mailboxes/{id}", tag = "mailboxes",
    params(("id" = i64, Path, description = "Mailbox id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "The id is not a number", body = ApiErrorBody),
        (status = 404, description = "No such mailbox, or the user may not see it", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn delete_mailbox(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
) -> Result<StatusCode, ApiError> {
    s.app.delete_mailbox(&actor, MailboxId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Who is listed on the mailbox (owner and administrators).
#[utoipa::path(get, path = "/mailboxes/{id}/permissions", tag = "mailboxes",
    params(("id" = i64, Path, description = "Mailbox id")),
    responses(
        (status = 200, body = Permissions),
        (status = 400, description = "The id is not a number", body = ApiErrorBody),
        (status = 404, description = "No such mailbox, or the user may not see it", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn get_permissions(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
) -> Result<Json<Permissions>, ApiError> {
    Ok(Json(
        s.app.mailbox_detail(&actor, MailboxId(id)).await?.into(),
    ))
}

/// Replaces the list of users permitted to see the mailbox (owner and
/// administrators). Applied on Standard and Premium; kept but not applied
/// on Free, where every user sees every mailbox.
#[utoipa::path(put, path = "/mailboxes/{id}/permissions", tag = "mailboxes",
    request_body = PermissionsChange,
    params(("id" = i64, Path, description = "Mailbox id")),
    responses(
        (status = 200, body = Permissions),
        (status = 400, description = "The id or the body is not valid", body = ApiErrorBody),
        (status = 404, description = "No such mailbox, or the user may not see it", body = ApiErrorBody),
        (status = 422, description = "A user id is not a user of this account", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn set_permissions(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<PermissionsChange>,
) -> Result<Json<Permissions>, ApiError> {
    let detail = s
        .app
        .set_mailbox_permissions(&actor, MailboxId(id), &user_ids(&body.user_ids))
        .await
        .map_err(|e| rename_field(e, "permissions", "user_ids"))?;
    Ok(Json(detail.into()))
}
