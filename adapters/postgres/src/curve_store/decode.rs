//! Rows back into observations: every column read with `try_get` (a type mismatch is an error,
//! never a panic), enums parsed from their canonical text, repeated strings shared through a
//! small per-query interner.

use std::collections::HashSet;
use std::str::FromStr;
use std::sync::Arc;

use aurum_ports::{CurveKey, CurveObservation, RowOrigin, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use tokio_postgres::Row;

use crate::error::from_pg;

/// A stored value that no observation can hold.
#[derive(Debug, thiserror::Error)]
#[error("curve_observation holds an invalid {column}: {detail}")]
struct BadStoredValue {
    column: &'static str,
    detail: String,
}

/// The storage code of an origin (`smallint`).
pub(super) fn origin_code(origin: RowOrigin) -> i16 {
    match origin {
        RowOrigin::Ingested => 0,
        RowOrigin::Derived => 1,
    }
}

/// The origin of a storage code.
pub(super) fn origin_from_code(code: i16) -> Result<RowOrigin, StoreError> {
    match code {
        0 => Ok(RowOrigin::Ingested),
        1 => Ok(RowOrigin::Derived),
        other => Err(bad("origin", format!("{other} is neither 0 nor 1"))),
    }
}

/// [`StoreError::Unexpected`] for a stored value that no answer can hold.
pub(super) fn bad(column: &'static str, detail: String) -> StoreError {
    StoreError::Unexpected(Box::new(BadStoredValue { column, detail }))
}

/// Decodes rows whose columns start at some offset in [`super::sql::COLUMNS`] order.
#[derive(Default)]
pub(super) struct Decoder {
    strings: HashSet<Arc<str>>,
}

impl Decoder {
    pub(super) fn new() -> Self {
        Self::default()
    }

    fn intern(&mut self, s: &str) -> Arc<str> {
        if let Some(shared) = self.strings.get(s) {
            return Arc::clone(shared);
        }
        let shared: Arc<str> = Arc::from(s);
        self.strings.insert(Arc::clone(&shared));
        shared
    }

    fn text(&mut self, row: &Row, i: usize) -> Result<Arc<str>, StoreError> {
        let s: &str = row.try_get(i).map_err(from_pg)?;
        Ok(self.intern(s))
    }

    fn opt_text(&mut self, row: &Row, i: usize) -> Result<Option<Arc<str>>, StoreError> {
        let s: Option<&str> = row.try_get(i).map_err(from_pg)?;
        Ok(s.map(|s| self.intern(s)))
    }

    /// The observation in the 26 columns starting at `at`.
    pub(super) fn observation(
        &mut self,
        row: &Row,
        at: usize,
    ) -> Result<CurveObservation, StoreError> {
        let date = |i: usize| row.try_get::<_, NaiveDate>(at + i).map_err(from_pg);
        let opt_date = |i: usize| row.try_get::<_, Option<NaiveDate>>(at + i).map_err(from_pg);
        let float = |i: usize| row.try_get::<_, Option<f64>>(at + i).map_err(from_pg);
        Ok(CurveObservation {
            asof_date: date(0)?,
            source_file: self.text(row, at + 1)?,
            sheet_name: self.text(row, at + 2)?,
            asset_class: parse(row, at + 3, "asset_class")?,
            region: self.opt_text(row, at + 4)?,
            iso: self.opt_text(row, at + 5)?,
            location: self.opt_text(row, at + 6)?,
            market: self.opt_text(row, at + 7)?,
            product: self.opt_text(row, at + 8)?,
            block: self.opt_text(row, at + 9)?,
            spark_location: self.opt_text(row, at + 10)?,
            price_type: parse(row, at + 11, "price_type")?,
            units_raw: self.text(row, at + 12)?,
            currency: self.opt_text(row, at + 13)?,
            per_unit: self.opt_text(row, at + 14)?,
            tenor_type: parse(row, at + 15, "tenor_type")?,
            contract_month: opt_date(16)?,
            tenor_label: self.text(row, at + 17)?,
            value: float(18)?,
            bid: float(19)?,
            ask: float(20)?,
            mid: float(21)?,
            curve_key: CurveKey::from_shared(self.text(row, at + 22)?),
            version_hash: self.text(row, at + 23)?,
            ingest_ts: row.try_get::<_, DateTime<Utc>>(at + 24).map_err(from_pg)?,
            origin: origin_from_code(row.try_get(at + 25).map_err(from_pg)?)?,
        })
    }
}

/// An enum column parsed from its canonical text.
fn parse<T: FromStr<Err = aurum_ports::curve::UnknownVariant>>(
    row: &Row,
    i: usize,
    column: &'static str,
) -> Result<T, StoreError> {
    let raw: &str = row.try_get(i).map_err(from_pg)?;
    raw.parse().map_err(|e| bad(column, format!("{e}")))
}
