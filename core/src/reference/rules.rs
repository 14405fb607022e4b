//! Block rules: a block is the union of rules "these ISO weekdays (1 = Monday) × these
//! inclusive local hour ranges `HH-HH`", as written in `calendars.yml`.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Serialize, Serializer};

/// A named set of local hours per weekday: the union of its rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Block {
    rules: Vec<Rule>,
}

/// ISO weekdays × inclusive hour ranges. Serialises as in the data file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// Sorted, distinct, each 1..=7.
    weekdays: Vec<u8>,
    hours: Vec<HourRange>,
}

/// Inclusive range of local hours of day, `07-22` = the hours starting 07:00 … 22:00.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HourRange {
    first: u8,
    last: u8,
}

/// A rule or hour range that cannot be part of a block.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidBlockRule(String);

impl Block {
    /// A block made of `rules`; overlapping rules are fine (their hours are united).
    pub fn new(rules: Vec<Rule>) -> Self {
        Self { rules }
    }

    /// The rules, in file order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Local hours of day (0..=23, ascending, distinct) the block covers on `weekday`,
    /// holidays not considered.
    pub fn hours_on(&self, weekday: Weekday) -> BTreeSet<u32> {
        let iso = weekday.number_from_monday();
        self.rules
            .iter()
            .filter(|r| r.weekdays.iter().any(|&d| u32::from(d) == iso))
            .flat_map(|r| r.hours.iter())
            .flat_map(|h| u32::from(h.first)..=u32::from(h.last))
            .collect()
    }

    /// Local hours of day covered on the weekday of `date`, holidays not considered.
    pub fn hours_on_date(&self, date: NaiveDate) -> BTreeSet<u32> {
        self.hours_on(date.weekday())
    }
}

impl Rule {
    /// A rule for the ISO `weekdays` (1 = Monday … 7 = Sunday; sorted and de-duplicated here).
    ///
    /// # Errors
    /// [`InvalidBlockRule`] for no weekdays, a weekday outside 1..=7 or no hour ranges.
    pub fn new(weekdays: &[u8], hours: Vec<HourRange>) -> Result<Self, InvalidBlockRule> {
        if let Some(bad) = weekdays.iter().find(|d| !(1..=7).contains(*d)) {
            return Err(InvalidBlockRule(format!("weekday {bad} is not in 1..=7")));
        }
        if weekdays.is_empty() || hours.is_empty() {
            return Err(InvalidBlockRule(
                "a rule needs weekdays and hours".to_owned(),
            ));
        }
        let weekdays = weekdays.iter().copied().collect::<BTreeSet<_>>();
        Ok(Self {
            weekdays: weekdays.into_iter().collect(),
            hours,
        })
    }

    /// ISO weekdays, ascending.
    pub fn weekdays(&self) -> &[u8] {
        &self.weekdays
    }

    /// Hour ranges, in file order.
    pub fn hours(&self) -> &[HourRange] {
        &self.hours
    }
}

impl HourRange {
    /// First hour of day (0..=23).
    pub fn first(self) -> u8 {
        self.first
    }

    /// Last hour of day, inclusive (`first..=23`).
    pub fn last(self) -> u8 {
        self.last
    }
}

impl FromStr for HourRange {
    type Err = InvalidBlockRule;

    /// Parses `HH-HH` (one or two digits each), `first <= last <= 23`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || InvalidBlockRule(format!("hour range `{text}` is not HH-HH within 00-23"));
        let (a, b) = text.trim().split_once('-').ok_or_else(invalid)?;
        let hour = |s: &str| {
            let ok = (1..=2).contains(&s.len()) && s.bytes().all(|c| c.is_ascii_digit());
            ok.then(|| s.parse::<u8>().ok())
                .flatten()
                .filter(|h| *h <= 23)
        };
        match (hour(a), hour(b)) {
            (Some(first), Some(last)) if first <= last => Ok(Self { first, last }),
            _ => Err(invalid()),
        }
    }
}

impl fmt::Display for HourRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}-{:02}", self.first, self.last)
    }
}

impl Serialize for HourRange {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(text: &str) -> Result<HourRange, InvalidBlockRule> {
        text.parse()
    }

    #[test]
    fn hour_ranges_parse_inclusive_bounds_and_print_two_digits() {
        let r = range("7-22").unwrap();
        assert_eq!((r.first(), r.last()), (7, 22));
        assert_eq!(r.to_string(), "07-22");
        assert_eq!(range("23-23").unwrap().to_string(), "23-23");
        for bad in ["24-24", "10-09", "07", "ab-cd", "-5", "007-08", "07-+8"] {
            assert!(range(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rules_validate_weekdays_and_block_hours_unite_rules() {
        assert!(Rule::new(&[0], vec![range("00-01").unwrap()]).is_err());
        assert!(Rule::new(&[8], vec![range("00-01").unwrap()]).is_err());
        assert!(Rule::new(&[], vec![range("00-01").unwrap()]).is_err());
        assert!(Rule::new(&[1], vec![]).is_err());
        let a = Rule::new(&[3, 1, 1], vec![range("00-02").unwrap()]).unwrap();
        assert_eq!(a.weekdays(), [1, 3]);
        let b = Rule::new(&[1], vec![range("02-03").unwrap(), range("23-23").unwrap()]).unwrap();
        let block = Block::new(vec![a, b]);
        assert_eq!(
            block.hours_on(Weekday::Mon).into_iter().collect::<Vec<_>>(),
            [0, 1, 2, 3, 23]
        );
        assert_eq!(block.hours_on(Weekday::Wed).len(), 3);
        assert!(block.hours_on(Weekday::Sun).is_empty());
    }
}
