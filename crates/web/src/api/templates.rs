//! Templates (canned replies): every user of the account lists, reads and
//! fills them in; the owner and administrators add, change and delete
//! them. Another account's template answers 404.

use crate::api::shared::{AuthErrors, time};
use crate::api::{ApiId, ApiJson, ApiUser};
use crate::error::{ApiError, ApiErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use ecp_app::templates::{
    Rendered, TemplateContext, TemplateId, TemplateInput, TemplateRecord, sample_context,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_templates, create_template))
        .routes(routes!(get_template, update_template, delete_template))
        .routes(routes!(render_template))
}

#[derive(Serialize, ToSchema)]
pub(crate) struct Template {
    pub id: i64,
    pub name: String,
    /// Used when the template starts a message (the autoresponder); empty
    /// when it has none.
    pub subject: String,
    /// Sanitized HTML with placeholders such as `{{ customer.name }}`.
    pub body_html: String,
    /// The user who added it; null once that user is deleted.
    pub created_by: Option<i64>,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub updated_at: String,
}

impl From<TemplateRecord> for Template {
    fn from(t: TemplateRecord) -> Self {
        Self {
            id: t.id.0,
            name: t.name,
            subject: t.subject,
            body_html: t.body_html,
            created_by: t.created_by.map(|u| u.0),
            created_at: time(t.created_at),
            updated_at: time(t.updated_at),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewTemplate {
    /// 1 to 100 characters, unique in the account.
    pub name: String,
    #[serde(default)]
    pub subject: Option<String>,
    /// Sanitized (bold, italic, underline, links, lists, paragraphs are
    /// kept). Placeholders: `{{ customer.name }}`, `{{ customer.email }}`,
    /// `{{ mailbox.name }}`, `{{ agent.name }}`, `{{ conversation.number }}`.
    pub body_html: String,
}

/// Fields left out keep their current value.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TemplateChange {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub body_html: Option<String>,
}

/// Values to fill in; each one left out gets its sample value ("Jane
/// Customer", ...), except the agent, who defaults to the caller.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RenderValues {
    #[serde(default)]
    pub customer_name: Option<String>,
    #[serde(default)]
    pub customer_email: Option<String>,
    #[serde(default)]
    pub mailbox_name: Option<String>,
    #[serde(default)]
    pub agent_name: Option<String>,
    #[serde(default)]
    pub conversation_number: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct RenderedTemplate {
    /// One line; empty when the template has no subject.
    pub subject: String,
    /// Sanitized HTML; values are escaped, never markup.
    pub html: String,
    /// The plain-text alternative.
    pub text: String,
}

impl From<Rendered> for RenderedTemplate {
    fn from(r: Rendered) -> Self {
        Self {
            subject: r.subject,
            html: r.html,
            text: r.text,
        }
    }
}

/// The account's templates by name; any user of the account.
#[utoipa::path(get, path = "/templates", tag = "templates",
    responses((status = 200, body = Vec<Template>), AuthErrors))]
