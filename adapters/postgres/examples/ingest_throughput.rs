//! Measures `PgCurveIngestor` end to end: one session that binary-`COPY`s N rows (default
//! 1,000,000: 250 dates × 200 curves × 20 tenors) in batches of ~50k and commits, first into an
//! empty table (inserts) and then the same rows again (updates). Rows are generated one batch
//! at a time, outside the timed calls.
//!
//! `cargo run --release -p aurum-adapter-postgres --example ingest_throughput [rows] [staged]`
//! (`staged` turns the direct path off, so the insert pass is staged too)
//! against `AURUM_TEST_DATABASE_URL` (default `postgres://postgres@127.0.0.1:5432/test`), in
//! the schema `aurum_bench_ingest`, which it recreates and leaves behind for inspection. Each
//! pass starts after a `CHECKPOINT` (when the role may run one), so dirty pages of the previous
//! pass are not charged to it.

use std::error::Error;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aurum_adapter_postgres::{Migrator, PgCurveIngestor, PgSettings, connect};
use aurum_ports::contract::curve_store::fixture;
use aurum_ports::{
    AssetClass, CurveIngestor, CurveObservation, IngestFile, IngestTotals, UpsertReport,
};
use chrono::{Days, NaiveDate};

const TENORS: usize = 20;
const CURVES: usize = 200;
const BATCH_DATES: usize = 12; // 12 × 4,000 = 48,000 rows per batch
const SCHEMA: &str = "aurum_bench_ingest";

fn label(t: usize) -> String {
    match t {
        0..16 => format!("{}-{:02}", 2026 + t / 12, t % 12 + 1),
        16..19 => format!("Q{} 2026", t - 14),
        _ => "Calendar 2027".to_owned(),
    }
}

/// A small count as a price component.
fn small(n: usize) -> f64 {
    f64::from(u16::try_from(n).unwrap_or(u16::MAX))
}

/// One date's rows: `CURVES` curves × `TENORS` tenors.
fn day_rows(asof: NaiveDate, day: usize, rows: &mut Vec<CurveObservation>) {
    const ISOS: [&str; 4] = ["PJM", "ERCOT", "CAISO", "MISO"];
    for c in 0..CURVES {
        let key = format!("{:016x}{:048x}", c * 7919 + 1, c);
        for t in 0..TENORS {
            let mid = 20.0 + small(c % 50) + small(t) * 0.5 - small(day % 7);
            let mut row = fixture::observation(asof, &key, &label(t), mid);
            row.asset_class = if c % 10 == 9 {
                AssetClass::Gas
            } else {
                AssetClass::Power
            };
            row.iso = Some(Arc::from(ISOS[c % ISOS.len()]));
            row.location = Some(Arc::from(format!("HUB-{}", c % 60)));
            rows.push(row);
        }
    }
}

async fn ingest(
    ingestor: &PgCurveIngestor,
    total: usize,
    pass: &str,
) -> Result<(UpsertReport, Duration, Duration), Box<dyn Error>> {
    let file = IngestFile {
        name: format!("bench-{pass}.csv"),
        checksum: pass.to_owned(),
        started_at: fixture::ingest_ts(0),
    };
    let mut session = ingestor.begin(file).await?;
    let (mut written, mut copying, mut day) = (0, Duration::ZERO, 0);
    while written < total {
        let mut batch = Vec::with_capacity(BATCH_DATES * CURVES * TENORS);
        while batch.len() < BATCH_DATES * CURVES * TENORS && written + batch.len() < total {
            day_rows(
                fixture::date(2026, 6, 30) - Days::new(day as u64),
                day,
                &mut batch,
            );
            day += 1;
        }
        batch.truncate(total - written);
        written += batch.len();
        let t = Instant::now();
        session.write(batch).await?;
        copying += t.elapsed();
    }
    let t = Instant::now();
    let totals = IngestTotals {
        read: total as u64,
        quarantined: 0,
        derived_strips: 0,
    };
    let report = session.commit(totals, fixture::ingest_ts(1)).await?;
    Ok((report, copying, t.elapsed()))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let total: usize = std::env::args()
        .nth(1)
        .map_or(Ok(1_000_000), |n| n.parse())?;
    let direct = std::env::args().nth(2).is_none_or(|mode| mode != "staged");
    let url = std::env::var("AURUM_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let admin = connect(&PgSettings::new(url.clone()))?;
    admin
        .get()
        .await?
        .batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}"
        ))
        .await?;
    let mut settings = PgSettings::new(url);
    settings.schema = Some(SCHEMA.to_owned());
    let pool = connect(&settings)?;
    Migrator::new(pool.clone()).migrate().await?;
    let ingestor = PgCurveIngestor::new(pool).with_direct_copy(direct);

    for pass in ["insert", "update"] {
        if let Err(e) = admin.get().await?.batch_execute("CHECKPOINT").await {
            println!("(no CHECKPOINT before the {pass} pass: {e})");
        }
        let (report, copying, committing) = ingest(&ingestor, total, pass).await?;
        let all = copying + committing;
        let rate =
            |d: Duration| f64::from(u32::try_from(total).unwrap_or(u32::MAX)) / d.as_secs_f64();
        println!(
            "{pass}: {total} rows in {all:.2?} = {:.0} rows/s (COPY {copying:.2?} = {:.0} rows/s, \
             commit {committing:.2?}); {report:?}",
            rate(all),
            rate(copying),
        );
    }
    Ok(())
}
