//! Finding conversations: full-text words (over the message index of
//! `search`) combined with filters and the permitted mailboxes, answered
//! as conversations, keyset paged.
//!
//! With words, the full-text index drives: its hits are read newest
//! message first, a chunk at a time, each joined to its message and
//! conversation where the filters and the permitted mailboxes apply, until
//! a page of distinct conversations is found. A conversation stands where
//! its newest matching message stands (as in Gmail), which is what lets
//! the search stop reading after one page however common the words are;
//! ordering by the conversations' last activity instead means reading
//! every hit first (seconds for a common word at 100,000 conversations).
//! Without words, the conversation list drives, newest activity first.
//!
//! The full-text part is the only dialect difference; the filters are the
//! same static SQL on both.

use crate::conversations::select as columns;
use crate::conversations::{ConversationRecord, from_row};
use crate::db::Backend;
use crate::error::StoreError;
use crate::id_list::comma_separated;
use ecp_domain::AccountId;
use ecp_domain::search::SearchQuery;
use filters::{Value, Where};
use hits::{FEW_HITS, Source, estimated_hits, postgres_hits};
use sqlx::{AnyConnection, Row};
use std::collections::{HashMap, HashSet};
use std::time::Instant;

mod filters;
mod hits;

/// Where to look: the account, and which of its mailboxes the reader may
/// see (`all`, or the listed ids).
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    pub account: AccountId,
    pub all_mailboxes: bool,
    pub mailboxes: &'a [i64],
}

/// One page of results.
#[derive(Debug, Clone)]
pub struct Page {
    pub conversations: Vec<ConversationRecord>,
    /// Pass back as `before` for the next page; None on the last page.
    pub next: Option<(i64, i64)>,
    /// The time limit ran out before a full page was found: `next` goes
    /// on from where the search stopped.
    pub stopped_early: bool,
}

/// Hits read by the first chunk per result wanted (one: most matching
/// conversations match by one message; where several of a conversation's
/// messages match, each further chunk is four times larger), and the most
/// read by one statement (each statement's cost is bounded by it).
const HITS_PER_RESULT: i64 = 1;
const MAX_CHUNK: i64 = 4096;

/// How much a search may do.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// A search with words stops reading here and says so.
    pub deadline: Instant,
    /// PostgreSQL lists the hits of words it expects in fewer messages
    /// than this from the GIN index (see [`Source::Listed`]); tests set 0
    /// to read in message order whatever the words.
    pub few_hits: i64,
}

impl Budget {
    pub fn until(deadline: Instant) -> Self {
        Budget {
            deadline,
            few_hits: FEW_HITS,
        }
    }
}

