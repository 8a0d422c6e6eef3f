//! The agent workspace's lists: a mailbox's folders, My Mail, the
//! navigation with folder counts, and bulk actions on the checked rows
//! (a plain form; the script only adds "select all").

use crate::auth::{CsrfForm, CurrentUser};
use crate::error::PageError;
use crate::state::AppState;
use crate::ui::page::Page;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Redirect;
use axum::routing::{get, post};
use ecp_app::conversation_actions::Assignee;
use ecp_app::lists::{ListItem, ListPage};
use ecp_app::mailboxes::MailboxRecord;
use ecp_domain::conversation::ConversationId;
use ecp_domain::workspace::{BulkAction, Cursor, Folder, Sort};
use ecp_domain::{MailboxId, TimeZoneName};
use serde::Deserialize;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/mailboxes/{id}", get(mailbox))
        .route("/my-mail", get(my_mail))
        .route("/conversations/bulk", post(bulk))
}

const PAGE_SIZE: i64 = 50;

/// One folder link in the navigation.
pub(crate) struct NavFolder {
    pub slug: &'static str,
    pub label: &'static str,
    pub count: i64,
    pub current: bool,
}

pub(crate) struct NavMailbox {
    pub id: i64,
    pub name: String,
    pub folders: Vec<NavFolder>,
}

/// The left-hand navigation: mailboxes with folder counts, My Mail,
/// Recent Actions. `current` marks the folder being shown.
pub(crate) struct Nav {
    pub mailboxes: Vec<NavMailbox>,
    pub my_mail: i64,
    pub my_mail_current: bool,
}

pub(crate) async fn nav(
    s: &AppState,
    user: &CurrentUser,
    current: Option<(MailboxId, Folder)>,
) -> Result<Nav, PageError> {
    let n = s.app.navigation(&user.actor).await?;
    Ok(Nav {
        mailboxes: n
            .mailboxes
            .iter()
            .map(|(m, counts)| NavMailbox {
                id: m.id.0,
                name: m.name.clone(),
                folders: Folder::ALL
                    .into_iter()
                    .map(|f| NavFolder {
                        slug: f.as_str(),
                        label: f.label(),
                        count: counts.get(f),
                        current: current == Some((m.id, f)),
                    })
                    .collect(),
            })
            .collect(),
        my_mail: n.my_mail,
        my_mail_current: false,
    })
}

pub(crate) struct Row {
    pub id: i64,
    pub subject: String,
    pub customer: String,
    pub status: &'static str,
    pub assignee: String,
    pub when: String,
    pub messages: i64,
    pub unparseable: bool,
    pub unread: bool,
    pub tags: Vec<String>,
}

fn row(item: &ListItem, tz: &TimeZoneName) -> Row {
    let c = &item.row.conversation;
    Row {
        id: c.id.0,
        subject: c.subject.clone(),
        customer: if c.customer_name.is_empty() {
            c.customer_email.clone()
        } else {
            c.customer_name.clone()
        },
        status: c.status.as_str(),
        assignee: item.row.assignee_name.clone().unwrap_or_default(),
        when: tz.format_ms(c.last_message_at),
        messages: c.message_count,
        unparseable: c.unparseable,
        unread: item.row.unread,
        tags: item.tags.clone(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "mailbox.html")]
struct ListPageView {
    page: Page,
    nav: Nav,
    mailbox: Option<MailboxRecord>,
    folder: &'static str,
    folder_label: &'static str,
    sort: &'static str,
    /// This list's URL without sort or cursor, for links and going back.
    base: String,
    rows: Vec<Row>,
    older: Option<String>,
    newer: Option<String>,
    assignees: Vec<Assignee>,
}

#[derive(Deserialize, Default)]
struct ListQuery {
    folder: Option<String>,
    /// The first version's tabs (`?status=closed`), still understood.
    status: Option<String>,
    sort: Option<String>,
    cursor: Option<String>,
}

struct Parsed {
    sort: Sort,
    cursor: Option<Cursor>,
}

/// A bad sort or cursor (an edited URL) is a 400 that says what to do.
fn parse_query(q: &ListQuery) -> Result<Parsed, PageError> {
    let sort = Sort::parse(q.sort.as_deref().unwrap_or(""))
        .map_err(|e| PageError::bad_request(&e.message))?;
    let cursor = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(Cursor::parse(c).map_err(|e| PageError::bad_request(&e.message))?),
    };
    Ok(Parsed { sort, cursor })
}

