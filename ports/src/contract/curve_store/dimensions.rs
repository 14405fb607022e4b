//! `CurveStore::dimensions` clauses: every dimension in `Dimension::ALL` order, each counted
//! under the filters of the other dimensions (faceting) and `asof`, exact counts ordered by count
//! desc then value asc, `per_dim_limit`, case-insensitive prefix, null values left out.

use chrono::NaiveDate;

use super::reference;
use super::support::{self, dates, dim, key};
use crate::curve::{AssetClass, CurveFilters, CurveObservation, Dimension, TenorType};
use crate::curve_store::{CurveStore, Dimensions, DimensionsQuery};

const SHAPE: &str = "dimensions MUST list every dimension of Dimension::ALL, in that order";
const FACETS: &str = "dimensions MUST count each dimension's values exactly, under the filters of \
                      the other dimensions and asof, ordered by count desc then value asc";
const LIMIT: &str = "dimensions MUST keep at most per_dim_limit values, the most frequent ones";
const PREFIX: &str = "dimensions MUST keep only values starting with prefix, case-insensitively";
const NULLS: &str = "dimensions MUST leave out null values";

async fn fetch(store: &dyn CurveStore, query: &DimensionsQuery, clause: &str) -> Dimensions {
    match store.dimensions(query).await {
        Ok(dims) => dims,
        Err(e) => panic!("{clause}: dimensions({query:?}) failed: {e}"),
    }
}

fn query(filters: CurveFilters, asof: Option<NaiveDate>) -> DimensionsQuery {
    DimensionsQuery {
        filters,
        asof,
        per_dim_limit: 500,
        prefix: None,
    }
}

async fn check(
    store: &dyn CurveStore,
    data: &[CurveObservation],
    q: &DimensionsQuery,
    clause: &str,
) {
    let got = fetch(store, q, clause).await;
    let want = reference::dimensions(data, q);
    assert!(
        got == want,
        "{clause}\n  query: {q:?}\n  expected: {want:?}\n  got: {got:?}"
    );
}

pub(super) async fn check_shape(store: &dyn CurveStore, data: &[CurveObservation]) {
    let nothing = CurveFilters {
        curve_key: Some(key("nope")),
        ..Default::default()
    };
    for q in [
        query(CurveFilters::default(), None),
        query(nothing, None),
        query(CurveFilters::default(), Some(support::missing_date())),
    ] {
        let got = fetch(store, &q, SHAPE).await;
        let order: Vec<Dimension> = got.values.iter().map(|(d, _)| *d).collect();
        assert_eq!(order, Dimension::ALL, "{SHAPE} ({q:?})");
        check(store, data, &q, SHAPE).await;
    }
}

pub(super) async fn check_faceted_counts(store: &dyn CurveStore, data: &[CurveObservation]) {
    let [_, d1, _, d3] = dates();
    let f = CurveFilters::default;
    let cases = [
        query(f(), None),
        query(f(), Some(d3)),
        query(
            CurveFilters {
                iso: Some(dim("PJM")),
                ..f()
            },
            None,
        ),
        query(
            CurveFilters {
                iso: Some(dim("PJM")),
                block: Some(dim("ON_PEAK")),
                ..f()
            },
            Some(d1),
        ),
        query(
            CurveFilters {
                curve_key: Some(key("gas:henry-hub")),
                ..f()
            },
            None,
        ),
        query(
            CurveFilters {
                tenor_type: Some(TenorType::Calendar),
                ..f()
            },
            Some(d3),
        ),
        query(
            CurveFilters {
                asset_class: Some(AssetClass::Power),
                market: Some(dim("RT")),
                ..f()
            },
            None,
        ),
        query(
            CurveFilters {
                iso: Some(dim("NOPE")),
                ..f()
            },
            None,
        ),
        query(
            CurveFilters {
                asset_class: Some(AssetClass::Power),
                iso: Some(dim("PJM")),
                location: Some(dim("WESTERN HUB")),
                market: Some(dim("DA")),
                product: Some(dim("energy")),
                block: Some(dim("OFF_PEAK")),
                tenor_type: Some(TenorType::Quarter),
                curve_key: None,
            },
            Some(d3),
        ),
    ];
    for q in &cases {
        check(store, data, q, FACETS).await;
    }
    // Spelled out: filtering on iso still lists every iso (faceting), and counts are exact.
    let q = query(
        CurveFilters {
            iso: Some(dim("PJM")),
            ..f()
        },
        Some(d3),
    );
    let got = fetch(store, &q, FACETS).await;
    let isos: Vec<(&str, u64)> = got.values[1]
        .1
        .iter()
        .map(|c| (c.value.as_str(), c.count))
        .collect();
    assert_eq!(
        isos,
        [("PJM", 50), ("ERCOT", 18), ("CAISO", 13), ("EUA", 3)],
        "{FACETS}: iso on {d3}"
    );
}

pub(super) async fn check_per_dim_limit(store: &dyn CurveStore, data: &[CurveObservation]) {
    for limit in [0, 1, 2, 3] {
        for asof in [None, Some(dates()[0])] {
            let q = DimensionsQuery {
                per_dim_limit: limit,
                ..query(CurveFilters::default(), asof)
            };
            check(store, data, &q, LIMIT).await;
        }
    }
}

pub(super) async fn check_prefix(store: &dyn CurveStore, data: &[CurveObservation]) {
    for prefix in ["we", "WE", "We", "p", "on_", "CAL", "monthly", "zzz", ""] {
        let q = DimensionsQuery {
            prefix: Some(prefix.to_owned()),
            ..query(CurveFilters::default(), None)
        };
        check(store, data, &q, PREFIX).await;
    }
    let q = DimensionsQuery {
        prefix: Some("we".to_owned()),
        ..query(CurveFilters::default(), None)
    };
    let got = fetch(store, &q, PREFIX).await;
    let locations: Vec<&str> = got.values[2].1.iter().map(|c| c.value.as_str()).collect();
    assert_eq!(
        locations,
        ["WESTERN HUB", "West Hub"],
        "{PREFIX}: location spelled out"
    );
}

pub(super) async fn check_nulls_are_excluded(store: &dyn CurveStore, data: &[CurveObservation]) {
    let q = query(CurveFilters::default(), None);
    let got = fetch(store, &q, NULLS).await;
    for (dim, values) in &got.values {
        assert!(
            values.iter().all(|c| !c.value.is_empty() && c.count > 0),
            "{NULLS}: {dim:?} {values:?}"
        );
        let total: u64 = values.iter().map(|c| c.count).sum();
        let non_null = data.iter().filter(|r| r.dimension(*dim).is_some()).count() as u64;
        assert_eq!(
            total, non_null,
            "{NULLS}: {dim:?} counts sum to the non-null rows"
        );
    }
    let iso_total: u64 = got.values[1].1.iter().map(|c| c.count).sum();
    assert!(
        iso_total < data.len() as u64,
        "{NULLS}: the gas curve has no iso"
    );
}
