//! Account & Tools -> Users: the list with the plan's cap, adding a user
//! with a password or an invite link, changing roles, deactivating and
//! reactivating (history stays), and issuing a new invite link.

use super::{Dialog, invite_url, require_admin, user_usage, users_read_only_note};
use crate::auth::{CsrfForm, CurrentUser};
use crate::error::PageError;
use crate::state::AppState;
use crate::ui::form::{FieldErrors, FormError, form_page, path_id};
use crate::ui::page::{NoticeQuery, Page};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use ecp_app::users::NewUserInput;
use ecp_domain::{Role, UserId};
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings/users", get(list))
        .route("/settings/users/new", get(new_form).post(create))
        .route("/settings/users/{id}/role", post(change_role))
        .route("/settings/users/{id}/active", post(set_active))
        .route("/settings/users/{id}/invite", post(reissue))
}

struct UserView {
    id: i64,
    name: String,
    email: String,
    role: &'static str,
    role_label: &'static str,
    admin: bool,
    active: bool,
    over_limit: bool,
    has_password: bool,
    /// Neither the owner nor oneself is changed from here.
    manageable: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "settings/users.html")]
struct UsersPage {
    page: Page,
    dialog: Dialog,
    users: Vec<UserView>,
    usage: String,
    read_only_note: Option<String>,
    at_cap: Option<String>,
    message: Option<String>,
}

async fn render_list(
    s: &AppState,
    user: &CurrentUser,
    notice: Option<&str>,
    failure: Option<(StatusCode, String)>,
) -> Result<Response, PageError> {
    let summary = s.app.account_summary(&user.actor).await?;
    let rows = s.app.list_users(&user.actor).await?;
    let users = rows
        .into_iter()
        .map(|r| {
            let u = r.user;
            UserView {
                id: u.id.0,
                manageable: u.role != Role::Owner && u.id != user.actor.user_id,
                role: u.role.as_str(),
                role_label: u.role.label(),
                admin: u.role.is_admin(),
                active: u.active,
                over_limit: r.over_plan_limit,
                has_password: u.has_password,
                name: u.name,
                email: u.email.to_string(),
            }
        })
        .collect();
    let (status, message) = match failure {
        Some((st, m)) => (st, Some(m)),
        None => (StatusCode::OK, None),
    };
    let page = UsersPage {
        page: Page::for_user("Account & Tools: Users", user, "settings").with_notice(notice),
        dialog: Dialog::new("users"),
        users,
        usage: user_usage(&summary),
        read_only_note: users_read_only_note(&summary),
        at_cap: summary
            .account
            .plan
            .check_add_user(summary.active_users)
            .err()
            .map(|e| e.to_string()),
        message,
    };
    Ok((status, page).into_response())
}

