//! Shared helpers of the suite: store calls that panic with the clause they check, and page
//! comparison against the reference.

use std::fmt::Debug;
use std::sync::Arc;

use chrono::NaiveDate;
use futures::StreamExt;

pub(super) use super::cases::{
    Case, combined_cases, dates, dim, key, missing_date, single_filter_cases,
};
pub(super) use super::paging::check_paging;
use crate::curve::{CurveFilters, CurveObservation};
use crate::curve_store::{CurveStore, ListQuery, UpsertReport};
use crate::page::{Page, PageRequest};

/// Runs `store.list`, panicking with the clause on error.
pub(super) async fn list(
    store: &dyn CurveStore,
    query: &ListQuery,
    clause: &str,
) -> Page<CurveObservation> {
    match store.list(query).await {
        Ok(page) => page,
        Err(e) => panic!("{clause}: list({query:?}) failed: {e}"),
    }
}

/// Runs `store.upsert`, panicking with the clause on error.
pub(super) async fn upsert(
    store: &dyn CurveStore,
    rows: Vec<CurveObservation>,
    clause: &str,
) -> UpsertReport {
    match store.upsert(rows).await {
        Ok(report) => report,
        Err(e) => panic!("{clause}: upsert failed: {e}"),
    }
}

/// Every row the store lists (no filter), in its order.
pub(super) async fn list_all(store: &dyn CurveStore, clause: &str) -> Vec<CurveObservation> {
    let query = ListQuery {
        filters: CurveFilters::default(),
        asof: None,
        page: PageRequest::first(100_000),
    };
    list(store, &query, clause).await.items
}

/// Runs `store.scan` and collects its chunks, checking that none is empty.
pub(super) async fn scan_all(
    store: &dyn CurveStore,
    filters: &CurveFilters,
    asof: Option<NaiveDate>,
    clause: &str,
) -> Vec<CurveObservation> {
    let mut stream = match store.scan(filters, asof).await {
        Ok(stream) => stream,
        Err(e) => panic!("{clause}: scan failed: {e}"),
    };
    let mut rows = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.unwrap_or_else(|e| panic!("{clause}: scan chunk failed: {e}"));
        assert!(
            !chunk.is_empty(),
            "scan MUST yield only non-empty chunks ({clause})"
        );
        rows.extend(chunk);
    }
    rows
}

/// Asserts that a store's page equals the reference page, showing keys on mismatch.
pub(super) fn assert_page<T: PartialEq + Debug, K: Debug>(
    clause: &str,
    context: &dyn Debug,
    actual: &Page<T>,
    expected: &Page<T>,
    key: impl Fn(&T) -> K,
) {
    let keys = |items: &[T]| items.iter().map(&key).collect::<Vec<_>>();
    assert!(
        actual.items.len() == expected.items.len()
            && actual
                .items
                .iter()
                .zip(&expected.items)
                .all(|(a, e)| a == e),
        "{clause}\n  request: {context:?}\n  expected keys: {:?}\n  got keys: {:?}\n  first differing row: {:?}",
        keys(&expected.items),
        keys(&actual.items),
        actual
            .items
            .iter()
            .zip(&expected.items)
            .find(|(a, e)| a != e),
    );
    assert_eq!(
        actual.has_more,
        expected.has_more,
        "{clause}: has_more MUST be exact\n  request: {context:?}\n  items: {:?}",
        keys(&actual.items)
    );
}
/// Shares one string allocation (helper for building rows in checks).
pub(super) fn shared(text: &str) -> Arc<str> {
    Arc::from(text)
}
