//! ISO trading calendars: per calendar an IANA time zone, a holiday list and named blocks
//! (`ON_PEAK`, `OFF_PEAK`, …), each a list of rules "these ISO weekdays (1 = Monday) × these
//! inclusive local hour ranges `HH-HH`". The project ships `core/data/calendars.yml`, which is
//! JSON-compatible YAML and is read with `serde_json`. Expansion into hour starts lives in
//! [`super::hours`].

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::Deserialize;

use super::rules::{Block, InvalidBlockRule, Rule};

const EMBEDDED: &str = include_str!("../../data/calendars.yml");

/// All calendars, looked up by name without regard to case.
#[derive(Debug, Clone, Default)]
pub struct Calendars {
    /// Keyed by the ASCII-lowercased name.
    by_name: BTreeMap<String, Calendar>,
}

/// One ISO's calendar.
#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    /// Name as spelled in the data file (`pjm`).
    pub name: String,
    /// Local time zone of the blocks' hours.
    pub timezone: Tz,
    /// Dates on which every block is empty.
    pub holidays: BTreeSet<NaiveDate>,
    /// Blocks by name as spelled in the data file (`ON_PEAK`).
    pub blocks: BTreeMap<String, Block>,
}

/// The calendars file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("calendars data{}: {message}", in_calendar(.calendar.as_deref()))]
pub struct CalendarDataError {
    /// The calendar at fault, when known.
    pub calendar: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// A calendar lookup or expansion request that cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// No calendar of that name.
    #[error("unknown calendar `{name}`; known calendars: {}", .known.join(", "))]
    UnknownCalendar { name: String, known: Vec<String> },
    /// The calendar has no block of that name.
    #[error("calendar `{calendar}` has no block `{block}`; its blocks: {}", .known.join(", "))]
    UnknownBlock {
        calendar: String,
        block: String,
        known: Vec<String>,
    },
    /// `end` is before `start`.
    #[error("end {end} is before start {start}")]
    EndBeforeStart { start: NaiveDate, end: NaiveDate },
    /// The inclusive range has more days than allowed.
    #[error("a range of {days} days exceeds the limit of {max} days")]
    RangeTooLong { days: i64, max: i64 },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalendar {
    timezone: String,
    #[serde(default)]
    holidays: Vec<NaiveDate>,
    blocks: BTreeMap<String, RawBlock>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBlock {
    rules: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    weekdays: Vec<u8>,
    hours: Vec<String>,
}

impl Calendars {
    /// The calendars shipped with the project.
    ///
    /// # Errors
    /// [`CalendarDataError`] if the embedded file is malformed (a build defect, caught by tests).
    pub fn embedded() -> Result<Self, CalendarDataError> {
        Self::from_json(EMBEDDED)
    }

    /// Reads `{name: {timezone, holidays: [date], blocks: {NAME: {rules: [{weekdays, hours}]}}}}`.
    ///
    /// # Errors
    /// [`CalendarDataError`] for malformed JSON, an unknown time zone, an invalid rule or two
    /// names that differ only in case.
    pub fn from_json(text: &str) -> Result<Self, CalendarDataError> {
        let raw: BTreeMap<String, RawCalendar> =
            serde_json::from_str(text).map_err(|e| data_error(None, e.to_string()))?;
        let mut by_name = BTreeMap::new();
        for (name, raw) in raw {
            let calendar = Calendar::from_raw(&name, raw)?;
            if by_name
                .insert(name.to_ascii_lowercase(), calendar)
                .is_some()
            {
                return Err(data_error(Some(&name), "name repeated".to_owned()));
            }
        }
        Ok(Self { by_name })
    }

    /// Calendar names, sorted (case-insensitively).
    pub fn names(&self) -> Vec<&str> {
        self.by_name.values().map(|c| c.name.as_str()).collect()
    }

    /// All calendars in [`Self::names`] order.
    pub fn iter(&self) -> impl Iterator<Item = &Calendar> {
        self.by_name.values()
    }

    /// The calendar called `name`, ignoring case and surrounding white space.
    ///
    /// # Errors
    /// [`CalendarError::UnknownCalendar`], listing the known names.
    pub fn get(&self, name: &str) -> Result<&Calendar, CalendarError> {
        self.by_name
            .get(&name.trim().to_ascii_lowercase())
            .ok_or_else(|| CalendarError::UnknownCalendar {
                name: name.to_owned(),
                known: self.names().into_iter().map(str::to_owned).collect(),
            })
    }
}

impl Calendar {
    fn from_raw(name: &str, raw: RawCalendar) -> Result<Self, CalendarDataError> {
        let timezone = Tz::from_str(&raw.timezone)
            .map_err(|_| data_error(Some(name), format!("unknown time zone {}", raw.timezone)))?;
        let mut blocks = BTreeMap::new();
        for (block, raw_block) in raw.blocks {
            let rules = raw_block
                .rules
                .iter()
                .map(|r| {
                    let hours = r
                        .hours
                        .iter()
                        .map(|h| h.parse())
                        .collect::<Result<_, _>>()?;
                    Rule::new(&r.weekdays, hours)
                })
                .collect::<Result<Vec<_>, InvalidBlockRule>>()
                .map_err(|e| data_error(Some(name), format!("block {block}: {e}")))?;
            blocks.insert(block, Block::new(rules));
        }
        Ok(Self {
            name: name.to_owned(),
            timezone,
            holidays: raw.holidays.into_iter().collect(),
            blocks,
        })
    }

    /// Block names, sorted.
    pub fn block_names(&self) -> Vec<&str> {
        self.blocks.keys().map(String::as_str).collect()
    }

    /// The block called `name`: the exact spelling first, then ignoring ASCII case.
    ///
    /// # Errors
    /// [`CalendarError::UnknownBlock`], listing this calendar's blocks.
    pub fn block(&self, name: &str) -> Result<&Block, CalendarError> {
        let name = name.trim();
        self.blocks
            .get(name)
            .or_else(|| {
                self.blocks
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, b)| b)
            })
            .ok_or_else(|| CalendarError::UnknownBlock {
                calendar: self.name.clone(),
                block: name.to_owned(),
                known: self.blocks.keys().cloned().collect(),
            })
    }

