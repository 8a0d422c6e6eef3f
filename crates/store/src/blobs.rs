//! Content-addressed bytes (raw messages, attachments): stored once per
//! SHA-256, whoever sends them again.

use crate::error::StoreError;
use sqlx::AnyConnection;

pub async fn put(
    conn: &mut AnyConnection,
    sha256: &str,
    data: &[u8],
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO blobs (sha256, size, data, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (sha256) DO NOTHING",
    )
    .bind(sha256)
    .bind(data.len() as i64)
    .bind(data)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get(conn: &mut AnyConnection, sha256: &str) -> Result<Option<Vec<u8>>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT data FROM blobs WHERE sha256 = $1")
            .bind(sha256)
            .fetch_optional(conn)
            .await?,
    )
}

/// [`put`] for many blobs (`(sha256, data)`) in a few statements: a
/// statement carries up to 50 blobs on SQLite (more on PostgreSQL, see
/// `rows_per_statement`) or about 8 MB (32 MB on PostgreSQL).
pub async fn put_many(
    conn: &mut AnyConnection,
    items: &[(&str, &[u8])],
    now: i64,
) -> Result<(), StoreError> {
    let max_rows = crate::raw_messages::rows_per_statement(conn, 50, 4);
    let max_bytes: usize = if conn.backend_name() == "PostgreSQL" {
        32 * 1024 * 1024
    } else {
        8 * 1024 * 1024
    };
    let mut start = 0;
    while start < items.len() {
        let mut end = start;
        let mut bytes = 0;
        while end < items.len() && end - start < max_rows && (end == start || bytes < max_bytes) {
            bytes += items[end].1.len();
            end += 1;
        }
        let chunk = &items[start..end];
        let sql = format!(
            "INSERT INTO blobs (sha256, size, data, created_at) VALUES {} \
             ON CONFLICT (sha256) DO NOTHING",
            crate::raw_messages::values_list(chunk.len(), 4, 1)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (sha, data) in chunk {
            q = q.bind(*sha).bind(data.len() as i64).bind(*data).bind(now);
        }
        q.execute(&mut *conn).await?;
        start = end;
    }
    Ok(())
}
