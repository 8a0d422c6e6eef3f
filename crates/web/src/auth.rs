//! Who is asking, once per request: the session cookie is resolved by a
//! middleware and left in the request's extensions, where the extractors
//! below find it. Every state-changing form goes through [`CsrfForm`], which
//! checks the form's token before the handler sees any field.

use crate::error::PageError;
use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use base64::Engine;
use ecp_app::Actor;
use ecp_app::auth::SessionInfo;
use serde::de::DeserializeOwned;
use std::net::SocketAddr;

pub(crate) const SESSION_COOKIE: &str = "ecp_session";
/// For forms shown before sign-in (sign-in, sign-up, invites).
pub(crate) const ANON_CSRF_COOKIE: &str = "ecp_csrf";

/// What the middleware found out about the request's sender.
#[derive(Clone)]
pub(crate) struct RequestAuth {
    pub session: Option<SessionInfo>,
    pub session_token: Option<String>,
    /// The token forms must carry: the session's, or the anonymous cookie's.
    pub csrf_token: String,
}

pub(crate) async fn load_session(
    State(s): State<AppState>,
    jar: CookieJar,
    mut req: Request,
    next: Next,
) -> Response {
    let token = jar.get(SESSION_COOKIE).map(|c| c.value().to_string());
    let session = match &token {
        Some(t) => match s.app.session(t).await {
            Ok(found) => found,
            Err(e) => {
                tracing::error!(error = %e, "session lookup failed");
                return PageError::internal().into_response();
            }
        },
        None => None,
    };
    let anon = jar.get(ANON_CSRF_COOKIE).map(|c| c.value().to_string());
    let (csrf_token, new_anon) = match (&session, anon) {
        (Some(info), _) => (info.csrf_token.clone(), None),
        (None, Some(existing)) if existing.len() >= 32 => (existing, None),
        (None, _) => {
            let fresh = random_value();
            (fresh.clone(), Some(fresh))
        }
    };
    let stale_cookie = token.is_some() && session.is_none();
    if let Some(info) = &session {
        crate::ui::presence::note_seen(&s, info.actor.user_id).await;
    }
    req.extensions_mut().insert(RequestAuth {
        session_token: if session.is_some() { token } else { None },
        session,
        csrf_token,
    });
    let mut res = next.run(req).await;
    let mut set = Vec::new();
    if let Some(value) = new_anon {
        set.push(cookie(ANON_CSRF_COOKIE, value, s.config.secure_cookies));
    }
    if stale_cookie {
        set.push(expired(SESSION_COOKIE));
    }
    for c in set {
        if let Ok(v) = c.encoded().to_string().parse() {
            res.headers_mut().append(axum::http::header::SET_COOKIE, v);
        }
    }
    res
}

fn random_value() -> String {
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// An HttpOnly, SameSite=Lax cookie for the whole site.
pub(crate) fn cookie(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .build()
}

pub(crate) fn expired(name: &'static str) -> Cookie<'static> {
    let mut c = Cookie::build((name, "")).path("/").http_only(true).build();
    c.make_removal();
    c
}

pub(crate) fn request_auth(parts: &Parts) -> RequestAuth {
    parts
        .extensions
        .get::<RequestAuth>()
        .cloned()
        .unwrap_or(RequestAuth {
            session: None,
            session_token: None,
            csrf_token: String::new(),
        })
}

/// A signed-in user, for pages. Without a session: a redirect to sign-in.
pub(crate) struct CurrentUser {
    pub actor: Actor,
    pub csrf_token: String,
    pub session_token: String,
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let auth = request_auth(parts);
        match (auth.session, auth.session_token) {
            (Some(info), Some(token)) => Ok(CurrentUser {
                actor: info.actor,
                csrf_token: info.csrf_token,
                session_token: token,
            }),
            _ => {
                let back = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/");
                let target = if parts.method == axum::http::Method::GET
                    && back.starts_with('/')
                    && !back.starts_with("//")
                {
                    format!("/login?next={}", url_encode(back))
                } else {
                    "/login".to_string()
                };
                Err(Redirect::to(&target).into_response())
            }
        }
    }
}

/// The form token for the current request (signed in or not).
pub(crate) struct CsrfToken(pub String);

impl<S: Send + Sync> FromRequestParts<S> for CsrfToken {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(CsrfToken(request_auth(parts).csrf_token))
    }
}

/// The peer's IP address (for the sign-in limit); "unknown" without one.
pub(crate) struct ClientAddr(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_string())
                .unwrap_or_else(|| "unknown".into()),
        ))
    }
}

#[derive(serde::Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

/// A form body whose `csrf` field matched the request's token. Repeated
/// fields (checkbox lists) deserialize into `Vec`s.
pub(crate) struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let expected = req
            .extensions()
            .get::<RequestAuth>()
            .map(|a| a.csrf_token.clone())
            .unwrap_or_default();
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|_| {
                PageError::bad_request("The form could not be read: it may be too large.")
                    .into_response()
            })?;
        let given: CsrfField = serde_html_form::from_bytes(&bytes).unwrap_or(CsrfField {
            csrf: String::new(),
        });
        if expected.is_empty() || !constant_time_eq(given.csrf.as_bytes(), expected.as_bytes()) {
            return Err(PageError::forbidden(
                "This form has expired or was sent from another site. Go back, reload the page and try again.",
            )
            .into_response());
        }
        serde_html_form::from_bytes::<T>(&bytes)
            .map(CsrfForm)
            .map_err(|e| {
                PageError::bad_request(&format!(
                    "The form was incomplete or malformed ({e}). Reload the page and try again."
                ))
                .into_response()
            })
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub(crate) fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