fn folder_of(q: &ListQuery) -> Result<Folder, PageError> {
    let given = q
        .folder
        .as_deref()
        .or(q
            .status
            .as_deref()
            .map(|s| if s == "open" { "unassigned" } else { s }))
        .filter(|f| !f.is_empty());
    match given {
        None => Ok(Folder::Unassigned),
        Some(f) => Folder::parse(f).map_err(|e| PageError::bad_request(&e.message)),
    }
}

async fn mailbox(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> Result<ListPageView, PageError> {
    let folder = folder_of(&q)?;
    let p = parse_query(&q)?;
    let mailbox_id = MailboxId(id);
    // Each checks the reader may see the mailbox; side by side, the page
    // waits for the slowest rather than for their sum.
    let (mailbox, list, assignees, nav) = tokio::try_join!(
        async { Ok::<_, PageError>(s.app.mailbox(&user.actor, mailbox_id).await?) },
        async {
            Ok::<_, PageError>(
                s.app
                    .folder_page(&user.actor, mailbox_id, folder, p.sort, p.cursor, PAGE_SIZE)
                    .await?,
            )
        },
        async { Ok::<_, PageError>(s.app.assignees(&user.actor, mailbox_id).await?) },
        nav(&s, &user, Some((mailbox_id, folder))),
    )?;
    let base = format!("/mailboxes/{}?folder={}", mailbox.id.0, folder.as_str());
    view(
        &s,
        &user,
        nav,
        Some(mailbox),
        folder,
        p.sort,
        base,
        list,
        assignees,
    )
    .await
}

async fn my_mail(
    State(s): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<ListPageView, PageError> {
    let p = parse_query(&q)?;
    let list = s
        .app
        .my_mail(&user.actor, p.sort, p.cursor, PAGE_SIZE)
        .await?;
    let mut nav = nav(&s, &user, None).await?;
    nav.my_mail_current = true;
    let base = "/my-mail?folder=mine".to_string();
    view(
        &s,
        &user,
        nav,
        None,
        Folder::Mine,
        p.sort,
        base,
        list,
        Vec::new(),
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn view(
    s: &AppState,
    user: &CurrentUser,
    nav: Nav,
    mailbox: Option<MailboxRecord>,
    folder: Folder,
    sort: Sort,
    base: String,
    list: ListPage,
    assignees: Vec<Assignee>,
) -> Result<ListPageView, PageError> {
    let tz = s.app.account(&user.actor).await?.options.time_zone;
    let title = match &mailbox {
        Some(m) => format!("{} – {}", m.name, folder.label()),
        None => "My Mail".to_string(),
    };
    Ok(ListPageView {
        page: Page::for_user(&title, user, "home"),
        nav,
        mailbox,
        folder: folder.as_str(),
        folder_label: folder.label(),
        sort: sort.as_str(),
        rows: list.items.iter().map(|i| row(i, &tz)).collect(),
        older: list
            .next
            .map(|c| format!("{base}&sort={}&cursor={c}", sort.as_str())),
        newer: list
            .previous
            .map(|c| format!("{base}&sort={}&cursor={c}", sort.as_str())),
        base,
        assignees,
    })
}

#[derive(Deserialize)]
struct BulkForm {
    #[serde(default)]
    id: Vec<String>,
    #[serde(default)]
    action: String,
    #[serde(default)]
    assignee: String,
    #[serde(default)]
    tag: String,
    #[serde(default)]
    back: String,
}

async fn bulk(
    State(s): State<AppState>,
    user: CurrentUser,
    CsrfForm(f): CsrfForm<BulkForm>,
) -> Result<Redirect, PageError> {
    let ids = f
        .id
        .iter()
        .map(|i| i.trim().parse().map(ConversationId))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| {
            PageError::bad_request(
                "The selected conversations were not understood. Reload the list and try again.",
            )
        })?;
    let value = if f.action == "tag" {
        &f.tag
    } else {
        &f.assignee
    };
    let action =
        BulkAction::parse(&f.action, value).map_err(|e| PageError::bad_request(&e.message))?;
    s.app.bulk(&user.actor, &ids, &action).await?;
    Ok(Redirect::to(safe_back(&f.back)))
}

/// Only our own list pages: a crafted form can't send people elsewhere.
fn safe_back(back: &str) -> &str {
    let ours = (back.starts_with("/mailboxes/") || back.starts_with("/my-mail"))
        && !back.contains("//")
        && !back.contains('\\');
    if ours { back } else { "/" }
}