/// Conversations matching `q` in `scope`, at most `limit`, after `before`
/// (the `next` of the previous page).
pub async fn find(
    conn: &mut AnyConnection,
    backend: Backend,
    scope: Scope<'_>,
    q: &SearchQuery,
    before: Option<(i64, i64)>,
    limit: i64,
    budget: Budget,
) -> Result<Page, StoreError> {
    if !q.has_text() {
        return filters_only(conn, scope, q, before, limit).await;
    }
    let text = match backend {
        // Each word quoted: FTS5 syntax in user input is not ours to run.
        Backend::Sqlite => q
            .words
            .iter()
            .map(|w| format!("\"{}\"", w.replace('"', "")))
            .collect::<Vec<_>>()
            .join(" "),
        Backend::Postgres => q.words.join(" "),
    };
    let mut w = Where::new(scope, q);
    let text_param = w.bind(Value::Text(text.clone()));
    let mut dates = String::new();
    if let Some(since) = q.since_ms {
        dates.push_str(&format!(
            " AND m.created_at >= {}",
            w.bind(Value::Int(since))
        ));
    }
    if let Some(until) = q.until_ms {
        dates.push_str(&format!(
            " AND m.created_at < {}",
            w.bind(Value::Int(until))
        ));
    }
    let (upper_param, chunk_param) = (w.next_param(0), w.next_param(1));
    // Conversations already shown had a match at or above the cursor.
    let shown_from = before.map(|(mid, _)| mid);
    let mut upper = shown_from.unwrap_or(i64::MAX);
    let mut source = match backend {
        // CROSS JOIN keeps SQLite's join order: the index outermost, read
        // in descending rowid order, so LIMIT ends the read.
        Backend::Sqlite => Source::Ordered(format!(
            "SELECT message_search.rowid AS mid, c.id AS cid \
             FROM message_search CROSS JOIN messages m CROSS JOIN conversations c \
             WHERE message_search MATCH {text_param} AND m.id = message_search.rowid \
             AND c.id = m.conversation_id{dates} AND {} AND message_search.rowid < {upper_param} \
             ORDER BY message_search.rowid DESC LIMIT {chunk_param}",
            w.sql
        )),
        Backend::Postgres if estimated_hits(conn, &text).await? < budget.few_hits => {
            Source::Listed {
                ids: postgres_hits(conn, &text, upper).await?,
                next: 0,
                sql: format!(
                    "SELECT m.id AS mid, c.id AS cid FROM messages m, conversations c \
                     WHERE m.id IN ({{ids}}) AND c.id = m.conversation_id{dates} AND {} \
                     ORDER BY m.id DESC",
                    w.sql
                ),
            }
        }
        Backend::Postgres => Source::Ordered(format!(
            "SELECT s.message_id AS mid, c.id AS cid \
             FROM message_search s, messages m, conversations c \
             WHERE s.document @@ plainto_tsquery('simple', {text_param}) AND m.id = s.message_id \
             AND c.id = m.conversation_id{dates} AND {} AND s.message_id < {upper_param} \
             ORDER BY s.message_id DESC LIMIT {chunk_param}",
            w.sql
        )),
    };
    let since = q.since_ms.unwrap_or(i64::MIN);
    let until = q.until_ms.unwrap_or(i64::MAX);
    let mut chunk = ((limit + 1) * HITS_PER_RESULT).clamp(32, MAX_CHUNK);
    let mut seen = HashSet::new();
    // (conversation, its newest matching message), newest first.
    let mut picked: Vec<(i64, i64)> = Vec::new();
    let mut stopped_early = false;
    loop {
        let (rows, full) = match &mut source {
            Source::Ordered(sql) => {
                let rows = w
                    .query(sql)
                    .bind(upper)
                    .bind(chunk)
                    .fetch_all(&mut *conn)
                    .await?;
                let full = rows.len() as i64 == chunk;
                if let Some(last) = rows.last() {
                    upper = last.try_get("mid")?;
                }
                (rows, full)
            }
            Source::Listed { ids, next, sql } => {
                let end = (*next + chunk as usize).min(ids.len());
                let slice = &ids[*next..end];
                *next = end;
                if let Some(&last) = slice.last() {
                    upper = last;
                }
                let rows = if slice.is_empty() {
                    Vec::new()
                } else {
                    let sql = sql.replace("{ids}", &comma_separated(slice));
                    w.query(&sql)
                        .persistent(false)
                        .fetch_all(&mut *conn)
                        .await?
                };
                (rows, end < ids.len())
            }
        };
        let mut fresh = Vec::new();
        for row in &rows {
            let (mid, cid): (i64, i64) = (row.try_get("mid")?, row.try_get("cid")?);
            if seen.insert(cid) {
                fresh.push((cid, mid));
            }
        }
        if let (Some(from), false) = (shown_from, fresh.is_empty()) {
            let ids: Vec<i64> = fresh.iter().map(|(c, _)| *c).collect();
            let shown = matched_since(conn, backend, &text, from, since, until, &ids).await?;
            fresh.retain(|(c, _)| !shown.contains(c));
        }
        picked.extend(fresh);
        if picked.len() as i64 > limit || !full {
            break;
        }
        if Instant::now() >= budget.deadline {
            stopped_early = true;
            break;
        }
        chunk = (chunk * 4).min(MAX_CHUNK);
    }
    let next = if picked.len() as i64 > limit {
        picked.truncate(limit as usize);
        picked.last().map(|&(cid, mid)| (mid, cid))
    } else if stopped_early {
        Some((upper, 0))
    } else {
        None
    };
    let ids: Vec<i64> = picked.iter().map(|(c, _)| *c).collect();
    Ok(Page {
        conversations: records(conn, &ids).await?,
        next,
        stopped_early,
    })
}

