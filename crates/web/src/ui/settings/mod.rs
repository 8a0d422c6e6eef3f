//! Account & Tools: a dialog-styled page with tabs (Mailboxes, Users,
//! Templates, DKIM, Account Options), reachable by URL. Owner and administrators
//! only; Account Options for the owner alone.

mod auto_reply;
mod dkim;
mod mailbox_form;
mod mailbox_smtp;
mod mailboxes;
mod options;
mod owner;
mod pop_accounts;
mod pop_form;
mod templates;
mod templates_form;
mod users;

use crate::auth::CurrentUser;
use crate::error::PageError;
use crate::state::AppState;
use axum::Router;
use axum::http::HeaderMap;
use axum::response::Redirect;
use axum::routing::get;
use ecp_app::account::AccountSummary;
use ecp_domain::Plan;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/settings",
            get(|| async { Redirect::to("/settings/mailboxes") }),
        )
        .merge(mailboxes::routes())
        .merge(pop_accounts::routes())
        .merge(mailbox_smtp::routes())
        .merge(auto_reply::routes())
        .merge(users::routes())
        .merge(templates::routes())
        .merge(options::routes())
        .merge(owner::routes())
        .merge(dkim::routes())
}

/// The dialog's frame: which tab is open, and which form the Save button
/// at the top submits.
pub(crate) struct Dialog {
    pub tab: &'static str,
    pub save_form: Option<&'static str>,
}

impl Dialog {
    pub fn new(tab: &'static str) -> Self {
        Self {
            tab,
            save_form: None,
        }
    }

    pub fn saving(mut self, form_id: &'static str) -> Self {
        self.save_form = Some(form_id);
        self
    }
}

pub(crate) fn require_admin(user: &CurrentUser) -> Result<(), PageError> {
    if user.actor.is_admin() {
        Ok(())
    } else {
        Err(PageError::forbidden(
            "Account & Tools is for the account owner and administrators. \
             Ask one of them if a mailbox or user needs changing.",
        ))
    }
}

pub(crate) fn require_owner(user: &CurrentUser) -> Result<(), PageError> {
    if user.actor.is_owner() {
        Ok(())
    } else {
        Err(PageError::forbidden(
            "Account Options are for the account owner only. Ask the owner to change them.",
        ))
    }
}

/// "2 of 2 mailboxes on the Free plan".
pub(crate) fn mailbox_usage(s: &AccountSummary) -> String {
    let p = s.account.plan;
    format!(
        "{} of {} mailboxes on the {} plan",
        s.mailboxes,
        p.limits().max_mailboxes,
        p.label()
    )
}

pub(crate) fn user_usage(s: &AccountSummary) -> String {
    let p = s.account.plan;
    format!(
        "{} of {} active users on the {} plan",
        s.active_users,
        p.limits().max_users,
        p.label()
    )
}

/// What the Mailboxes tab says when a downgrade left mailboxes over the cap.
pub(crate) fn mailboxes_read_only_note(s: &AccountSummary) -> Option<String> {
    if s.read_only_mailboxes.is_empty() {
        return None;
    }
    let p = s.account.plan;
    Some(format!(
        "The {} plan allows {} mailboxes and this account has {}, so the newest are read-only: {}. \
         Their mail stays, but their settings can't be changed. Delete mailboxes you no longer need, \
         or ask the account owner to upgrade the plan in Account Options.",
        p.label(),
        p.limits().max_mailboxes,
        s.mailboxes,
        quoted_list(&s.read_only_mailboxes)
    ))
}

pub(crate) fn users_read_only_note(s: &AccountSummary) -> Option<String> {
    if s.read_only_users.is_empty() {
        return None;
    }
    let p = s.account.plan;
    Some(format!(
        "The {} plan allows {} active users and this account has {}, so the newest are read-only \
         (they can read but not change anything): {}. Deactivate users who no longer need access, \
         or ask the account owner to upgrade the plan in Account Options.",
        p.label(),
        p.limits().max_users,
        s.active_users,
        quoted_list(&s.read_only_users)
    ))
}

fn quoted_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("\u{201c}{n}\u{201d}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What each plan gives, for the plan picker.
pub(crate) fn plan_summary(p: Plan) -> String {
    let l = p.limits();
    let mut parts = vec![
        format!("{} mailboxes", l.max_mailboxes),
        format!("{} users", l.max_users),
    ];
    if l.per_mailbox_permissions {
        parts.push("per-mailbox permissions".into());
    }
    if l.pop_over_ssl {
        parts.push("POP over SSL".into());
    }
    if l.api {
        parts.push("API".into());
    }
    parts.join(", ")
}

/// The full invite link, built from the Host the browser used so that it
/// works from wherever the administrator reached the server. A Host with
/// unexpected characters gives a path only, never someone else's site.
pub(crate) fn invite_url(headers: &HeaderMap, secure: bool, token: &str) -> String {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        });
    match host {
        Some(h) => format!(
            "{}://{h}/invite/{token}",
            if secure { "https" } else { "http" }
        ),
        None => format!("/invite/{token}"),
    }
}
