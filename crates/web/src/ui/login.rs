//! Sign in and sign out.

use crate::auth::{
    ANON_CSRF_COOKIE, ClientAddr, CsrfForm, CsrfToken, CurrentUser, SESSION_COOKIE, cookie, expired,
};
use crate::error::PageError;
use crate::state::AppState;
use crate::ui::page::Page;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::CookieJar;
use ecp_app::AppError;
use serde::Deserialize;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(form).post(submit))
        .route("/logout", post(logout))
}

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct LoginPage {
    page: Page,
    email: String,
    next: String,
    error: Option<String>,
    signup_open: bool,
}

#[derive(Deserialize, Default)]
struct LoginQuery {
    next: Option<String>,
    notice: Option<String>,
}

async fn form(
    State(s): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    Query(q): Query<LoginQuery>,
) -> Result<Response, PageError> {
    if s.app.needs_first_account().await? {
        return Ok(Redirect::to("/signup").into_response());
    }
    Ok(LoginPage {
        page: Page::anonymous("Sign in", &csrf).with_notice(q.notice.as_deref()),
        email: String::new(),
        next: safe_next(q.next.as_deref()),
        error: None,
        signup_open: s.app.signup_open().await?,
    }
    .into_response())
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

async fn submit(
    State(s): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    ClientAddr(client): ClientAddr,
    jar: CookieJar,
    CsrfForm(f): CsrfForm<LoginForm>,
) -> Result<Response, PageError> {
    match s.app.login(&f.email, &f.password, &client).await {
        Ok(session) => {
            let jar = jar
                .add(cookie(
                    SESSION_COOKIE,
                    session.token,
                    s.config.secure_cookies,
                ))
                .remove(expired(ANON_CSRF_COOKIE));
            Ok((jar, Redirect::to(&safe_next(Some(&f.next)))).into_response())
        }
        Err(e @ (AppError::Unauthenticated(_) | AppError::TooManyAttempts { .. })) => {
            let status = crate::error::status_of(&e);
            let page = LoginPage {
                page: Page::anonymous("Sign in", &csrf),
                email: f.email,
                next: safe_next(Some(&f.next)),
                error: Some(e.to_string()),
                signup_open: s.app.signup_open().await?,
            };
            Ok((status, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn logout(
    State(s): State<AppState>,
    user: CurrentUser,
    jar: CookieJar,
    CsrfForm(_): CsrfForm<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    s.app.logout(&user.session_token).await?;
    let jar = jar.remove(expired(SESSION_COOKIE));
    Ok((jar, Redirect::to("/login?notice=signed-out")).into_response())
}

/// Only same-site paths: an open redirect after sign-in would help phishing.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && !n.contains(['\r', '\n']) =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}
