//! Wire shapes of curve rows and diff rows, in JSON and CSV. HTTP types stay here, separate
//! from the domain types they are built from.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use aurum_core::service::CurveDiff;
use aurum_ports::CurveObservation;

use super::csv_out::CsvBuffer;
use super::v2::page::WireRow;

/// One curve observation on the wire.
#[derive(Debug, Serialize, ToSchema)]
pub struct CurveRow<'a> {
    /// Curve identity (SHA-256 hex of the identity fields).
    #[schema(value_type = String)]
    pub curve_key: &'a str,
    /// Pricing date.
    pub asof_date: NaiveDate,
    /// power, renewable, gas, carbon, storage, other.
    #[schema(value_type = String)]
    pub asset_class: &'a str,
    /// Region (US, CA, EU, APAC, …).
    #[schema(value_type = Option<String>)]
    pub region: Option<&'a str>,
    /// ISO or exchange.
    #[schema(value_type = Option<String>)]
    pub iso: Option<&'a str>,
    /// Location, hub or zone.
    #[schema(value_type = Option<String>)]
    pub location: Option<&'a str>,
    /// Market.
    #[schema(value_type = Option<String>)]
    pub market: Option<&'a str>,
    /// Product.
    #[schema(value_type = Option<String>)]
    pub product: Option<&'a str>,
    /// Block.
    #[schema(value_type = Option<String>)]
    pub block: Option<&'a str>,
    /// Spark location.
    #[schema(value_type = Option<String>)]
    pub spark_location: Option<&'a str>,
    /// Price type.
    #[schema(value_type = String)]
    pub price_type: &'a str,
    /// Tenor type.
    #[schema(value_type = String)]
    pub tenor_type: &'a str,
    /// First day of the delivery period.
    pub contract_month: Option<NaiveDate>,
    /// Tenor label.
    #[schema(value_type = String)]
    pub tenor_label: &'a str,
    /// Value.
    pub value: Option<f64>,
    /// Bid.
    pub bid: Option<f64>,
    /// Ask.
    pub ask: Option<f64>,
    /// Mid.
    pub mid: Option<f64>,
    /// Currency.
    #[schema(value_type = Option<String>)]
    pub currency: Option<&'a str>,
    /// Per unit.
    #[schema(value_type = Option<String>)]
    pub per_unit: Option<&'a str>,
    /// Units as given by the source.
    #[schema(value_type = String)]
    pub units_raw: &'a str,
    /// Source file.
    #[schema(value_type = String)]
    pub source_file: &'a str,
    /// Sheet name.
    #[schema(value_type = String)]
    pub sheet_name: &'a str,
    /// Version hash of the ingested slice.
    #[schema(value_type = String)]
    pub version_hash: &'a str,
    /// When the row was ingested (RFC 3339, microseconds, UTC).
    #[schema(value_type = String, format = DateTime)]
    pub ingest_ts: String,
}

/// RFC 3339 with microseconds, as every store keeps it.
pub fn timestamp(ts: DateTime<Utc>) -> String {
    ts.to_rfc3339_opts(SecondsFormat::Micros, true)
}

impl<'a> From<&'a CurveObservation> for CurveRow<'a> {
    fn from(o: &'a CurveObservation) -> Self {
        Self {
            curve_key: o.curve_key.as_str(),
            asof_date: o.asof_date,
            asset_class: o.asset_class.as_str(),
            region: o.region.as_deref(),
            iso: o.iso.as_deref(),
            location: o.location.as_deref(),
            market: o.market.as_deref(),
            product: o.product.as_deref(),
            block: o.block.as_deref(),
            spark_location: o.spark_location.as_deref(),
            price_type: o.price_type.as_str(),
            tenor_type: o.tenor_type.as_str(),
            contract_month: o.contract_month,
            tenor_label: &o.tenor_label,
            value: o.value,
            bid: o.bid,
            ask: o.ask,
            mid: o.mid,
            currency: o.currency.as_deref(),
            per_unit: o.per_unit.as_deref(),
            units_raw: &o.units_raw,
            source_file: &o.source_file,
            sheet_name: &o.sheet_name,
            version_hash: &o.version_hash,
            ingest_ts: timestamp(o.ingest_ts),
        }
    }
}

/// CSV columns of curve rows (same names and order as JSON).
pub const CURVE_COLUMNS: [&str; 25] = [
    "curve_key",
    "asof_date",
    "asset_class",
    "region",
    "iso",
    "location",
    "market",
    "product",
    "block",
    "spark_location",
    "price_type",
    "tenor_type",
    "contract_month",
    "tenor_label",
    "value",
    "bid",
    "ask",
    "mid",
    "currency",
    "per_unit",
    "units_raw",
    "source_file",
    "sheet_name",
    "version_hash",
    "ingest_ts",
];

impl WireRow for CurveObservation {
    const CSV_COLUMNS: &'static [&'static str] = &CURVE_COLUMNS;

    fn write_json(&self, out: &mut Vec<u8>) {
        let _ = serde_json::to_writer(out, &CurveRow::from(self));
    }

    fn write_csv(&self, c: &mut CsvBuffer) {
        curve_csv(c, self);
    }
}

