//! `ecp-bench search`: the product's search (`ecp_store::search::find`)
//! against an existing database, for timing it and for checking that two
//! databases (before and after a schema change) answer alike.

use ecp_store::Db;
use std::time::Instant;

pub async fn run(
    database_url: &str,
    migrate: bool,
    queries: &[String],
    limit: i64,
) -> anyhow::Result<()> {
    let db = Db::connect(database_url).await?;
    if migrate {
        let started = Instant::now();
        db.migrate().await?;
        println!("MIGRATE ms={:.1}", started.elapsed().as_secs_f64() * 1000.0);
    }
    let mut c = db.read().await?;
    for q in queries {
        let started = Instant::now();
        let ids = ecp_store::search::find(&mut c, db.backend(), q, limit).await?;
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        let shown: Vec<String> = ids.iter().map(i64::to_string).collect();
        println!(
            "SEARCH query={q:?} hits={} ms={ms:.2} ids={}",
            ids.len(),
            shown.join(",")
        );
    }
    drop(c);
    db.close().await;
    Ok(())
}
