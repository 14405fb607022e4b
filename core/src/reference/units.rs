//! Listings of the units map ([`crate::curves::UnitsMap`]) for the metadata endpoints: a list
//! of entries and a mapping view `{units_raw → {currency, per_unit}}`, both filtered by a
//! case-insensitive prefix of the units spelling and sorted by it.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::curves::{Units, UnitsMap};

/// One spelling of the units map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitEntry {
    /// The spelling as found in source files (`$/MWh`).
    pub units_raw: String,
    /// ISO currency (`USD`), when the map gives one.
    pub currency: Option<String>,
    /// Quantity unit (`MWh`), when the map gives one.
    pub per_unit: Option<String>,
}

/// Currency and per-unit of one spelling, the value side of [`units_mapping`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitMapping {
    /// ISO currency, when the map gives one.
    pub currency: Option<String>,
    /// Quantity unit, when the map gives one.
    pub per_unit: Option<String>,
}

impl From<&Units> for UnitMapping {
    fn from(units: &Units) -> Self {
        Self {
            currency: units.currency.as_deref().map(str::to_owned),
            per_unit: units.per_unit.as_deref().map(str::to_owned),
        }
    }
}

/// Entries of `map` whose spelling starts with `prefix` (ignoring case; all when `None` or
/// empty), sorted by spelling.
pub fn units_list(map: &UnitsMap, prefix: Option<&str>) -> Vec<UnitEntry> {
    units_mapping(map, prefix)
        .into_iter()
        .map(|(units_raw, m)| UnitEntry {
            units_raw,
            currency: m.currency,
            per_unit: m.per_unit,
        })
        .collect()
}

/// The same selection as [`units_list`] as a map from spelling to currency and per-unit.
pub fn units_mapping(map: &UnitsMap, prefix: Option<&str>) -> BTreeMap<String, UnitMapping> {
    let prefix = prefix.map(|p| p.trim().to_lowercase()).unwrap_or_default();
    map.iter()
        .filter(|(raw, _)| raw.to_lowercase().starts_with(&prefix))
        .map(|(raw, units)| (raw.to_owned(), UnitMapping::from(units)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_list_is_sorted_and_complete_without_a_prefix() {
        let map = UnitsMap::embedded().unwrap();
        let list = units_list(&map, None);
        assert_eq!(list.len(), map.len());
        assert!(list.windows(2).all(|w| w[0].units_raw < w[1].units_raw));
        let mwh = list.iter().find(|e| e.units_raw == "$/MWh").unwrap();
        assert_eq!(mwh.currency.as_deref(), Some("USD"));
        assert_eq!(mwh.per_unit.as_deref(), Some("MWh"));
    }

    #[test]
    fn units_prefix_filters_ignoring_case() {
        let map = UnitsMap::embedded().unwrap();
        let list = units_list(&map, Some("eur"));
        assert!(!list.is_empty());
        assert!(list.iter().all(|e| e.units_raw.starts_with("EUR")));
        assert!(units_list(&map, Some("furlongs")).is_empty());
    }

    #[test]
    fn units_mapping_keys_spellings_to_currency_and_per_unit() {
        let map = UnitsMap::embedded().unwrap();
        let mapping = units_mapping(&map, Some("$/MW"));
        assert_eq!(
            mapping.get("$/MW-day"),
            Some(&UnitMapping {
                currency: Some("USD".to_owned()),
                per_unit: Some("MW-day".to_owned()),
            })
        );
        assert!(mapping.keys().all(|k| k.starts_with("$/MW")));
    }
}
