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
fn row(c: usize, t: usize, d: usize) -> Value {
    let month = t % 12 + 1;
    let year = 2026 + t / 12;
    let mid = 40.0 + (c % 50) as f64 * 0.37 + t as f64 * 0.25 - d as f64 * 0.01;
    json!([
        format!("2025-{:02}-{:02}", 1 + d / 28, 1 + d % 28),
        format!("{}_forward_curves.xlsx", ISOS[c % 8].to_lowercase()),
        "Curves",
        "power",
        "US",
        ISOS[c % 8],
        format!("HUB {}", c % 60),
        if c % 3 == 0 { "RT" } else { "DA" },
        "energy",
        BLOCKS[c % 4],
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
            0x9e37_79b9_7f4a_7c15_u64.wrapping_mul(c as u64 + 1)
        ),
        format!("{:064x}", 0xa11ce_u64 + d as u64),
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
    let mut n = 0_usize;
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

    let mut group = c.benchmark_group("trino_decode");
    group.throughput(Throughput::Elements((PAGES * PAGE_ROWS) as u64));
    group.bench_function("curve_pages", |b| {
        b.iter(|| {
            let mut columns: Option<Arc<[Column]>> = None;
            let mut decoder = CurveRows::new();
            let mut rows = 0;
            for body in &pages {
                let mut out = Vec::with_capacity(PAGE_ROWS);
                decode_page(black_box(body), &mut columns, &mut decoder, &mut out)
                    .expect("decodes");
                rows += out.len();
            }
            rows
        });
    });
    let data: Vec<String> = pages
        .iter()
        .map(|b| {
            let v: Value = serde_json::from_slice(b).unwrap();
            v["data"].to_string()
        })
        .collect();
    let cols: Arc<[Column]> = columns.clone().unwrap();
    group.bench_function("data_only", |b| {
        b.iter(|| {
            let mut decoder = CurveRows::new();
            let mut rows = 0;
            for d in &data {
                let mut out = Vec::with_capacity(PAGE_ROWS);
                aurum_adapter_trino::decode::RowDecoder::decode(
                    &mut decoder,
                    &cols,
                    &mut aurum_adapter_trino::decode::Scanner::new(black_box(d)),
                    &mut out,
                )
                .unwrap();
                rows += out.len();
            }
            rows
        });
    });
    group.bench_function("skip_only", |b| {
        b.iter(|| {
            let mut n = 0;
            for d in &data {
                let v: serde::de::IgnoredAny = serde_json::from_str(black_box(d)).unwrap();
                let _ = v;
                n += 1;
            }
            n
        });
    });
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
