//! Test data shared by every `CurveStore` adapter: [`observation`] builds one row from a few
//! fields, [`dataset`] is a deterministic set of a few hundred rows over four pricing dates and
//! eight curves. It exercises the ordering rules (bytewise curve keys such as `Zrec…` before
//! `caiso…`, equal contract months broken by tenor label, rows without a contract month last)
//! and the filters (null dimension values, negative prices, CALENDAR / QUARTER / SEASON /
//! CUSTOM tenors, derived rows, keys missing on some dates, a curve whose market differs between
//! dates so that a diff filter must hold on both sides).

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};

use crate::curve::{AssetClass, CurveKey, CurveObservation, PriceType, RowOrigin, TenorType};

/// A date; panics on an invalid one (fixture data only).
pub fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("fixture dates are valid")
}

/// `2025-01-01T00:00:00Z` plus `seconds` (whole seconds, so every backend stores it exactly).
pub fn ingest_ts(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_735_689_600 + seconds, 0).expect("fixture timestamps are in range")
}

/// The pricing dates of [`dataset`], oldest first.
pub fn asof_dates() -> [NaiveDate; 4] {
    [
        date(2024, 12, 31),
        date(2025, 1, 2),
        date(2025, 1, 3),
        date(2025, 1, 6),
    ]
}

/// One ingested `power` row of PJM `WESTERN HUB` `DA` `energy` `ON_PEAK` in `$/MWh`, priced at
/// `mid` (also its `value`), ingested at [`ingest_ts`]`(0)`. The tenor type and contract month
/// follow from the label (`YYYY-MM`, `Qn YYYY`, `Calendar YYYY`, `Winter …`, anything else is
/// CUSTOM without a contract month). Change fields with struct update syntax.
pub fn observation(
    asof: NaiveDate,
    curve_key: &str,
    tenor_label: &str,
    mid: f64,
) -> CurveObservation {
    let (tenor_type, contract_month) = tenor(tenor_label);
    CurveObservation {
        asof_date: asof,
        source_file: Arc::from("contract.xlsx"),
        sheet_name: Arc::from("Sheet1"),
        asset_class: AssetClass::Power,
        region: Some(Arc::from("US")),
        iso: Some(Arc::from("PJM")),
        location: Some(Arc::from("WESTERN HUB")),
        market: Some(Arc::from("DA")),
        product: Some(Arc::from("energy")),
        block: Some(Arc::from("ON_PEAK")),
        spark_location: None,
        price_type: PriceType::Mid,
        units_raw: Arc::from("$/MWh"),
        currency: Some(Arc::from("USD")),
        per_unit: Some(Arc::from("MWh")),
        tenor_type,
        contract_month,
        tenor_label: Arc::from(tenor_label),
        value: Some(mid),
        bid: None,
        ask: None,
        mid: Some(mid),
        curve_key: CurveKey::parse(curve_key).expect("fixture curve keys are valid"),
        version_hash: Arc::from(format!("{:064x}", 0xa11ce_u64)),
        ingest_ts: ingest_ts(0),
        origin: RowOrigin::Ingested,
    }
}

fn tenor(label: &str) -> (TenorType, Option<NaiveDate>) {
    let year = |raw: &str| raw.parse::<i32>().ok();
    if let Some(y) = label.strip_prefix("Calendar ").and_then(year) {
        return (TenorType::Calendar, Some(date(y, 1, 1)));
    }
    if label.starts_with("Winter ") || label.starts_with("Summer ") {
        return (TenorType::Season, None);
    }
    if let Some((q, y)) = label
        .strip_prefix('Q')
        .and_then(|rest| rest.split_once(' '))
        && let (Ok(q @ 1..=4), Some(y)) = (q.parse::<u32>(), year(y))
    {
        return (TenorType::Quarter, Some(date(y, 3 * q - 2, 1)));
    }
    if let Some((y, m)) = label.split_once('-')
        && let (Some(y), Ok(m @ 1..=12)) = (year(y), m.parse::<u32>())
    {
        return (TenorType::Monthly, Some(date(y, m, 1)));
    }
    (TenorType::Custom, None)
}

