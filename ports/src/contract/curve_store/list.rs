//! `CurveStore::list` clauses: canonical order, every filter alone and combined, exact `asof`,
//! limit and exact `has_more`, keyset paging both ways (also from keysets between rows) and
//! paging stability across inserts before the boundary.

use std::sync::Arc;

use chrono::NaiveDate;

use super::support::{self, Case, dates, key};
use super::{fixture, reference, upsert};
use crate::curve::{CurveFilters, CurveObservation};
use crate::curve_store::{CurveStore, ListQuery};
use crate::page::{Direction, ListKeyset, Page, PageRequest};

const ORDER: &str = "list MUST return rows in canonical order (asof_date DESC, curve_key ASC, \
                     contract_month ASC NULLS LAST, tenor_label ASC; strings bytewise)";
const FILTER: &str = "list MUST return exactly the rows matching every filter and asof";
const PAGING: &str = "list MUST page by keyset: rows strictly after (Forward) or strictly before \
                      (Backward) the boundary, at most limit, has_more exact";

fn query(case: &Case, page: PageRequest<ListKeyset>) -> ListQuery {
    ListQuery {
        filters: case.filters.clone(),
        asof: case.asof,
        page,
    }
}

async fn check_case(store: &dyn CurveStore, data: &[CurveObservation], case: &Case, clause: &str) {
    let expected = reference::list(data, &case.filters, case.asof);
    let q = query(case, PageRequest::first(10_000));
    let page = support::list(store, &q, clause).await;
    let want = Page {
        items: expected,
        has_more: false,
    };
    support::assert_page(clause, &case.name, &page, &want, reference::list_key);
}

pub(super) async fn check_canonical_order(store: &dyn CurveStore, data: &[CurveObservation]) {
    let all = support::list_all(store, ORDER).await;
    let expected = reference::list(data, &CurveFilters::default(), None);
    let keys = |rows: &[CurveObservation]| rows.iter().map(reference::list_key).collect::<Vec<_>>();
    assert!(
        keys(&all) == keys(&expected),
        "{ORDER}\n  expected: {:?}\n  got: {:?}",
        keys(&expected),
        keys(&all)
    );

    // Spelled out, independent of the reference comparator.
    let [_, _, _, newest] = dates();
    let mut curves: Vec<&str> = all
        .iter()
        .filter(|r| r.asof_date == newest)
        .map(|r| r.curve_key.as_str())
        .collect();
    curves.dedup();
    let want_curves = [
        "ERCOT.HBN.RT.ATC",
        "EUA-DEC",
        "PJM-WH-DA-OFF",
        "PJM-WH-DA-ON",
        "PJM-west-RT-ATC",
        "Zrec:pjm-tier1",
        "caiso_sp15_da_on",
        "gas:henry-hub",
    ];
    assert_eq!(curves, want_curves, "{ORDER}: curve keys of one date");
    let labels: Vec<&str> = all
        .iter()
        .filter(|r| r.asof_date == newest && r.curve_key.as_str() == "PJM-WH-DA-ON")
        .map(|r| &*r.tenor_label)
        .collect();
    let want_labels = [
        "2025-02",
        "2025-03",
        "2025-04",
        "Q2 2025",
        "2025-05",
        "2025-06",
        "2025-07",
        "Q3 2025",
        "2025-08",
        "2025-09",
        "2025-10",
        "Q4 2025",
        "2025-11",
        "2025-12",
        "2026-01",
        "Calendar 2026",
        "BALMO",
        "Winter 2025-26",
    ];
    assert_eq!(labels, want_labels, "{ORDER}: tenors of one curve and date");
    let mut asofs: Vec<NaiveDate> = all.iter().map(|r| r.asof_date).collect();
    asofs.dedup();
    assert_eq!(
        asofs,
        dates().into_iter().rev().collect::<Vec<_>>(),
        "{ORDER}: dates descending"
    );
}

pub(super) async fn check_each_filter_alone(store: &dyn CurveStore, data: &[CurveObservation]) {
    for case in support::single_filter_cases(data) {
        check_case(store, data, &case, FILTER).await;
    }
}

pub(super) async fn check_combined_filters(store: &dyn CurveStore, data: &[CurveObservation]) {
    for case in support::combined_cases() {
        check_case(store, data, &case, FILTER).await;
    }
}

pub(super) async fn check_limit_and_has_more(store: &dyn CurveStore, data: &[CurveObservation]) {
    const CLAUSE: &str = "list MUST return at most limit rows and an exact has_more";
    for case in support::combined_cases() {
        let n = reference::list(data, &case.filters, case.asof).len();
        for limit in [1, n.saturating_sub(1).max(1), n.max(1), n + 1] {
            let request = PageRequest::first(limit);
            let page = support::list(store, &query(&case, request.clone()), CLAUSE).await;
            let expected = reference::page(
                &reference::list(data, &case.filters, case.asof),
                &request,
                reference::cmp_list,
            );
            support::assert_page(
                CLAUSE,
                &(&case.name, limit),
                &page,
                &expected,
                reference::list_key,
            );
        }
    }
}

