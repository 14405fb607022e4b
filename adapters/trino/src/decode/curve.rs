//! Curve observations straight from a page's JSON. The columns are checked once per query
//! (names in [`CURVE_COLUMNS`] order, types a curve table can have); then each row's cells are
//! converted in place: dates and timestamps by hand-written parsers, enums from their canonical
//! text, and repeated strings shared through an interner that first compares with the previous
//! row's value of the same column (consecutive rows mostly repeat them) and is cleared when it
//! grows large, so an export's memory does not grow with its rows.

use std::collections::HashSet;
use std::sync::Arc;

use aurum_ports::curve::UnknownVariant;
use aurum_ports::{CurveKey, CurveObservation, DiffPair, RowOrigin};
use chrono::{DateTime, NaiveDate, Utc};

use super::cells::{Cell, Scanner};
use super::{BoxError, RowDecoder};
use crate::client::Column;
use crate::types::{
    TrinoType, parse_date, parse_special_float, parse_timestamp, parse_timestamp_tz,
};

/// The columns of the curve table, in the order every curve query selects them (the
/// PostgreSQL adapter's `curve_observation`, without its generated sort columns).
pub const CURVE_COLUMNS: [&str; 26] = [
    "asof_date",
    "source_file",
    "sheet_name",
    "asset_class",
    "region",
    "iso",
    "location",
    "market",
    "product",
    "block",
    "spark_location",
    "price_type",
    "units_raw",
    "currency",
    "per_unit",
    "tenor_type",
    "contract_month",
    "tenor_label",
    "value",
    "bid",
    "ask",
    "mid",
    "curve_key",
    "version_hash",
    "ingest_ts",
    "origin",
];

/// Distinct strings kept by the interner before it starts over.
const INTERNER_CAP: usize = 65_536;

/// What a column holds, and so which Trino types it accepts.
#[derive(Clone, Copy)]
enum Kind {
    Text,
    Date,
    Float,
    Instant,
    Integer,
}

const fn kind(column: usize) -> Kind {
    match column {
        0 | 16 => Kind::Date,
        18..=21 => Kind::Float,
        24 => Kind::Instant,
        25 => Kind::Integer,
        _ => Kind::Text,
    }
}

fn accepts(kind: Kind, ty: &TrinoType) -> bool {
    use TrinoType as T;
    match kind {
        Kind::Text => matches!(ty, T::Varchar(_) | T::Char(_)),
        Kind::Date => matches!(ty, T::Date),
        Kind::Float => matches!(ty, T::Double | T::Real | T::Decimal { .. }),
        Kind::Instant => matches!(ty, T::TimestampTz(_) | T::Timestamp(_)),
        Kind::Integer => matches!(ty, T::TinyInt | T::SmallInt | T::Integer | T::BigInt),
    }
}

/// A cell that no observation can hold.
fn bad(column: usize, cell: &Cell<'_>, reason: &str) -> String {
    let name = CURVE_COLUMNS.get(column % 26).copied().unwrap_or("?");
    format!("curve column {name}: {} {reason}", cell.describe())
}

/// The shared state of the curve decoders.
#[derive(Default)]
struct Decoder {
    /// Validated column layout: per column, whether it is `char(n)` (space-padded).
    padded: Option<Vec<bool>>,
    strings: HashSet<Arc<str>>,
    last: Vec<Option<Arc<str>>>,
    /// The last date text per column (`asof_date` and `contract_month` repeat across rows).
    last_dates: [Repeat<NaiveDate>; 4],
    /// The last `ingest_ts` text per side (one ingestion stamps many rows alike).
    last_instants: [Repeat<DateTime<Utc>>; 2],
}

/// A parsed value with the text it came from, to skip parsing a repeated text.
struct Repeat<T> {
    text: String,
    value: Option<T>,
}

impl<T> Default for Repeat<T> {
    fn default() -> Self {
        Self {
            text: String::new(),
            value: None,
        }
    }
}

impl<T: Copy> Repeat<T> {
    fn get(
        &mut self,
        text: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<T, String> {
        if let Some(value) = self.value
            && self.text == text
        {
            return Ok(value);
        }
        let value = parse(text)?;
        self.text.clear();
        self.text.push_str(text);
        self.value = Some(value);
        Ok(value)
    }
}

impl Decoder {
    fn check(&mut self, columns: &[Column], sides: usize) -> Result<(), BoxError> {
        if self.padded.is_some() {
            return Ok(());
        }
        if columns.len() != 26 * sides {
            return Err(format!(
                "expected {} curve columns, Trino sent {}",
                26 * sides,
                columns.len()
            )
            .into());
        }
        for (i, c) in columns.iter().enumerate() {
            let want = CURVE_COLUMNS[i % 26];
            if !c.name.eq_ignore_ascii_case(want) || !accepts(kind(i % 26), &c.ty) {
                return Err(format!(
                    "curve column {i} is {} {}, expected {want} of a curve type",
                    c.name, c.ty
                )
                .into());
            }
        }
        self.padded = Some(
            columns
                .iter()
                .map(|c| matches!(c.ty, TrinoType::Char(_)))
                .collect(),
        );
        self.last = vec![None; columns.len()];
        Ok(())
    }

