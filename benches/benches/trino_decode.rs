//! Criterion bench of the Trino adapter's hot path: decoding `QueryResults` pages of curve rows
//! (26 columns, as Trino sends them: strings, dates as text, doubles as numbers, timestamps with
//! a zone, the origin as a number) into `CurveObservation`s. Target: ≥ 1M rows/s on one core.
//! See `benches/README.md`.

use std::hint::black_box;
use std::sync::Arc;

use aurum_adapter_trino::client::decode_page;
use aurum_adapter_trino::decode::{CURVE_COLUMNS, CurveRows};
use aurum_adapter_trino::{Column, TrinoType};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::{Value, json};

/// Rows per page (Trino's pages hold a few thousand rows of this size).
const PAGE_ROWS: usize = 1_000;
/// Pages per iteration.
const PAGES: usize = 10;

const TYPES: [&str; 26] = [
    "date",
    "varchar",
    "varchar",
    "varchar",
    "varchar",
    "varchar",
    "varchar",
    "varchar",
    "varchar",
    "varchar",
    "varchar",
    "varchar",
    "varchar",
    "varchar",
    "varchar",
    "varchar",
    "date",
    "varchar",
    "double",
    "double",
    "double",
    "double",
    "varchar",
    "varchar",
    "timestamp(6) with time zone",
    "smallint",
];

const ISOS: [&str; 8] = [
    "PJM", "ERCOT", "CAISO", "MISO", "NYISO", "ISONE", "SPP", "AESO",
];
const BLOCKS: [&str; 4] = ["ON_PEAK", "OFF_PEAK", "ATC", "7x8"];

/// One curve row as Trino encodes it: curve `c` (of 200), tenor `t` (of 20), pricing date `d`.
fn row(c: u32, t: u32, d: u32) -> Value {
    let month = t % 12 + 1;
    let year = 2026 + t / 12;
    let mid = 40.0 + f64::from(c % 50) * 0.37 + f64::from(t) * 0.25 - f64::from(d) * 0.01;
    json!([
        format!("2025-{:02}-{:02}", 1 + d / 28, 1 + d % 28),
        format!(
            "{}_forward_curves.xlsx",
            ISOS[c as usize % 8].to_lowercase()
        ),
        "Curves",
        "power",
        "US",
        ISOS[c as usize % 8],
        format!("HUB {}", c % 60),
        if c.is_multiple_of(3) { "RT" } else { "DA" },
        "energy",
        BLOCKS[c as usize % 4],
        null,
        "MID",
        "$/MWh",
        "USD",
        "MWh",
        "MONTHLY",
        format!("{year}-{month:02}-01"),
        format!("{year}-{month:02}"),
        mid,
        mid - 0.25,
        mid + 0.25,
        mid,
        format!(
            "{:064x}",
            0x9e37_79b9_7f4a_7c15_u64.wrapping_mul(u64::from(c) + 1)
        ),
        format!("{:064x}", 0xa11ce_u64 + u64::from(d)),
        format!("2025-01-{:02} 08:{:02}:00.123456 UTC", 1 + d % 28, c % 60),
        0
    ])
}

/// `PAGES` page bodies of `PAGE_ROWS` rows each, complete `QueryResults` documents.
fn pages() -> Vec<Vec<u8>> {
    let columns: Vec<Value> = CURVE_COLUMNS
        .iter()
        .zip(TYPES)
        .map(|(name, ty)| json!({"name": name, "type": ty, "typeSignature": {"rawType": ty, "arguments": []}}))
        .collect();
    let mut n = 0_u32;
    (0..PAGES)
        .map(|p| {
            let rows: Vec<Value> = (0..PAGE_ROWS)
                .map(|_| {
                    let (c, t, d) = ((n / 20) % 200, n % 20, n / 4000);
                    n += 1;
                    row(c, t, d)
                })
                .collect();
            serde_json::to_vec(&json!({
                "id": "20250101_000000_00001_aurum",
                "infoUri": "http://trino:8080/ui/query.html?20250101_000000_00001_aurum",
                "nextUri": format!("http://trino:8080/v1/statement/executing/20250101_000000_00001_aurum/y/{}", p + 2),
                "columns": columns,
                "data": rows,
                "stats": {"state": "RUNNING", "queued": false, "scheduled": true, "nodes": 1, "processedRows": 0},
                "warnings": [],
            }))
            .expect("the bench page serialises")
        })
        .collect()
}

/// Decodes every page as one query would: a fresh decoder, the columns from the first page.
fn decode_all(pages: &[Vec<u8>]) -> usize {
    let mut columns: Option<Arc<[Column]>> = None;
    let mut decoder = CurveRows::new();
    let mut rows = 0;
    for body in pages {
        let mut out = Vec::with_capacity(PAGE_ROWS);
        decode_page(black_box(body), &mut columns, &mut decoder, &mut out).expect("decodes");
        rows += out.len();
    }
    rows
}

/// CPU time of the current thread in nanoseconds (Linux only).
fn thread_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// `trino_decode/curve_pages`: 10 pages of 1,000 rows, envelope and rows, with a fresh decoder
/// per iteration (as per query).
fn decode(c: &mut Criterion) {
    let pages = pages();
    let bytes: usize = pages.iter().map(Vec::len).sum();
    println!(
        "trino_decode: {PAGES} pages, {} rows, {bytes} bytes ({} bytes/row)",
        PAGES * PAGE_ROWS,
        bytes / (PAGES * PAGE_ROWS)
    );
    // Check once, outside the timed loop, that every row decodes.
    let mut columns: Option<Arc<[Column]>> = None;
    let mut out = Vec::new();
    let mut decoder = CurveRows::new();
    for body in &pages {
        decode_page(body, &mut columns, &mut decoder, &mut out).expect("the bench pages decode");
    }
    assert_eq!(out.len(), PAGES * PAGE_ROWS);
    assert_eq!(columns.as_deref().map(<[Column]>::len), Some(26));
    assert_eq!(
        columns.as_deref().map(|c| c[24].ty.clone()),
        Some(TrinoType::TimestampTz(6))
    );

    // The same work timed by this thread's CPU time (Linux `schedstat`), which other processes
    // on a busy machine do not inflate; criterion's figures below are wall-clock.
    if let Some(before) = thread_cpu_ns() {
        const ROUNDS: u32 = 50;
        for _ in 0..ROUNDS {
            black_box(decode_all(&pages));
        }
        if let Some(after) = thread_cpu_ns() {
            let rows =
                f64::from(ROUNDS) * f64::from(u32::try_from(PAGES * PAGE_ROWS).unwrap_or(u32::MAX));
            let seconds =
                std::time::Duration::from_nanos(after.saturating_sub(before)).as_secs_f64();
            println!(
                "trino_decode: {:.2} M rows per CPU-second ({ROUNDS} rounds)",
                rows / seconds / 1e6
            );
        }
    }

    let mut group = c.benchmark_group("trino_decode");
    group.throughput(Throughput::Elements((PAGES * PAGE_ROWS) as u64));
    group.bench_function("curve_pages", |b| b.iter(|| decode_all(&pages)));
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
