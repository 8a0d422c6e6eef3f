//! The HTTP face of Email Center Pro: server-rendered pages (`ui`), the JSON
//! API (`api`), health checks. Handlers stay thin: they parse the request,
//! call one `App` use case and render its answer.

mod api;
mod auth;
mod error;
mod health;
mod security;
mod state;
mod statics;
mod ui;

pub use state::WebConfig;

use axum::Router;
use ecp_app::App;
use state::AppState;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// Every route of the web server.
pub fn router(app: App, config: WebConfig) -> Router {
    let state = AppState {
        app,
        config: Arc::new(config),
        seen: Arc::default(),
    };
    Router::new()
        .merge(ui::routes())
        .nest("/api/v1", api::routes())
        .merge(health::routes())
        .merge(statics::routes())
        .fallback(|| async {
            error::PageError::new(
                axum::http::StatusCode::NOT_FOUND,
                "There is no page at this address. Check the link, or start again from the home page.",
            )
        })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::load_session,
        ))
        .layer(axum::middleware::from_fn(security::headers))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            ui::compose::COMPOSE_BODY_LIMIT,
        ))
        .with_state(state)
}

/// Forms and JSON bodies are small: every route but the compose routes
/// (which carry attachments, `ui::compose::COMPOSE_BODY_LIMIT`, the outer
/// limit) is limited to this in `ui::routes` and `api::api_router`.
pub(crate) const FORM_BODY_LIMIT: usize = 2 * 1024 * 1024;

/// Serves `router` on `listener` until `shutdown` is cancelled, with the
/// peer address available to handlers (the sign-in limit uses it).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move { shutdown.cancelled().await })
    .await
}
