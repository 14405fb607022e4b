//! Tenor labels: inference of the tenor type, the normalised label and the contract month
//! (first day of the delivery period) from label text (DOMAIN.md §1).
//!
//! Inference, case-insensitive, first rule that matches: a date or month (`2026-01-15`,
//! `2026-01`, `2026/01`, `Jan 2026`, `Jan-26`, `JAN26`, `January 2026`) → MONTHLY; starts with
//! `CAL` (`Cal 27`, `CAL-2027`, `Calendar 2027`) → CALENDAR; starts with WINTER, SUMMER,
//! SPRING, FALL or AUTUMN, or contains BAL or STRIP → SEASON; `^Q[1-4]` → QUARTER; anything
//! else → MONTHLY. `2026Q1` is therefore MONTHLY with its label kept, as the domain rule says.
//!
//! Normalised labels: months `YYYY-MM`, quarters `Q1 2026`, calendars `Calendar 2027`; any
//! other label is kept, trimmed, with white-space runs collapsed. Two-digit years are 20YY.
//!
//! Season contract months follow the US forward-strip convention: Winter YYYY is the
//! November-to-March strip starting YYYY-11-01 (`Winter 2026/27` too), Summer YYYY the
//! April-to-October strip starting YYYY-04-01; Spring and Fall/Autumn start on the
//! meteorological dates (March 1, September 1). BAL and STRIP labels have no contract month.

use std::fmt::Write as _;

use aurum_ports::TenorType;
use chrono::{Datelike as _, NaiveDate};

use super::date::{digits, first_of_month, parse_date, parse_year_month};

/// A label's normalised text, inferred tenor type and contract month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenor {
    /// Tenor type inferred from the label.
    pub tenor_type: TenorType,
    /// Normalised label.
    pub label: String,
    /// First day of the delivery period, when the label says.
    pub contract_month: Option<NaiveDate>,
}

/// What a label says about its delivery period (the text goes to a caller's buffer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TenorInfo {
    /// Tenor type inferred from the label.
    pub tenor_type: TenorType,
    /// First day of the delivery period, when the label says.
    pub contract_month: Option<NaiveDate>,
}

/// Infers type, normalised label and contract month of `label`.
pub fn parse_tenor(label: &str) -> Tenor {
    let mut text = String::new();
    let info = normalise_tenor_into(label, &mut text);
    Tenor {
        tenor_type: info.tenor_type,
        label: text,
        contract_month: info.contract_month,
    }
}

/// The tenor type a label implies.
pub fn infer_tenor_type(label: &str) -> TenorType {
    classify(label.trim()).tenor_type()
}

/// Writes the normalised form of `label` into `out` (replacing its content) and returns what
/// the label says. Allocation-free once `out` has grown to the label's size.
pub fn normalise_tenor_into(label: &str, out: &mut String) -> TenorInfo {
    out.clear();
    let t = label.trim();
    let shape = classify(t);
    // Writing to a String cannot fail.
    let _ = match shape {
        Shape::Month(d) => write!(out, "{:04}-{:02}", d.year(), d.month()),
        Shape::Quarter(Some((year, q))) => write!(out, "Q{q} {year:04}"),
        Shape::Calendar(Some(year)) => write!(out, "Calendar {year:04}"),
        _ => {
            push_collapsed(out, t);
            Ok(())
        }
    };
    TenorInfo {
        tenor_type: shape.tenor_type(),
        contract_month: shape.contract_month(),
    }
}

/// The recognised form of a label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// A month (first day).
    Month(NaiveDate),
    /// A calendar year, when the year is readable.
    Calendar(Option<u32>),
    /// A season, with its start when derivable.
    Season(Option<NaiveDate>),
    /// `(year, quarter)`, when the year is readable.
    Quarter(Option<(u32, u32)>),
    /// Anything else.
    Other,
}

impl Shape {
    fn tenor_type(self) -> TenorType {
        match self {
            Self::Month(_) | Self::Other => TenorType::Monthly,
            Self::Calendar(_) => TenorType::Calendar,
            Self::Season(_) => TenorType::Season,
            Self::Quarter(_) => TenorType::Quarter,
        }
    }

    fn contract_month(self) -> Option<NaiveDate> {
        match self {
            Self::Month(d) => Some(d),
            Self::Calendar(year) => first_of_month(year?, 1),
            Self::Season(start) => start,
            Self::Quarter(yq) => yq.and_then(|(year, q)| first_of_month(year, 3 * q - 2)),
            Self::Other => None,
        }
    }
}

