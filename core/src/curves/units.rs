//! The units map: from the units text of a source file (`$/MWh`) to its currency and per-unit
//! (`USD`, `MWh`). The project ships a copy of the reference file (`core/data/units_map.csv`);
//! lookups try the exact text first, then ignore case and white space.

use std::collections::HashMap;
use std::sync::Arc;

/// Currency and per-unit of one units spelling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Units {
    /// ISO currency (`USD`), when the map gives one.
    pub currency: Option<Arc<str>>,
    /// Quantity unit (`MWh`), when the map gives one.
    pub per_unit: Option<Arc<str>>,
}

/// The units map could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("units map line {line}: {message}")]
pub struct UnitsMapError {
    /// 1-based line of the problem.
    pub line: u64,
    /// What is wrong.
    pub message: String,
}

/// Units spellings to currency and per-unit.
#[derive(Debug, Clone, Default)]
pub struct UnitsMap {
    exact: HashMap<Box<str>, Units>,
    folded: HashMap<String, Units>,
}

const EMBEDDED: &str = include_str!("../../data/units_map.csv");

impl UnitsMap {
    /// The map shipped with the project.
    ///
    /// # Errors
    /// [`UnitsMapError`] if the embedded file is malformed (a build defect, caught by tests).
    pub fn embedded() -> Result<Self, UnitsMapError> {
        Self::from_csv(EMBEDDED)
    }

    /// Reads a `units_raw,currency,per_unit` CSV with a header row (columns in any order;
    /// empty currency or per-unit cells are absent). For spellings that fold to the same
    /// case- and space-insensitive form, the first row wins the fallback lookup.
    ///
    /// # Errors
    /// [`UnitsMapError`] for a missing column, a malformed row or an empty `units_raw`.
    pub fn from_csv(text: &str) -> Result<Self, UnitsMapError> {
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let headers = reader.headers().map_err(|e| error(1, &e))?.clone();
        let column = |name: &str| {
            headers
                .iter()
                .position(|h| h.eq_ignore_ascii_case(name))
                .ok_or_else(|| UnitsMapError {
                    line: 1,
                    message: format!("missing column {name}"),
                })
        };
        let (raw_col, cur_col, unit_col) = (
            column("units_raw")?,
            column("currency")?,
            column("per_unit")?,
        );
        let mut map = Self::default();
        for record in reader.records() {
            let record =
                record.map_err(|e| error(e.position().map_or(0, csv::Position::line), &e))?;
            let line = record.position().map_or(0, csv::Position::line);
            let cell = |i: usize| record.get(i).filter(|s| !s.is_empty()).map(Arc::from);
            let Some(raw) = record.get(raw_col).filter(|s| !s.is_empty()) else {
                return Err(UnitsMapError {
                    line,
                    message: "empty units_raw".to_owned(),
                });
            };
            let units = Units {
                currency: cell(cur_col),
                per_unit: cell(unit_col),
            };
            map.folded.entry(fold(raw)).or_insert_with(|| units.clone());
            map.exact.entry(Box::from(raw)).or_insert(units);
        }
        Ok(map)
    }

    /// Currency and per-unit for `units_raw`: the exact (trimmed) spelling first, then a
    /// case- and white-space-insensitive match.
    pub fn lookup(&self, units_raw: &str) -> Option<&Units> {
        let t = units_raw.trim();
        self.exact.get(t).or_else(|| self.folded.get(&fold(t)))
    }

    /// Number of spellings in the map.
    pub fn len(&self) -> usize {
        self.exact.len()
    }

    /// Every spelling with its units, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Units)> {
        self.exact.iter().map(|(raw, units)| (&**raw, units))
    }

    /// True for an empty map.
    pub fn is_empty(&self) -> bool {
        self.exact.is_empty()
    }
}

/// Lowercase, without white space: the fallback lookup key.
fn fold(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

fn error(line: u64, e: &csv::Error) -> UnitsMapError {
    UnitsMapError {
        line,
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(map: &UnitsMap, raw: &str) -> Option<(String, String)> {
        map.lookup(raw).map(|u| {
            let text = |v: &Option<Arc<str>>| v.as_deref().unwrap_or("-").to_owned();
            (text(&u.currency), text(&u.per_unit))
        })
    }

    fn usd(per_unit: &str) -> (String, String) {
        ("USD".to_owned(), per_unit.to_owned())
    }

    #[test]
    fn embedded_map_resolves_exact_spellings() {
        let map = UnitsMap::embedded().unwrap();
        assert!(map.len() >= 36);
        assert_eq!(pair(&map, "$/MWh"), Some(usd("MWh")));
        assert_eq!(pair(&map, "$/MW-day"), Some(usd("MW-day")));
        assert_eq!(
            pair(&map, "EUR/MWh"),
            Some(("EUR".to_owned(), "MWh".to_owned()))
        );
        assert_eq!(pair(&map, "USD/bbl"), Some(usd("BBL")));
    }

    #[test]
    fn lookup_falls_back_to_case_and_space_insensitive_matching() {
        let map = UnitsMap::embedded().unwrap();
        assert_eq!(pair(&map, " $ / mwh "), Some(usd("MWh")));
        assert_eq!(pair(&map, "usd / mmbtu"), Some(usd("MMBtu")));
        assert_eq!(pair(&map, "$/kw"), Some(usd("kW")));
        assert_eq!(pair(&map, "furlongs/fortnight"), None);
    }

    #[test]
    fn from_csv_accepts_any_column_order_and_blank_cells() {
        let map = UnitsMap::from_csv("per_unit,units_raw,currency\nMWh,x/MWh,\n").unwrap();
        let units = map.lookup("x/MWh").unwrap();
        assert_eq!(units.currency, None);
        assert_eq!(units.per_unit.as_deref(), Some("MWh"));
    }

    #[test]
    fn from_csv_reports_missing_columns_and_empty_spellings() {
        let err = UnitsMap::from_csv("units_raw,currency\n$/MWh,USD\n").unwrap_err();
        assert_eq!(err.to_string(), "units map line 1: missing column per_unit");
        let err = UnitsMap::from_csv("units_raw,currency,per_unit\n$/MWh,USD,MWh\n,USD,MWh\n")
            .unwrap_err();
        assert_eq!(err.line, 3);
    }
}