const MONTHS: [&str; 12] = [
    "2025-02", "2025-03", "2025-04", "2025-05", "2025-06", "2025-07", "2025-08", "2025-09",
    "2025-10", "2025-11", "2025-12", "2026-01",
];
const FULL: [&str; 6] = [
    "Q2 2025",
    "Q3 2025",
    "Q4 2025",
    "Calendar 2026",
    "Winter 2025-26",
    "BALMO",
];

/// How one curve of the dataset is shaped: identity, units, file, base price, the dates it is
/// priced on and its tenors (the monthly ones plus `extra`).
struct Spec {
    key: &'static str,
    asset_class: AssetClass,
    /// `region`, `iso`, `location`, `market`, `product`, `block`, `spark_location`
    dims: [Option<&'static str>; 7],
    /// `units_raw`, `currency`, `per_unit`
    units: [&'static str; 3],
    source_file: &'static str,
    base: f64,
    on_dates: [bool; 4],
    monthly: bool,
    extra: &'static [&'static str],
}

const ALL: [bool; 4] = [true; 4];
const MWH: [&str; 3] = ["$/MWh", "USD", "MWh"];
const US: Option<&str> = Some("US");
const PJM: Option<&str> = Some("PJM");

#[rustfmt::skip]
const CURVES: [Spec; 8] = [
    Spec { key: "PJM-WH-DA-ON", asset_class: AssetClass::Power,
        dims: [US, PJM, Some("WESTERN HUB"), Some("DA"), Some("energy"), Some("ON_PEAK"), None],
        units: MWH, source_file: "pjm.xlsx", base: 52.0, on_dates: ALL, monthly: true, extra: &FULL },
    Spec { key: "PJM-WH-DA-OFF", asset_class: AssetClass::Power,
        dims: [US, PJM, Some("WESTERN HUB"), Some("DA"), Some("energy"), Some("OFF_PEAK"), None],
        units: MWH, source_file: "pjm.xlsx", base: 38.0, on_dates: ALL, monthly: true, extra: &FULL },
    Spec { key: "PJM-west-RT-ATC", asset_class: AssetClass::Power,
        dims: [US, PJM, Some("West Hub"), Some("RT"), Some("energy"), Some("ATC"), None],
        units: MWH, source_file: "pjm_rt.csv", base: 45.0, on_dates: [false, true, true, true],
        monthly: true, extra: &[] },
    Spec { key: "ERCOT.HBN.RT.ATC", asset_class: AssetClass::Power,
        dims: [US, Some("ERCOT"), Some("HB_NORTH"), Some("RT"), None, Some("ATC"), None],
        units: MWH, source_file: "ercot.csv", base: 41.0, on_dates: ALL, monthly: true, extra: &FULL },
    Spec { key: "caiso_sp15_da_on", asset_class: AssetClass::Power,
        dims: [US, Some("CAISO"), Some("SP15"), Some("DA"), Some("energy"), Some("ON_PEAK"), Some("SP15-GAS")],
        units: MWH, source_file: "caiso.csv", base: 30.0, on_dates: [true, false, true, true],
        monthly: true, extra: &["Calendar 2026"] },
    Spec { key: "gas:henry-hub", asset_class: AssetClass::Gas,
        dims: [None, None, Some("Henry Hub"), None, Some("NG"), None, None],
        units: ["$/MMBtu", "USD", "MMBtu"], source_file: "gas.csv", base: 3.25, on_dates: ALL,
        monthly: true, extra: &["Q2 2025", "Q3 2025", "Q4 2025", "Calendar 2026"] },
    Spec { key: "EUA-DEC", asset_class: AssetClass::Carbon,
        dims: [Some("EU"), Some("EUA"), None, Some("ICE"), Some("EUA"), None, None],
        units: ["EUR/t", "EUR", "t"], source_file: "eua.csv", base: 70.0, on_dates: ALL,
        monthly: false, extra: &["2025-12", "Calendar 2026", "Calendar 2027"] },
    Spec { key: "Zrec:pjm-tier1", asset_class: AssetClass::Renewable,
        dims: [US, PJM, None, None, Some("REC Tier 1"), None, None],
        units: MWH, source_file: "recs.csv", base: 8.5, on_dates: [false, true, false, true],
        monthly: false, extra: &["Calendar 2025", "Calendar 2026", "BALMO"] },
];

impl Spec {
    fn tenors(&self) -> impl Iterator<Item = &'static str> {
        let monthly: &'static [&'static str] = if self.monthly { &MONTHS } else { &[] };
        monthly.iter().chain(self.extra).copied()
    }
}

