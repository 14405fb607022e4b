//! `CurveStore::diff` clauses: only keys present on both dates, pairs ordered by
//! `(curve_key, tenor_label)`, filters applied to both rows, keyset paging both ways.

use std::sync::Arc;

use chrono::NaiveDate;

use super::reference;
use super::support::{self, dates, key};
use crate::curve::{CurveFilters, CurveObservation};
use crate::curve_store::{CurveStore, DiffPair, DiffQuery};
use crate::page::{DiffKeyset, Page, PageRequest};

const PAIRS: &str = "diff MUST pair the rows of both dates with the same (curve_key, tenor_label), \
                     only keys present on both, ordered by (curve_key, tenor_label) bytewise";
const FILTERS: &str = "diff MUST apply the filters to the rows of both dates";
const PAGING: &str = "diff MUST page by (curve_key, tenor_label) keyset both ways, has_more exact";

async fn fetch(
    store: &dyn CurveStore,
    filters: &CurveFilters,
    (asof_a, asof_b): (NaiveDate, NaiveDate),
    page: PageRequest<DiffKeyset>,
    clause: &str,
) -> Page<DiffPair> {
    let query = DiffQuery {
        filters: filters.clone(),
        asof_a,
        asof_b,
        page,
    };
    match store.diff(&query).await {
        Ok(page) => page,
        Err(e) => panic!("{clause}: diff({query:?}) failed: {e}"),
    }
}

fn date_pairs() -> Vec<(NaiveDate, NaiveDate)> {
    let [d0, d1, d2, d3] = dates();
    vec![
        (d1, d2),
        (d2, d3),
        (d0, d3),
        (d3, d0),
        (d0, d1),
        (d1, support::missing_date()),
    ]
}

async fn check_all(
    store: &dyn CurveStore,
    data: &[CurveObservation],
    filters: &CurveFilters,
    clause: &str,
) {
    for dates in date_pairs() {
        let expected = reference::diff(data, filters, dates.0, dates.1);
        let page = fetch(store, filters, dates, PageRequest::first(10_000), clause).await;
        let want = Page {
            items: expected,
            has_more: false,
        };
        support::assert_page(clause, &(filters, dates), &page, &want, reference::diff_key);
    }
}

pub(super) async fn check_pairs(store: &dyn CurveStore, data: &[CurveObservation]) {
    check_all(store, data, &CurveFilters::default(), PAIRS).await;
    // Spelled out: a key missing on either date is left out; labels compare bytewise.
    let [_, _, d2, d3] = dates();
    let page = fetch(
        store,
        &CurveFilters::default(),
        (d2, d3),
        PageRequest::first(10_000),
        PAIRS,
    )
    .await;
    let has = |curve: &str, label: &str| {
        page.items
            .iter()
            .any(|p| p.a.curve_key.as_str() == curve && &*p.a.tenor_label == label)
    };
    assert!(
        has("PJM-west-RT-ATC", "2025-11") && !has("PJM-west-RT-ATC", "2025-12"),
        "{PAIRS}"
    );
    assert!(
        !has("gas:henry-hub", "Calendar 2026") && !has("Zrec:pjm-tier1", "BALMO"),
        "{PAIRS}"
    );
    let mut curves: Vec<&str> = page.items.iter().map(|p| p.a.curve_key.as_str()).collect();
    curves.dedup();
    let want = [
        "ERCOT.HBN.RT.ATC",
        "EUA-DEC",
        "PJM-WH-DA-OFF",
        "PJM-WH-DA-ON",
        "PJM-west-RT-ATC",
    ];
    assert_eq!(curves[..5], want, "{PAIRS}");
    assert_eq!(
        curves[5..],
        ["caiso_sp15_da_on", "gas:henry-hub"],
        "{PAIRS}"
    );
    let labels: Vec<&str> = page
        .items
        .iter()
        .filter(|p| p.a.curve_key.as_str() == "PJM-WH-DA-ON")
        .map(|p| &*p.a.tenor_label)
        .collect();
    assert_eq!(
        labels[..3],
        ["2025-02", "2025-03", "2025-04"],
        "{PAIRS}: labels bytewise"
    );
    assert_eq!(
        labels[12..],
        [
            "BALMO",
            "Calendar 2026",
            "Q2 2025",
            "Q3 2025",
            "Q4 2025",
            "Winter 2025-26"
        ],
        "{PAIRS}"
    );
}

pub(super) async fn check_filters(store: &dyn CurveStore, data: &[CurveObservation]) {
    for case in support::combined_cases()
        .into_iter()
        .filter(|c| c.asof.is_none())
    {
        check_all(store, data, &case.filters, FILTERS).await;
    }
    for case in support::single_filter_cases(data)
        .into_iter()
        .filter(|c| c.asof.is_none())
    {
        check_all(store, data, &case.filters, FILTERS).await;
    }
    // Spelled out: EUA-DEC's market is "ICE" up to d2 and "ICE Endex" on d3.
    let [d0, _, d2, d3] = dates();
    let ice = CurveFilters {
        market: Some(support::dim("ICE")),
        ..Default::default()
    };
    let all = PageRequest::first(100);
    let page = fetch(store, &ice, (d0, d2), all.clone(), FILTERS).await;
    assert_eq!(page.items.len(), 3, "{FILTERS}: both rows match");
    let page = fetch(store, &ice, (d0, d3), all, FILTERS).await;
    assert!(
        page.items.is_empty(),
        "{FILTERS}: the row of asof_b does not match"
    );
}

pub(super) async fn check_paging(store: &dyn CurveStore, data: &[CurveObservation]) {
    let [d0, _, _, d3] = dates();
    let filter_cases = support::combined_cases()
        .into_iter()
        .filter(|c| c.asof.is_none())
        .take(3);
    for case in filter_cases {
        let expected = reference::diff(data, &case.filters, d0, d3);
        let between: Vec<DiffKeyset> = expected
            .iter()
            .step_by(11)
            .flat_map(|p| {
                let k = reference::diff_key(p);
                [
                    DiffKeyset {
                        tenor_label: Arc::from(format!("{}~", k.tenor_label)),
                        ..k.clone()
                    },
                    DiffKeyset {
                        curve_key: key(&format!("{}0", k.curve_key)),
                        ..k.clone()
                    },
                    DiffKeyset {
                        tenor_label: Arc::from(""),
                        ..k
                    },
                ]
            })
            .chain([DiffKeyset {
                curve_key: key("0"),
                tenor_label: Arc::from(""),
            }])
            .chain([DiffKeyset {
                curve_key: key("zzz"),
                tenor_label: Arc::from(""),
            }])
            .filter(|k| expected.iter().all(|p| reference::cmp_diff(p, k).is_ne()))
            .collect();
        let get = async |page| fetch(store, &case.filters, (d0, d3), page, PAGING).await;
        support::check_paging(
            PAGING,
            &expected,
            &between,
            reference::diff_key,
            reference::cmp_diff,
            get,
        )
        .await;
    }
}