impl WireRow for CurveDiff {
    const CSV_COLUMNS: &'static [&'static str] = &DIFF_COLUMNS;

    fn write_json(&self, out: &mut Vec<u8>) {
        let _ = serde_json::to_writer(out, &DiffRow::from(self));
    }

    fn write_csv(&self, c: &mut CsvBuffer) {
        diff_csv(c, self);
    }
}

/// Appends one curve row to a CSV buffer.
pub fn curve_csv(c: &mut CsvBuffer, o: &CurveObservation) {
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string());
    c.text(Some(o.curve_key.as_str()));
    c.text(Some(&o.asof_date.to_string()));
    c.text(Some(o.asset_class.as_str()));
    for v in [
        &o.region,
        &o.iso,
        &o.location,
        &o.market,
        &o.product,
        &o.block,
        &o.spark_location,
    ] {
        c.text(v.as_deref());
    }
    c.text(Some(o.price_type.as_str()));
    c.text(Some(o.tenor_type.as_str()));
    c.text(date(o.contract_month).as_deref());
    c.text(Some(&o.tenor_label));
    for v in [o.value, o.bid, o.ask, o.mid] {
        c.number(v);
    }
    c.text(o.currency.as_deref());
    c.text(o.per_unit.as_deref());
    c.text(Some(&o.units_raw));
    c.text(Some(&o.source_file));
    c.text(Some(&o.sheet_name));
    c.text(Some(&o.version_hash));
    c.text(Some(&timestamp(o.ingest_ts)));
    c.end_row();
}

/// One diff row on the wire.
#[derive(Debug, Serialize, ToSchema)]
pub struct DiffRow<'a> {
    /// Curve identity.
    #[schema(value_type = String)]
    pub curve_key: &'a str,
    /// Tenor label.
    #[schema(value_type = String)]
    pub tenor_label: &'a str,
    /// Tenor type.
    #[schema(value_type = String)]
    pub tenor_type: &'a str,
    /// Contract month.
    pub contract_month: Option<NaiveDate>,
    /// Asset class.
    #[schema(value_type = String)]
    pub asset_class: &'a str,
    /// ISO.
    #[schema(value_type = Option<String>)]
    pub iso: Option<&'a str>,
    /// Location.
    #[schema(value_type = Option<String>)]
    pub location: Option<&'a str>,
    /// Market.
    #[schema(value_type = Option<String>)]
    pub market: Option<&'a str>,
    /// Product.
    #[schema(value_type = Option<String>)]
    pub product: Option<&'a str>,
    /// Block.
    #[schema(value_type = Option<String>)]
    pub block: Option<&'a str>,
    /// Reference date.
    pub asof_a: NaiveDate,
    /// Compared date.
    pub asof_b: NaiveDate,
    /// Mid at `asof_a`.
    pub mid_a: Option<f64>,
    /// Mid at `asof_b`.
    pub mid_b: Option<f64>,
    /// `mid_b − mid_a`.
    pub diff_abs: Option<f64>,
    /// `(mid_b − mid_a) / mid_a` as a ratio.
    pub diff_pct: Option<f64>,
}

impl<'a> From<&'a CurveDiff> for DiffRow<'a> {
    fn from(d: &'a CurveDiff) -> Self {
        Self {
            curve_key: d.a.curve_key.as_str(),
            tenor_label: &d.a.tenor_label,
            tenor_type: d.a.tenor_type.as_str(),
            contract_month: d.a.contract_month,
            asset_class: d.a.asset_class.as_str(),
            iso: d.a.iso.as_deref(),
            location: d.a.location.as_deref(),
            market: d.a.market.as_deref(),
            product: d.a.product.as_deref(),
            block: d.a.block.as_deref(),
            asof_a: d.a.asof_date,
            asof_b: d.b.asof_date,
            mid_a: d.a.mid,
            mid_b: d.b.mid,
            diff_abs: d.diff_abs,
            diff_pct: d.diff_pct,
        }
    }
}

/// CSV columns of diff rows.
pub const DIFF_COLUMNS: [&str; 16] = [
    "curve_key",
    "tenor_label",
    "tenor_type",
    "contract_month",
    "asset_class",
    "iso",
    "location",
    "market",
    "product",
    "block",
    "asof_a",
    "asof_b",
    "mid_a",
    "mid_b",
    "diff_abs",
    "diff_pct",
];

/// Appends one diff row to a CSV buffer.
pub fn diff_csv(c: &mut CsvBuffer, d: &CurveDiff) {
    c.text(Some(d.a.curve_key.as_str()));
    c.text(Some(&d.a.tenor_label));
    c.text(Some(d.a.tenor_type.as_str()));
    c.text(d.a.contract_month.map(|m| m.to_string()).as_deref());
    c.text(Some(d.a.asset_class.as_str()));
    for v in [
        &d.a.iso,
        &d.a.location,
        &d.a.market,
        &d.a.product,
        &d.a.block,
    ] {
        c.text(v.as_deref());
    }
    c.text(Some(&d.a.asof_date.to_string()));
    c.text(Some(&d.b.asof_date.to_string()));
    for v in [d.a.mid, d.b.mid, d.diff_abs, d.diff_pct] {
        c.number(v);
    }
    c.end_row();
}
