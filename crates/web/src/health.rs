use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz))
}

/// 200 when the database answers, 503 otherwise, for load balancers and
/// process supervisors.
async fn healthz(State(s): State<AppState>) -> (StatusCode, Json<serde_json::Value>) {
    if s.app.healthy().await {
        (StatusCode::OK, Json(serde_json::json!({"status": "ok"})))
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(
                serde_json::json!({"status": "unavailable", "reason": "the database does not answer"}),
            ),
        )
    }
}