/// Season names and the month their delivery period starts in.
const SEASONS: [(&[u8], u32); 5] = [
    (b"WINTER", 11),
    (b"SUMMER", 4),
    (b"SPRING", 3),
    (b"FALL", 9),
    (b"AUTUMN", 9),
];

const MONTHS: [&[u8]; 12] = [
    b"JANUARY",
    b"FEBRUARY",
    b"MARCH",
    b"APRIL",
    b"MAY",
    b"JUNE",
    b"JULY",
    b"AUGUST",
    b"SEPTEMBER",
    b"OCTOBER",
    b"NOVEMBER",
    b"DECEMBER",
];

/// Classifies a trimmed label, applying the inference rules in order.
fn classify(t: &str) -> Shape {
    if let Some(d) = month_of(t) {
        return Shape::Month(d);
    }
    let b = t.as_bytes();
    if starts_with_ci(b, b"CAL") {
        let rest = if starts_with_ci(b, b"CALENDAR") {
            &b[8..]
        } else {
            &b[3..]
        };
        return Shape::Calendar(year_suffix(rest));
    }
    for (name, month) in SEASONS {
        if starts_with_ci(b, name) {
            let start = season_year(&b[name.len()..]).and_then(|y| first_of_month(y, month));
            return Shape::Season(start);
        }
    }
    if contains_ci(b, b"BAL") || contains_ci(b, b"STRIP") {
        return Shape::Season(None);
    }
    if b.len() >= 2 && b[0].eq_ignore_ascii_case(&b'Q') && (b'1'..=b'4').contains(&b[1]) {
        let q = u32::from(b[1] - b'0');
        return Shape::Quarter(year_suffix(&b[2..]).map(|y| (y, q)));
    }
    Shape::Other
}

/// The month a label names, as its first day.
fn month_of(t: &str) -> Option<NaiveDate> {
    if let Some(d) = parse_year_month(t) {
        return Some(d);
    }
    if let Some(d) = parse_date(t) {
        return first_of_month(d.year().try_into().ok()?, d.month());
    }
    let b = t.as_bytes();
    let alpha = b.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    let name = &b[..alpha];
    if name.len() < 3 {
        return None;
    }
    let month = MONTHS
        .iter()
        .position(|m| name.eq_ignore_ascii_case(m) || name.eq_ignore_ascii_case(&m[..3]))
        .or_else(|| name.eq_ignore_ascii_case(b"SEPT").then_some(8))?;
    first_of_month(year_suffix(&b[alpha..])?, u32::try_from(month).ok()? + 1)
}

/// Separators allowed between a name and its year.
fn is_separator(c: u8) -> bool {
    c.is_ascii_whitespace() || matches!(c, b'-' | b'/' | b'_' | b'\'')
}

/// A year written after optional separators as exactly 2 (20YY) or 4 digits, then nothing.
fn year_suffix(rest: &[u8]) -> Option<u32> {
    let start = rest.iter().position(|&c| !is_separator(c))?;
    year_digits(&rest[start..])
}

/// Like [`year_suffix`], also accepting a second year (`2026/27`, `26-27`) after the first.
fn season_year(rest: &[u8]) -> Option<u32> {
    let start = rest.iter().position(|&c| !is_separator(c))?;
    let rest = &rest[start..];
    let len = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    let year = year_digits(&rest[..len])?;
    match &rest[len..] {
        [] => Some(year),
        [b'-' | b'/', second @ ..] => year_digits(second).map(|_| year),
        _ => None,
    }
}

fn year_digits(b: &[u8]) -> Option<u32> {
    match b.len() {
        2 => digits(b).map(|yy| 2000 + yy),
        4 => digits(b),
        _ => None,
    }
}

fn starts_with_ci(b: &[u8], prefix: &[u8]) -> bool {
    b.len() >= prefix.len() && b[..prefix.len()].eq_ignore_ascii_case(prefix)
}

fn contains_ci(b: &[u8], needle: &[u8]) -> bool {
    b.windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

/// Appends `t` with white-space runs collapsed to one space (`t` is already trimmed).
pub(crate) fn push_collapsed(out: &mut String, t: &str) {
    for (i, word) in t.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(word);
    }
}

#[cfg(test)]
mod tests;