async fn list(
    State(s): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    require_admin(&user)?;
    render_list(&s, &user, q.notice.as_deref(), None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewUserForm {
    name: String,
    email: String,
    role: String,
    /// "password" or "invite".
    access: String,
    password: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "settings/user_new.html")]
struct NewUserPage {
    page: Page,
    dialog: Dialog,
    form: NewUserForm,
    usage: String,
    at_cap: Option<String>,
    errors: FieldErrors,
    message: Option<String>,
}

form_page!(NewUserPage);

async fn render_new(
    s: &AppState,
    user: &CurrentUser,
    mut form: NewUserForm,
    error: Option<FormError>,
) -> Result<Response, PageError> {
    let summary = s.app.account_summary(&user.actor).await?;
    let (status, errors, message) = match error {
        Some(e) => (e.status, e.fields, e.message),
        None => (StatusCode::OK, FieldErrors::default(), None),
    };
    form.password.clear();
    let at_cap = summary
        .account
        .plan
        .check_add_user(summary.active_users)
        .err()
        .map(|e| e.to_string());
    let dialog = Dialog::new("users");
    let page = NewUserPage {
        page: Page::for_user("Account & Tools: Add a user", user, "settings"),
        dialog: if at_cap.is_none() {
            dialog.saving("user-form")
        } else {
            dialog
        },
        form,
        usage: user_usage(&summary),
        at_cap,
        errors,
        message,
    };
    Ok((status, page).into_response())
}

async fn new_form(State(s): State<AppState>, user: CurrentUser) -> Result<Response, PageError> {
    require_admin(&user)?;
    let form = NewUserForm {
        role: "user".into(),
        access: "invite".into(),
        ..Default::default()
    };
    render_new(&s, &user, form, None).await
}

#[derive(Template, WebTemplate)]
#[template(path = "settings/invite_link.html")]
struct InviteLinkPage {
    page: Page,
    dialog: Dialog,
    name: String,
    email: String,
    link: String,
    just_added: bool,
    valid_days: i64,
}

fn valid_days(s: &AppState) -> i64 {
    (s.app.config().invite_ttl_ms / 86_400_000).max(1)
}

async fn create(
    State(s): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    CsrfForm(f): CsrfForm<NewUserForm>,
) -> Result<Response, PageError> {
    require_admin(&user)?;
    let with_password = f.access != "invite";
    if with_password && f.password.is_empty() {
        let fields = FieldErrors::one(
            "password",
            "Type an initial password (at least 10 characters), or choose \"Send an invite link\".",
        );
        return render_new(&s, &user, f, Some(FormError::fields(fields))).await;
    }
    let input = NewUserInput {
        name: f.name.clone(),
        email: f.email.clone(),
        role: f.role.clone(),
        password: if with_password {
            f.password.clone()
        } else {
            String::new()
        },
    };
    match s.app.add_user(&user.actor, &input).await {
        Ok(added) => match added.invite_token {
            Some(token) => Ok(InviteLinkPage {
                page: Page::for_user("Invite link", &user, "settings"),
                dialog: Dialog::new("users"),
                name: added.user.name,
                email: added.user.email.to_string(),
                link: invite_url(&headers, s.config.secure_cookies, &token),
                just_added: true,
                valid_days: valid_days(&s),
            }
            .into_response()),
            None => Ok(Redirect::to("/settings/users?notice=user-added").into_response()),
        },
        Err(e) => {
            let error = FormError::from_app(e, &[])?;
            render_new(&s, &user, f, Some(error)).await
        }
    }
}

/// Rule errors from a row's buttons are shown above the list.
async fn refused(
    s: &AppState,
    user: &CurrentUser,
    e: ecp_app::AppError,
) -> Result<Response, PageError> {
    let e = FormError::from_app(e, &[])?;
    let text = e
        .message
        .or_else(|| e.fields.get("role").map(str::to_string))
        .unwrap_or_else(|| "That change was refused. Reload the page and try again.".into());
    render_list(s, user, None, Some((e.status, text))).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RoleForm {
    role: String,
}

async fn change_role(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<RoleForm>,
) -> Result<Response, PageError> {
    require_admin(&user)?;
    let id = UserId(path_id(&id)?);
    match s.app.change_role(&user.actor, id, &f.role).await {
        Ok(_) => Ok(Redirect::to("/settings/users?notice=role-changed").into_response()),
        Err(e) => refused(&s, &user, e).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ActiveForm {
    active: String,
}

async fn set_active(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<ActiveForm>,
) -> Result<Response, PageError> {
    require_admin(&user)?;
    let id = UserId(path_id(&id)?);
    let active = match f.active.as_str() {
        "1" => true,
        "0" => false,
        _ => {
            let text = "The form did not say whether to deactivate or reactivate. Reload the page and try again.";
            return render_list(
                &s,
                &user,
                None,
                Some((StatusCode::UNPROCESSABLE_ENTITY, text.into())),
            )
            .await;
        }
    };
    match s.app.set_user_active(&user.actor, id, active).await {
        Ok(_) => {
            let notice = if active {
                "user-reactivated"
            } else {
                "user-deactivated"
            };
            Ok(Redirect::to(&format!("/settings/users?notice={notice}")).into_response())
        }
        Err(e) => refused(&s, &user, e).await,
    }
}

async fn reissue(
    State(s): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    require_admin(&user)?;
    let id = UserId(path_id(&id)?);
    let target = s.app.get_user(&user.actor, id).await?;
    match s.app.reissue_invite(&user.actor, id).await {
        Ok(token) => Ok(InviteLinkPage {
            page: Page::for_user("Invite link", &user, "settings"),
            dialog: Dialog::new("users"),
            name: target.name,
            email: target.email.to_string(),
            link: invite_url(&headers, s.config.secure_cookies, &token),
            just_added: false,
            valid_days: valid_days(&s),
        }
        .into_response()),
        Err(e) => refused(&s, &user, e).await,
    }
}
