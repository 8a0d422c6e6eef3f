//! The New Account Wizard: shown on the first visit of a new installation,
//! and at /signup when the configuration opens sign-up.

use crate::auth::{
    ANON_CSRF_COOKIE, ClientAddr, CsrfForm, CsrfToken, SESSION_COOKIE, cookie, expired,
};
use crate::error::PageError;
use crate::state::AppState;
use crate::ui::page::Page;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum_extra::extract::cookie::CookieJar;
use ecp_app::AppError;
use ecp_app::signup::SignupInput;
use ecp_domain::{Plan, TimeZoneName};
use serde::Deserialize;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/signup", get(form).post(submit))
}

pub(crate) struct PlanChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub summary: String,
}

pub(crate) fn plan_choices() -> Vec<PlanChoice> {
    Plan::ALL
        .iter()
        .map(|p| {
            let l = p.limits();
            PlanChoice {
                value: p.as_str(),
                label: p.label(),
                summary: format!(
                    "{} mailboxes, {} users{}{}{}",
                    l.max_mailboxes,
                    l.max_users,
                    if l.per_mailbox_permissions {
                        ", per-mailbox permissions"
                    } else {
                        ""
                    },
                    if l.pop_over_ssl { ", POP over SSL" } else { "" },
                    if l.api { ", API" } else { "" },
                ),
            }
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "signup.html")]
struct SignupPage {
    page: Page,
    form: SignupForm,
    errors: Vec<(String, String)>,
    time_zones: Vec<String>,
    plans: Vec<PlanChoice>,
    first_account: bool,
}

impl SignupPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct SignupForm {
    account_name: String,
    owner_name: String,
    owner_email: String,
    password: String,
    time_zone: String,
    plan: String,
    mailbox_name: String,
    mailbox_address: String,
}

async fn closed() -> PageError {
    PageError::new(
        StatusCode::NOT_FOUND,
        "Sign-up is closed on this server. Ask the person who runs it to add you to an account.",
    )
}

async fn form(
    State(s): State<AppState>,
    CsrfToken(csrf): CsrfToken,
) -> Result<Response, PageError> {
    if !s.app.signup_open().await? {
        return Ok(closed().await.into_response());
    }
    let form = SignupForm {
        time_zone: TimeZoneName::default_zone().as_str().to_string(),
        plan: "free".into(),
        ..Default::default()
    };
    Ok(SignupPage {
        page: Page::anonymous("Create your account", &csrf),
        form,
        errors: Vec::new(),
        time_zones: TimeZoneName::all(),
        plans: plan_choices(),
        first_account: s.app.needs_first_account().await?,
    }
    .into_response())
}

async fn submit(
    State(s): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    ClientAddr(client): ClientAddr,
    jar: CookieJar,
    CsrfForm(f): CsrfForm<SignupForm>,
) -> Result<Response, PageError> {
    if !s.app.signup_open().await? {
        return Ok(closed().await.into_response());
    }
    let input = SignupInput {
        account_name: f.account_name.clone(),
        owner_name: f.owner_name.clone(),
        owner_email: f.owner_email.clone(),
        password: f.password.clone(),
        time_zone: f.time_zone.clone(),
        plan: f.plan.clone(),
        mailbox_name: f.mailbox_name.clone(),
        mailbox_address: f.mailbox_address.clone(),
    };
    match s.app.create_account(&input).await {
        Ok(_) => {
            let session = s.app.login(&f.owner_email, &f.password, &client).await?;
            let jar = jar
                .add(cookie(
                    SESSION_COOKIE,
                    session.token,
                    s.config.secure_cookies,
                ))
                .remove(expired(ANON_CSRF_COOKIE));
            Ok((jar, Redirect::to("/?notice=welcome")).into_response())
        }
        Err(AppError::Validation(errors)) => {
            let mut form = f;
            form.password.clear();
            let page = SignupPage {
                page: Page::anonymous("Create your account", &csrf),
                form,
                errors: errors
                    .into_iter()
                    .map(|e| (e.field.to_string(), e.message))
                    .collect(),
                time_zones: TimeZoneName::all(),
                plans: plan_choices(),
                first_account: s.app.needs_first_account().await?,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