    fn intern(&mut self, column: usize, s: &str) -> Arc<str> {
        if let Some(Some(last)) = self.last.get(column)
            && **last == *s
        {
            return Arc::clone(last);
        }
        let shared = if let Some(shared) = self.strings.get(s) {
            Arc::clone(shared)
        } else {
            if self.strings.len() >= INTERNER_CAP {
                self.strings.clear();
            }
            let shared: Arc<str> = Arc::from(s);
            self.strings.insert(Arc::clone(&shared));
            shared
        };
        if let Some(slot) = self.last.get_mut(column) {
            *slot = Some(Arc::clone(&shared));
        }
        shared
    }

    fn opt_text(&mut self, cells: &[Cell<'_>], i: usize) -> Result<Option<Arc<str>>, String> {
        match &cells[i] {
            Cell::Null => Ok(None),
            Cell::Str(s) => {
                let padded = self
                    .padded
                    .as_ref()
                    .is_some_and(|p| p.get(i) == Some(&true));
                let s = if padded { s.trim_end_matches(' ') } else { s };
                Ok(Some(self.intern(i, s)))
            }
            other => Err(bad(i, other, "is not a string")),
        }
    }

    fn text(&mut self, cells: &[Cell<'_>], i: usize) -> Result<Arc<str>, String> {
        self.opt_text(cells, i)?
            .ok_or_else(|| bad(i, &Cell::Null, "must not be null"))
    }

    /// A date column (`asof_date` or `contract_month` of side `at / 26`).
    fn date(&mut self, cells: &[Cell<'_>], i: usize) -> Result<Option<NaiveDate>, String> {
        let slot = (i / 26) * 2 + usize::from(!i.is_multiple_of(26));
        match &cells[i] {
            Cell::Null => Ok(None),
            Cell::Str(s) => self.last_dates[slot % 4]
                .get(s, |s| {
                    parse_date(s).ok_or_else(|| bad(i, &cells[i], "is not YYYY-MM-DD"))
                })
                .map(Some),
            other => Err(bad(i, other, "is not a date")),
        }
    }

    /// The `ingest_ts` column of side `i / 26`.
    fn instant(&mut self, cells: &[Cell<'_>], i: usize) -> Result<DateTime<Utc>, String> {
        let Cell::Str(s) = &cells[i] else {
            return Err(bad(i, &cells[i], "is not a timestamp"));
        };
        self.last_instants[(i / 26) % 2].get(s, |s| {
            parse_instant(s).ok_or_else(|| bad(i, &cells[i], "is not a timestamp"))
        })
    }

    /// The observation in the 26 cells starting at `at`.
    fn observation(&mut self, cells: &[Cell<'_>], at: usize) -> Result<CurveObservation, String> {
        Ok(CurveObservation {
            asof_date: self
                .date(cells, at)?
                .ok_or_else(|| bad(at, &Cell::Null, "must not be null"))?,
            source_file: self.text(cells, at + 1)?,
            sheet_name: self.text(cells, at + 2)?,
            asset_class: variant(cells, at + 3)?,
            region: self.opt_text(cells, at + 4)?,
            iso: self.opt_text(cells, at + 5)?,
            location: self.opt_text(cells, at + 6)?,
            market: self.opt_text(cells, at + 7)?,
            product: self.opt_text(cells, at + 8)?,
            block: self.opt_text(cells, at + 9)?,
            spark_location: self.opt_text(cells, at + 10)?,
            price_type: variant(cells, at + 11)?,
            units_raw: self.text(cells, at + 12)?,
            currency: self.opt_text(cells, at + 13)?,
            per_unit: self.opt_text(cells, at + 14)?,
            tenor_type: variant(cells, at + 15)?,
            contract_month: self.date(cells, at + 16)?,
            tenor_label: self.text(cells, at + 17)?,
            value: float(cells, at + 18)?,
            bid: float(cells, at + 19)?,
            ask: float(cells, at + 20)?,
            mid: float(cells, at + 21)?,
            curve_key: CurveKey::from_shared(self.text(cells, at + 22)?),
            version_hash: self.text(cells, at + 23)?,
            ingest_ts: self.instant(cells, at + 24)?,
            origin: origin(cells, at + 25)?,
        })
    }
}

/// A timestamp's instant: `timestamp(p) with time zone` ends with a zone; a plain
/// `timestamp(p)` is read as UTC.
fn parse_instant(s: &str) -> Option<DateTime<Utc>> {
    if let Some(naive) = s.strip_suffix(" UTC").and_then(parse_timestamp) {
        return Some(naive.and_utc());
    }
    if let Ok((instant, _)) = parse_timestamp_tz(s) {
        return Some(instant);
    }
    parse_timestamp(s).map(|n| n.and_utc())
}

fn float(cells: &[Cell<'_>], i: usize) -> Result<Option<f64>, String> {
    match &cells[i] {
        Cell::Null => Ok(None),
        // The standard library's parser is correctly rounded: the double Trino printed.
        Cell::Num(n) => n
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .map(Some)
            .ok_or_else(|| bad(i, &cells[i], "is not a number")),
        // NaN/±Infinity (double) or a decimal's digits.
        Cell::Str(s) => parse_special_float(s)
            .or_else(|| s.parse::<f64>().ok().filter(|x| x.is_finite()))
            .map(Some)
            .ok_or_else(|| bad(i, &cells[i], "is not a number")),
        other => Err(bad(i, other, "is not a number")),
    }
}

fn origin(cells: &[Cell<'_>], i: usize) -> Result<RowOrigin, String> {
    match &cells[i] {
        Cell::Num("0") => Ok(RowOrigin::Ingested),
        Cell::Num("1") => Ok(RowOrigin::Derived),
        other => Err(bad(i, other, "is neither 0 (ingested) nor 1 (derived)")),
    }
}

fn variant<T: std::str::FromStr<Err = UnknownVariant>>(
    cells: &[Cell<'_>],
    i: usize,
) -> Result<T, String> {
    match &cells[i] {
        Cell::Str(s) => s
            .parse()
            .map_err(|e: UnknownVariant| bad(i, &cells[i], &e.to_string())),
        other => Err(bad(i, other, "is not a string")),
    }
}

/// Decodes rows of the 26 [`CURVE_COLUMNS`] into observations.
#[derive(Default)]
pub struct CurveRows {
    decoder: Decoder,
}

impl CurveRows {
    /// A decoder for one query.
    pub fn new() -> Self {
        Self::default()
    }
}

impl RowDecoder for CurveRows {
    type Row = CurveObservation;

    fn decode(
        &mut self,
        columns: &[Column],
        data: &mut Scanner<'_>,
        out: &mut Vec<CurveObservation>,
    ) -> Result<(), BoxError> {
        self.decoder.check(columns, 1)?;
        let decoder = &mut self.decoder;
        data.rows(26, |cells| {
            if cells.len() != 26 {
                return Err(format!("a row has {} values for 26 columns", cells.len()));
            }
            out.push(decoder.observation(cells, 0)?);
            Ok(())
        })?;
        Ok(())
    }
}

/// Decodes rows of twice the [`CURVE_COLUMNS`] (side `a`, then side `b`) into diff pairs.
#[derive(Default)]
pub struct CurvePairs {
    decoder: Decoder,
}

impl CurvePairs {
    /// A decoder for one query.
    pub fn new() -> Self {
        Self::default()
    }
}

impl RowDecoder for CurvePairs {
    type Row = DiffPair;

    fn decode(
        &mut self,
        columns: &[Column],
        data: &mut Scanner<'_>,
        out: &mut Vec<DiffPair>,
    ) -> Result<(), BoxError> {
        self.decoder.check(columns, 2)?;
        let decoder = &mut self.decoder;
        data.rows(52, |cells| {
            if cells.len() != 52 {
                return Err(format!("a row has {} values for 52 columns", cells.len()));
            }
            let a = decoder.observation(cells, 0)?;
            let b = decoder.observation(cells, 26)?;
            out.push(DiffPair { a, b });
            Ok(())
        })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use aurum_ports::{AssetClass, PriceType, TenorType};

    use super::*;

    fn columns(ts: &str, origin: &str) -> Vec<Column> {
        CURVE_COLUMNS
            .iter()
            .enumerate()
            .map(|(i, name)| Column {
                name: (*name).to_owned(),
                ty: TrinoType::parse(match kind(i) {
                    Kind::Text => "varchar",
                    Kind::Date => "date",
                    Kind::Float => "double",
                    Kind::Instant => ts,
                    Kind::Integer => origin,
                }),
            })
            .collect()
    }

    const ROW: &str = r#"["2025-01-06","pjm.xlsx","Sheet1","power","US","PJM","WESTERN HUB","DA","energy","ON_PEAK",null,"MID","$/MWh","USD","MWh","MONTHLY","2025-02-01","2025-02",52.5,"NaN",-1,52.5,"PJM-WH-DA-ON","0a","2025-01-06 08:00:01.250000 Europe/Berlin",1]"#;

    #[test]
    fn a_curve_row_decodes_every_column() {
        let mut out = Vec::new();
        CurveRows::new()
            .decode(
                &columns("timestamp(6) with time zone", "smallint"),
                &mut Scanner::new(&format!("[{ROW}]")),
                &mut out,
            )
            .unwrap();
        let r = &out[0];
        assert_eq!(r.asof_date, NaiveDate::from_ymd_opt(2025, 1, 6).unwrap());
        assert_eq!(
            (r.asset_class, r.price_type, r.tenor_type),
            (AssetClass::Power, PriceType::Mid, TenorType::Monthly)
        );
        assert_eq!(r.spark_location, None);
        assert_eq!(r.contract_month, NaiveDate::from_ymd_opt(2025, 2, 1));
        assert_eq!(
            (r.value, r.ask, r.mid),
            (Some(52.5), Some(-1.0), Some(52.5))
        );
        assert!(r.bid.unwrap().is_nan());
        assert_eq!(
            r.ingest_ts,
            DateTime::parse_from_rfc3339("2025-01-06T07:00:01.25Z").unwrap()
        );
        assert_eq!(r.origin, RowOrigin::Derived);
        assert_eq!(r.curve_key.as_str(), "PJM-WH-DA-ON");
    }

    #[test]
    fn repeated_strings_share_one_allocation() {
        let mut out = Vec::new();
        CurveRows::new()
            .decode(
                &columns("timestamp(3) with time zone", "integer"),
                &mut Scanner::new(&format!("[{ROW},{ROW}]")),
                &mut out,
            )
            .unwrap();
        assert!(Arc::ptr_eq(
            out[0].curve_key.shared(),
            out[1].curve_key.shared()
        ));
        assert!(Arc::ptr_eq(&out[0].source_file, &out[1].source_file));
    }

    #[test]
    fn diff_pairs_decode_both_sides() {
        let mut cols = columns("timestamp(6)", "bigint");
        cols.extend(columns("timestamp(6)", "bigint"));
        let row = ROW.replace(" Europe/Berlin", "").replace("\"NaN\"", "1.5");
        let pair = format!(
            "{},{}",
            row.trim_end_matches(']'),
            row.trim_start_matches('[')
        );
        let mut out = Vec::new();
        CurvePairs::new()
            .decode(&cols, &mut Scanner::new(&format!("[{pair}]")), &mut out)
            .unwrap();
        assert_eq!(out[0].a, out[0].b);
        assert_eq!(
            out[0].a.ingest_ts,
            DateTime::parse_from_rfc3339("2025-01-06T08:00:01.25Z").unwrap()
        );
    }

    #[test]
    fn wrong_columns_or_values_are_errors_not_panics() {
        let good = columns("timestamp(6) with time zone", "smallint");
        let mut renamed = good.clone();
        renamed[3].name = "class".to_owned();
        let mut retyped = good.clone();
        retyped[0].ty = TrinoType::Varchar(None);
        for cols in [&good[..25], &renamed[..], &retyped[..]] {
            assert!(
                CurveRows::new()
                    .decode(
                        cols,
                        &mut Scanner::new(&format!("[{ROW}]")),
                        &mut Vec::new()
                    )
                    .is_err()
            );
        }
        for (from, to) in [
            ("\"power\"", "\"plasma\""),
            ("\"2025-01-06\"", "null"),
            ("\"pjm.xlsx\"", "7"),
            (",1]", ",2]"),
            ("52.5,\"NaN\"", "52.5,\"lots\""),
            ("08:00:01.250000 Europe/Berlin", "8 o'clock"),
        ] {
            let row = ROW.replacen(from, to, 1);
            assert!(
                CurveRows::new()
                    .decode(
                        &good,
                        &mut Scanner::new(&format!("[{row}]")),
                        &mut Vec::new()
                    )
                    .is_err(),
                "{to}"
            );
        }
        assert!(
            CurveRows::new()
                .decode(&good, &mut Scanner::new("[[1,2]]"), &mut Vec::new())
                .is_err()
        );
    }

    #[test]
    fn char_columns_lose_their_padding_and_decimals_read_as_numbers() {
        let mut cols = columns("timestamp(6) with time zone", "tinyint");
        cols[5].ty = TrinoType::Char(5);
        cols[18].ty = TrinoType::Decimal {
            precision: 10,
            scale: 4,
        };
        let row = ROW
            .replacen("\"PJM\"", "\"PJM  \"", 1)
            .replacen("52.5,", "\"52.5000\",", 1);
        let mut out = Vec::new();
        CurveRows::new()
            .decode(&cols, &mut Scanner::new(&format!("[{row}]")), &mut out)
            .unwrap();
        assert_eq!(out[0].iso.as_deref(), Some("PJM"));
        assert_eq!(out[0].value, Some(52.5));
    }
}
