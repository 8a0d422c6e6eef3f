//! The agent workspace's navigation and lists: folder counts of the
//! mailboxes the actor may see, a folder of one mailbox, My Mail across
//! them; all keyset paged in either direction.

use crate::actor::Actor;
use crate::{App, AppResult};
use ecp_domain::workspace::{Cursor, Direction, Folder, Sort};
use ecp_domain::{MailboxId, permission};
use ecp_store::folders::{self, FolderCounts, ListRow};
use ecp_store::mailboxes::MailboxRecord;
use ecp_store::{Conn, conversation_changes};

/// Largest page a list returns, whatever is asked.
pub const MAX_LIST_PAGE: i64 = 200;

/// A conversation in a list, with its tags.
#[derive(Debug, Clone)]
pub struct ListItem {
    pub row: ListRow,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct ListPage {
    pub items: Vec<ListItem>,
    /// The page after this one in the list's order, if there is one.
    pub next: Option<Cursor>,
    /// The page before this one, if this is not the first.
    pub previous: Option<Cursor>,
}

/// The left-hand navigation: each visible mailbox with its folder counts,
/// and the size of My Mail.
#[derive(Debug, Clone)]
pub struct Navigation {
    pub mailboxes: Vec<(MailboxRecord, FolderCounts)>,
    pub my_mail: i64,
}

impl App {
    pub async fn navigation(&self, actor: &Actor) -> AppResult<Navigation> {
        let visible = self.visible_mailboxes(actor).await?;
        let mut c = self.db.read().await?;
        let counts = folders::counts(&mut c, actor.account_id, actor.user_id).await?;
        let mailboxes: Vec<(MailboxRecord, FolderCounts)> = visible
            .into_iter()
            .map(|m| {
                let n = counts
                    .iter()
                    .find(|n| n.mailbox_id == m.id.0)
                    .copied()
                    .unwrap_or(FolderCounts {
                        mailbox_id: m.id.0,
                        ..Default::default()
                    });
                (m, n)
            })
            .collect();
        let my_mail = mailboxes.iter().map(|(_, n)| n.mine).sum();
        Ok(Navigation { mailboxes, my_mail })
    }

    /// One folder of a mailbox the actor may see (NotFound otherwise).
    pub async fn folder_page(
        &self,
        actor: &Actor,
        mailbox: MailboxId,
        folder: Folder,
        sort: Sort,
        cursor: Option<Cursor>,
        limit: i64,
    ) -> AppResult<ListPage> {
        self.mailbox(actor, mailbox).await?;
        let limit = limit.clamp(1, MAX_LIST_PAGE);
        let mut c = self.db.read().await?;
        let rows = folders::list_folder(
            &mut c,
            actor.user_id,
            mailbox,
            folder,
            sort,
            cursor.as_ref(),
            limit + 1,
        )
        .await?;
        page(&mut c, rows, cursor, limit).await
    }

    /// My Mail: open conversations assigned to the actor in every mailbox
    /// they may (still) see.
    pub async fn my_mail(
        &self,
        actor: &Actor,
        sort: Sort,
        cursor: Option<Cursor>,
        limit: i64,
    ) -> AppResult<ListPage> {
        let all = permission::can_see_mailbox(actor.role, actor.plan, false);
        let visible: Vec<i64> = if all {
            Vec::new()
        } else {
            self.visible_mailboxes(actor)
                .await?
                .iter()
                .map(|m| m.id.0)
                .collect()
        };
        let limit = limit.clamp(1, MAX_LIST_PAGE);
        let mut c = self.db.read().await?;
        let rows = folders::list_my_mail(
            &mut c,
            actor.user_id,
            actor.account_id,
            all,
            &visible,
            sort,
            cursor.as_ref(),
            limit + 1,
        )
        .await?;
        page(&mut c, rows, cursor, limit).await
    }
}

/// Cuts the extra row fetched to learn whether there is more, and names
/// the cursors of the neighbouring pages.
async fn page(
    c: &mut Conn,
    mut rows: Vec<ListRow>,
    cursor: Option<Cursor>,
    limit: i64,
) -> AppResult<ListPage> {
    let more = rows.len() as i64 > limit;
    let backwards = cursor.is_some_and(|c| c.direction == Direction::Before);
    if more {
        if backwards {
            rows.remove(0);
        } else {
            rows.truncate(limit as usize);
        }
    }
    let key = |r: &ListRow| (r.conversation.last_message_at, r.conversation.id.0);
    let first = rows.first().map(key);
    let last = rows.last().map(key);
    let (next, previous) = if backwards {
        (
            last.map(|(at, id)| Cursor::after(at, id)),
            first
                .filter(|_| more)
                .map(|(at, id)| Cursor::before(at, id)),
        )
    } else {
        (
            last.filter(|_| more).map(|(at, id)| Cursor::after(at, id)),
            first
                .filter(|_| cursor.is_some())
                .map(|(at, id)| Cursor::before(at, id)),
        )
    };
    let ids: Vec<i64> = rows.iter().map(|r| r.conversation.id.0).collect();
    let tags = conversation_changes::tags_of_many(c, &ids).await?;
    let items = rows
        .into_iter()
        .map(|row| {
            let id = row.conversation.id.0;
            ListItem {
                tags: tags
                    .iter()
                    .filter(|(c, _)| *c == id)
                    .map(|(_, t)| t.clone())
                    .collect(),
                row,
            }
        })
        .collect();
    Ok(ListPage {
        items,
        next,
        previous,
    })
}
