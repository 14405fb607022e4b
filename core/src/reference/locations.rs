//! ISO nodes (locations): the hubs, zones and nodes of each ISO with their zone, hub and time
//! zone. The project ships `core/data/iso_nodes.csv`; lookups ignore case.

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

const EMBEDDED: &str = include_str!("../../data/iso_nodes.csv");

/// One location of one ISO.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// ISO (`PJM`).
    pub iso: String,
    /// Identifier within the ISO (`AECO`, `51290`, `TH_SP15`).
    pub location_id: String,
    /// Display name (`AECO Zone`).
    pub location_name: String,
    /// `ZONE`, `HUB`, `NODE`, `INTERFACE`, `AGGREGATE`, `SYSTEM`, …
    pub location_type: String,
    /// Zone, when the file gives one.
    pub zone: Option<String>,
    /// Hub, when the file gives one.
    pub hub: Option<String>,
    /// IANA time zone (`America/New_York`), checked on load.
    pub timezone: String,
}

/// The locations file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("locations line {line}: {message}")]
pub struct LocationsError {
    /// 1-based line of the problem.
    pub line: u64,
    /// What is wrong.
    pub message: String,
}

/// All locations, sorted by ISO then location id (case-insensitively).
#[derive(Debug, Clone, Default)]
pub struct Locations {
    all: Vec<Location>,
}

impl Locations {
    /// The locations shipped with the project.
    ///
    /// # Errors
    /// [`LocationsError`] if the embedded file is malformed (a build defect, caught by tests).
    pub fn embedded() -> Result<Self, LocationsError> {
        Self::from_csv(EMBEDDED)
    }

    /// Reads `iso,location_id,location_name,location_type,zone,hub,timezone` with a header
    /// row (empty zone or hub cells are absent).
    ///
    /// # Errors
    /// [`LocationsError`] for a malformed row, an empty iso or id, an unknown time zone or an
    /// (iso, id) pair repeated regardless of case.
    pub fn from_csv(text: &str) -> Result<Self, LocationsError> {
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| LocationsError {
                line: 1,
                message: e.to_string(),
            })?
            .clone();
        let mut all: Vec<Location> = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| LocationsError {
                line: e.position().map_or(0, csv::Position::line),
                message: e.to_string(),
            })?;
            let line = record.position().map_or(0, csv::Position::line);
            let invalid = |message: String| LocationsError { line, message };
            let location: Location = record
                .deserialize(Some(&headers))
                .map_err(|e| invalid(e.to_string()))?;
            if location.iso.is_empty() || location.location_id.is_empty() {
                return Err(invalid("empty iso or location_id".to_owned()));
            }
            if location.timezone.parse::<Tz>().is_err() {
                return Err(invalid(format!("unknown time zone {}", location.timezone)));
            }
            all.push(location);
        }
        all.sort_by_cached_key(sort_key);
        if let Some(pair) = all.windows(2).find(|w| sort_key(&w[0]) == sort_key(&w[1])) {
            return Err(LocationsError {
                line: 0,
                message: format!("{} {} repeated", pair[1].iso, pair[1].location_id),
            });
        }
        Ok(Self { all })
    }

    /// Locations of `iso` (ignoring case; all ISOs when `None`) whose id or name starts with
    /// `prefix` (ignoring case; all when `None` or empty), sorted by ISO then id.
    pub fn list(&self, iso: Option<&str>, prefix: Option<&str>) -> Vec<&Location> {
        let iso = iso.map(str::trim);
        let prefix = prefix.map(|p| p.trim().to_lowercase());
        self.all
            .iter()
            .filter(|l| iso.is_none_or(|i| l.iso.eq_ignore_ascii_case(i)))
            .filter(|l| {
                prefix.as_deref().is_none_or(|p| {
                    l.location_id.to_lowercase().starts_with(p)
                        || l.location_name.to_lowercase().starts_with(p)
                })
            })
            .collect()
    }

    /// The location `location_id` of `iso`, both ignoring ASCII case.
    pub fn get(&self, iso: &str, location_id: &str) -> Option<&Location> {
        let (iso, id) = (iso.trim(), location_id.trim());
        self.all
            .iter()
            .find(|l| l.iso.eq_ignore_ascii_case(iso) && l.location_id.eq_ignore_ascii_case(id))
    }

    /// Distinct ISOs, sorted.
    pub fn isos(&self) -> Vec<&str> {
        let mut isos: Vec<&str> = self.all.iter().map(|l| l.iso.as_str()).collect();
        isos.dedup();
        isos
    }

    /// Number of locations.
    pub fn len(&self) -> usize {
        self.all.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.all.is_empty()
    }
}

fn sort_key(l: &Location) -> (String, String) {
    (
        l.iso.to_ascii_uppercase(),
        l.location_id.to_ascii_uppercase(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(list: &[&Location]) -> Vec<String> {
        list.iter().map(|l| l.location_id.clone()).collect()
    }

    #[test]
    fn embedded_locations_load_with_valid_time_zones() {
        let locations = Locations::embedded().unwrap();
        assert_eq!(locations.len(), 32);
        assert_eq!(
            locations.isos(),
            [
                "AESO", "CAISO", "ERCOT", "ISONE", "MISO", "NYISO", "PJM", "SPP"
            ]
        );
    }

    #[test]
    fn list_filters_by_iso_ignoring_case() {
        let locations = Locations::embedded().unwrap();
        let ercot = locations.list(Some("ercot"), None);
        assert_eq!(ids(&ercot), ["HB_BUSAVG", "HB_HOUSTON", "HB_NORTH"]);
        assert_eq!(locations.list(None, None).len(), 32);
        assert!(locations.list(Some("NOPE"), None).is_empty());
    }

    #[test]
    fn list_prefix_matches_id_or_name_ignoring_case() {
        let locations = Locations::embedded().unwrap();
        // ids TH_SP15, TH_NP15, TH_ZP26; no name starts with "th".
        assert_eq!(
            ids(&locations.list(Some("CAISO"), Some("th_"))),
            ["TH_NP15", "TH_SP15", "TH_ZP26"]
        );
        // "AECO Zone" by id, "AECO 230KV" (id 51290) by name.
        assert_eq!(
            ids(&locations.list(Some("PJM"), Some("aeco"))),
            ["51290", "AECO"]
        );
        // across ISOs: SEMA, TH_SP15 by its name "SP15 Trading Hub", and four SPP rows.
        assert_eq!(locations.list(None, Some("s")).len(), 6);
    }

    #[test]
    fn get_finds_a_location_and_none_for_an_unknown_one() {
        let locations = Locations::embedded().unwrap();
        let hub = locations.get("caiso", "caiso_system").unwrap();
        assert_eq!(hub.location_name, "CAISO System");
        assert_eq!(hub.zone, None);
        assert_eq!(hub.hub.as_deref(), Some("CAISO"));
        assert_eq!(hub.timezone, "America/Los_Angeles");
        assert!(locations.get("PJM", "NOWHERE").is_none());
        assert!(locations.get("ERCOT", "AECO").is_none());
    }

    #[test]
    fn from_csv_rejects_bad_time_zones_and_repeats() {
        let head = "iso,location_id,location_name,location_type,zone,hub,timezone\n";
        let err = Locations::from_csv(&format!("{head}PJM,A,A,ZONE,,,Mars/Base\n")).unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("Mars/Base"));
        let twice = format!("{head}PJM,A,A,ZONE,,,UTC\npjm,a,B,ZONE,,,UTC\n");
        assert!(
            Locations::from_csv(&twice)
                .unwrap_err()
                .message
                .contains("repeated")
        );
    }
}
