//! A mailbox's autoresponder: read by anyone who sees the mailbox, changed
//! by the owner and administrators. A mailbox the user may not see answers
//! 404, exactly as one that does not exist.

use crate::api::shared::{AuthErrors, time};
use crate::api::{ApiId, ApiJson, ApiUser};
use crate::error::{ApiError, ApiErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use ecp_app::autoresponder::AutoresponderView;
use ecp_domain::MailboxId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_auto_reply, set_auto_reply))
}

#[derive(Serialize, ToSchema)]
pub(crate) struct AutoReply {
    pub mailbox_id: i64,
    /// Whether each new conversation gets an automatic answer.
    pub enabled: bool,
    /// The template the answer is built from.
    pub template_id: Option<i64>,
    /// Its name; null when none is chosen or it was deleted.
    pub template_name: Option<String>,
    /// At most one auto-reply per sender within this many hours.
    pub period_hours: i64,
    /// RFC 3339, UTC: when the loop breaker stopped the autoresponder
    /// (too many auto-replies too fast). Null while it answers; saving it
    /// enabled turns it on again.
    pub stopped_at: Option<String>,
}

impl From<AutoresponderView> for AutoReply {
    fn from(v: AutoresponderView) -> Self {
        Self {
            mailbox_id: v.mailbox.0,
            enabled: v.settings.enabled,
            template_id: v.settings.template.map(|t| t.0),
            template_name: v.template_name,
            period_hours: v.settings.period_hours,
            stopped_at: v.stopped_at.map(time),
        }
    }
}

/// The whole setting; it replaces the current one.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AutoReplyChange {
    pub enabled: bool,
    /// Required when enabled: one of the account's templates.
    #[serde(default)]
    pub template_id: Option<i64>,
    /// 1 to 720; 24 when left out.
    #[serde(default)]
    pub period_hours: Option<i64>,
}

/// The mailbox's autoresponder.
#[utoipa::path(get, path = "/mailboxes/{id}/auto-reply", tag = "mailboxes",
    params(("id" = i64, Path, description = "Mailbox id")),
    responses(
        (status = 200, body = AutoReply),
        (status = 400, description = "The id is not a number", body = ApiErrorBody),
        (status = 404, description = "No such mailbox, or the user may not see it", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn get_auto_reply(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
) -> Result<Json<AutoReply>, ApiError> {
    Ok(Json(
        s.app.autoresponder(&actor, MailboxId(id)).await?.into(),
    ))
}

/// Sets the mailbox's autoresponder (owner and administrators). Saving it
/// enabled also turns it on again after the loop breaker stopped it.
#[utoipa::path(put, path = "/mailboxes/{id}/auto-reply", tag = "mailboxes",
    request_body = AutoReplyChange,
    params(("id" = i64, Path, description = "Mailbox id")),
    responses(
        (status = 200, body = AutoReply),
        (status = 400, description = "The id or the body is not valid", body = ApiErrorBody),
        (status = 404, description = "No such mailbox, or the user may not see it", body = ApiErrorBody),
        (status = 422, description = "No template, a template of no use, or a period out of range", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn set_auto_reply(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<AutoReplyChange>,
) -> Result<Json<AutoReply>, ApiError> {
    let period = body.period_hours.map(|h| h.to_string()).unwrap_or_default();
    let view = s
        .app
        .set_autoresponder(
            &actor,
            MailboxId(id),
            body.enabled,
            body.template_id,
            &period,
        )
        .await?;
    Ok(Json(view.into()))
}
