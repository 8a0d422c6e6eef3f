//! Collision detection on the conversation page (who else is viewing or
//! replying, a reply that arrived meanwhile) and the Users Online page.

use crate::auth::{CsrfForm, CurrentUser};
use crate::error::PageError;
use crate::state::AppState;
use crate::ui::form::FormError;
use crate::ui::page::Page;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use ecp_app::conversations::ConversationView;
use ecp_app::mailboxes::MailboxRecord;
use ecp_app::presence::{Presence, PresenceState, SEEN_WRITE_EVERY_MS};
use ecp_domain::UserId;
use ecp_domain::conversation::ConversationId;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Mutex;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/conversations/{id}/presence", post(ping))
        .route("/users/online", get(online))
}

/// When this node last wrote each user's last-seen time, so a busy user
/// costs one write a minute, not one per request.
#[derive(Default)]
pub(crate) struct SeenWrites(Mutex<HashMap<i64, i64>>);

pub(crate) async fn note_seen(s: &AppState, user: UserId) {
    let now = jiff::Timestamp::now().as_millisecond();
    let due = match s.seen.0.lock() {
        Ok(mut map) => {
            let last = map.get(&user.0).copied().unwrap_or(i64::MIN);
            if now.saturating_sub(last) >= SEEN_WRITE_EVERY_MS {
                map.insert(user.0, now);
                true
            } else {
                false
            }
        }
        Err(_) => false,
    };
    if due {
        // Users Online is a convenience: a failed write must not fail the page.
        if let Err(e) = s.app.touch_user(user).await {
            tracing::warn!(error = %e, "could not record the user's last request");
        }
    }
}

#[derive(Deserialize)]
struct PingForm {
    #[serde(default)]
    state: String,
}

#[derive(Serialize)]
struct PersonJson {
    name: String,
    state: String,
}

#[derive(Serialize)]
struct PingAnswer {
    others: Vec<PersonJson>,
    last_message_id: Option<i64>,
}

fn answer(p: Presence) -> PingAnswer {
    PingAnswer {
        others: p
            .others
            .into_iter()
            .map(|o| PersonJson {
                name: o.name,
                state: o.state,
            })
            .collect(),
        last_message_id: p.last_message_id,
    }
}

/// The page's ping (static/app.js, every 15 s): records the sender's state
/// and answers who else is here, for the page to show.
async fn ping(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<PingForm>,
) -> Result<Json<PingAnswer>, PageError> {
    let state = PresenceState::parse(&f.state)?;
    let p = s
        .app
        .ping_presence(&user.actor, ConversationId(id), state)
        .await?;
    Ok(Json(answer(p)))
}

/// Refuses a send when a message newer than the one the form was shown
/// with arrived meanwhile: the page comes back with it, and sending again
/// goes through. A form without the field (an old page) is not checked.
pub(crate) fn collision(view: &ConversationView, seen_last: &str) -> Option<FormError> {
    let seen: i64 = seen_last.trim().parse().ok()?;
    let newest = view.messages.iter().map(|m| m.id).max()?;
    (newest > seen).then(|| FormError {
        status: StatusCode::CONFLICT,
        fields: Default::default(),
        message: Some(
            "Someone replied, or the customer wrote again, since you opened this conversation: \
             read the new message, then send again."
                .into(),
        ),
    })
}

pub(crate) struct OnlineRow {
    pub name: String,
    pub you: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "users_online.html")]
struct OnlinePage {
    page: Page,
    mailboxes: Vec<MailboxRecord>,
    users: Vec<OnlineRow>,
}

async fn online(State(s): State<AppState>, user: CurrentUser) -> Result<OnlinePage, PageError> {
    let users = s
        .app
        .users_online(&user.actor)
        .await?
        .into_iter()
        .map(|u| OnlineRow {
            you: u.user_id == user.actor.user_id,
            name: u.name,
        })
        .collect();
    Ok(OnlinePage {
        page: Page::for_user("Users Online", &user, "home"),
        mailboxes: s.app.visible_mailboxes(&user.actor).await?,
        users,
    })
}
