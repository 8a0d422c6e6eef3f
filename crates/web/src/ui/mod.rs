//! Server-rendered pages. Each file serves one screen; `page` holds what
//! every page's layout needs.

mod activity;
pub(crate) mod compose;
mod compose_multipart;
mod conversation_actions;
mod conversations;
mod form;
mod found;
mod home;
mod invite;
mod lists;
mod login;
mod message_body;
mod notes;
pub(crate) mod page;
pub(crate) mod presence;

pub(crate) use conversations::download;
mod contacts;
mod preferences;
mod search;
mod settings;
mod signup;

use crate::state::AppState;
use axum::Router;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .merge(home::routes())
        .merge(conversations::routes())
        .merge(lists::routes())
        .merge(activity::routes())
        .merge(conversation_actions::routes())
        .merge(login::routes())
        .merge(signup::routes())
        .merge(settings::routes())
        .merge(preferences::routes())
        .merge(invite::routes())
        .merge(message_body::routes())
        .merge(notes::routes())
        .merge(presence::routes())
        .merge(search::routes())
        .merge(contacts::routes())
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            crate::FORM_BODY_LIMIT,
        ))
        .merge(
            compose::routes()
                .layer(tower_http::limit::RequestBodyLimitLayer::new(
                    compose::COMPOSE_BODY_LIMIT,
                ))
                .layer(axum::extract::DefaultBodyLimit::max(
                    compose::COMPOSE_BODY_LIMIT,
                )),
        )
}
