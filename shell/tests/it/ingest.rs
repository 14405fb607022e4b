//! Ingestion of curve files through the same entry points the CLI uses.

use std::fmt::Write as _;
use std::sync::Arc;

use aurum::loader::{IngestOptions, ingest_file};
use aurum_adapter_memory::{MemoryCurveIngestor, MemoryCurveStore};
use aurum_ports::{CurveFilters, CurveIngestor, CurveStore};
use futures::StreamExt as _;

use crate::helpers::{DERIVED_ROWS, MONTHLY_ROWS, known_csv, write_temp};

fn memory() -> (Arc<dyn CurveStore>, Arc<dyn CurveIngestor>) {
    let store = MemoryCurveStore::new();
    (
        Arc::new(store.clone()),
        Arc::new(MemoryCurveIngestor::new(store)),
    )
}

async fn count(store: &Arc<dyn CurveStore>) -> usize {
    let mut stream = store.scan(&CurveFilters::default(), None).await.unwrap();
    let mut n = 0;
    while let Some(chunk) = stream.next().await {
        n += chunk.unwrap().len();
    }
    n
}

#[tokio::test]
async fn good_rows_are_stored_and_each_bad_row_is_quarantined_with_its_line() {
    let dir = tempfile::TempDir::new().unwrap();
    let file = write_temp(&dir, "known.csv", &known_csv());
    let quarantine = dir.path().join("q.csv");
    let (store, ingestor) = memory();
    let opts = IngestOptions {
        quarantine_out: Some(quarantine.clone()),
        ..IngestOptions::default()
    };
    let summary = ingest_file(&ingestor, &file, &opts).await.unwrap();
    assert_eq!(summary.read, (MONTHLY_ROWS + 2) as u64);
    assert_eq!(summary.quarantined, 2);
    assert_eq!(summary.derived_strips, DERIVED_ROWS as u64);
    assert_eq!(summary.stored, (MONTHLY_ROWS + DERIVED_ROWS) as u64);
    assert_eq!(count(&store).await, MONTHLY_ROWS + DERIVED_ROWS);
    let q = std::fs::read_to_string(&quarantine).unwrap();
    let lines: Vec<&str> = q.lines().collect();
    assert_eq!(lines.len(), 3, "{q}");
    assert!(
        lines[1].contains(",146,") && lines[1].contains("invalid date '2026-13-01'"),
        "{q}"
    );
    assert!(
        lines[2].contains(",147,") && lines[2].contains("no finite price"),
        "{q}"
    );
}

#[tokio::test]
async fn ndjson_files_ingest_like_csv_files() {
    let dir = tempfile::TempDir::new().unwrap();
    let mut ndjson = String::new();
    for m in 1..=12 {
        let _ = writeln!(
            ndjson,
            "{{\"asof_date\":\"2026-11-20\",\"asset_class\":\"power\",\"iso\":\"ERCOT\",\"location\":\"HB_NORTH\",\"units_raw\":\"$/MWh\",\"tenor_label\":\"2027-{m:02}\",\"bid\":{},\"ask\":{}}}",
            40 + m,
            42 + m
        );
    }
    ndjson.push_str("not json\n");
    let file = write_temp(&dir, "curves.ndjson", &ndjson);
    let (store, ingestor) = memory();
    let summary = ingest_file(&ingestor, &file, &IngestOptions::default())
        .await
        .unwrap();
    assert_eq!(summary.read, 13);
    assert_eq!(summary.quarantined, 1);
    assert_eq!(summary.derived_strips, 5);
    assert_eq!(count(&store).await, 17);
}

#[tokio::test]
async fn a_dry_run_stores_nothing() {
    let dir = tempfile::TempDir::new().unwrap();
    let file = write_temp(&dir, "known.csv", &known_csv());
    let (store, ingestor) = memory();
    let opts = IngestOptions {
        dry_run: true,
        ..IngestOptions::default()
    };
    let summary = ingest_file(&ingestor, &file, &opts).await.unwrap();
    assert_eq!(summary.quarantined, 2);
    assert_eq!(summary.stored, 0);
    assert_eq!(count(&store).await, 0);
}

#[tokio::test]
async fn a_file_already_ingested_is_skipped_unless_forced() {
    let dir = tempfile::TempDir::new().unwrap();
    let file = write_temp(&dir, "known.csv", &known_csv());
    let (store, ingestor) = memory();
    let first = ingest_file(&ingestor, &file, &IngestOptions::default())
        .await
        .unwrap();
    assert!(!first.skipped);
    let again = ingest_file(&ingestor, &file, &IngestOptions::default())
        .await
        .unwrap();
    assert!(again.skipped);
    assert_eq!(again.read, 0);
    let forced = IngestOptions {
        force: true,
        ..IngestOptions::default()
    };
    let third = ingest_file(&ingestor, &file, &forced).await.unwrap();
    assert!(!third.skipped);
    assert_eq!(third.read, (MONTHLY_ROWS + 2) as u64);
    assert_eq!(
        count(&store).await,
        MONTHLY_ROWS + DERIVED_ROWS,
        "one copy of each row"
    );
}
