//! Builders shared by the worker tests.

use std::sync::Arc;

use aurum_ports::{AssetClass, CurveKey, CurveObservation, PriceType, RowOrigin, TenorType};
use chrono::{DateTime, NaiveDate};

/// A `PJM_WEST` row priced on 2025-08-`day` with `mid`.
pub(crate) fn observation(day: u32, mid: f64) -> CurveObservation {
    CurveObservation {
        asof_date: NaiveDate::from_ymd_opt(2025, 8, day).unwrap(),
        source_file: Arc::from(""),
        sheet_name: Arc::from(""),
        asset_class: AssetClass::Power,
        region: None,
        iso: Some(Arc::from("PJM")),
        location: None,
        market: None,
        product: None,
        block: None,
        spark_location: None,
        price_type: PriceType::Mid,
        units_raw: Arc::from("$/MWh"),
        currency: None,
        per_unit: None,
        tenor_type: TenorType::Monthly,
        contract_month: None,
        tenor_label: Arc::from(format!("2025-{day:02}")),
        value: Some(mid),
        bid: None,
        ask: None,
        mid: Some(mid),
        curve_key: CurveKey::parse("PJM_WEST").unwrap(),
        version_hash: Arc::from(""),
        ingest_ts: DateTime::from_timestamp(0, 0).unwrap(),
        origin: RowOrigin::Ingested,
    }
}
