//! Measures `MemoryCurveStore` at scale: load time, resident memory, the cost of a 50k-row
//! upsert, and query latencies (p50 / p99) on a synthetic dataset.
//!
//! `cargo run --release -p aurum-adapter-memory --example measure [rows]` (default 1,000,000).

use std::error::Error;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aurum_adapter_memory::MemoryCurveStore;
use aurum_ports::contract::curve_store::fixture;
use aurum_ports::{
    AssetClass, CurveFilters, CurveKey, CurveObservation, CurveStore, DiffQuery, DimValue,
    DimensionsQuery, Direction, HistoryQuery, ListKeyset, ListQuery, PageRequest, TenorType,
};
use chrono::{Days, NaiveDate};
use futures::StreamExt;

const TENORS: usize = 20;
const CURVES: usize = 200;
const ISOS: [&str; 8] = [
    "PJM", "ERCOT", "CAISO", "MISO", "NYISO", "ISONE", "SPP", "EUA",
];
const BLOCKS: [&str; 4] = ["ON_PEAK", "OFF_PEAK", "ATC", "7x8"];
const MARKETS: [&str; 3] = ["DA", "RT", "FWD"];

fn label(t: usize) -> String {
    match t {
        0..16 => format!("{}-{:02}", 2026 + t / 12, t % 12 + 1),
        16..19 => format!("Q{} 2026", t - 14),
        _ => "Calendar 2027".to_owned(),
    }
}

/// One date's rows: `CURVES` curves × `TENORS` tenors.
fn day_rows(asof: NaiveDate, day: usize) -> Vec<CurveObservation> {
    let mut rows = Vec::with_capacity(CURVES * TENORS);
    for c in 0..CURVES {
        let shared = |s: &str| Some(Arc::<str>::from(s));
        let key = format!("{:016x}{:048x}", c * 7919 + 1, c);
        for t in 0..TENORS {
            let small = |n: usize| f64::from(u8::try_from(n % 64).unwrap_or(0));
            let mid = 20.0 + small(c % 50) + small(t) * 0.5 - small(day % 7);
            let mut row = fixture::observation(asof, &key, &label(t), mid);
            row.asset_class = if c % 10 == 9 {
                AssetClass::Gas
            } else {
                AssetClass::Power
            };
            row.iso = shared(ISOS[c % ISOS.len()]);
            row.location = shared(&format!("HUB-{}", c % 60));
            row.market = shared(MARKETS[c % MARKETS.len()]);
            row.block = shared(BLOCKS[c % BLOCKS.len()]);
            row.product = if c % 5 == 0 { None } else { shared("energy") };
            rows.push(row);
        }
    }
    rows
}

fn date(days_back: usize) -> NaiveDate {
    fixture::date(2026, 6, 30) - Days::new(days_back as u64)
}

fn rss() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .filter(|l| l.starts_with("VmRSS") || l.starts_with("VmHWM"))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn time<F: AsyncFn() -> usize>(name: &str, runs: usize, f: F) {
    let mut samples: Vec<Duration> = Vec::with_capacity(runs);
    let mut n = 0;
    for _ in 0..runs {
        let t = Instant::now();
        n = f().await;
        samples.push(t.elapsed());
    }
    samples.sort_unstable();
    let p = |q: usize| samples[(samples.len() - 1) * q / 100];
    println!(
        "{name:<52} p50 {:>10.1?}  p99 {:>10.1?}  ({n} items)",
        p(50),
        p(99)
    );
}

