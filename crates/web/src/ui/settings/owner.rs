//! Handing the account to another user: pick them on Account Options,
//! confirm on a page that says what happens, then the old owner (now an
//! administrator) is signed out.

use super::{Dialog, options, require_owner};
use crate::auth::{CsrfForm, CurrentUser, SESSION_COOKIE, expired};
use crate::error::PageError;
use crate::state::AppState;
use crate::ui::form::{FieldErrors, FormError};
use crate::ui::page::Page;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum_extra::extract::cookie::CookieJar;
use ecp_app::AppError;
use ecp_app::users::UserRecord;
use ecp_domain::{Role, UserId};
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings/options/owner", post(choose))
        .route("/settings/options/owner/confirm", post(confirm))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct OwnerForm {
    new_owner: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "settings/owner_confirm.html")]
struct ConfirmPage {
    page: Page,
    dialog: Dialog,
    id: i64,
    name: String,
    email: String,
}

/// The chosen user, if they can become the owner; otherwise the message
/// for the "new_owner" field.
async fn candidate(s: &AppState, user: &CurrentUser, raw: &str) -> Result<UserRecord, String> {
    let pick = "Pick the user who should become the account owner from the list.";
    let id = raw.trim().parse::<i64>().map_err(|_| pick.to_string())?;
    let target = s
        .app
        .get_user(&user.actor, UserId(id))
        .await
        .map_err(|_| pick.to_string())?;
    if target.role == Role::Owner {
        return Err("You already are the account owner: pick another user.".into());
    }
    if !target.active {
        return Err(format!(
            "{} is deactivated: reactivate them on the Users tab first.",
            target.name
        ));
    }
    Ok(target)
}

async fn refuse(s: &AppState, user: &CurrentUser, message: String) -> Result<Response, PageError> {
    let error = FormError::fields(FieldErrors::one("new_owner", message));
    options::render(s, user, None, None, Some(error)).await
}

async fn choose(
    State(s): State<AppState>,
    user: CurrentUser,
    CsrfForm(f): CsrfForm<OwnerForm>,
) -> Result<Response, PageError> {
    require_owner(&user)?;
    match candidate(&s, &user, &f.new_owner).await {
        Ok(target) => Ok(ConfirmPage {
            page: Page::for_user("Transfer ownership", &user, "settings"),
            dialog: Dialog::new("options"),
            id: target.id.0,
            name: target.name,
            email: target.email.to_string(),
        }
        .into_response()),
        Err(message) => refuse(&s, &user, message).await,
    }
}

async fn confirm(
    State(s): State<AppState>,
    user: CurrentUser,
    jar: CookieJar,
    CsrfForm(f): CsrfForm<OwnerForm>,
) -> Result<Response, PageError> {
    require_owner(&user)?;
    let target = match candidate(&s, &user, &f.new_owner).await {
        Ok(t) => t,
        Err(message) => return refuse(&s, &user, message).await,
    };
    match s.app.transfer_ownership(&user.actor, target.id).await {
        Ok(()) => {
            let jar = jar.remove(expired(SESSION_COOKIE));
            Ok((jar, Redirect::to("/login?notice=owner-transferred")).into_response())
        }
        Err(AppError::Validation(list)) => {
            let message = list
                .into_iter()
                .map(|e| e.message)
                .collect::<Vec<_>>()
                .join(" ");
            refuse(&s, &user, message).await
        }
        Err(e) => Err(e.into()),
    }
}
