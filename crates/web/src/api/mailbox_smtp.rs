//! A mailbox's own SMTP server for outgoing mail (owner and
//! administrators): read, set, remove, and "Send test email". The password
//! is write-only: no response schema has a field for it. A mailbox the user
//! may not see answers 404.

use crate::api::shared::{AuthErrors, time};
use crate::api::{ApiId, ApiJson, ApiUser};
use crate::error::{ApiError, ApiErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use ecp_app::AppError;
use ecp_app::outbound::{SmtpServerView, SmtpTestResult};
use ecp_domain::MailboxId;
use ecp_domain::smtp_server::SmtpServerInput;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(
            get_smtp_server,
            put_smtp_server,
            delete_smtp_server
        ))
        .routes(routes!(test_smtp_server))
}

/// The mailbox's SMTP server; never its password.
#[derive(Serialize, ToSchema)]
pub(crate) struct SmtpServer {
    pub mailbox_id: i64,
    /// Mail of this mailbox leaves through this server (else the main relay).
    pub enabled: bool,
    pub host: String,
    pub port: u16,
    /// none, starttls or tls (TLS from the first byte).
    pub tls: String,
    /// Empty: the server is used without logging in.
    pub username: String,
    /// A password is stored (it is never returned).
    pub has_password: bool,
    /// RFC 3339, UTC.
    pub updated_at: String,
}

impl SmtpServer {
    fn new(mailbox: MailboxId, v: SmtpServerView) -> Self {
        Self {
            mailbox_id: mailbox.0,
            enabled: v.enabled,
            host: v.host,
            port: v.port,
            tls: v.tls.as_str().to_string(),
            username: v.username,
            has_password: v.has_password,
            updated_at: time(v.updated_at),
        }
    }
}

/// The whole setting. An empty or missing password keeps the stored one
/// (for the same username); an empty username means no login.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SmtpServerSettings {
    /// Defaults to true.
    #[serde(default)]
    pub enabled: Option<bool>,
    /// Server name or IP address, without a scheme or port.
    pub host: String,
    /// 1 to 65535; defaults to 25, 587 or 465 after `tls`.
    #[serde(default)]
    pub port: Option<i64>,
    /// none, starttls or tls. `none` is refused when the account requires
    /// SSL.
    pub tls: String,
    #[serde(default)]
    pub username: Option<String>,
    /// Stored encrypted, never returned.
    #[serde(default)]
    pub password: Option<String>,
}

/// What "Send test email" came to. A server problem is a 200 with
/// `ok: false` and the server's answer.
#[derive(Serialize, ToSchema)]
pub(crate) struct SmtpTest {
    pub ok: bool,
    /// Where the test message went: the caller's own address.
    pub to: String,
    pub message: String,
}

impl From<SmtpTestResult> for SmtpTest {
    fn from(t: SmtpTestResult) -> Self {
        Self {
            ok: t.ok,
            to: t.to,
            message: t.message,
        }
    }
}

/// The mailbox's own SMTP server (owner and administrators).
#[utoipa::path(get, path = "/mailboxes/{id}/smtp", tag = "mailboxes",
    params(("id" = i64, Path, description = "Mailbox id")),
    responses(
        (status = 200, body = SmtpServer),
        (status = 400, description = "The id is not a number", body = ApiErrorBody),
        (status = 404, description = "No such mailbox, the user may not see it, or it has no SMTP server of its own (its mail goes through the main relay)", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn get_smtp_server(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
) -> Result<Json<SmtpServer>, ApiError> {
    let mailbox = MailboxId(id);
    let view = s
        .app
        .mailbox_smtp_server(&actor, mailbox)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(SmtpServer::new(mailbox, view)))
}

/// Sets the mailbox's own SMTP server; its outgoing mail leaves through it
/// while `enabled`.
#[utoipa::path(put, path = "/mailboxes/{id}/smtp", tag = "mailboxes",
    request_body = SmtpServerSettings,
    params(("id" = i64, Path, description = "Mailbox id")),
    responses(
        (status = 200, body = SmtpServer),
        (status = 400, description = "The id or the body is not valid JSON for this endpoint", body = ApiErrorBody),
        (status = 404, description = "No such mailbox, or the user may not see it", body = ApiErrorBody),
        (status = 422, description = "A field is invalid, or no TLS while the account requires SSL", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn put_smtp_server(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<SmtpServerSettings>,
) -> Result<Json<SmtpServer>, ApiError> {
    let mailbox = MailboxId(id);
    let port = body.port.map(|p| p.to_string()).unwrap_or_default();
    let input = SmtpServerInput {
        enabled: body.enabled.unwrap_or(true),
        host: &body.host,
        port: &port,
        tls: &body.tls,
        username: body.username.as_deref().unwrap_or_default(),
        password: body.password.as_deref().unwrap_or_default(),
    };
    let view = s
        .app
        .save_mailbox_smtp_server(&actor, mailbox, &input)
        .await?;
    Ok(Json(SmtpServer::new(mailbox, view)))
}

/// Removes the mailbox's own server: its mail goes through the main relay.
#[utoipa::path(delete, path = "/mailboxes/{id}/smtp", tag = "mailboxes",
    params(("id" = i64, Path, description = "Mailbox id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 400, description = "The id is not a number", body = ApiErrorBody),
        (status = 404, description = "No such mailbox, the user may not see it, or it had no SMTP server of its own", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn delete_smtp_server(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
) -> Result<StatusCode, ApiError> {
    s.app
        .delete_mailbox_smtp_server(&actor, MailboxId(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// "Send test email": a short message through the saved server right away
/// to the caller's own address.
#[utoipa::path(post, path = "/mailboxes/{id}/smtp/test", tag = "mailboxes",
    params(("id" = i64, Path, description = "Mailbox id")),
    responses(
        (status = 200, description = "The test ran; `ok` says whether the server took the message", body = SmtpTest),
        (status = 400, description = "The id is not a number", body = ApiErrorBody),
        (status = 404, description = "No such mailbox, or the user may not see it", body = ApiErrorBody),
        (status = 409, description = "The mailbox has no SMTP server of its own", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn test_smtp_server(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
) -> Result<Json<SmtpTest>, ApiError> {
    let result = s.app.send_smtp_test_email(&actor, MailboxId(id)).await?;
    Ok(Json(result.into()))
}
