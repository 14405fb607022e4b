//! Row decoders: what turns one page's `data` (a JSON array of positional rows) into rows.
//! [`ValueRows`] decodes any result generically ([`TrinoValue`]); [`CurveRows`] and
//! [`CurvePairs`] decode curve observations straight from the JSON text (borrowed strings,
//! interned per query, no intermediate `serde_json::Value`), which is the hot path of every
//! curve query (bench `trino_decode`).

mod cells;
mod curve;

use std::error::Error as StdError;

use serde_json::Value;

use crate::client::Column;
use crate::types::TrinoValue;

pub use cells::{RowsError, ScanError, Scanner};
pub use curve::{CURVE_COLUMNS, CurvePairs, CurveRows};

/// A boxed decoding failure (becomes `StoreError::Unexpected`).
pub type BoxError = Box<dyn StdError + Send + Sync>;

/// Decodes the `data` of one page.
pub trait RowDecoder: Send {
    /// One decoded row.
    type Row;

    /// Reads the page's `data` value (an array of arrays in `columns` order) from `data`,
    /// positioned at its start, and appends its rows to `out`. Called once per page that
    /// carries data, with the query's columns, in the middle of the single pass over the page.
    ///
    /// # Errors
    /// When the JSON, the columns or a value do not fit what the decoder expects.
    fn decode(
        &mut self,
        columns: &[Column],
        data: &mut Scanner<'_>,
        out: &mut Vec<Self::Row>,
    ) -> Result<(), BoxError>;
}

/// Decodes every value by its column type into [`TrinoValue`]s.
#[derive(Debug, Default)]
pub struct ValueRows;

impl RowDecoder for ValueRows {
    type Row = Vec<TrinoValue>;

    fn decode(
        &mut self,
        columns: &[Column],
        data: &mut Scanner<'_>,
        out: &mut Vec<Self::Row>,
    ) -> Result<(), BoxError> {
        let rows: Vec<Vec<Value>> = serde_json::from_str(data.skip()?)?;
        for row in rows {
            if row.len() != columns.len() {
                return Err(format!(
                    "a row has {} values for {} columns",
                    row.len(),
                    columns.len()
                )
                .into());
            }
            let decoded = columns
                .iter()
                .zip(&row)
                .map(|(c, v)| TrinoValue::decode(&c.ty, v))
                .collect::<Result<Vec<_>, _>>()?;
            out.push(decoded);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::TrinoType;

    fn col(name: &str, ty: &str) -> Column {
        Column {
            name: name.to_owned(),
            ty: TrinoType::parse(ty),
        }
    }

    #[test]
    fn value_rows_decode_each_column_by_type() {
        let columns = [
            col("n", "bigint"),
            col("d", "decimal(5,2)"),
            col("s", "varchar"),
        ];
        let mut out = Vec::new();
        ValueRows
            .decode(
                &columns,
                &mut Scanner::new(r#"[[1,"1.50","a"],[null,null,null]]"#),
                &mut out,
            )
            .unwrap();
        assert_eq!(
            out,
            [
                vec![
                    TrinoValue::Integer(1),
                    TrinoValue::Decimal("1.50".to_owned()),
                    TrinoValue::Varchar("a".to_owned())
                ],
                vec![TrinoValue::Null, TrinoValue::Null, TrinoValue::Null],
            ]
        );
    }

    #[test]
    fn value_rows_reject_ragged_rows_and_bad_values() {
        let columns = [col("n", "bigint")];
        assert!(
            ValueRows
                .decode(&columns, &mut Scanner::new("[[1,2]]"), &mut Vec::new())
                .is_err()
        );
        assert!(
            ValueRows
                .decode(&columns, &mut Scanner::new(r#"[["x"]]"#), &mut Vec::new())
                .is_err()
        );
        assert!(
            ValueRows
                .decode(&columns, &mut Scanner::new("{}"), &mut Vec::new())
                .is_err()
        );
    }
}
