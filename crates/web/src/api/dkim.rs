//! DKIM keys per sending domain (owner and administrators): the domains
//! the account sends as with their keys and DNS records, making a key
//! (which replaces the domain's active one), deleting one. Private keys
//! never leave the server.

use crate::api::shared::{AuthErrors, time};
use crate::api::{ApiId, ApiJson, ApiUser};
use crate::error::{ApiError, ApiErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use ecp_app::dkim::{DkimKeyId, DkimKeyView, NewKeyInput, SendingDomain};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_dkim, create_dkim_key))
        .routes(routes!(delete_dkim_key))
}

/// A key's public side and the DNS record to publish.
#[derive(Serialize, ToSchema)]
pub(crate) struct DkimKey {
    pub id: i64,
    pub domain: String,
    pub selector: String,
    /// `ed25519` or `rsa-sha256`.
    pub algorithm: String,
    /// Base64 (the record's `p=`).
    pub public_key: String,
    /// Signs the domain's mail; false for a key a newer one replaced.
    pub active: bool,
    /// `<selector>._domainkey.<domain>`
    pub dns_name: String,
    /// The TXT record's value in one piece.
    pub dns_value: String,
    /// The value as quoted strings of at most 255 bytes, as zone files need.
    pub dns_strings: Vec<String>,
    /// RFC 3339, UTC.
    pub created_at: String,
}

impl From<DkimKeyView> for DkimKey {
    fn from(k: DkimKeyView) -> Self {
        Self {
            id: k.id.0,
            dns_strings: k.record.zone_strings(),
            dns_name: k.record.name,
            dns_value: k.record.value,
            domain: k.domain,
            selector: k.selector,
            algorithm: k.algorithm.as_str().into(),
            public_key: k.public_key,
            active: k.active,
            created_at: time(k.created_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub(crate) struct DkimDomain {
    /// Lowercase.
    pub domain: String,
    /// Names of the mailboxes sending as it.
    pub mailboxes: Vec<String>,
    /// The key that signs its mail; null: mail goes unsigned.
    pub key: Option<DkimKey>,
    /// Replaced keys, newest first: keep their DNS records until mail
    /// signed with them has arrived, then delete them.
    pub retired: Vec<DkimKey>,
}

impl From<SendingDomain> for DkimDomain {
    fn from(d: SendingDomain) -> Self {
        Self {
            domain: d.domain,
            mailboxes: d.mailboxes,
            key: d.active.map(DkimKey::from),
            retired: d.retired.into_iter().map(DkimKey::from).collect(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewDkimKey {
    /// A domain a mailbox sends as.
    pub domain: String,
    /// `ed25519` or `rsa-sha256` (RSA-2048).
    pub algorithm: String,
    /// One DNS label, unused for this domain; left out: `ecp<yyyymmdd>`.
    #[serde(default)]
    pub selector: Option<String>,
}

/// The account's sending domains (from the mailboxes' send-as addresses)
/// and their keys, by domain. Owner and administrators.
#[utoipa::path(get, path = "/dkim", tag = "dkim",
    responses((status = 200, body = Vec<DkimDomain>), AuthErrors))]
async fn list_dkim(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<Vec<DkimDomain>>, ApiError> {
    let list = s.app.dkim_domains(&actor).await?;
    Ok(Json(list.into_iter().map(DkimDomain::from).collect()))
}

/// Makes a key for a sending domain; it signs the domain's mail from now
/// on, and the domain's previous key is kept as retired. Publish the DNS
/// record before mail signed with it goes out.
#[utoipa::path(post, path = "/dkim", tag = "dkim", request_body = NewDkimKey,
    responses(
        (status = 201, body = DkimKey),
        (status = 400, description = "The body is not valid JSON for this endpoint", body = ApiErrorBody),
        (status = 422, description = "Unknown domain or algorithm, or a bad or used selector", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn create_dkim_key(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(body): ApiJson<NewDkimKey>,
) -> Result<(StatusCode, Json<DkimKey>), ApiError> {
    let input = NewKeyInput {
        domain: &body.domain,
        algorithm: &body.algorithm,
        selector: body.selector.as_deref().unwrap_or_default(),
    };
    let key = s.app.generate_dkim_key(&actor, &input).await?;
    Ok((StatusCode::CREATED, Json(key.into())))
}

/// Deletes a key. Deleting a domain's active key leaves its mail unsigned.
#[utoipa::path(delete, path = "/dkim/{id}", tag = "dkim",
    params(("id" = i64, Path, description = "DKIM key id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "The id is not a number", body = ApiErrorBody),
        (status = 404, description = "No such key in this account", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn delete_dkim_key(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
) -> Result<StatusCode, ApiError> {
    s.app.delete_dkim_key(&actor, DkimKeyId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