    /// True when `date` is one of this calendar's holidays.
    pub fn is_holiday(&self, date: NaiveDate) -> bool {
        self.holidays.contains(&date)
    }
}

fn in_calendar(calendar: Option<&str>) -> String {
    calendar.map(|c| format!(" ({c})")).unwrap_or_default()
}

fn data_error(calendar: Option<&str>, message: String) -> CalendarDataError {
    CalendarDataError {
        calendar: calendar.map(str::to_owned),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_calendars_load_with_sorted_names() {
        let calendars = Calendars::embedded().unwrap();
        assert_eq!(
            calendars.names(),
            [
                "caiso", "ercot", "eu_base", "isone", "miso", "nyiso", "pjm", "spp"
            ]
        );
        let pjm = calendars.get(" PJM ").unwrap();
        assert_eq!(pjm.timezone, chrono_tz::America::New_York);
        assert_eq!(pjm.block_names(), ["OFF_PEAK", "ON_PEAK"]);
        assert_eq!(pjm.holidays.len(), 4);
        assert!(pjm.is_holiday(NaiveDate::from_ymd_opt(2024, 12, 25).unwrap()));
    }

    #[test]
    fn unknown_calendar_names_the_calendars_that_exist() {
        let calendars = Calendars::embedded().unwrap();
        let err = calendars.get("xyz").unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown calendar `xyz`; known calendars: \
             caiso, ercot, eu_base, isone, miso, nyiso, pjm, spp"
        );
    }

    #[test]
    fn blocks_serialise_as_in_the_data_file() {
        let calendars = Calendars::embedded().unwrap();
        let block = calendars.get("miso").unwrap().block("ON_PEAK").unwrap();
        assert_eq!(
            serde_json::to_string(block).unwrap(),
            r#"{"rules":[{"weekdays":[1,2,3,4,5],"hours":["08-21"]}]}"#
        );
    }

    #[test]
    fn from_json_reports_bad_zones_rules_and_repeated_names() {
        let cal = |tz: &str, hours: &str| {
            let rule = serde_json::json!({"weekdays": [1], "hours": [hours]});
            let cal = serde_json::json!({"timezone": tz, "blocks": {"B": {"rules": [rule]}}});
            serde_json::json!({ "x": cal }).to_string()
        };
        assert!(Calendars::from_json(&cal("UTC", "00-23")).is_ok());
        let err = Calendars::from_json(&cal("Mars/Base", "00-23")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "calendars data (x): unknown time zone Mars/Base"
        );
        let err = Calendars::from_json(&cal("UTC", "10-09")).unwrap_err();
        assert!(err.message.starts_with("block B: hour range `10-09`"));
        let twice =
            r#"{"a": {"timezone": "UTC", "blocks": {}}, "A": {"timezone": "UTC", "blocks": {}}}"#;
        assert!(Calendars::from_json(twice).is_err());
        assert!(Calendars::from_json("timezone: UTC").is_err());
    }
}
