//! `CurveStore::upsert` clauses: insert / update / skip counts, latest ingest wins (ties go to
//! the new row), the later row of a batch wins, derived rows never replace ingested ones.

use super::support::{self, dates};
use super::{fixture, reference};
use crate::curve::{CurveFilters, CurveObservation, RowOrigin};
use crate::curve_store::{CurveStore, UpsertReport};

const COUNTS: &str = "upsert MUST count each row once, as if applied in order: inserted (new key), \
                      updated (replaced a stored row) or skipped (the stored row wins)";
const LATEST: &str = "upsert MUST replace a stored row iff the new ingest_ts >= the stored one";
const BATCH: &str =
    "upsert MUST let a later row of a batch win over an earlier one of the same key";
const VISIBLE: &str = "rows MUST be visible to every query once upsert returns Ok";
const ORIGIN: &str = "upsert MUST never let a Derived row replace an Ingested one";

/// Upserts the dataset in three batches of mixed order and returns it.
pub(super) async fn seed(store: &dyn CurveStore) -> Vec<CurveObservation> {
    let data = fixture::dataset();
    let mut batches: [Vec<CurveObservation>; 3] = Default::default();
    for (i, row) in data.iter().rev().enumerate() {
        batches[i % 3].push(row.clone());
    }
    for batch in batches {
        let n = batch.len() as u64;
        let report = support::upsert(store, batch, "seeding the dataset").await;
        assert_eq!(
            report,
            UpsertReport {
                inserted: n,
                updated: 0,
                skipped: 0
            },
            "{COUNTS} (seeding)"
        );
    }
    data
}

pub(super) async fn expect_report(
    store: &dyn CurveStore,
    rows: Vec<CurveObservation>,
    inserted: u64,
    updated: u64,
    skipped: u64,
    clause: &str,
) {
    let report = support::upsert(store, rows, clause).await;
    assert_eq!(
        report,
        UpsertReport {
            inserted,
            updated,
            skipped
        },
        "{clause}\n{COUNTS}"
    );
}

/// The single stored row, by listing everything.
async fn stored(store: &dyn CurveStore, clause: &str) -> Vec<CurveObservation> {
    support::list_all(store, clause).await
}

fn row(mid: f64, seconds: i64, origin: RowOrigin) -> CurveObservation {
    CurveObservation {
        ingest_ts: fixture::ingest_ts(seconds),
        origin,
        ..fixture::observation(dates()[3], "PJM-WH-DA-ON", "2025-02", mid)
    }
}

pub(super) async fn check_counts_on_an_empty_store(store: &dyn CurveStore) {
    let data = seed(store).await;
    let all = stored(store, VISIBLE).await;
    assert!(
        all == reference::list(&data, &CurveFilters::default(), None),
        "{VISIBLE}: the seeded rows"
    );
    // Upserting the same rows again (same ingest_ts) replaces every one of them.
    let n = data.len() as u64;
    expect_report(store, data, 0, n, 0, LATEST).await;
}

pub(super) async fn check_an_empty_batch_changes_nothing(store: &dyn CurveStore) {
    expect_report(store, Vec::new(), 0, 0, 0, COUNTS).await;
    assert!(
        stored(store, COUNTS).await.is_empty(),
        "{COUNTS}: an empty batch stores nothing"
    );
}

pub(super) async fn check_latest_ingest_wins(store: &dyn CurveStore) {
    let ingested = RowOrigin::Ingested;
    expect_report(store, vec![row(1.0, 10, ingested)], 1, 0, 0, LATEST).await;
    expect_report(store, vec![row(2.0, 20, ingested)], 0, 1, 0, LATEST).await;
    assert_eq!(
        stored(store, LATEST).await,
        vec![row(2.0, 20, ingested)],
        "{LATEST}: a newer ingest replaces"
    );
    expect_report(store, vec![row(3.0, 20, ingested)], 0, 1, 0, LATEST).await;
    assert_eq!(
        stored(store, LATEST).await,
        vec![row(3.0, 20, ingested)],
        "{LATEST}: an equal ingest_ts replaces"
    );
    expect_report(store, vec![row(4.0, 19, ingested)], 0, 0, 1, LATEST).await;
    assert_eq!(
        stored(store, LATEST).await,
        vec![row(3.0, 20, ingested)],
        "{LATEST}: an older ingest is skipped"
    );
}

pub(super) async fn check_later_row_of_a_batch_wins(store: &dyn CurveStore) {
    let ingested = RowOrigin::Ingested;
    let batch = vec![
        row(1.0, 10, ingested),
        row(2.0, 10, ingested),
        row(3.0, 10, ingested),
    ];
    expect_report(store, batch, 1, 2, 0, BATCH).await;
    assert_eq!(
        stored(store, BATCH).await,
        vec![row(3.0, 10, ingested)],
        "{BATCH}: equal ingest_ts"
    );
    let batch = vec![row(4.0, 30, ingested), row(5.0, 20, ingested)];
    expect_report(store, batch, 0, 1, 1, BATCH).await;
    assert_eq!(
        stored(store, BATCH).await,
        vec![row(4.0, 30, ingested)],
        "{BATCH}: under the ingest_ts rule"
    );
}

pub(super) async fn check_origin_rule(store: &dyn CurveStore) {
    use RowOrigin::{Derived, Ingested};
    expect_report(store, vec![row(1.0, 10, Derived)], 1, 0, 0, ORIGIN).await;
    expect_report(store, vec![row(2.0, 11, Derived)], 0, 1, 0, ORIGIN).await;
    assert_eq!(
        stored(store, ORIGIN).await,
        vec![row(2.0, 11, Derived)],
        "a Derived row MUST replace an older Derived one"
    );
    expect_report(store, vec![row(3.0, 5, Derived)], 0, 0, 1, ORIGIN).await;
    expect_report(store, vec![row(4.0, 11, Ingested)], 0, 1, 0, ORIGIN).await;
    assert_eq!(
        stored(store, ORIGIN).await,
        vec![row(4.0, 11, Ingested)],
        "an Ingested row MUST replace a Derived one"
    );
    expect_report(store, vec![row(5.0, 99, Derived)], 0, 0, 1, ORIGIN).await;
    assert_eq!(
        stored(store, ORIGIN).await,
        vec![row(4.0, 11, Ingested)],
        "{ORIGIN}, even a newer one"
    );
}

pub(super) async fn check_origin_rule_within_a_batch(store: &dyn CurveStore) {
    use RowOrigin::{Derived, Ingested};
    let batch = vec![
        row(1.0, 10, Ingested),
        row(2.0, 20, Derived),
        row(3.0, 30, Derived),
    ];
    expect_report(store, batch, 1, 0, 2, ORIGIN).await;
    assert_eq!(
        stored(store, ORIGIN).await,
        vec![row(1.0, 10, Ingested)],
        "{ORIGIN} (within a batch)"
    );
}