async fn filters_only(
    conn: &mut AnyConnection,
    scope: Scope<'_>,
    q: &SearchQuery,
    before: Option<(i64, i64)>,
    limit: i64,
) -> Result<Page, StoreError> {
    let mut w = Where::new(scope, q);
    let (at, id) = before.unwrap_or((i64::MAX, i64::MAX));
    let (at_p, id_p) = (w.bind(Value::Int(at)), w.bind(Value::Int(id)));
    w.and(&format!(
        "(c.last_message_at < {at_p} OR (c.last_message_at = {at_p} AND c.id < {id_p}))"
    ));
    if q.since_ms.is_some() || q.until_ms.is_some() {
        let since = w.bind(Value::Int(q.since_ms.unwrap_or(i64::MIN)));
        let until = w.bind(Value::Int(q.until_ms.unwrap_or(i64::MAX)));
        w.and(&format!(
            "EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id \
             AND m.created_at >= {since} AND m.created_at < {until})"
        ));
    }
    let limit_p = w.bind(Value::Int(limit + 1));
    let sql = format!(
        concat!(
            columns!(),
            "WHERE {} ORDER BY c.last_message_at DESC, c.id DESC LIMIT {}"
        ),
        w.sql, limit_p
    );
    let rows = w.query(&sql).fetch_all(conn).await?;
    let mut list = rows.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
    let next = if list.len() as i64 > limit {
        list.truncate(limit as usize);
        list.last().map(|l| (l.last_message_at, l.id.0))
    } else {
        None
    };
    Ok(Page {
        conversations: list,
        next,
        stopped_early: false,
    })
}

/// Which of `conversations` have a message at or above `from` that
/// matches `text` within the date range: they were on an earlier page.
async fn matched_since(
    conn: &mut AnyConnection,
    backend: Backend,
    text: &str,
    from: i64,
    since: i64,
    until: i64,
    conversations: &[i64],
) -> Result<HashSet<i64>, StoreError> {
    let matches = match backend {
        Backend::Sqlite => {
            "EXISTS (SELECT 1 FROM message_search WHERE message_search MATCH $4 AND rowid = m.id)"
        }
        Backend::Postgres => {
            "EXISTS (SELECT 1 FROM message_search s WHERE s.message_id = m.id \
             AND s.document @@ plainto_tsquery('simple', $4))"
        }
    };
    // The ids are integers read from the database, not user input.
    let sql = format!(
        "SELECT DISTINCT m.conversation_id FROM messages m WHERE m.conversation_id IN ({}) \
         AND m.id >= $1 AND m.created_at >= $2 AND m.created_at < $3 AND {matches}",
        comma_separated(conversations)
    );
    let ids: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(from)
        .bind(since)
        .bind(until)
        .bind(text)
        .persistent(false)
        .fetch_all(conn)
        .await?;
    Ok(ids.into_iter().collect())
}

/// The conversations with these ids, in the order given.
async fn records(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<Vec<ConversationRecord>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        concat!(columns!(), "WHERE c.id IN ({})"),
        comma_separated(ids)
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .persistent(false)
        .fetch_all(conn)
        .await?;
    let mut by_id: HashMap<i64, ConversationRecord> = HashMap::new();
    for row in &rows {
        let r = from_row(row)?;
        by_id.insert(r.id.0, r);
    }
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}
