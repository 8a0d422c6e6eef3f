//! /invite/{token}: an invited user chooses their password and is signed in.

use crate::auth::{ANON_CSRF_COOKIE, CsrfForm, CsrfToken, SESSION_COOKIE, cookie, expired};
use crate::error::PageError;
use crate::state::AppState;
use crate::ui::form::{FieldErrors, FormError, form_page};
use crate::ui::page::Page;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum_extra::extract::cookie::CookieJar;
use ecp_app::AppError;
use serde::Deserialize;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/invite/{token}", get(form).post(accept))
}

#[derive(Template, WebTemplate)]
#[template(path = "invite.html")]
struct InvitePage {
    page: Page,
    token: String,
    name: String,
    email: String,
    account: String,
    errors: FieldErrors,
    message: Option<String>,
}

form_page!(InvitePage);

fn unusable() -> PageError {
    PageError::new(
        StatusCode::NOT_FOUND,
        "This invite link is unknown, already used or expired. \
         Ask an administrator of your account for a new one (Account & Tools, Users, \"New invite link\").",
    )
}

/// Tokens are URL-safe base64; anything else can't be one, and isn't
/// worth a database lookup.
fn plausible(token: &str) -> bool {
    (16..=128).contains(&token.len())
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

async fn render(
    s: &AppState,
    csrf: &str,
    token: String,
    error: Option<FormError>,
) -> Result<Response, PageError> {
    if !plausible(&token) {
        return Err(unusable());
    }
    let user = match s.app.invite_user(&token).await {
        Ok(u) if u.active => u,
        Ok(_) | Err(AppError::NotFound) => return Err(unusable()),
        Err(e) => return Err(e.into()),
    };
    let account = s.app.account_by_id(user.account_id).await?;
    let (status, errors, message) = match error {
        Some(e) => (e.status, e.fields, e.message),
        None => (StatusCode::OK, FieldErrors::default(), None),
    };
    let page = InvitePage {
        page: Page::anonymous("Choose your password", csrf),
        token,
        name: user.name,
        email: user.email.to_string(),
        account: account.name,
        errors,
        message,
    };
    Ok((status, page).into_response())
}

async fn form(
    State(s): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    render(&s, &csrf, token, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct InviteForm {
    password: String,
    password_confirm: String,
}

async fn accept(
    State(s): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    jar: CookieJar,
    Path(token): Path<String>,
    CsrfForm(f): CsrfForm<InviteForm>,
) -> Result<Response, PageError> {
    if !plausible(&token) {
        return Err(unusable());
    }
    if f.password != f.password_confirm {
        let fields = FieldErrors::one(
            "password_confirm",
            "The two passwords differ: type the same password twice.",
        );
        return render(&s, &csrf, token, Some(FormError::fields(fields))).await;
    }
    match s.app.accept_invite(&token, &f.password).await {
        Ok(session) => {
            let jar = jar
                .add(cookie(
                    SESSION_COOKIE,
                    session.token,
                    s.config.secure_cookies,
                ))
                .remove(expired(ANON_CSRF_COOKIE));
            Ok((jar, Redirect::to("/?notice=invite-accepted")).into_response())
        }
        Err(AppError::NotFound) => Err(unusable()),
        Err(e) => {
            let error = FormError::from_app(e, &[])?;
            render(&s, &csrf, token, Some(error)).await
        }
    }
}
