//! The agent workspace's lists: a mailbox's folder and My Mail, keyset
//! paged on (last_message_at, id) so a page costs one index range however
//! deep it is; folder counts of every mailbox in one query.
//!
//! Every list statement binds the same parameters: $1 the reader (their
//! read state, and the assignee of Mine/My Mail), $2 the mailbox (account
//! for My Mail), $3 the status, $4/$5 the cursor, $6 the limit.

use crate::conversations::{ConversationRecord, from_row as conversation_from_row};
use crate::error::StoreError;
use crate::row::{flag, get};
use ecp_domain::workspace::{AssigneeFilter, Cursor, Folder, Sort};
use ecp_domain::{AccountId, MailboxId, UserId};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

/// A conversation as a list shows it.
#[derive(Debug, Clone)]
pub struct ListRow {
    pub conversation: ConversationRecord,
    /// Not read by the reader since the customer last wrote.
    pub unread: bool,
    pub assignee_name: Option<String>,
}

macro_rules! list_select {
    () => {
        "SELECT c.id, c.account_id, c.mailbox_id, c.contact_id, c.subject, c.status, c.assignee_id, \
         c.spam_score_milli, c.spam_reasons, c.unparseable, c.autoreply_pending, c.message_count, \
         c.created_at, c.last_message_at, COALESCE(k.email, '') AS customer_email, \
         COALESCE(k.name, '') AS customer_name, \
         CASE WHEN r.read_at IS NULL THEN 1 ELSE 0 END AS unread, u.name AS assignee_name \
         FROM conversations c LEFT JOIN contacts k ON k.id = c.contact_id \
         LEFT JOIN conversation_reads r ON r.conversation_id = c.id AND r.user_id = $1 \
         LEFT JOIN users u ON u.id = c.assignee_id "
    };
}

macro_rules! desc {
    () => {
        "AND (c.last_message_at < $4 OR (c.last_message_at = $4 AND c.id < $5)) \
         ORDER BY c.last_message_at DESC, c.id DESC LIMIT $6"
    };
}

macro_rules! asc {
    () => {
        "AND (c.last_message_at > $4 OR (c.last_message_at = $4 AND c.id > $5)) \
         ORDER BY c.last_message_at, c.id LIMIT $6"
    };
}

macro_rules! folder_sql {
    ($assignee:literal, $keyset:expr) => {
        concat!(
            list_select!(),
            "WHERE c.mailbox_id = $2 AND c.status = $3 AND c.merged_into_id IS NULL ",
            $assignee,
            $keyset
        )
    };
}

fn folder_statement(assignee: AssigneeFilter, descending: bool) -> &'static str {
    use AssigneeFilter::*;
    match (assignee, descending) {
        (Any, true) => folder_sql!("", desc!()),
        (Any, false) => folder_sql!("", asc!()),
        (Nobody, true) => folder_sql!("AND c.assignee_id IS NULL ", desc!()),
        (Nobody, false) => folder_sql!("AND c.assignee_id IS NULL ", asc!()),
        (Somebody, true) => folder_sql!("AND c.assignee_id IS NOT NULL ", desc!()),
        (Somebody, false) => folder_sql!("AND c.assignee_id IS NOT NULL ", asc!()),
        (Me, true) => folder_sql!("AND c.assignee_id = $1 ", desc!()),
        (Me, false) => folder_sql!("AND c.assignee_id = $1 ", asc!()),
    }
}

/// My Mail: open and assigned to the reader, in the mailboxes of the
/// comma-wrapped list $8 unless $7 = 1 (the reader sees every mailbox).
fn my_mail_statement(descending: bool) -> &'static str {
    macro_rules! my_mail_sql {
        ($keyset:expr) => {
            concat!(
                list_select!(),
                "WHERE c.assignee_id = $1 AND c.account_id = $2 AND c.status = $3 \
                 AND c.merged_into_id IS NULL \
                 AND ($7 = 1 OR $8 LIKE '%,' || CAST(c.mailbox_id AS TEXT) || ',%') ",
                $keyset
            )
        };
    }
    if descending {
        my_mail_sql!(desc!())
    } else {
        my_mail_sql!(asc!())
    }
}

fn list_row(r: &AnyRow) -> Result<ListRow, StoreError> {
    Ok(ListRow {
        conversation: conversation_from_row(r)?,
        unread: flag(r, "unread")?,
        assignee_name: get(r, "assignee_name")?,
    })
}

/// Where a page starts: the cursor's row, or the far end of the index.
fn bounds(descending: bool, cursor: Option<&Cursor>) -> (i64, i64) {
    match cursor {
        Some(c) => (c.at, c.id),
        None if descending => (i64::MAX, i64::MAX),
        None => (i64::MIN, i64::MIN),
    }
}