/// Keys deliberately absent on some dates, so diffs see one-sided keys.
fn skipped(key: &str, date_index: usize, label: &str) -> bool {
    (key == "PJM-west-RT-ATC" && date_index == 3 && label == "2025-12")
        || (key == "gas:henry-hub" && date_index != 3 && label == "Calendar 2026")
}

/// The deterministic dataset (369 rows, no duplicate keys, in no particular order).
pub fn dataset() -> Vec<CurveObservation> {
    let shared = |s: &str| Arc::<str>::from(s);
    let mut rows = Vec::new();
    for ((spec_no, spec), seconds) in CURVES.iter().enumerate().zip(0_i64..) {
        for ((date_index, asof), day_offset) in asof_dates().into_iter().enumerate().zip(0_u32..) {
            if !spec.on_dates[date_index] {
                continue;
            }
            let version_hash = shared(&format!("{:064x}", (spec_no << 8) | date_index));
            for (label, tenor_offset) in spec.tenors().zip(0_u32..) {
                if skipped(spec.key, date_index, label) {
                    continue;
                }
                let mut mid =
                    spec.base + 0.5 * f64::from(tenor_offset) + 0.25 * f64::from(day_offset);
                if spec.key.starts_with("caiso") && matches!(label, "2025-04" | "2025-05") {
                    mid = -2.0 - 0.25 * f64::from(day_offset); // solar spring: negative prices
                }
                let mut row = observation(asof, spec.key, label, mid);
                let [region, iso, location, market, product, block, spark] =
                    spec.dims.map(|d| d.map(shared));
                row.source_file = shared(spec.source_file);
                row.asset_class = spec.asset_class;
                (row.region, row.iso, row.location, row.market) = (region, iso, location, market);
                (row.product, row.block, row.spark_location) = (product, block, spark);
                row.units_raw = shared(spec.units[0]);
                row.currency = Some(shared(spec.units[1]));
                row.per_unit = Some(shared(spec.units[2]));
                row.version_hash = version_hash.clone();
                row.ingest_ts = ingest_ts(86_400 * i64::from(day_offset) + seconds);
                if spec.key.starts_with("ERCOT") {
                    (row.value, row.bid, row.ask) = (None, Some(mid - 0.25), Some(mid + 0.25));
                    row.price_type = PriceType::Settle;
                }
                if spec.key == "EUA-DEC" && date_index == 0 && label == "Calendar 2027" {
                    row.mid = None;
                }
                if spec.key == "EUA-DEC" && date_index == 3 {
                    row.market = Some(shared("ICE Endex")); // relabelled: diff filters both sides
                }
                if spec.key.starts_with("PJM-WH") && row.tenor_type == TenorType::Quarter {
                    row.origin = RowOrigin::Derived;
                }
                rows.push(row);
            }
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn the_dataset_has_no_duplicate_keys_and_a_few_hundred_rows() {
        let rows = dataset();
        let keys: HashSet<_> = rows
            .iter()
            .map(|r| (r.curve_key.clone(), r.tenor_label.clone(), r.asof_date))
            .collect();
        assert_eq!(keys.len(), rows.len());
        assert_eq!(rows.len(), 369);
    }

    #[test]
    fn labels_determine_tenor_type_and_contract_month() {
        assert_eq!(
            tenor("2025-03"),
            (TenorType::Monthly, Some(date(2025, 3, 1)))
        );
        assert_eq!(
            tenor("Q4 2025"),
            (TenorType::Quarter, Some(date(2025, 10, 1)))
        );
        assert_eq!(
            tenor("Calendar 2026"),
            (TenorType::Calendar, Some(date(2026, 1, 1)))
        );
        assert_eq!(tenor("Winter 2025-26"), (TenorType::Season, None));
        assert_eq!(tenor("BALMO"), (TenorType::Custom, None));
    }
}
