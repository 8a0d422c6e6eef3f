//! Finding conversations: full-text words (over the message index of
//! `search`) combined with filters and the permitted mailboxes, answered
//! as conversations newest first, keyset paged. The full-text part is the
//! only dialect difference; the filters are the same static SQL on both.

use crate::conversations::{ConversationRecord, from_row};
use crate::db::Backend;
use crate::error::StoreError;
use ecp_domain::AccountId;
use ecp_domain::search::{AssigneeFilter, SearchQuery};
use sqlx::AnyConnection;

/// Where to look: the account, and which of its mailboxes the reader may
/// see (`all`, or the listed ids).
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    pub account: AccountId,
    pub all_mailboxes: bool,
    pub mailboxes: &'a [i64],
}

macro_rules! filtered {
    () => {
        "SELECT c.id, c.account_id, c.mailbox_id, c.contact_id, c.subject, c.status, c.assignee_id, \
         c.spam_score_milli, c.spam_reasons, c.unparseable, c.autoreply_pending, c.message_count, \
         c.created_at, c.last_message_at, COALESCE(k.email, '') AS customer_email, COALESCE(k.name, '') AS customer_name \
         FROM conversations c LEFT JOIN contacts k ON k.id = c.contact_id \
         WHERE c.account_id = $1 AND c.merged_into_id IS NULL \
         AND ($2 = 1 OR $3 LIKE '%,' || CAST(c.mailbox_id AS TEXT) || ',%') \
         AND ($4 = 0 OR c.mailbox_id = $4) \
         AND ($5 = '' OR c.status = $5) \
         AND ($6 = 0 OR ($6 = 1 AND c.assignee_id IS NULL) OR ($6 = 2 AND c.assignee_id = $7)) \
         AND ($8 = '' OR EXISTS (SELECT 1 FROM conversation_tags ct JOIN tags t ON t.id = ct.tag_id \
              WHERE ct.conversation_id = c.id AND (LOWER(t.name) = LOWER($8) OR CAST(t.id AS TEXT) = $8))) \
         AND (c.last_message_at < $9 OR (c.last_message_at = $9 AND c.id < $10)) "
    };
}

macro_rules! order {
    () => {
        " ORDER BY c.last_message_at DESC, c.id DESC LIMIT $14"
    };
}

const FILTERS_ONLY: &str = concat!(
    filtered!(),
    "AND ($11 = 0 OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id \
     AND m.created_at >= $12 AND m.created_at < $13))",
    order!()
);

// The full-text part is an uncorrelated `c.id IN (...)`: the index is asked
// once per search and its hits become a set the conversation scan probes.
// (As a correlated EXISTS, SQLite asked the FTS index again for every
// conversation it looked at: minutes on 100,000 conversations.)
const TEXT_SQLITE: &str = concat!(
    filtered!(),
    "AND c.id IN (SELECT m.conversation_id FROM messages m \
     WHERE m.id IN (SELECT rowid FROM message_search WHERE message_search MATCH $11) \
     AND m.created_at >= $12 AND m.created_at < $13)",
    order!()
);

const TEXT_POSTGRES: &str = concat!(
    filtered!(),
    "AND c.id IN (SELECT m.conversation_id FROM message_search s JOIN messages m ON m.id = s.message_id \
     WHERE s.document @@ plainto_tsquery('simple', $11) \
     AND m.created_at >= $12 AND m.created_at < $13)",
    order!()
);

/// Conversations matching `q` in `scope`, newest activity first, after
/// `before` (the `(last_message_at, id)` of the previous page's last row).
pub async fn find(
    conn: &mut AnyConnection,
    backend: Backend,
    scope: Scope<'_>,
    q: &SearchQuery,
    before: Option<(i64, i64)>,
    limit: i64,
) -> Result<Vec<ConversationRecord>, StoreError> {
    let list = format!(
        ",{},",
        scope
            .mailboxes
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",")
    );
    let (assignee_mode, assignee) = match q.assignee {
        None => (0_i64, 0_i64),
        Some(AssigneeFilter::Unassigned) => (1, 0),
        Some(AssigneeFilter::User(u)) => (2, u.0),
    };
    let (at, id) = before.unwrap_or((i64::MAX, i64::MAX));
    let (sql, text) = if q.has_text() {
        match backend {
            // Each word quoted: FTS5 syntax in user input is not ours to run.
            Backend::Sqlite => (
                TEXT_SQLITE,
                Some(
                    q.words
                        .iter()
                        .map(|w| format!("\"{}\"", w.replace('"', "")))
                        .collect::<Vec<_>>()
                        .join(" "),
                ),
            ),
            Backend::Postgres => (TEXT_POSTGRES, Some(q.words.join(" "))),
        }
    } else {
        (FILTERS_ONLY, None)
    };
    let query = sqlx::query(sql)
        .bind(scope.account.0)
        .bind(i64::from(scope.all_mailboxes))
        .bind(list)
        .bind(q.mailbox.map_or(0, |m| m.0))
        .bind(q.status.map_or("", |s| s.as_str()))
        .bind(assignee_mode)
        .bind(assignee)
        .bind(q.tag.clone().unwrap_or_default())
        .bind(at)
        .bind(id);
    // Without words, $11 says whether the date range applies at all.
    let dated = q.since_ms.is_some() || q.until_ms.is_some();
    let query = match text {
        Some(text) => query.bind(text),
        None => query.bind(i64::from(dated)),
    };
    let rows = query
        .bind(q.since_ms.unwrap_or(i64::MIN))
        .bind(q.until_ms.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(conn)
        .await?;
    rows.iter().map(from_row).collect()
}
