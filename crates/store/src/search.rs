//! Full-text search: FTS5 on SQLite, tsvector + GIN on PostgreSQL. The
//! dialect difference lives here and nowhere else.

use crate::db::Backend;
use crate::error::StoreError;
use sqlx::AnyConnection;

pub struct SearchDocument<'a> {
    pub message_id: i64,
    pub subject: &'a str,
    pub body: &'a str,
    pub addresses: &'a str,
    pub attachment_names: &'a str,
}

pub async fn index(
    conn: &mut AnyConnection,
    backend: Backend,
    d: &SearchDocument<'_>,
) -> Result<(), StoreError> {
    match backend {
        Backend::Sqlite => {
            sqlx::query(
                "INSERT INTO message_search (rowid, subject, body, addresses, attachment_names) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(d.message_id)
            .bind(d.subject)
            .bind(d.body)
            .bind(d.addresses)
            .bind(d.attachment_names)
            .execute(conn)
            .await?;
        }
        Backend::Postgres => {
            sqlx::query(
                "INSERT INTO message_search (message_id, document) VALUES ($1, \
                 setweight(to_tsvector('simple', $2), 'A') || to_tsvector('simple', $3) || \
                 to_tsvector('simple', $4) || to_tsvector('simple', $5)) \
                 ON CONFLICT (message_id) DO NOTHING",
            )
            .bind(d.message_id)
            .bind(d.subject)
            .bind(d.body)
            .bind(d.addresses)
            .bind(d.attachment_names)
            .execute(conn)
            .await?;
        }
    }
    Ok(())
}

/// [`index`] for many messages in a few statements (bulk filing): up to
/// 50 documents (SQLite; more on PostgreSQL, see `rows_per_statement`) or
/// about 4 MB of text (32 MB on PostgreSQL) per statement.
pub async fn index_many(
    conn: &mut AnyConnection,
    backend: Backend,
    docs: &[SearchDocument<'_>],
) -> Result<(), StoreError> {
    let max_rows = crate::raw_messages::rows_per_statement(conn, 50, 5);
    let max_bytes: usize = match backend {
        Backend::Sqlite => 4 * 1024 * 1024,
        Backend::Postgres => 32 * 1024 * 1024,
    };
    let mut start = 0;
    while start < docs.len() {
        let mut end = start;
        let mut bytes = 0;
        while end < docs.len() && end - start < max_rows && (end == start || bytes < max_bytes) {
            let d = &docs[end];
            bytes += d.subject.len() + d.body.len() + d.addresses.len() + d.attachment_names.len();
            end += 1;
        }
        let chunk = &docs[start..end];
        let sql = match backend {
            Backend::Sqlite => format!(
                "INSERT INTO message_search (rowid, subject, body, addresses, attachment_names) VALUES {}",
                crate::raw_messages::values_list(chunk.len(), 5, 1)
            ),
            Backend::Postgres => {
                let rows: Vec<String> = (0..chunk.len())
                    .map(|i| {
                        let p = 1 + i * 5;
                        format!(
                            "(${p}, setweight(to_tsvector('simple', ${}), 'A') || to_tsvector('simple', ${}) || \
                             to_tsvector('simple', ${}) || to_tsvector('simple', ${}))",
                            p + 1,
                            p + 2,
                            p + 3,
                            p + 4
                        )
                    })
                    .collect();
                format!(
                    "INSERT INTO message_search (message_id, document) VALUES {} \
                     ON CONFLICT (message_id) DO NOTHING",
                    rows.join(", ")
                )
            }
        };
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for d in chunk {
            q = q
                .bind(d.message_id)
                .bind(d.subject)
                .bind(d.body)
                .bind(d.addresses)
                .bind(d.attachment_names);
        }
        q.execute(&mut *conn).await?;
        start = end;
    }
    Ok(())
}

/// Removes a mailbox's messages from the index before the mailbox goes
/// (FTS5 tables have no foreign keys to cascade).
pub async fn forget_mailbox(
    conn: &mut AnyConnection,
    backend: Backend,
    mailbox: i64,
) -> Result<(), StoreError> {
    if backend == Backend::Sqlite {
        sqlx::query("DELETE FROM message_search WHERE rowid IN (SELECT id FROM messages WHERE mailbox_id = $1)")
            .bind(mailbox)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Message ids matching `query` (plain words, all required), best first.
pub async fn find(
    conn: &mut AnyConnection,
    backend: Backend,
    query: &str,
    limit: i64,
) -> Result<Vec<i64>, StoreError> {
    let words: Vec<String> = query
        .split(|c: char| !c.is_alphanumeric() && c != '@' && c != '.' && c != '_' && c != '-')
        .filter(|w| !w.is_empty())
        .take(16)
        .map(str::to_string)
        .collect();
    if words.is_empty() {
        return Ok(Vec::new());
    }
    match backend {
        Backend::Sqlite => {
            // Each word quoted: FTS5 query syntax in user input is not ours to interpret.
            let q = words
                .iter()
                .map(|w| format!("\"{}\"", w.replace('"', "")))
                .collect::<Vec<_>>()
                .join(" ");
            Ok(sqlx::query_scalar("SELECT rowid FROM message_search WHERE message_search MATCH $1 ORDER BY rank LIMIT $2")
                .bind(q)
                .bind(limit)
                .fetch_all(conn)
                .await?)
        }
        Backend::Postgres => {
            let q = words.join(" ");
            Ok(sqlx::query_scalar(
                "SELECT message_id FROM message_search WHERE document @@ plainto_tsquery('simple', $1) \
                 ORDER BY ts_rank(document, plainto_tsquery('simple', $1)) DESC LIMIT $2",
            )
            .bind(q)
            .bind(limit)
            .fetch_all(conn)
            .await?)
        }
    }
}
