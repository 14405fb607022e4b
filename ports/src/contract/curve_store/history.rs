//! `CurveStore::history` clauses: one curve and tenor label, newest first, `from` / `to`
//! inclusive, keyset paging both ways.

use std::sync::Arc;

use chrono::NaiveDate;

use super::support::{self, dates, key};
use super::{fixture, reference};
use crate::curve::CurveObservation;
use crate::curve_store::{CurveStore, HistoryQuery};
use crate::page::{HistoryKeyset, Page, PageRequest};

const ROWS: &str =
    "history MUST return the rows of exactly one curve and tenor label, newest first";
const BOUNDS: &str = "history MUST keep from and to inclusive";
const PAGING: &str = "history MUST page by asof_date keyset both ways, has_more exact";

/// `(curve_key, tenor_label)` pairs: on every date, on some dates, without a contract month,
/// and absent.
const SERIES: [(&str, &str); 7] = [
    ("PJM-WH-DA-ON", "2025-06"),
    ("PJM-west-RT-ATC", "2025-12"),
    ("caiso_sp15_da_on", "Calendar 2026"),
    ("Zrec:pjm-tier1", "BALMO"),
    ("gas:henry-hub", "Calendar 2026"),
    ("PJM-WH-DA-ON", "2030-01"),
    ("nope", "2025-06"),
];

struct Series<'a> {
    curve: &'a str,
    label: &'a str,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
}

async fn fetch(
    store: &dyn CurveStore,
    s: &Series<'_>,
    page: PageRequest<HistoryKeyset>,
    clause: &str,
) -> Page<CurveObservation> {
    let query = HistoryQuery {
        curve_key: key(s.curve),
        tenor_label: Arc::from(s.label),
        from: s.from,
        to: s.to,
        page,
    };
    match store.history(&query).await {
        Ok(page) => page,
        Err(e) => panic!("{clause}: history({query:?}) failed: {e}"),
    }
}

async fn check_series(
    store: &dyn CurveStore,
    data: &[CurveObservation],
    s: &Series<'_>,
    clause: &str,
) {
    let expected = reference::history(data, &key(s.curve), s.label, s.from, s.to);
    let page = fetch(store, s, PageRequest::first(100), clause).await;
    let want = Page {
        items: expected,
        has_more: false,
    };
    let context = (s.curve, s.label, s.from, s.to);
    support::assert_page(clause, &context, &page, &want, reference::history_key);
}

pub(super) async fn check_rows(store: &dyn CurveStore, data: &[CurveObservation]) {
    for (curve, label) in SERIES {
        check_series(
            store,
            data,
            &Series {
                curve,
                label,
                from: None,
                to: None,
            },
            ROWS,
        )
        .await;
    }
    let s = Series {
        curve: "PJM-west-RT-ATC",
        label: "2025-12",
        from: None,
        to: None,
    };
    let page = fetch(store, &s, PageRequest::first(100), ROWS).await;
    let got: Vec<NaiveDate> = page.items.iter().map(|r| r.asof_date).collect();
    let [_, d1, d2, _] = dates();
    assert_eq!(got, [d2, d1], "{ROWS}: spelled out");
}

pub(super) async fn check_bounds(store: &dyn CurveStore, data: &[CurveObservation]) {
    let [d0, d1, d2, d3] = dates();
    let gap = support::missing_date();
    let bounds = [
        (Some(d1), None),
        (None, Some(d2)),
        (Some(d1), Some(d2)),
        (Some(d2), Some(d2)),
        (Some(d0), Some(d3)),
        (Some(gap), None),
        (None, Some(gap)),
        (Some(d3), Some(d1)),
        (Some(fixture::date(2030, 1, 1)), None),
    ];
    for (curve, label) in SERIES.into_iter().take(4) {
        for (from, to) in bounds {
            check_series(
                store,
                data,
                &Series {
                    curve,
                    label,
                    from,
                    to,
                },
                BOUNDS,
            )
            .await;
        }
    }
}

pub(super) async fn check_paging(store: &dyn CurveStore, data: &[CurveObservation]) {
    let [d0, _, _, d3] = dates();
    let cases = [
        Series {
            curve: "PJM-WH-DA-ON",
            label: "2025-06",
            from: None,
            to: None,
        },
        Series {
            curve: "ERCOT.HBN.RT.ATC",
            label: "Q3 2025",
            from: Some(d0),
            to: Some(d3),
        },
        Series {
            curve: "gas:henry-hub",
            label: "2025-03",
            from: None,
            to: Some(support::missing_date()),
        },
    ];
    let between = [
        support::missing_date(),
        fixture::date(2030, 1, 1),
        fixture::date(2000, 1, 1),
    ]
    .map(|asof_date| HistoryKeyset { asof_date });
    for s in &cases {
        let expected = reference::history(data, &key(s.curve), s.label, s.from, s.to);
        let get = async |page| fetch(store, s, page, PAGING).await;
        support::check_paging(
            PAGING,
            &expected,
            &between,
            reference::history_key,
            reference::cmp_history,
            get,
        )
        .await;
    }
}