pub(super) async fn check_paging(store: &dyn CurveStore, data: &[CurveObservation]) {
    for case in support::combined_cases().into_iter().take(4) {
        let expected = reference::list(data, &case.filters, case.asof);
        let fetch = async |page| support::list(store, &query(&case, page), PAGING).await;
        support::check_paging(
            PAGING,
            &expected,
            &[],
            reference::list_key,
            reference::cmp_list,
            fetch,
        )
        .await;
    }
}

/// Keysets that are not the key of any row: past a label, past a curve key, between dates,
/// before and after every row, and NULL contract months next to non-NULL ones.
fn keysets_between_rows(data: &[CurveObservation]) -> Vec<ListKeyset> {
    let mut keysets = Vec::new();
    for row in data.iter().step_by(23) {
        let k = reference::list_key(row);
        keysets.push(ListKeyset {
            tenor_label: Arc::from(format!("{}~", k.tenor_label)),
            ..k.clone()
        });
        keysets.push(ListKeyset {
            curve_key: key(&format!("{}0", k.curve_key)),
            ..k.clone()
        });
        keysets.push(ListKeyset {
            contract_month: None,
            tenor_label: Arc::from("A"),
            ..k.clone()
        });
        keysets.push(ListKeyset {
            contract_month: Some(fixture::date(2025, 2, 15)),
            ..k
        });
    }
    for asof in [
        support::missing_date(),
        fixture::date(2030, 1, 1),
        fixture::date(2000, 1, 1),
    ] {
        keysets.push(ListKeyset {
            asof_date: asof,
            curve_key: key("M"),
            contract_month: None,
            tenor_label: Arc::from(""),
        });
    }
    keysets.retain(|k| data.iter().all(|r| reference::cmp_list(r, k).is_ne()));
    keysets
}

pub(super) async fn check_keysets_between_rows(store: &dyn CurveStore, data: &[CurveObservation]) {
    const CLAUSE: &str = "list MUST accept a keyset that is not the key of a stored row";
    let keysets = keysets_between_rows(data);
    for case in support::combined_cases().into_iter().take(3) {
        let expected = reference::list(data, &case.filters, case.asof);
        for boundary in &keysets {
            for direction in [Direction::Forward, Direction::Backward] {
                for limit in [1, 7] {
                    let request = PageRequest {
                        limit,
                        position: Some((direction, boundary.clone())),
                    };
                    let page = support::list(store, &query(&case, request.clone()), CLAUSE).await;
                    let want = reference::page(&expected, &request, reference::cmp_list);
                    support::assert_page(
                        CLAUSE,
                        &(&case.name, &request),
                        &page,
                        &want,
                        reference::list_key,
                    );
                }
            }
        }
    }
}

pub(super) async fn check_paging_is_stable_across_inserts_before_the_boundary(
    store: &dyn CurveStore,
) {
    const CLAUSE: &str =
        "list paging MUST neither skip nor repeat rows when rows are inserted before the boundary";
    let mut data = upsert::seed(store).await;
    let all = Case {
        name: "no filter".to_owned(),
        filters: CurveFilters::default(),
        asof: None,
    };
    let first = support::list(store, &query(&all, PageRequest::first(25)), CLAUSE).await;
    let boundary = reference::list_key(first.items.last().expect("the seeded store has rows"));

    let [.., newest] = dates();
    let before = vec![
        fixture::observation(fixture::date(2025, 1, 7), "PJM-WH-DA-ON", "2025-02", 60.0),
        fixture::observation(newest, "AAA-first", "2025-02", 1.0),
        fixture::observation(newest, "ERCOT.HBN.RT.ATC", "2024-12", 40.0),
    ];
    for row in &before {
        assert!(
            reference::cmp_list(row, &boundary).is_lt(),
            "suite bug: inserted row must sort before the boundary"
        );
    }
    upsert::expect_report(store, before.clone(), 3, 0, 0, CLAUSE).await;
    data.extend(before);

    let expected = reference::list(&data, &CurveFilters::default(), None);
    for direction in [Direction::Forward, Direction::Backward] {
        let request = PageRequest {
            limit: 25,
            position: Some((direction, boundary.clone())),
        };
        let page = support::list(store, &query(&all, request.clone()), CLAUSE).await;
        let want = reference::page(&expected, &request, reference::cmp_list);
        support::assert_page(CLAUSE, &request, &page, &want, reference::list_key);
    }
}
