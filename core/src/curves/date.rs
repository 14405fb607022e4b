//! Calendar-date text as it appears in curve files: pricing dates (`2026-01-02`, `2026/01/02`)
//! and contract months (`2026-03`, `2026-03-01`), parsed without allocating.

use chrono::{Datelike as _, NaiveDate};

/// Parses `YYYY-MM-DD` or `YYYY/MM/DD` (one separator throughout), after trimming.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let b = text.trim().as_bytes();
    if b.len() != 10 || b[4] != b[7] || !matches!(b[4], b'-' | b'/') {
        return None;
    }
    let year = digits(&b[..4])?;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..])?;
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
}

/// Parses `YYYY-MM` or `YYYY/MM` into the first day of that month, after trimming.
pub fn parse_year_month(text: &str) -> Option<NaiveDate> {
    let b = text.trim().as_bytes();
    if b.len() != 7 || !matches!(b[4], b'-' | b'/') {
        return None;
    }
    first_of_month(digits(&b[..4])?, digits(&b[5..])?)
}

/// Parses a contract month: a date (`YYYY-MM-DD`, `YYYY/MM/DD`) or a month (`YYYY-MM`,
/// `YYYY/MM`), normalised to the first day of the month.
pub fn parse_contract_month(text: &str) -> Option<NaiveDate> {
    parse_year_month(text).or_else(|| parse_date(text).and_then(|d| d.with_day0(0)))
}

/// The first day of `month` in `year`, when both are in range.
pub(crate) fn first_of_month(year: u32, month: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, 1)
}

/// The value of a run of 1 to 9 ASCII digits.
pub(crate) fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 9 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0, |acc, d| acc * 10 + u32::from(d - b'0')))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn dates_accept_dashes_or_slashes_and_reject_impossible_days() {
        assert_eq!(parse_date(" 2026-01-02 "), Some(ymd(2026, 1, 2)));
        assert_eq!(parse_date("2026/01/02"), Some(ymd(2026, 1, 2)));
        assert_eq!(parse_date("2026-13-01"), None);
        assert_eq!(parse_date("2026-02-30"), None);
        assert_eq!(parse_date("2026-01/02"), None);
        assert_eq!(parse_date("01/02/2026"), None);
        assert_eq!(parse_date("2026-1-2"), None);
        assert_eq!(parse_date("２０２６-01-02"), None);
    }

    #[test]
    fn contract_months_are_normalised_to_the_first_day() {
        assert_eq!(parse_contract_month("2026-03"), Some(ymd(2026, 3, 1)));
        assert_eq!(parse_contract_month("2026/03"), Some(ymd(2026, 3, 1)));
        assert_eq!(parse_contract_month("2026-03-17"), Some(ymd(2026, 3, 1)));
        assert_eq!(parse_contract_month("2026-00"), None);
        assert_eq!(parse_contract_month("March"), None);
    }

    #[test]
    fn digits_reject_signs_and_overlong_runs() {
        assert_eq!(digits(b"0042"), Some(42));
        assert_eq!(digits(b"+1"), None);
        assert_eq!(digits(b""), None);
        assert_eq!(digits(b"1234567890"), None);
    }
}