/// Up to `limit` rows of the folder from `cursor` on, in the list's order
/// (rows fetched backwards are turned around here).
pub async fn list_folder(
    conn: &mut AnyConnection,
    reader: UserId,
    mailbox: MailboxId,
    folder: Folder,
    sort: Sort,
    cursor: Option<&Cursor>,
    limit: i64,
) -> Result<Vec<ListRow>, StoreError> {
    let descending = Cursor::descending(sort, cursor);
    let (at, id) = bounds(descending, cursor);
    let rows = sqlx::query(folder_statement(folder.assignee(), descending))
        .bind(reader.0)
        .bind(mailbox.0)
        .bind(folder.status().as_str())
        .bind(at)
        .bind(id)
        .bind(limit)
        .fetch_all(conn)
        .await?;
    in_list_order(rows.iter().map(list_row).collect(), sort, descending)
}

/// My Mail across the account's mailboxes; `mailboxes` limits it to those
/// the reader may see unless `all_mailboxes`.
#[allow(clippy::too_many_arguments)]
pub async fn list_my_mail(
    conn: &mut AnyConnection,
    reader: UserId,
    account: AccountId,
    all_mailboxes: bool,
    mailboxes: &[i64],
    sort: Sort,
    cursor: Option<&Cursor>,
    limit: i64,
) -> Result<Vec<ListRow>, StoreError> {
    let descending = Cursor::descending(sort, cursor);
    let (at, id) = bounds(descending, cursor);
    let rows = sqlx::query(my_mail_statement(descending))
        .bind(reader.0)
        .bind(account.0)
        .bind(Folder::Mine.status().as_str())
        .bind(at)
        .bind(id)
        .bind(limit)
        .bind(i64::from(all_mailboxes))
        .bind(comma_list(mailboxes))
        .fetch_all(conn)
        .await?;
    in_list_order(rows.iter().map(list_row).collect(), sort, descending)
}

fn in_list_order(
    rows: Result<Vec<ListRow>, StoreError>,
    sort: Sort,
    descending: bool,
) -> Result<Vec<ListRow>, StoreError> {
    let mut rows = rows?;
    if descending != (sort == Sort::Newest) {
        rows.reverse();
    }
    Ok(rows)
}

pub(crate) fn comma_list(ids: &[i64]) -> String {
    format!(
        ",{},",
        ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
    )
}

/// How many conversations each folder of one mailbox holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FolderCounts {
    pub mailbox_id: i64,
    pub unassigned: i64,
    pub mine: i64,
    pub assigned: i64,
    pub pending: i64,
    pub closed: i64,
    pub spam: i64,
}

impl FolderCounts {
    pub fn get(&self, folder: Folder) -> i64 {
        match folder {
            Folder::Unassigned => self.unassigned,
            Folder::Mine => self.mine,
            Folder::Assigned => self.assigned,
            Folder::Pending => self.pending,
            Folder::Closed => self.closed,
            Folder::Spam => self.spam,
        }
    }
}

/// Folder counts of every mailbox of the account that has conversations,
/// for `reader` (whose Mine it counts).
pub async fn counts(
    conn: &mut AnyConnection,
    account: AccountId,
    reader: UserId,
) -> Result<Vec<FolderCounts>, StoreError> {
    // From the trigger-kept `folder_counts` (migration 0015): a few rows
    // per mailbox, whatever the number of conversations.
    let rows = sqlx::query(
        "SELECT f.mailbox_id, \
         CAST(SUM(CASE WHEN f.status = 'open' AND f.assignee_id = 0 THEN f.n ELSE 0 END) AS BIGINT) AS unassigned, \
         CAST(SUM(CASE WHEN f.status = 'open' AND f.assignee_id = $2 THEN f.n ELSE 0 END) AS BIGINT) AS mine, \
         CAST(SUM(CASE WHEN f.status = 'open' AND f.assignee_id <> 0 THEN f.n ELSE 0 END) AS BIGINT) AS assigned, \
         CAST(SUM(CASE WHEN f.status = 'pending' THEN f.n ELSE 0 END) AS BIGINT) AS pending, \
         CAST(SUM(CASE WHEN f.status = 'closed' THEN f.n ELSE 0 END) AS BIGINT) AS closed, \
         CAST(SUM(CASE WHEN f.status = 'spam' THEN f.n ELSE 0 END) AS BIGINT) AS spam \
         FROM folder_counts f JOIN mailboxes m ON m.id = f.mailbox_id \
         WHERE m.account_id = $1 GROUP BY f.mailbox_id",
    )
    .bind(account.0)
    .bind(reader.0)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(FolderCounts {
                mailbox_id: get(r, "mailbox_id")?,
                unassigned: get(r, "unassigned")?,
                mine: get(r, "mine")?,
                assigned: get(r, "assigned")?,
                pending: get(r, "pending")?,
                closed: get(r, "closed")?,
                spam: get(r, "spam")?,
            })
        })
        .collect()
}
