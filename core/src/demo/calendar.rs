//! Demo calendar: the fixed anchor as-of date, business days counted backwards from it, and the
//! tenors one as-of date quotes (a rolling window of monthly tenors plus vendor strips).

use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate, Weekday};

/// The newest as-of date of every demo dataset (a Friday); older dates step back from it.
pub(super) const ANCHOR: NaiveDate = match NaiveDate::from_ymd_opt(2026, 11, 20) {
    Some(date) => date,
    None => NaiveDate::MIN,
};

/// Monthly tenors quoted per curve and as-of date, starting the month after the as-of month.
pub(super) const MONTHLY_TENORS: u32 = 48;

/// The business day (Mon–Fri) before `date`; `None` only at chrono's lower bound.
pub(super) fn previous_business_day(date: NaiveDate) -> Option<NaiveDate> {
    let mut day = date.pred_opt()?;
    while matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
        day = day.pred_opt()?;
    }
    Some(day)
}

/// `YYYY-MM-DD`.
pub(super) fn iso_date(date: NaiveDate) -> String {
    let mut out = String::with_capacity(10);
    push_ymd(&mut out, date.year(), date.month(), date.day());
    out
}

fn push_ymd(out: &mut String, year: i32, month: u32, day: u32) {
    // Writing to a String cannot fail.
    let _ = write!(out, "{year:04}-{month:02}-{day:02}");
}

/// A calendar month, counted in months since January of year 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Month(i32);

impl Month {
    pub(super) fn of(date: NaiveDate) -> Self {
        Self(date.year() * 12 + date.month0().cast_signed())
    }

    fn from_year_month0(year: i32, month0: i32) -> Self {
        Self(year * 12 + month0)
    }

    pub(super) fn plus(self, months: i32) -> Self {
        Self(self.0 + months)
    }

    /// Months from `self` to `later` (negative when `later` is earlier).
    pub(super) fn until(self, later: Self) -> i32 {
        later.0 - self.0
    }

    pub(super) fn year(self) -> i32 {
        self.0.div_euclid(12)
    }

    /// 0 for January … 11 for December.
    pub(super) fn month0(self) -> usize {
        self.0.rem_euclid(12).unsigned_abs() as usize
    }

    fn month(self) -> u32 {
        self.0.rem_euclid(12).unsigned_abs() + 1
    }

    /// `YYYY-MM`.
    pub(super) fn label(self) -> String {
        let mut out = String::with_capacity(7);
        let _ = write!(out, "{:04}-{:02}", self.year(), self.month());
        out
    }

    /// `YYYY-MM-01`, the contract month of a period starting in this month.
    pub(super) fn first_day(self) -> String {
        let mut out = String::with_capacity(10);
        push_ymd(&mut out, self.year(), self.month(), 1);
        out
    }
}

/// One monthly tenor of an as-of date.
#[derive(Debug, Clone)]
pub(super) struct MonthlyTenor {
    pub(super) label: String,
    pub(super) contract_month: String,
    /// Calendar month of delivery, 0 = January (drives seasonality).
    pub(super) month0: usize,
}

/// A vendor strip (`Calendar YYYY`, `Qn YYYY`) covering `len` monthly tenors from `first`.
#[derive(Debug, Clone)]
pub(super) struct StripTenor {
    pub(super) label: String,
    pub(super) contract_month: String,
    pub(super) tenor_type: &'static str,
    pub(super) first: u32,
    pub(super) len: u32,
}

/// Strip rows a vendor sends for a curve on the dates it sends any.
pub(super) const STRIPS_PER_CURVE: u32 = 6;

/// The tenors quoted on one as-of date.
#[derive(Debug, Clone)]
pub(super) struct Tenors {
    pub(super) monthly: Vec<MonthlyTenor>,
    pub(super) strips: Vec<StripTenor>,
}

impl Tenors {
    /// [`MONTHLY_TENORS`] months from the month after `asof`, then the two first full
    /// calendar years and the four quarters of the first one (all inside the monthly window).
    pub(super) fn for_asof(asof: NaiveDate) -> Self {
        let start = Month::of(asof).plus(1);
        let monthly = (0..MONTHLY_TENORS.cast_signed())
            .map(|offset| {
                let month = start.plus(offset);
                MonthlyTenor {
                    label: month.label(),
                    contract_month: month.first_day(),
                    month0: month.month0(),
                }
            })
            .collect();
        let first_year = if start.month0() == 0 {
            start.year()
        } else {
            start.year() + 1
        };
        let strip = |label: String, begin: Month, tenor_type, len| StripTenor {
            label,
            contract_month: begin.first_day(),
            tenor_type,
            first: start.until(begin).unsigned_abs(),
            len,
        };
        let mut strips = Vec::with_capacity(STRIPS_PER_CURVE as usize);
        for year in [first_year, first_year + 1] {
            let begin = Month::from_year_month0(year, 0);
            strips.push(strip(format!("Calendar {year}"), begin, "CALENDAR", 12));
        }
        for quarter in 0..4 {
            let begin = Month::from_year_month0(first_year, quarter * 3);
            let label = format!("Q{} {first_year}", quarter + 1);
            strips.push(strip(label, begin, "QUARTER", 3));
        }
        Self { monthly, strips }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn anchor_is_a_friday() {
        assert_eq!(ANCHOR, date(2026, 11, 20));
        assert_eq!(ANCHOR.weekday(), Weekday::Fri);
    }

    #[test]
    fn previous_business_day_skips_weekends() {
        assert_eq!(
            previous_business_day(date(2026, 11, 20)),
            Some(date(2026, 11, 19))
        );
        assert_eq!(
            previous_business_day(date(2026, 11, 16)),
            Some(date(2026, 11, 13))
        );
        assert_eq!(
            previous_business_day(date(2026, 11, 15)),
            Some(date(2026, 11, 13))
        );
    }

    #[test]
    fn tenors_start_the_month_after_the_asof_date() {
        let tenors = Tenors::for_asof(date(2026, 11, 20));
        assert_eq!(tenors.monthly.len(), MONTHLY_TENORS as usize);
        assert_eq!(tenors.monthly[0].label, "2026-12");
        assert_eq!(tenors.monthly[0].contract_month, "2026-12-01");
        assert_eq!(tenors.monthly[0].month0, 11);
        assert_eq!(tenors.monthly[47].label, "2030-11");
        let labels: Vec<_> = tenors.strips.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "Calendar 2027",
                "Calendar 2028",
                "Q1 2027",
                "Q2 2027",
                "Q3 2027",
                "Q4 2027"
            ]
        );
        assert_eq!(tenors.strips[0].first, 1);
        assert_eq!(tenors.strips[1].first, 13);
        assert_eq!(tenors.strips[4].first, 7);
        assert_eq!(tenors.strips[4].contract_month, "2027-07-01");
    }

    #[test]
    fn strips_of_a_december_asof_start_in_january() {
        let tenors = Tenors::for_asof(date(2026, 12, 15));
        assert_eq!(tenors.monthly[0].label, "2027-01");
        assert_eq!(tenors.strips[0].label, "Calendar 2027");
        assert_eq!(tenors.strips[0].first, 0);
        for strip in &tenors.strips {
            assert!(strip.first + strip.len <= MONTHLY_TENORS);
        }
    }
}
