//! The start page after sign-in: the mailboxes this user may see.

use crate::auth::CurrentUser;
use crate::error::PageError;
use crate::state::AppState;
use crate::ui::page::{NoticeQuery, Page};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use ecp_app::mailboxes::MailboxRecord;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/", get(home))
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct HomePage {
    page: Page,
    mailboxes: Vec<MailboxRecord>,
}

async fn home(
    State(s): State<AppState>,
    user: Result<CurrentUser, Response>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    let user = match user {
        Ok(u) => u,
        Err(redirect) => {
            // First visit of a new installation: the New Account Wizard.
            if s.app.needs_first_account().await? {
                return Ok(Redirect::to("/signup").into_response());
            }
            return Ok(redirect);
        }
    };
    let mailboxes = s.app.visible_mailboxes(&user.actor).await?;
    Ok(HomePage {
        page: Page::for_user("Mailboxes", &user, "home")
            .with_notice(q.notice.as_deref())
            .with_saved_searches(&s.app, &user)
            .await?,
        mailboxes,
    }
    .into_response())
}
