//! Binary `COPY` of one batch, into a staging table or straight into `curve_observation`:
//! rows are encoded from the borrowed batch into the driver's send buffer (flushed every few
//! KiB), so nothing of a batch outlives the call.

use std::borrow::Cow;
use std::pin::pin;

use aurum_ports::{CurveObservation, QuarantinedRow, RowOrigin};
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{Client, Error, Statement};

/// Column types of [`super::sql::COPY_ROWS`] in its order; [`super::sql::COPY_DIRECT`] has
/// the same columns without the last (`seq`).
const OBSERVATION_TYPES: [Type; 27] = [
    Type::TEXT,        // curve_key
    Type::TEXT,        // tenor_label
    Type::DATE,        // asof_date
    Type::DATE,        // contract_month
    Type::TEXT,        // asset_class
    Type::TEXT,        // region
    Type::TEXT,        // iso
    Type::TEXT,        // location
    Type::TEXT,        // market
    Type::TEXT,        // product
    Type::TEXT,        // block
    Type::TEXT,        // spark_location
    Type::TEXT,        // price_type
    Type::TEXT,        // tenor_type
    Type::TEXT,        // units_raw
    Type::TEXT,        // currency
    Type::TEXT,        // per_unit
    Type::FLOAT8,      // value
    Type::FLOAT8,      // bid
    Type::FLOAT8,      // ask
    Type::FLOAT8,      // mid
    Type::TEXT,        // source_file
    Type::TEXT,        // sheet_name
    Type::TEXT,        // version_hash
    Type::TIMESTAMPTZ, // ingest_ts
    Type::INT2,        // origin
    Type::INT8,        // seq
];

/// Column types of [`super::sql::COPY_QUARANTINE`], in its order.
const QUARANTINE_TYPES: [Type; 5] = [Type::TEXT, Type::INT8, Type::TEXT, Type::TEXT, Type::INT8];

/// The stored code of an origin (`curve_observation.origin`).
fn origin_code(origin: RowOrigin) -> i16 {
    match origin {
        RowOrigin::Ingested => 0,
        RowOrigin::Derived => 1,
    }
}

/// Copies `rows` with `statement`: with `seq` numbered from `first_seq` up when it is `Some`
/// (staging), without it when it is `None` (`curve_observation`). Returns the next unused
/// `seq`.
pub(super) async fn observations(
    client: &Client,
    statement: &Statement,
    rows: &[CurveObservation],
    first_seq: Option<i64>,
) -> Result<i64, Error> {
    let columns = if first_seq.is_some() { 27 } else { 26 };
    let sink = client.copy_in(statement).await?;
    let mut writer = pin!(BinaryCopyInWriter::new(sink, &OBSERVATION_TYPES[..columns]));
    let mut seq = first_seq.unwrap_or(0);
    for o in rows {
        let (key, label, asset_class) = (
            o.curve_key.as_str(),
            &*o.tenor_label,
            o.asset_class.as_str(),
        );
        let (region, iso, location) =
            (o.region.as_deref(), o.iso.as_deref(), o.location.as_deref());
        let (market, product, block) = (
            o.market.as_deref(),
            o.product.as_deref(),
            o.block.as_deref(),
        );
        let spark = o.spark_location.as_deref();
        let (price_type, tenor_type) = (o.price_type.as_str(), o.tenor_type.as_str());
        let (units, currency, per_unit) =
            (&*o.units_raw, o.currency.as_deref(), o.per_unit.as_deref());
        let (file, sheet, hash) = (&*o.source_file, &*o.sheet_name, &*o.version_hash);
        let origin = origin_code(o.origin);
        let values: [&(dyn ToSql + Sync); 27] = [
            &key,
            &label,
            &o.asof_date,
            &o.contract_month,
            &asset_class,
            &region,
            &iso,
            &location,
            &market,
            &product,
            &block,
            &spark,
            &price_type,
            &tenor_type,
            &units,
            &currency,
            &per_unit,
            &o.value,
            &o.bid,
            &o.ask,
            &o.mid,
            &file,
            &sheet,
            &hash,
            &o.ingest_ts,
            &origin,
            &seq,
        ];
        writer.as_mut().write(&values[..columns]).await?;
        seq += 1;
    }
    writer.as_mut().finish().await?;
    Ok(seq)
}

/// Copies quarantined records into their staging table with `seq` from `first_seq` up;
/// returns the next unused `seq`.
pub(super) async fn quarantined(
    client: &Client,
    statement: &Statement,
    rows: &[QuarantinedRow],
    first_seq: i64,
) -> Result<i64, Error> {
    let sink = client.copy_in(statement).await?;
    let mut writer = pin!(BinaryCopyInWriter::new(sink, &QUARANTINE_TYPES));
    let mut seq = first_seq;
    for q in rows {
        let (file, reason, raw) = (text(&q.file), text(&q.reason), text(&q.raw));
        let line = i64::try_from(q.line).unwrap_or(i64::MAX);
        let values: [&(dyn ToSql + Sync); 5] = [&file, &line, &reason, &raw, &seq];
        writer.as_mut().write(&values).await?;
        seq += 1;
    }
    writer.as_mut().finish().await?;
    Ok(seq)
}

/// `raw` as PostgreSQL text, which cannot hold NUL: a quarantined record is arbitrary input,
/// so a NUL becomes U+FFFD instead of failing the whole ingestion.
fn text(raw: &str) -> Cow<'_, str> {
    if raw.contains('\0') {
        Cow::Owned(raw.replace('\0', "\u{FFFD}"))
    } else {
        Cow::Borrowed(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarantined_text_loses_only_its_nul_characters() {
        assert!(matches!(text("a,b"), Cow::Borrowed("a,b")));
        assert_eq!(text("a\0b"), "a\u{FFFD}b");
    }

    #[test]
    fn origin_codes_match_the_schema() {
        assert_eq!(origin_code(RowOrigin::Ingested), 0);
        assert_eq!(origin_code(RowOrigin::Derived), 1);
    }
}
