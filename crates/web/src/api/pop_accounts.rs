//! Connected POP accounts of a mailbox (owner and administrators): settings,
//! "Test connection", "Fetch now" and the delivery ledger. The password is
//! write-only: no response schema has a field for it. A mailbox the user
//! may not see, and its accounts, answer 404.

use crate::api::shared::{AuthErrors, time};
use crate::api::{ApiId, ApiJson, ApiUser};
use crate::error::{ApiError, ApiErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use ecp_app::pop::{ConnectionTest, PopAccountId, PopAccountInput, PopAccountView, PopLedger};
use ecp_domain::MailboxId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_pop_accounts, create_pop_account))
        .routes(routes!(test_new_pop_account))
        .routes(routes!(
            get_pop_account,
            update_pop_account,
            delete_pop_account
        ))
        .routes(routes!(test_pop_account))
        .routes(routes!(fetch_pop_account))
        .routes(routes!(pop_ledger))
}

/// A POP account's settings and fetch status; never its password.
#[derive(Serialize, ToSchema)]
pub(crate) struct PopAccount {
    pub id: i64,
    pub mailbox_id: i64,
    /// Checked for new mail on a schedule.
    pub active: bool,
    pub name: String,
    pub host: String,
    pub port: u16,
    pub username: String,
    /// TLS from the first byte; without it STLS is used when offered.
    pub use_ssl: bool,
    /// Leave fetched messages on the server (else they are deleted).
    pub copy_mail: bool,
    /// RFC 3339, UTC, like every time below.
    pub created_at: String,
    pub last_success_at: Option<String>,
    pub last_error: Option<String>,
    /// dns, tcp, tls, tls_unavailable, login, timeout, ...
    pub last_error_kind: Option<String>,
    pub last_error_at: Option<String>,
    /// The last check failed.
    pub failing: bool,
    pub messages_fetched: i64,
    /// At the last check: messages on the server, and of those how many
    /// were already taken in.
    pub server_message_count: Option<i64>,
    pub server_taken_count: Option<i64>,
    pub last_checked_at: Option<String>,
    pub next_poll_at: String,
    /// Being fetched right now.
    pub fetching: bool,
}

