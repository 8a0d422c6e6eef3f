//! Preferences: one's own name and email, password, personal signature,
//! and personal API tokens (the secret shown once, revocable).

use crate::auth::{CsrfForm, CurrentUser};
use crate::error::PageError;
use crate::state::AppState;
use crate::ui::form::{FieldErrors, FormError, form_page, path_id};
use crate::ui::page::{NoticeQuery, Page};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use ecp_app::tokens::CreatedToken;
use ecp_domain::ApiTokenId;
use ecp_domain::options::api_access;
use serde::Deserialize;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/preferences", get(show))
        .route("/preferences/profile", post(save_profile))
        .route("/preferences/password", post(change_password))
        .route("/preferences/signature", post(save_signature))
        .route("/preferences/tokens", post(create_token))
        .route("/preferences/tokens/{id}/revoke", post(revoke_token))
        .route("/preferences/notifications", post(save_notifications))
        .route("/preferences/rss", post(new_rss_token))
        .route("/preferences/rss/revoke", post(revoke_rss_token))
}

struct TokenView {
    id: i64,
    name: String,
    prefix: String,
    created: String,
    last_used: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "preferences.html")]
struct PreferencesPage {
    page: Page,
    role: &'static str,
    profile: ProfileForm,
    signature: String,
    tokens: Vec<TokenView>,
    token_name: String,
    new_token: Option<CreatedToken>,
    api_note: Option<String>,
    notify_assigned: bool,
    has_rss_token: bool,
    new_rss_token: Option<String>,
    errors: FieldErrors,
    message: Option<String>,
}

form_page!(PreferencesPage);

/// What a refused or just-finished submission puts back on the page
/// instead of the stored values.
#[derive(Default)]
struct Shown {
    profile: Option<ProfileForm>,
    signature: Option<String>,
    token_name: Option<String>,
    new_token: Option<CreatedToken>,
    new_rss_token: Option<String>,
    notice: Option<String>,
    error: Option<FormError>,
}

async fn render(s: &AppState, user: &CurrentUser, shown: Shown) -> Result<Response, PageError> {
    let me = s.app.get_user(&user.actor, user.actor.user_id).await?;
    let account = s.app.account(&user.actor).await?;
    let tz = &account.options.time_zone;
    let prefs = s.app.preferences(&user.actor).await?;
    let tokens = s
        .app
        .list_tokens(&user.actor)
        .await?
        .into_iter()
        .map(|t| TokenView {
            id: t.id.0,
            name: t.name,
            prefix: t.prefix,
            created: tz.format_ms(t.created_at),
            last_used: t
                .last_used_at
                .map_or_else(|| "never".to_string(), |ms| tz.format_ms(ms)),
        })
        .collect();
    let (status, errors, message) = match shown.error {
        Some(e) => (e.status, e.fields, e.message),
        None => (StatusCode::OK, FieldErrors::default(), None),
    };
    let page = PreferencesPage {
        page: Page::for_user("Preferences", user, "preferences")
            .with_notice(shown.notice.as_deref()),
        role: me.role.label(),
        profile: shown.profile.unwrap_or(ProfileForm {
            name: me.name,
            email: me.email.to_string(),
        }),
        signature: shown.signature.unwrap_or(me.signature_html),
        tokens,
        token_name: shown.token_name.unwrap_or_default(),
        new_token: shown.new_token,
        api_note: api_access(account.plan, &account.options).err(),
        notify_assigned: prefs.notify_assigned,
        has_rss_token: prefs.has_rss_token,
        new_rss_token: shown.new_rss_token,
        errors,
        message,
    };
    Ok((status, page).into_response())
}

