//! Recent Actions: the account's page (newest first, paged by id) and the
//! sentences both it and the conversation panel show.

use crate::auth::CurrentUser;
use crate::error::PageError;
use crate::state::AppState;
use crate::ui::lists::{Nav, nav};
use crate::ui::page::Page;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use ecp_app::activity::ActivityRecord;
use ecp_domain::TimeZoneName;
use ecp_domain::activity::Action;
use serde::Deserialize;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/activity", get(recent_actions))
}

const PAGE_SIZE: i64 = 50;

pub(crate) struct ActionLine {
    pub who: String,
    pub what: String,
    pub conversation: Option<i64>,
    pub when: String,
}

pub(crate) fn line(a: &ActivityRecord, tz: &TimeZoneName) -> ActionLine {
    ActionLine {
        who: a.user_name.clone().unwrap_or_else(|| {
            if a.user_id.is_some() {
                "A former user".into()
            } else {
                "Email Center Pro".into()
            }
        }),
        what: describe(&a.action, &a.detail),
        conversation: a.conversation_id,
        when: tz.format_ms(a.at),
    }
}

/// "assigned it to Bob": what happened, with the detail recorded with it.
pub(crate) fn describe(action: &str, detail: &str) -> String {
    let d: serde_json::Value = serde_json::from_str(detail).unwrap_or_default();
    let s = |k: &str| {
        d.get(k)
            .and_then(|v| {
                v.as_str()
                    .map(str::to_string)
                    .or_else(|| v.as_i64().map(|n| n.to_string()))
            })
            .unwrap_or_default()
    };
    match Action::parse(action) {
        Action::Assigned => format!("assigned it to {}", s("assignee")),
        Action::Unassigned => "unassigned it".into(),
        Action::StatusChanged => format!("changed the status from {} to {}", s("from"), s("to")),
        Action::MarkedSpam => "marked it as spam".into(),
        Action::NotSpam => format!("marked it as not spam ({})", s("to")),
        Action::Tagged => format!("tagged it \u{201c}{}\u{201d}", s("tag")),
        Action::Untagged => format!("removed the tag \u{201c}{}\u{201d}", s("tag")),
        Action::Merged => format!("merged #{} into it", s("from")),
        Action::Moved => format!("moved it from {} to {}", s("from"), s("to")),
        other => format!("{} it", other.verb()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "activity.html")]
struct ActivityPage {
    page: Page,
    nav: Nav,
    lines: Vec<ActionLine>,
    older: Option<i64>,
}

#[derive(Deserialize)]
struct ActivityQuery {
    before: Option<String>,
}

async fn recent_actions(
    State(s): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ActivityQuery>,
) -> Result<ActivityPage, PageError> {
    let before = match q.before.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
        None => None,
        Some(b) => Some(b.parse::<i64>().map_err(|_| {
            PageError::bad_request("\"before\" must be the number an \"Older actions\" link gave.")
        })?),
    };
    let list = s
        .app
        .recent_actions(&user.actor, before, PAGE_SIZE + 1)
        .await?;
    let tz = s.app.account(&user.actor).await?.options.time_zone;
    let more = list.len() as i64 > PAGE_SIZE;
    let shown = &list[..list.len().min(PAGE_SIZE as usize)];
    Ok(ActivityPage {
        page: Page::for_user("Recent Actions", &user, "home"),
        nav: nav(&s, &user, None).await?,
        lines: shown.iter().map(|a| line(a, &tz)).collect(),
        older: shown.last().filter(|_| more).map(|a| a.id),
    })
}