async fn list_templates(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<Vec<Template>>, ApiError> {
    let list = s.app.list_templates(&actor).await?;
    Ok(Json(list.into_iter().map(Template::from).collect()))
}

/// Adds a template (owner and administrators). A template that doesn't
/// compile, or can't be filled in within the limits, is refused with the
/// line of the mistake.
#[utoipa::path(post, path = "/templates", tag = "templates", request_body = NewTemplate,
    responses(
        (status = 201, body = Template),
        (status = 400, description = "The body is not valid JSON for this endpoint", body = ApiErrorBody),
        (status = 422, description = "A field is invalid, the template has a mistake, or the name is taken", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn create_template(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(body): ApiJson<NewTemplate>,
) -> Result<(StatusCode, Json<Template>), ApiError> {
    let input = TemplateInput {
        name: &body.name,
        subject: body.subject.as_deref().unwrap_or_default(),
        body_html: &body.body_html,
    };
    let t = s.app.create_template(&actor, &input).await?;
    Ok((StatusCode::CREATED, Json(t.into())))
}

/// One template of the account; any user of the account.
#[utoipa::path(get, path = "/templates/{id}", tag = "templates",
    params(("id" = i64, Path, description = "Template id")),
    responses(
        (status = 200, body = Template),
        (status = 400, description = "The id is not a number", body = ApiErrorBody),
        (status = 404, description = "No such template in this account", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn get_template(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
) -> Result<Json<Template>, ApiError> {
    Ok(Json(s.app.template(&actor, TemplateId(id)).await?.into()))
}

/// Changes a template (owner and administrators). Fields left out keep
/// their value; on any invalid field nothing is changed.
#[utoipa::path(patch, path = "/templates/{id}", tag = "templates", request_body = TemplateChange,
    params(("id" = i64, Path, description = "Template id")),
    responses(
        (status = 200, body = Template),
        (status = 400, description = "The id or the body is not valid", body = ApiErrorBody),
        (status = 404, description = "No such template in this account", body = ApiErrorBody),
        (status = 422, description = "A field is invalid, the template has a mistake, or the name is taken", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn update_template(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<TemplateChange>,
) -> Result<Json<Template>, ApiError> {
    let id = TemplateId(id);
    let current = s.app.template(&actor, id).await?;
    let input = TemplateInput {
        name: body.name.as_deref().unwrap_or(&current.name),
        subject: body.subject.as_deref().unwrap_or(&current.subject),
        body_html: body.body_html.as_deref().unwrap_or(&current.body_html),
    };
    Ok(Json(
        s.app.update_template(&actor, id, &input).await?.into(),
    ))
}

/// Deletes a template (owner and administrators).
#[utoipa::path(delete, path = "/templates/{id}", tag = "templates",
    params(("id" = i64, Path, description = "Template id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "The id is not a number", body = ApiErrorBody),
        (status = 404, description = "No such template in this account", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn delete_template(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
) -> Result<StatusCode, ApiError> {
    s.app.delete_template(&actor, TemplateId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Fills in a template, as inserting it into a reply does; any user of
/// the account. Send the values to use, or no body (or `{}`) for the
/// sample values.
#[utoipa::path(post, path = "/templates/{id}/render", tag = "templates", request_body = RenderValues,
    params(("id" = i64, Path, description = "Template id")),
    responses(
        (status = 200, body = RenderedTemplate),
        (status = 400, description = "The id or the body is not valid", body = ApiErrorBody),
        (status = 404, description = "No such template in this account", body = ApiErrorBody),
        (status = 422, description = "The template can't be filled in (too much work or output)", body = ApiErrorBody),
        AuthErrors,
    ))]
async fn render_template(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiId(id): ApiId,
    req: Request,
) -> Result<Json<RenderedTemplate>, Response> {
    let values = render_values(req).await?;
    let sample = sample_context(&actor);
    let ctx = TemplateContext {
        customer_name: values.customer_name.unwrap_or(sample.customer_name),
        customer_email: values.customer_email.unwrap_or(sample.customer_email),
        mailbox_name: values.mailbox_name.unwrap_or(sample.mailbox_name),
        agent_name: values.agent_name.unwrap_or(sample.agent_name),
        conversation_number: values.conversation_number.or(sample.conversation_number),
    };
    let rendered = s
        .app
        .render_template(&actor, TemplateId(id), &ctx)
        .await
        .map_err(|e| ApiError::from(e).into_response())?;
    Ok(Json(rendered.into()))
}

/// The body is optional here: none means the sample values.
async fn render_values(req: Request) -> Result<RenderValues, Response> {
    if req.headers().contains_key(CONTENT_TYPE) {
        return ApiJson::<RenderValues>::from_request(req, &())
            .await
            .map(|ApiJson(v)| v);
    }
    let bytes = Bytes::from_request(req, &())
        .await
        .map_err(IntoResponse::into_response)?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        Ok(RenderValues::default())
    } else {
        Err(ApiError::bad_request(
            "Send the values as JSON with the header 'Content-Type: application/json', \
             or no body for the sample values.",
        )
        .into_response())
    }
}