async fn show(
    State(s): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    let shown = Shown {
        notice: q.notice,
        ..Default::default()
    };
    render(&s, &user, shown).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ProfileForm {
    name: String,
    email: String,
}

async fn save_profile(
    State(s): State<AppState>,
    user: CurrentUser,
    CsrfForm(f): CsrfForm<ProfileForm>,
) -> Result<Response, PageError> {
    match s.app.update_profile(&user.actor, &f.name, &f.email).await {
        Ok(_) => Ok(Redirect::to("/preferences?notice=profile-saved").into_response()),
        Err(e) => {
            let shown = Shown {
                error: Some(FormError::from_app(e, &[])?),
                profile: Some(f),
                ..Default::default()
            };
            render(&s, &user, shown).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PasswordForm {
    current_password: String,
    new_password: String,
    new_password_confirm: String,
}

async fn change_password(
    State(s): State<AppState>,
    user: CurrentUser,
    CsrfForm(f): CsrfForm<PasswordForm>,
) -> Result<Response, PageError> {
    let result = if f.new_password != f.new_password_confirm {
        Err(FormError::fields(FieldErrors::one(
            "new_password_confirm",
            "The two new passwords differ: type the same new password twice.",
        )))
    } else {
        match s
            .app
            .change_password(
                &user.actor,
                &f.current_password,
                &f.new_password,
                Some(&user.session_token),
            )
            .await
        {
            Ok(()) => Ok(()),
            Err(e) => Err(FormError::from_app(e, &[("password", "new_password")])?),
        }
    };
    match result {
        Ok(()) => Ok(Redirect::to("/preferences?notice=password").into_response()),
        Err(error) => {
            let shown = Shown {
                error: Some(error),
                ..Default::default()
            };
            render(&s, &user, shown).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SignatureForm {
    signature_html: String,
}

async fn save_signature(
    State(s): State<AppState>,
    user: CurrentUser,
    CsrfForm(f): CsrfForm<SignatureForm>,
) -> Result<Response, PageError> {
    match s
        .app
        .update_personal_signature(&user.actor, &f.signature_html)
        .await
    {
        Ok(_) => Ok(Redirect::to("/preferences?notice=signature-saved").into_response()),
        Err(e) => {
            let shown = Shown {
                error: Some(FormError::from_app(e, &[])?),
                signature: Some(ecp_app::sanitize_signature(&f.signature_html)),
                ..Default::default()
            };
            render(&s, &user, shown).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TokenForm {
    token_name: String,
}

async fn create_token(
    State(s): State<AppState>,
    user: CurrentUser,
    CsrfForm(f): CsrfForm<TokenForm>,
) -> Result<Response, PageError> {
    let shown = match s.app.create_token(&user.actor, &f.token_name).await {
        Ok(token) => Shown {
            new_token: Some(token),
            ..Default::default()
        },
        Err(e) => Shown {
            error: Some(FormError::from_app(e, &[("name", "token_name")])?),
            token_name: Some(f.token_name),
            ..Default::default()
        },
    };
    render(&s, &user, shown).await
}

async fn revoke_token(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let id = ApiTokenId(path_id(&id)?);
    s.app.revoke_token(&user.actor, id).await?;
    Ok(Redirect::to("/preferences?notice=token-revoked").into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NotificationsForm {
    notify_assigned: Option<String>,
}

async fn save_notifications(
    State(s): State<AppState>,
    user: CurrentUser,
    CsrfForm(f): CsrfForm<NotificationsForm>,
) -> Result<Response, PageError> {
    let on = f.notify_assigned.is_some();
    match s.app.set_notify_assigned(&user.actor, on).await {
        Ok(()) => Ok(Redirect::to("/preferences?notice=notifications-saved").into_response()),
        Err(e) => {
            let shown = Shown {
                error: Some(FormError::from_app(e, &[])?),
                ..Default::default()
            };
            render(&s, &user, shown).await
        }
    }
}

async fn new_rss_token(
    State(s): State<AppState>,
    user: CurrentUser,
    CsrfForm(_): CsrfForm<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let shown = match s.app.regenerate_rss_token(&user.actor).await {
        Ok(secret) => Shown {
            new_rss_token: Some(secret),
            ..Default::default()
        },
        Err(e) => Shown {
            error: Some(FormError::from_app(e, &[])?),
            ..Default::default()
        },
    };
    render(&s, &user, shown).await
}

async fn revoke_rss_token(
    State(s): State<AppState>,
    user: CurrentUser,
    CsrfForm(_): CsrfForm<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    s.app.revoke_rss_token(&user.actor).await?;
    Ok(Redirect::to("/preferences?notice=rss-revoked").into_response())
}
