//! Latency of one `GET /v2/curves` page through the Trino adapter (and the protocol-faithful
//! fake coordinator running its SQL on PostgreSQL) against the PostgreSQL adapter on the same
//! data, same run: both servers read one PostgreSQL schema, caches off, requests alternate.
//!
//! ```text
//! bash benches/load/trino_latency.sh      # 200k demo rows, 300 requests per backend
//! ```

use std::time::{Duration, Instant};

use anyhow::Context as _;
use aurum::Application;
use aurum::cli::DemoDataArgs;
use aurum::settings::{CurveBackend, MigrateMode, ServeSettings};

const PAGES: [&str; 3] = [
    "/v2/curves?iso=PJM&limit=100",
    "/v2/curves?asset_class=gas&limit=100",
    "/v2/curves?iso=PJM&market=DA&block=ON_PEAK&limit=100",
];

async fn start(settings: ServeSettings) -> anyhow::Result<String> {
    let app = Application::build(settings).await?;
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    Ok(base)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "an index into a short vector"
    )]
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

#[tokio::main]
#[expect(
    clippy::too_many_lines,
    reason = "a linear benchmark script: set up, load, measure, decompose, clean up"
)]
async fn main() -> anyhow::Result<()> {
    let url = std::env::var("AURUM_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let rows: usize = std::env::var("ROWS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(200_000);
    let requests: usize = std::env::var("REQUESTS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(300);
    let schema = format!("aurum_bench_trino_{}", std::process::id());
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .context("PostgreSQL must be running")?;
    tokio::spawn(connection);
    client
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .await?;
    let dir = tempfile::TempDir::new()?;
    let file = dir.path().join("demo.csv");
    aurum::loader::demo_data_command(&DemoDataArgs {
        out: file.clone(),
        rows,
        seed: 42,
    })?;

    let base = |backend: CurveBackend| {
        let mut s = ServeSettings::for_tests();
        s.workers = None;
        s.database.database_url = Some(url.clone());
        s.database.db_schema = Some(schema.clone());
        s.database.db_migrate = MigrateMode::Auto;
        s.database.curve_backend = Some(backend);
        s.in_process_worker = Some(false);
        s.traffic.cache_enabled = false;
        s.traffic.rate_limit_enabled = false;
        s
    };
    let mut pg_settings = base(CurveBackend::Postgres);
    pg_settings.load = vec![file];
    let started = Instant::now();
    let pg = start(pg_settings).await?;
    println!(
        "loaded {rows} demo rows into PostgreSQL in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    if std::env::var("LAKE_SORT_ORDER").is_ok() {
        // Model a lake table written in the canonical order (an Iceberg sort order): indexes in
        // the portable SQL's `ORDER BY`, so the fake's PostgreSQL can read pages in order.
        for column in ["iso", "asset_class"] {
            client
                .batch_execute(&format!(
                    "CREATE INDEX ON {schema}.curve_observation ({column}, asof_date DESC, \
                     curve_key, contract_month, tenor_label); ANALYZE {schema}.curve_observation"
                ))
                .await?;
        }
        println!("lake sort order modelled by two indexes");
    }
    let fake = aurum_adapter_trino::fake::FakeTrino::start(&url, &schema).await?;
    // A coordinator that has the result at once: no queued polls, one data page per query (a
    // real Trino's first pages take a few polls; `QUEUED=n` adds them to see their cost).
    let queued: usize = std::env::var("QUEUED")
        .ok()
        .and_then(|q| q.parse().ok())
        .unwrap_or(0);
    fake.set_behaviour(aurum_adapter_trino::fake::FakeBehaviour {
        queued_polls: queued,
        rows_per_page: 1000,
        ..aurum_adapter_trino::fake::FakeBehaviour::default()
    });
    let mut trino_settings = base(CurveBackend::Trino);
    trino_settings.database.trino.trino_url = Some(fake.url());
    trino_settings.database.trino.trino_catalog = Some(fake.catalog().to_owned());
    trino_settings.database.trino.trino_schema = Some(fake.schema().to_owned());
    let trino = start(trino_settings).await?;

    let http = reqwest::Client::new();
    let mut lat: [Vec<Duration>; 2] = [Vec::new(), Vec::new()];
    for i in 0..requests + 30 {
        let page = PAGES[i % PAGES.len()];
        for (b, base) in [&pg, &trino].into_iter().enumerate() {
            let t = Instant::now();
            let res = http.get(format!("{base}{page}")).send().await?;
            anyhow::ensure!(res.status().is_success(), "{base}{page}: {}", res.status());
            let body = res.bytes().await?;
            anyhow::ensure!(body.len() > 1000, "a full page");
            // The first 30 rounds warm connections and plans.
            if i >= 30 {
                lat[b].push(t.elapsed());
            }
        }
    }
    for l in &mut lat {
        l.sort();
    }
    // Where the difference goes: the same SQL run directly on PostgreSQL (no HTTP, no protocol),
    // the Trino adapter's portable SQL against the PostgreSQL adapter's index-ordered SQL.
    client
        .batch_execute(&format!("SET search_path = {schema}"))
        .await?;
    let strip = format!("\"{}\".", fake.catalog());
    let mut trino_sql: Vec<String> = Vec::new();
    for q in fake.queries() {
        let sql = q.sql.replace(&strip, "");
        if sql.contains("ORDER BY") && !trino_sql.contains(&sql) {
            trino_sql.push(sql);
        }
    }
    let pg_sql: Vec<String> = trino_sql
        .iter()
        .map(|sql| {
            let head = sql.split(" ORDER BY ").next().unwrap_or_default();
            format!("{head} ORDER BY asof_rank, curve_key, month_rank, tenor_label LIMIT 101")
        })
        .collect();
    let mut direct: [Vec<Duration>; 2] = [Vec::new(), Vec::new()];
    for round in 0..requests {
        for (k, set) in [&pg_sql, &trino_sql].into_iter().enumerate() {
            let sql = &set[round % set.len()];
            let t = Instant::now();
            let rows = client.query(sql.as_str(), &[]).await?;
            anyhow::ensure!(rows.len() == 101, "a full page");
            direct[k].push(t.elapsed());
        }
    }
    for l in &mut direct {
        l.sort();
    }
    if std::env::var("EXPLAIN").is_ok() {
        for sql in trino_sql.iter().take(1) {
            println!("{sql}");
            for r in client.query(&format!("EXPLAIN ANALYZE {sql}"), &[]).await? {
                println!("  {}", r.get::<_, String>(0));
            }
        }
    }
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    for (name, l) in ["postgres", "trino+fake"].iter().zip(&lat) {
        println!(
            "{name:<11} p50={:.2} ms p90={:.2} ms p99={:.2} ms",
            ms(percentile(l, 0.5)),
            ms(percentile(l, 0.9)),
            ms(percentile(l, 0.99))
        );
    }
    for (name, l) in ["pg sql", "trino sql"].iter().zip(&direct) {
        println!(
            "{name:<11} run directly on PostgreSQL: p50={:.2} ms p90={:.2} ms",
            ms(percentile(l, 0.5)),
            ms(percentile(l, 0.9))
        );
    }
    let (pg, tr) = (ms(percentile(&lat[0], 0.5)), ms(percentile(&lat[1], 0.5)));
    let (pg_sql_ms, tr_sql_ms) = (
        ms(percentile(&direct[0], 0.5)),
        ms(percentile(&direct[1], 0.5)),
    );
    println!(
        "added_latency_p50={:.0}% (target <= 30%)",
        (tr / pg - 1.0) * 100.0
    );
    println!(
        "of which the portable SQL's plan: {:.2} ms; protocol + adapter layer: {:.2} ms = {:.0}% of the PostgreSQL path",
        tr_sql_ms - pg_sql_ms,
        (tr - tr_sql_ms) - (pg - pg_sql_ms),
        ((tr - tr_sql_ms) - (pg - pg_sql_ms)) / pg * 100.0
    );
    drop(fake);
    client
        .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .await?;
    Ok(())
}