#[expect(clippy::too_many_lines, reason = "a linear measurement script")]
fn main() -> Result<(), Box<dyn Error>> {
    let target: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let days = target.div_ceil(CURVES * TENORS);
    let store = MemoryCurveStore::new();
    println!("before load: {}", rss());

    let t = Instant::now();
    let per_batch = (50_000 / (CURVES * TENORS)).max(1);
    for start in (1..=days).step_by(per_batch) {
        let batch: Vec<_> = (start..(start + per_batch).min(days + 1))
            .flat_map(|d| day_rows(date(d), d))
            .collect();
        store.upsert_blocking(&batch)?;
    }
    println!(
        "loaded {} rows in {:.2?} (batches of ~50k): {}",
        store.len(),
        t.elapsed(),
        rss()
    );

    let fresh: Vec<_> = (0..per_batch)
        .flat_map(|i| day_rows(date(0) + Days::new(i as u64), 0))
        .collect();
    let t = Instant::now();
    let report = store.upsert_blocking(&fresh)?;
    println!(
        "upsert of {} new rows into {}: {:.2?} {report:?}",
        fresh.len(),
        store.len(),
        t.elapsed()
    );
    let t = Instant::now();
    let report = store.upsert_blocking(&fresh)?;
    println!(
        "upsert of the same {} rows again (updates): {:.2?} {report:?}",
        fresh.len(),
        t.elapsed()
    );
    drop(fresh);
    println!("after upserts: {}", rss());

    let rt = tokio::runtime::Builder::new_current_thread().build()?;
    let dim = |s: &str| DimValue::parse(s);
    let mid_date = date(days / 2);
    let pjm = CurveFilters {
        iso: Some(dim("PJM")?),
        ..CurveFilters::default()
    };
    let one_curve = CurveKey::parse(&format!("{:016x}{:048x}", 42 * 7919 + 1, 42))?;
    rt.block_on(async {
        let q = |filters: CurveFilters, asof, page| ListQuery {
            filters,
            asof,
            page,
        };
        let list = async |query: &ListQuery| store.list(query).await.map_or(0, |p| p.items.len());
        let first = PageRequest::first(100);
        let runs = 2_000;

        let all = q(CurveFilters::default(), None, first.clone());
        time("list: first page, no filter", runs, async || {
            list(&all).await
        })
        .await;
        let by_date = q(pjm.clone(), Some(mid_date), first.clone());
        time("list: asof + iso", runs, async || list(&by_date).await).await;
        let curve = q(
            CurveFilters {
                curve_key: Some(one_curve.clone()),
                ..CurveFilters::default()
            },
            None,
            first.clone(),
        );
        time("list: curve_key (every date)", runs, async || {
            list(&curve).await
        })
        .await;
        let strips = q(
            CurveFilters {
                tenor_type: Some(TenorType::Calendar),
                ..CurveFilters::default()
            },
            None,
            first.clone(),
        );
        time("list: tenor_type CALENDAR (strips)", runs, async || {
            list(&strips).await
        })
        .await;
        let sparse = CurveFilters {
            location: Some(dim("HUB-7")?),
            block: Some(dim("7x8")?),
            ..CurveFilters::default()
        };
        let sparse_q = q(sparse, None, first.clone());
        time("list: location + block", runs, async || {
            list(&sparse_q).await
        })
        .await;
        let keyset = ListKeyset {
            asof_date: mid_date,
            curve_key: one_curve.clone(),
            contract_month: None,
            tenor_label: Arc::from(""),
        };
        for direction in [Direction::Forward, Direction::Backward] {
            let page = PageRequest {
                limit: 100,
                position: Some((direction, keyset.clone())),
            };
            let deep = q(pjm.clone(), None, page);
            time(
                &format!("list: iso, keyset mid-store, {direction:?}"),
                runs,
                async || list(&deep).await,
            )
            .await;
        }

        let dims = async |filters: CurveFilters, asof| {
            let query = DimensionsQuery {
                filters,
                asof,
                per_dim_limit: 500,
                prefix: None,
            };
            store
                .dimensions(&query)
                .await
                .map_or(0, |d| d.values.iter().map(|v| v.1.len()).sum())
        };
        time("dimensions: no filter", 200, async || {
            dims(CurveFilters::default(), None).await
        })
        .await;
        time("dimensions: asof", 200, async || {
            dims(CurveFilters::default(), Some(mid_date)).await
        })
        .await;
        time("dimensions: iso + asof", 200, async || {
            dims(pjm.clone(), Some(mid_date)).await
        })
        .await;
        time("dimensions: iso (every date)", 20, async || {
            dims(pjm.clone(), None).await
        })
        .await;

        let diff = DiffQuery {
            filters: pjm.clone(),
            asof_a: date(days / 2 + 1),
            asof_b: mid_date,
            page: PageRequest::first(100),
        };
        time("diff: iso, page of 100", runs, async || {
            store.diff(&diff).await.map_or(0, |p| p.items.len())
        })
        .await;
        let history = HistoryQuery {
            curve_key: one_curve.clone(),
            tenor_label: Arc::from("2026-03"),
            from: None,
            to: None,
            page: PageRequest::first(100),
        };
        time("history: page of 100", runs, async || {
            store.history(&history).await.map_or(0, |p| p.items.len())
        })
        .await;
        time("scan: one date, every row", 20, async || {
            let Ok(mut stream) = store.scan(&CurveFilters::default(), Some(mid_date)).await else {
                return 0;
            };
            let mut n = 0;
            while let Some(Ok(chunk)) = stream.next().await {
                n += chunk.len();
            }
            n
        })
        .await;
        Ok::<(), Box<dyn Error>>(())
    })?;
    println!("end: {}", rss());
    Ok(())
}
