//! Visibility clauses of `CurveStore::upsert`: written rows are visible to every query at once,
//! an update moves a row between filters and facet counts, and an empty store answers every
//! query with nothing.

use chrono::NaiveDate;

use super::support::{self, dates, dim, key};
use super::upsert::{expect_report, seed};
use super::{fixture, reference};
use crate::curve::{CurveFilters, CurveObservation};
use crate::curve_store::{CurveStore, DiffQuery, DimensionsQuery, HistoryQuery, ListQuery};
use crate::page::PageRequest;

const VISIBLE: &str = "rows MUST be visible to every query once upsert returns Ok";

pub(super) async fn check_rows_are_visible_to_every_query(store: &dyn CurveStore) {
    let [_, _, older, newer] = dates();
    let a = fixture::observation(older, "PJM-WH-DA-ON", "2025-02", 50.0);
    let b = fixture::observation(newer, "PJM-WH-DA-ON", "2025-02", 55.0);
    expect_report(store, vec![a.clone(), b.clone()], 2, 0, 0, VISIBLE).await;
    assert_visible(store, &[b.clone(), a.clone()], older, newer).await;
    let b2 = CurveObservation {
        mid: Some(-5.0),
        ingest_ts: fixture::ingest_ts(1),
        ..b
    };
    expect_report(store, vec![b2.clone()], 0, 1, 0, VISIBLE).await;
    assert_visible(store, &[b2, a], older, newer).await;
}

/// `rows` (newest first) are what list, diff, history, dimensions and scan see.
async fn assert_visible(
    store: &dyn CurveStore,
    rows: &[CurveObservation; 2],
    older: NaiveDate,
    newer: NaiveDate,
) {
    let [b, a] = rows;
    let f = CurveFilters::default;
    let q = ListQuery {
        filters: f(),
        asof: None,
        page: PageRequest::first(10),
    };
    let list = support::list(store, &q, VISIBLE).await;
    assert_eq!(list.items, rows.to_vec(), "{VISIBLE}: list");
    let q = DiffQuery {
        filters: f(),
        asof_a: older,
        asof_b: newer,
        page: PageRequest::first(10),
    };
    let diff = store
        .diff(&q)
        .await
        .unwrap_or_else(|e| panic!("{VISIBLE}: diff failed: {e}"));
    assert_eq!(diff.items.len(), 1, "{VISIBLE}: diff");
    assert_eq!(
        (&diff.items[0].a, &diff.items[0].b),
        (a, b),
        "{VISIBLE}: diff"
    );
    let q = HistoryQuery {
        curve_key: key("PJM-WH-DA-ON"),
        tenor_label: support::shared("2025-02"),
        from: None,
        to: None,
        page: PageRequest::first(10),
    };
    let history = store
        .history(&q)
        .await
        .unwrap_or_else(|e| panic!("{VISIBLE}: history failed: {e}"));
    assert_eq!(history.items, rows.to_vec(), "{VISIBLE}: history");
    let q = DimensionsQuery {
        filters: f(),
        asof: None,
        per_dim_limit: 10,
        prefix: None,
    };
    let dims = store
        .dimensions(&q)
        .await
        .unwrap_or_else(|e| panic!("{VISIBLE}: dimensions failed: {e}"));
    assert_eq!(
        dims,
        reference::dimensions(rows, &q),
        "{VISIBLE}: dimensions"
    );
    assert_eq!(
        support::scan_all(store, &f(), None, VISIBLE).await,
        rows.to_vec(),
        "{VISIBLE}: scan"
    );
}

pub(super) async fn check_updates_move_rows_between_filters(store: &dyn CurveStore) {
    const CLAUSE: &str =
        "an update MUST move the row out of filters and counts it no longer matches";
    let data = seed(store).await;
    let mut moved: Vec<CurveObservation> = data
        .iter()
        .filter(|r| r.curve_key.as_str() == "PJM-WH-DA-OFF")
        .cloned()
        .collect();
    for r in &mut moved {
        (r.iso, r.block, r.ingest_ts) = (
            Some(support::shared("NYISO")),
            Some(support::shared("7x8")),
            fixture::ingest_ts(999_999),
        );
    }
    let n = moved.len() as u64;
    expect_report(store, moved.clone(), 0, n, 0, CLAUSE).await;
    let mut now = data;
    now.retain(|r| r.curve_key.as_str() != "PJM-WH-DA-OFF");
    now.extend(moved);
    for filters in [
        CurveFilters {
            iso: Some(dim("PJM")),
            ..Default::default()
        },
        CurveFilters {
            iso: Some(dim("NYISO")),
            ..Default::default()
        },
        CurveFilters {
            block: Some(dim("OFF_PEAK")),
            ..Default::default()
        },
        CurveFilters {
            block: Some(dim("7x8")),
            ..Default::default()
        },
    ] {
        let q = ListQuery {
            filters: filters.clone(),
            asof: None,
            page: PageRequest::first(10_000),
        };
        let page = support::list(store, &q, CLAUSE).await;
        assert!(
            page.items == reference::list(&now, &filters, None),
            "{CLAUSE}: list {filters:?}"
        );
        let q = DimensionsQuery {
            filters,
            asof: None,
            per_dim_limit: 100,
            prefix: None,
        };
        let dims = store
            .dimensions(&q)
            .await
            .unwrap_or_else(|e| panic!("{CLAUSE}: dimensions failed: {e}"));
        assert_eq!(
            dims,
            reference::dimensions(&now, &q),
            "{CLAUSE}: dimensions"
        );
    }
    assert!(
        support::list_all(store, CLAUSE).await
            == reference::list(&now, &CurveFilters::default(), None),
        "{CLAUSE}"
    );
}

pub(super) async fn check_an_empty_store_answers_every_query(store: &dyn CurveStore) {
    const CLAUSE: &str = "an empty store MUST answer every query with no rows";
    let [_, _, older, newer] = dates();
    let f = CurveFilters::default;
    assert!(
        support::list_all(store, CLAUSE).await.is_empty(),
        "{CLAUSE}: list"
    );
    let q = DiffQuery {
        filters: f(),
        asof_a: older,
        asof_b: newer,
        page: PageRequest::first(10),
    };
    let diff = store
        .diff(&q)
        .await
        .unwrap_or_else(|e| panic!("{CLAUSE}: diff failed: {e}"));
    assert!(diff.items.is_empty() && !diff.has_more, "{CLAUSE}: diff");
    let q = HistoryQuery {
        curve_key: key("PJM-WH-DA-ON"),
        tenor_label: support::shared("2025-02"),
        from: None,
        to: None,
        page: PageRequest::first(10),
    };
    let history = store
        .history(&q)
        .await
        .unwrap_or_else(|e| panic!("{CLAUSE}: history failed: {e}"));
    assert!(
        history.items.is_empty() && !history.has_more,
        "{CLAUSE}: history"
    );
    let q = DimensionsQuery {
        filters: f(),
        asof: None,
        per_dim_limit: 10,
        prefix: None,
    };
    let dims = store
        .dimensions(&q)
        .await
        .unwrap_or_else(|e| panic!("{CLAUSE}: dimensions failed: {e}"));
    assert_eq!(
        dims,
        reference::dimensions(&[], &q),
        "{CLAUSE}: dimensions lists every dimension, empty"
    );
    assert!(
        support::scan_all(store, &f(), None, CLAUSE)
            .await
            .is_empty(),
        "{CLAUSE}: scan"
    );
}
