//! Account & Tools -> DKIM: per sending domain, the key that signs its
//! mail with the DNS record to publish, making a key (which replaces the
//! active one), and deleting keys. Owner and administrators.

use super::{Dialog, require_admin};
use crate::auth::{CsrfForm, CurrentUser};
use crate::error::PageError;
use crate::state::AppState;
use crate::ui::form::{FieldErrors, FormError, form_page, path_id};
use crate::ui::page::{NoticeQuery, Page};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use ecp_app::dkim::{Algorithm, DkimKeyId, DkimKeyView, NewKeyInput, suggested_selector};
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings/dkim", get(overview).post(generate))
        .route("/settings/dkim/{id}/delete", post(delete))
}

pub(crate) struct KeyRow {
    pub id: i64,
    pub selector: String,
    pub label: &'static str,
    pub created: String,
    pub dns_name: String,
    /// Ready for a zone file (long values split into 255-byte strings).
    pub zone_line: String,
    /// The value in one piece, for DNS hosting forms.
    pub dns_value: String,
}

impl From<DkimKeyView> for KeyRow {
    fn from(k: DkimKeyView) -> Self {
        Self {
            id: k.id.0,
            label: k.algorithm.label(),
            created: jiff::Timestamp::from_millisecond(k.created_at)
                .map(|t| t.strftime("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            zone_line: k.record.zone_line(),
            dns_name: k.record.name,
            dns_value: k.record.value,
            selector: k.selector,
        }
    }
}

pub(crate) struct DomainRow {
    pub domain: String,
    /// For ids in the page: the domain with dots as hyphens.
    pub slug: String,
    pub mailboxes: String,
    pub active: Option<KeyRow>,
    pub retired: Vec<KeyRow>,
}

#[derive(Deserialize, Default)]
pub(crate) struct KeyForm {
    #[serde(default)]
    pub domain: String,
    #[serde(default)]
    pub algorithm: String,
    #[serde(default)]
    pub selector: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "settings/dkim.html")]
struct DkimPage {
    page: Page,
    dialog: Dialog,
    domains: Vec<DomainRow>,
    algorithms: Vec<(&'static str, &'static str)>,
    suggested: String,
    /// The form that was refused, shown again as typed under its domain.
    refused: KeyForm,
    errors: FieldErrors,
    message: Option<String>,
}

form_page!(DkimPage);

async fn render(
    s: &AppState,
    user: &CurrentUser,
    notice: Option<&str>,
    refused: KeyForm,
    error: Option<FormError>,
) -> Result<Response, PageError> {
    let domains = s
        .app
        .dkim_domains(&user.actor)
        .await?
        .into_iter()
        .map(|d| DomainRow {
            slug: d.domain.replace('.', "-"),
            mailboxes: d.mailboxes.join(", "),
            active: d.active.map(KeyRow::from),
            retired: d.retired.into_iter().map(KeyRow::from).collect(),
            domain: d.domain,
        })
        .collect();
    let (status, errors, message) = match error {
        Some(e) => (e.status, e.fields, e.message),
        None => (StatusCode::OK, FieldErrors::default(), None),
    };
    let page = DkimPage {
        page: Page::for_user("Account & Tools: DKIM", user, "settings").with_notice(notice),
        dialog: Dialog::new("dkim"),
        domains,
        // RSA first: every receiver verifies it; Ed25519 not yet everywhere.
        algorithms: [Algorithm::RsaSha256, Algorithm::Ed25519]
            .into_iter()
            .map(|a| (a.as_str(), a.label()))
            .collect(),
        suggested: suggested_selector(),
        refused,
        errors,
        message,
    };
    Ok((status, page).into_response())
}

async fn overview(
    State(s): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    require_admin(&user)?;
    render(&s, &user, q.notice.as_deref(), KeyForm::default(), None).await
}

async fn generate(
    State(s): State<AppState>,
    user: CurrentUser,
    CsrfForm(f): CsrfForm<KeyForm>,
) -> Result<Response, PageError> {
    require_admin(&user)?;
    let input = NewKeyInput {
        domain: &f.domain,
        algorithm: &f.algorithm,
        selector: &f.selector,
    };
    match s.app.generate_dkim_key(&user.actor, &input).await {
        Ok(k) => {
            let to = format!(
                "/settings/dkim?notice=created#dkim-{}",
                k.domain.replace('.', "-")
            );
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => {
            let error = FormError::from_app(e, &[])?;
            render(&s, &user, None, f, Some(error)).await
        }
    }
}

async fn delete(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    require_admin(&user)?;
    let id = DkimKeyId(path_id(&id)?);
    s.app.delete_dkim_key(&user.actor, id).await?;
    Ok(Redirect::to("/settings/dkim?notice=deleted").into_response())
}
