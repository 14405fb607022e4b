//! Query cases of the suite, built from the dataset: each filter alone (every value present,
//! one absent, one differing only in case) and several combinations.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::fixture;
use crate::curve::{
    AssetClass, CurveFilters, CurveKey, CurveObservation, DimValue, Dimension, TenorType,
};

/// A named filter set with an optional exact `asof`.
pub(super) struct Case {
    pub name: String,
    pub filters: CurveFilters,
    pub asof: Option<NaiveDate>,
}

pub(super) fn key(raw: &str) -> CurveKey {
    CurveKey::parse(raw).expect("suite curve keys are valid")
}

pub(super) fn dim(raw: &str) -> DimValue {
    DimValue::parse(raw).expect("suite dimension values are valid")
}

/// The pricing dates of the dataset, oldest first.
pub(super) fn dates() -> [NaiveDate; 4] {
    fixture::asof_dates()
}

/// A date with no rows, between two dataset dates.
pub(super) fn missing_date() -> NaiveDate {
    fixture::date(2025, 1, 4)
}

fn distinct(
    data: &[CurveObservation],
    get: impl Fn(&CurveObservation) -> Option<&str>,
) -> BTreeSet<String> {
    data.iter()
        .filter_map(|r| get(r).map(str::to_owned))
        .collect()
}

/// Each filter on its own: every value present in the data, a value present in no row, and a
/// value differing only in case (matching is exact).
pub(super) fn single_filter_cases(data: &[CurveObservation]) -> Vec<Case> {
    let mut cases = Vec::new();
    let mut push = |name: String, filters: CurveFilters, asof| {
        cases.push(Case {
            name,
            filters,
            asof,
        });
    };
    for k in distinct(data, |r| Some(r.curve_key.as_str()))
        .iter()
        .chain(&["nope".to_owned()])
    {
        push(
            format!("curve_key={k}"),
            CurveFilters {
                curve_key: Some(key(k)),
                ..Default::default()
            },
            None,
        );
    }
    for &a in AssetClass::ALL {
        push(
            format!("asset_class={a}"),
            CurveFilters {
                asset_class: Some(a),
                ..Default::default()
            },
            None,
        );
    }
    for &t in TenorType::ALL {
        push(
            format!("tenor_type={t}"),
            CurveFilters {
                tenor_type: Some(t),
                ..Default::default()
            },
            None,
        );
    }
    let text = [
        Dimension::Iso,
        Dimension::Location,
        Dimension::Market,
        Dimension::Product,
        Dimension::Block,
    ];
    for d in text {
        let mut values = distinct(data, |r| r.dimension(d));
        let first = values.first().cloned().unwrap_or_default();
        values.insert("NOPE".to_owned());
        values.insert(first.to_lowercase());
        for v in values {
            push(format!("{}={v}", d.as_str()), text_filter(d, dim(&v)), None);
        }
    }
    for d in dates().into_iter().chain([missing_date()]) {
        push(format!("asof={d}"), CurveFilters::default(), Some(d));
    }
    cases
}

/// A filter on one free-text dimension.
fn text_filter(d: Dimension, value: DimValue) -> CurveFilters {
    let mut f = CurveFilters::default();
    let slot = match d {
        Dimension::Iso => &mut f.iso,
        Dimension::Location => &mut f.location,
        Dimension::Market => &mut f.market,
        Dimension::Product => &mut f.product,
        Dimension::Block => &mut f.block,
        Dimension::AssetClass | Dimension::TenorType => return f,
    };
    *slot = Some(value);
    f
}

/// Several filters at once, including combinations that match nothing.
pub(super) fn combined_cases() -> Vec<Case> {
    let [d0, d1, d2, d3] = dates();
    let f = CurveFilters::default;
    let case = |name: &str, filters, asof| Case {
        name: name.to_owned(),
        filters,
        asof,
    };
    vec![
        case("no filter", f(), None),
        case(
            "asof+iso",
            CurveFilters {
                iso: Some(dim("PJM")),
                ..f()
            },
            Some(d2),
        ),
        case(
            "asset_class+block+tenor_type",
            CurveFilters {
                asset_class: Some(AssetClass::Power),
                block: Some(dim("ON_PEAK")),
                tenor_type: Some(TenorType::Monthly),
                ..f()
            },
            None,
        ),
        case(
            "curve_key+asof+tenor_type",
            CurveFilters {
                curve_key: Some(key("PJM-WH-DA-ON")),
                tenor_type: Some(TenorType::Quarter),
                ..f()
            },
            Some(d1),
        ),
        case(
            "every identity dimension",
            CurveFilters {
                asset_class: Some(AssetClass::Power),
                iso: Some(dim("PJM")),
                location: Some(dim("WESTERN HUB")),
                market: Some(dim("DA")),
                product: Some(dim("energy")),
                block: Some(dim("OFF_PEAK")),
                ..f()
            },
            Some(d3),
        ),
        case(
            "tenor_type+asof",
            CurveFilters {
                tenor_type: Some(TenorType::Calendar),
                ..f()
            },
            Some(d3),
        ),
        case(
            "location+tenor_type",
            CurveFilters {
                location: Some(dim("Henry Hub")),
                tenor_type: Some(TenorType::Quarter),
                ..f()
            },
            None,
        ),
        case(
            "iso+market",
            CurveFilters {
                iso: Some(dim("PJM")),
                market: Some(dim("RT")),
                ..f()
            },
            Some(d0),
        ),
        case(
            "contradiction",
            CurveFilters {
                asset_class: Some(AssetClass::Gas),
                iso: Some(dim("PJM")),
                ..f()
            },
            None,
        ),
    ]
}
