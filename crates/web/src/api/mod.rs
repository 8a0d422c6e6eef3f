//! The JSON API under /api/v1: bearer tokens, one file per resource, the
//! OpenAPI document built from the handlers' annotations so it can't drift.

mod account;
mod auto_reply;
mod collaboration;
mod compose;
mod contacts;
mod conversations;
mod dkim;
mod extract;
mod mailbox_smtp;
mod mailboxes;
mod me;
mod notify;
mod pop_accounts;
mod search;
mod shared;
mod templates;
mod tokens;
mod users;
mod workspace;

use crate::state::AppState;
use axum::Json;
use axum::Router;
use axum::routing::get;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

pub(crate) use extract::{ApiId, ApiJson, ApiUser};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Email Center Pro API",
        description = "Everything a user can do in Email Center Pro. Authenticate with a personal API token \
                       (Preferences -> API tokens, or `ecp token create`) sent as `Authorization: Bearer <token>`. \
                       Available on the Standard and Premium plans when the account owner enables the API.",
        version = "1"
    ),
    servers((url = "/api/v1")),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The API's routes and its OpenAPI document.
pub(crate) fn api_router() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(me::routes())
        .merge(users::routes())
        .merge(mailboxes::routes())
        .merge(account::routes())
        .merge(tokens::routes())
        .merge(conversations::routes())
        .merge(pop_accounts::routes())
        .merge(templates::routes())
        .merge(search::routes())
        .merge(contacts::routes())
        .merge(notify::routes())
        .merge(dkim::routes())
        .merge(mailbox_smtp::routes())
        .merge(workspace::routes())
        .merge(collaboration::routes())
        .merge(auto_reply::routes())
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            crate::FORM_BODY_LIMIT,
        ))
        .merge(
            compose::routes()
                .layer(tower_http::limit::RequestBodyLimitLayer::new(
                    crate::ui::compose::COMPOSE_BODY_LIMIT,
                ))
                .layer(axum::extract::DefaultBodyLimit::max(
                    crate::ui::compose::COMPOSE_BODY_LIMIT,
                )),
        )
        .split_for_parts()
}

pub(crate) fn routes() -> Router<AppState> {
    let (router, doc) = api_router();
    router
        .route("/openapi.json", get(move || async move { Json(doc) }))
        .fallback(|| async { crate::error::ApiError::not_found_route() })
        .method_not_allowed_fallback(|| async { shared::method_not_allowed() })
}
