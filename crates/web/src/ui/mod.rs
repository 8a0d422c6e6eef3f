//! Server-rendered pages. Each file serves one screen; `page` holds what
//! every page's layout needs.

mod home;
mod login;
pub(crate) mod page;
mod signup;

use crate::state::AppState;
use axum::Router;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .merge(home::routes())
        .merge(login::routes())
        .merge(signup::routes())
}