impl From<PopAccountView> for PopAccount {
    fn from(v: PopAccountView) -> Self {
        Self {
            id: v.id.0,
            mailbox_id: v.mailbox_id.0,
            active: v.active,
            name: v.name,
            host: v.host,
            port: v.port,
            username: v.username,
            use_ssl: v.use_ssl,
            copy_mail: v.copy_mail,
            created_at: time(v.created_at),
            last_success_at: v.last_success_at.map(time),
            last_error: v.last_error,
            last_error_kind: v.last_error_kind,
            last_error_at: v.last_error_at.map(time),
            failing: v.failing,
            messages_fetched: v.messages_fetched,
            server_message_count: v.server_message_count,
            server_taken_count: v.server_taken_count,
            last_checked_at: v.last_checked_at.map(time),
            next_poll_at: time(v.next_poll_at),
            fetching: v.fetching,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewPopAccount {
    /// Defaults to true.
    #[serde(default)]
    pub active: Option<bool>,
    pub name: String,
    /// Server name or IP address, without a scheme or port.
    pub host: String,
    /// 1 to 65535; defaults to 995 with `use_ssl`, 110 without.
    #[serde(default)]
    pub port: Option<i64>,
    pub username: String,
    /// Stored encrypted, never returned.
    pub password: String,
    /// Not available on the Free plan. Defaults to false.
    #[serde(default)]
    pub use_ssl: Option<bool>,
    /// Defaults to false: fetched messages are deleted from the server.
    #[serde(default)]
    pub copy_mail: Option<bool>,
}

/// Fields left out keep their value; an empty or missing password keeps
/// the stored one.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct PopAccountChange {
    #[serde(default)]
    pub active: Option<bool>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub host: Option<String>,
    #[serde(default)]
    pub port: Option<i64>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub use_ssl: Option<bool>,
    #[serde(default)]
    pub copy_mail: Option<bool>,
}

/// The answer of "Test connection". A server problem is a 200 with
/// `ok: false`; `step` says where it failed.
#[derive(Serialize, ToSchema)]
pub(crate) struct ConnectionTestResult {
    pub ok: bool,
    /// settings, dns, tcp, tls, server, login, mailbox, or done.
    pub step: String,
    /// The step in words ("Logging in").
    pub step_label: String,
    /// "ok", or the error's stable code (dns, tcp, tls, tls_unavailable,
    /// login, timeout, ...).
    pub kind: String,
    /// A sentence for a person.
    pub message: String,
    /// The session ran over TLS (implicit or STLS).
    pub secure: bool,
    pub messages_on_server: Option<u32>,
}

impl From<ConnectionTest> for ConnectionTestResult {
    fn from(t: ConnectionTest) -> Self {
        Self {
            ok: t.ok,
            step: serde_json::to_value(t.step)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            step_label: t.step.label().to_string(),
            kind: t.kind,
            message: t.message,
            secure: t.secure,
            messages_on_server: t.messages_on_server,
        }
    }
}

/// Messages on the server against messages taken in.
#[derive(Serialize, ToSchema)]
pub(crate) struct DeliveryLedger {
    pub pop_account_id: i64,
    pub last_checked_at: Option<String>,
    /// On the server at the last check.
    pub on_server: Option<i64>,
    /// Of those, already taken in (Copy mail leaves them there).
    pub on_server_taken_in: Option<i64>,
    /// Of those, not taken in yet: the next check fetches them.
    pub on_server_waiting: Option<i64>,
    /// Every message ever taken in from this account.
    pub taken_in: i64,
    /// Of those, since removed from the server.
    pub deleted_from_server: i64,
    pub filed: i64,
    pub duplicates: i64,
    pub unreadable: i64,
    /// Stored, not filed yet (filing resumes on its own).
    pub pending: i64,
    pub empty: i64,
    /// The counts in one sentence.
    pub summary: String,
    /// The latest entries, newest first.
    pub recent: Vec<LedgerEntry>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct LedgerEntry {
    /// The server's id for the message.
    pub uidl: String,
    pub fetched_at: String,
    pub deleted_from_server_at: Option<String>,
    /// processed, duplicate, unparseable, pending or empty.
    pub state: String,
}

impl From<PopLedger> for DeliveryLedger {
    fn from(l: PopLedger) -> Self {
        Self {
            pop_account_id: l.account_id.0,
            last_checked_at: l.last_checked_at.map(time),
            on_server: l.on_server,
            on_server_taken_in: l.on_server_taken_in,
            on_server_waiting: l.on_server_waiting,
            taken_in: l.taken_in,
            deleted_from_server: l.deleted_from_server,
            filed: l.filed,
            duplicates: l.duplicates,
            unreadable: l.unreadable,
            pending: l.pending,
            empty: l.empty,
            summary: l.summary,
            recent: l
                .recent
                .into_iter()
                .map(|e| LedgerEntry {
                    uidl: e.uidl,
                    fetched_at: time(e.fetched_at),
                    deleted_from_server_at: e.deleted_at.map(time),
                    state: e.state,
                })
                .collect(),
        }
    }
}

/// Owned values for a `PopAccountInput`.
struct Values {
    active: bool,
    name: String,
    host: String,
    port: String,
    username: String,
    password: String,
    use_ssl: bool,
    copy_mail: bool,
}

impl Values {
    fn input(&self) -> PopAccountInput<'_> {
        PopAccountInput {
            active: self.active,
            name: &self.name,
            host: &self.host,
            port: &self.port,
            username: &self.username,
            password: &self.password,
            use_ssl: self.use_ssl,
            copy_mail: self.copy_mail,
        }
    }

    fn new(b: NewPopAccount) -> Self {
        Self {
            active: b.active.unwrap_or(true),
            name: b.name,
            host: b.host,
            port: b.port.map(|p| p.to_string()).unwrap_or_default(),
            username: b.username,
            password: b.password,
            use_ssl: b.use_ssl.unwrap_or(false),
            copy_mail: b.copy_mail.unwrap_or(false),
        }
    }

    fn changed(c: PopAccountChange, v: PopAccountView) -> Self {
        Self {
            active: c.active.unwrap_or(v.active),
            name: c.name.unwrap_or(v.name),
            host: c.host.unwrap_or(v.host),
            port: c.port.unwrap_or(i64::from(v.port)).to_string(),
            username: c.username.unwrap_or(v.username),
            password: c.password.unwrap_or_default(),
            use_ssl: c.use_ssl.unwrap_or(v.use_ssl),
            copy_mail: c.copy_mail.unwrap_or(v.copy_mail),
        }
    }

    /// The stored settings, with the stored password standing in.
    fn saved(v: PopAccountView) -> Self {
        Self::changed(PopAccountChange::default(), v)
    }
}

/// The mailbox's POP accounts, oldest first (owner and administrators).
#[utoipa::path(get, path = "/mailboxes/{id}/pop-accounts", tag = "pop-accounts",
    params(("id" = i64, Path, description = "Mailbox id")),
    responses(
        (status = 200, body = Vec<PopAccount>),
        (status = 400, description = "The id is not a number", body = ApiErrorBody),
        (status = 404, description = "No such mailbox, or the user may not see it", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn list_pop_accounts(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
) -> Result<Json<Vec<PopAccount>>, ApiError> {
    let list = s.app.pop_accounts(&actor, MailboxId(id)).await?;
    Ok(Json(list.into_iter().map(PopAccount::from).collect()))
}

/// Connects a POP account to the mailbox (owner and administrators).
#[utoipa::path(post, path = "/mailboxes/{id}/pop-accounts", tag = "pop-accounts",
    request_body = NewPopAccount,
    params(("id" = i64, Path, description = "Mailbox id")),
    responses(
        (status = 201, body = PopAccount),
        (status = 400, description = "The id or the body is not valid JSON for this endpoint", body = ApiErrorBody),
        (status = 404, description = "No such mailbox, or the user may not see it", body = ApiErrorBody),
        (status = 422, description = "A field is invalid, or Use SSL on the Free plan", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn create_pop_account(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<NewPopAccount>,
) -> Result<(StatusCode, Json<PopAccount>), ApiError> {
    let values = Values::new(body);
    let view = s
        .app
        .create_pop_account(&actor, MailboxId(id), &values.input())
        .await?;
    Ok((StatusCode::CREATED, Json(view.into())))
}

/// Tests settings before they are saved: connects, logs in, counts the
/// messages and logs out. Nothing is fetched or deleted.
#[utoipa::path(post, path = "/mailboxes/{id}/pop-accounts/test", tag = "pop-accounts",
    request_body = NewPopAccount,
    params(("id" = i64, Path, description = "Mailbox id")),
    responses(
        (status = 200, description = "The test ran; `ok` says whether it worked", body = ConnectionTestResult),
        (status = 400, description = "The id or the body is not valid JSON for this endpoint", body = ApiErrorBody),
        (status = 404, description = "No such mailbox, or the user may not see it", body = ApiErrorBody),
        (status = 422, description = "A field is invalid, or Use SSL on the Free plan", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn test_new_pop_account(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<NewPopAccount>,
) -> Result<Json<ConnectionTestResult>, ApiError> {
    let values = Values::new(body);
    let test = s
        .app
        .test_pop_connection(&actor, MailboxId(id), &values.input(), None)
        .await?;
    Ok(Json(test.into()))
}

/// One POP account (owner and administrators).
#[utoipa::path(get, path = "/pop-accounts/{id}", tag = "pop-accounts",
    params(("id" = i64, Path, description = "POP account id")),
    responses(
        (status = 200, body = PopAccount),
        (status = 400, description = "The id is not a number", body = ApiErrorBody),
        (status = 404, description = "No such POP account, or the user may not see its mailbox", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn get_pop_account(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
) -> Result<Json<PopAccount>, ApiError> {
    let view = s.app.pop_account_by_id(&actor, PopAccountId(id)).await?;
    Ok(Json(view.into()))
}

/// Changes a POP account's settings; it is checked again within seconds.
#[utoipa::path(patch, path = "/pop-accounts/{id}", tag = "pop-accounts",
    request_body = PopAccountChange,
    params(("id" = i64, Path, description = "POP account id")),
    responses(
        (status = 200, body = PopAccount),
        (status = 400, description = "The id or the body is not valid", body = ApiErrorBody),
        (status = 404, description = "No such POP account, or the user may not see its mailbox", body = ApiErrorBody),
        (status = 422, description = "A field is invalid, or Use SSL on the Free plan", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn update_pop_account(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<PopAccountChange>,
) -> Result<Json<PopAccount>, ApiError> {
    let current = s.app.pop_account_by_id(&actor, PopAccountId(id)).await?;
    let (mailbox, pop) = (current.mailbox_id, current.id);
    let values = Values::changed(body, current);
    let view = s
        .app
        .update_pop_account(&actor, mailbox, pop, &values.input())
        .await?;
    Ok(Json(view.into()))
}

/// Disconnects a POP account. Mail it already brought in stays.
#[utoipa::path(delete, path = "/pop-accounts/{id}", tag = "pop-accounts",
    params(("id" = i64, Path, description = "POP account id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "The id is not a number", body = ApiErrorBody),
        (status = 404, description = "No such POP account, or the user may not see its mailbox", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn delete_pop_account(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
) -> Result<StatusCode, ApiError> {
    let current = s.app.pop_account_by_id(&actor, PopAccountId(id)).await?;
    s.app
        .delete_pop_account(&actor, current.mailbox_id, current.id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Tests the saved settings with the stored password. Nothing is fetched
/// or deleted.
#[utoipa::path(post, path = "/pop-accounts/{id}/test", tag = "pop-accounts",
    params(("id" = i64, Path, description = "POP account id")),
    responses(
        (status = 200, description = "The test ran; `ok` says whether it worked", body = ConnectionTestResult),
        (status = 400, description = "The id is not a number", body = ApiErrorBody),
        (status = 404, description = "No such POP account, or the user may not see its mailbox", body = ApiErrorBody),
        (status = 422, description = "The saved settings no longer pass a rule", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn test_pop_account(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
) -> Result<Json<ConnectionTestResult>, ApiError> {
    let current = s.app.pop_account_by_id(&actor, PopAccountId(id)).await?;
    let (mailbox, pop) = (current.mailbox_id, current.id);
    let values = Values::saved(current);
    let test = s
        .app
        .test_pop_connection(&actor, mailbox, &values.input(), Some(pop))
        .await?;
    Ok(Json(test.into()))
}

/// "Fetch now": the account is checked within seconds.
#[utoipa::path(post, path = "/pop-accounts/{id}/fetch", tag = "pop-accounts",
    params(("id" = i64, Path, description = "POP account id")),
    responses(
        (status = 202, description = "Queued; `next_poll_at` is now", body = PopAccount),
        (status = 400, description = "The id is not a number", body = ApiErrorBody),
        (status = 404, description = "No such POP account, or the user may not see its mailbox", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn fetch_pop_account(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
) -> Result<(StatusCode, Json<PopAccount>), ApiError> {
    let current = s.app.pop_account_by_id(&actor, PopAccountId(id)).await?;
    let view = s
        .app
        .fetch_pop_account_soon(&actor, current.mailbox_id, current.id)
        .await?;
    Ok((StatusCode::ACCEPTED, Json(view.into())))
}

/// The delivery ledger: messages on the server against messages taken in,
/// with the latest entries.
#[utoipa::path(get, path = "/pop-accounts/{id}/ledger", tag = "pop-accounts",
    params(("id" = i64, Path, description = "POP account id")),
    responses(
        (status = 200, body = DeliveryLedger),
        (status = 400, description = "The id is not a number", body = ApiErrorBody),
        (status = 404, description = "No such POP account, or the user may not see its mailbox", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn pop_ledger(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
) -> Result<Json<DeliveryLedger>, ApiError> {
    let current = s.app.pop_account_by_id(&actor, PopAccountId(id)).await?;
    let ledger = s
        .app
        .pop_ledger(&actor, current.mailbox_id, current.id)
        .await?;
    Ok(Json(ledger.into()))
}
