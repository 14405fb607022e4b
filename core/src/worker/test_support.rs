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

/// A span linker that records the contexts it was asked to adopt and reports a fixed context
/// of its own.
#[derive(Debug, Default)]
pub(crate) struct RecordingLinker {
    adopted: std::sync::Mutex<Vec<String>>,
}

/// The context [`RecordingLinker`] reports for every span.
pub(crate) const OWN_TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-b7ad6b7169203331-01";

impl RecordingLinker {
    pub(crate) fn adopted(&self) -> Vec<String> {
        self.adopted.lock().unwrap().clone()
    }
}

impl crate::worker::SpanLinker for RecordingLinker {
    fn adopt(&self, _span: &tracing::Span, traceparent: &str) {
        self.adopted.lock().unwrap().push(traceparent.to_owned());
    }

    fn traceparent(&self, _span: &tracing::Span) -> Option<String> {
        Some(OWN_TRACEPARENT.to_owned())
    }
}
