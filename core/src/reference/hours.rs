//! Expanding a calendar block into local hour starts, DST-aware: on the spring-forward day the
//! missing local hour is skipped, on the fall-back day the repeated hour appears twice with
//! distinct UTC instants. Holidays are skipped for every block (a holiday has no hours in any
//! block, `OFF_PEAK` included), per DOMAIN §5.

use chrono::offset::LocalResult;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::calendars::{Calendar, CalendarError};
use super::rules::Block;

/// Most days one [`Calendar::expand`] may cover (inclusive count).
pub const MAX_EXPAND_DAYS: i64 = 366;

/// The start of one hour of a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct HourStart {
    /// Wall-clock start in the calendar's time zone; repeats on the fall-back day.
    pub local: NaiveDateTime,
    /// The instant; strictly increasing along an expansion.
    pub utc: DateTime<Utc>,
    /// `local - utc` in seconds (`-18000` for EST, `-14400` for EDT).
    pub utc_offset_seconds: i32,
}

impl HourStart {
    fn new(local: NaiveDateTime, at: &DateTime<Tz>) -> Self {
        Self {
            local,
            utc: at.with_timezone(&Utc),
            utc_offset_seconds: at.offset().fix().local_minus_utc(),
        }
    }
}

impl Calendar {
    /// Hour starts of `block` on `date`, in time order: none on a holiday or on a weekday the
    /// block does not cover; a local hour that does not exist (spring forward) is left out; a
    /// repeated local hour (fall back) comes twice, earlier instant first.
    ///
    /// # Errors
    /// [`CalendarError::UnknownBlock`].
    pub fn hours(&self, block: &str, date: NaiveDate) -> Result<Vec<HourStart>, CalendarError> {
        let block = self.block(block)?;
        let mut out = Vec::new();
        self.push_hours(block, date, &mut out);
        Ok(out)
    }

    /// Hour starts of `block` over the inclusive range `start..=end`, day by day as
    /// [`Self::hours`].
    ///
    /// # Errors
    /// [`CalendarError::UnknownBlock`]; [`CalendarError::EndBeforeStart`];
    /// [`CalendarError::RangeTooLong`] beyond [`MAX_EXPAND_DAYS`] days.
    pub fn expand(
        &self,
        block: &str,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<Vec<HourStart>, CalendarError> {
        let block = self.block(block)?;
        if end < start {
            return Err(CalendarError::EndBeforeStart { start, end });
        }
        let days = (end - start).num_days() + 1;
        if days > MAX_EXPAND_DAYS {
            return Err(CalendarError::RangeTooLong {
                days,
                max: MAX_EXPAND_DAYS,
            });
        }
        let mut out = Vec::new();
        for date in start.iter_days().take_while(|d| *d <= end) {
            self.push_hours(block, date, &mut out);
        }
        Ok(out)
    }

    fn push_hours(&self, block: &Block, date: NaiveDate, out: &mut Vec<HourStart>) {
        if self.is_holiday(date) {
            return;
        }
        for hour in block.hours_on_date(date) {
            let Some(local) = date.and_hms_opt(hour, 0, 0) else {
                continue;
            };
            match self.timezone.from_local_datetime(&local) {
                LocalResult::None => {}
                LocalResult::Single(at) => out.push(HourStart::new(local, &at)),
                LocalResult::Ambiguous(earlier, later) => {
                    out.push(HourStart::new(local, &earlier));
                    out.push(HourStart::new(local, &later));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::Calendars;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn pjm() -> Calendar {
        Calendars::embedded().unwrap().get("pjm").unwrap().clone()
    }

    fn local_hours(hours: &[HourStart]) -> Vec<String> {
        hours
            .iter()
            .map(|h| h.local.format("%H").to_string())
            .collect()
    }

    #[test]
    fn pjm_on_peak_weekday_has_sixteen_hours_from_07_to_22() {
        // Tuesday 2024-01-09, EST (UTC-5): 07:00 local = 12:00Z, 22:00 local = 03:00Z next day.
        let hours = pjm().hours("ON_PEAK", date("2024-01-09")).unwrap();
        assert_eq!(hours.len(), 16);
        let expected: Vec<String> = (7..=22).map(|h| format!("{h:02}")).collect();
        assert_eq!(local_hours(&hours), expected);
        assert_eq!(hours[0].utc.to_rfc3339(), "2024-01-09T12:00:00+00:00");
        assert_eq!(hours[15].utc.to_rfc3339(), "2024-01-10T03:00:00+00:00");
        assert!(hours.iter().all(|h| h.utc_offset_seconds == -18_000));
    }

    #[test]
    fn block_names_ignore_case() {
        assert_eq!(
            pjm().hours("on_peak", date("2024-01-09")).unwrap().len(),
            16
        );
    }

    #[test]
    fn on_peak_is_empty_on_a_saturday_and_a_holiday() {
        let pjm = pjm();
        assert!(pjm.hours("ON_PEAK", date("2024-01-13")).unwrap().is_empty());
        // Thursday 2024-07-04 is listed: skipped for every block, OFF_PEAK included.
        assert!(pjm.hours("ON_PEAK", date("2024-07-04")).unwrap().is_empty());
        assert!(
            pjm.hours("OFF_PEAK", date("2024-07-04"))
                .unwrap()
                .is_empty()
        );
        assert_eq!(pjm.hours("OFF_PEAK", date("2024-01-13")).unwrap().len(), 24);
    }

    #[test]
    fn spring_forward_sunday_off_peak_has_23_hours_without_02() {
        let hours = pjm().hours("OFF_PEAK", date("2024-03-10")).unwrap();
        assert_eq!(hours.len(), 23);
        assert!(!local_hours(&hours).contains(&"02".to_owned()));
        // 01:00 EST = 06:00Z, then 03:00 EDT = 07:00Z: one hour apart.
        assert_eq!(hours[1].utc.to_rfc3339(), "2024-03-10T06:00:00+00:00");
        assert_eq!(hours[2].local.format("%H").to_string(), "03");
        assert_eq!(hours[2].utc.to_rfc3339(), "2024-03-10T07:00:00+00:00");
        assert_eq!(hours[2].utc_offset_seconds, -14_400);
        assert!(
            hours
                .windows(2)
                .all(|w| (w[1].utc - w[0].utc).num_hours() == 1)
        );
    }

    #[test]
    fn fall_back_sunday_off_peak_has_25_hours_with_01_twice() {
        let hours = pjm().hours("OFF_PEAK", date("2024-11-03")).unwrap();
        assert_eq!(hours.len(), 25);
        let ones: Vec<&HourStart> = hours
            .iter()
            .filter(|h| h.local.format("%H").to_string() == "01")
            .collect();
        assert_eq!(ones.len(), 2);
        // 01:00 EDT = 05:00Z first, then 01:00 EST = 06:00Z.
        assert_eq!(ones[0].utc.to_rfc3339(), "2024-11-03T05:00:00+00:00");
        assert_eq!(ones[0].utc_offset_seconds, -14_400);
        assert_eq!(ones[1].utc.to_rfc3339(), "2024-11-03T06:00:00+00:00");
        assert_eq!(ones[1].utc_offset_seconds, -18_000);
        assert!(
            hours
                .windows(2)
                .all(|w| (w[1].utc - w[0].utc).num_hours() == 1)
        );
    }

    #[test]
    fn expand_over_a_week_counts_hours() {
        let pjm = pjm();
        let (mon, sun) = (date("2024-01-08"), date("2024-01-14"));
        // 5 weekdays × 16 on-peak; 5 × 8 + 2 × 24 off-peak; together the week's 168 hours.
        assert_eq!(pjm.expand("ON_PEAK", mon, sun).unwrap().len(), 80);
        assert_eq!(pjm.expand("OFF_PEAK", mon, sun).unwrap().len(), 88);
        // The week of 2024-07-04: four working weekdays, the holiday contributes nothing.
        let (mon, sun) = (date("2024-07-01"), date("2024-07-07"));
        assert_eq!(pjm.expand("ON_PEAK", mon, sun).unwrap().len(), 64);
        assert_eq!(pjm.expand("OFF_PEAK", mon, sun).unwrap().len(), 80);
        // The week ending on the spring-forward Sunday: 40 + 24 + 23.
        let (mon, sun) = (date("2024-03-04"), date("2024-03-10"));
        let off_peak = pjm.expand("OFF_PEAK", mon, sun).unwrap();
        assert_eq!(off_peak.len(), 87);
        assert!(off_peak.windows(2).all(|w| w[0].utc < w[1].utc));
        // A single day equals hours().
        let day = date("2024-01-09");
        assert_eq!(
            pjm.expand("ON_PEAK", day, day).unwrap(),
            pjm.hours("ON_PEAK", day).unwrap()
        );
    }

    #[test]
    fn other_calendars_use_their_own_hours_and_zone() {
        let calendars = Calendars::embedded().unwrap();
        // MISO on-peak is 08-21 (14 hours), Central time: 08:00 CST = 14:00Z.
        let miso = calendars
            .get("MISO")
            .unwrap()
            .hours("ON_PEAK", date("2024-01-09"));
        let miso = miso.unwrap();
        assert_eq!(miso.len(), 14);
        assert_eq!(miso[0].utc.to_rfc3339(), "2024-01-09T14:00:00+00:00");
        // Europe/Berlin springs forward on 2024-03-31: BASE has 23 hours that day.
        let eu = calendars.get("eu_base").unwrap();
        assert_eq!(eu.hours("BASE", date("2024-03-31")).unwrap().len(), 23);
        assert_eq!(eu.hours("BASE", date("2024-10-27")).unwrap().len(), 25);
    }

    #[test]
    fn expand_rejects_end_before_start_and_too_long_ranges() {
        let pjm = pjm();
        let err = pjm
            .expand("ON_PEAK", date("2024-01-09"), date("2024-01-08"))
            .unwrap_err();
        assert!(matches!(err, CalendarError::EndBeforeStart { .. }));
        let err = pjm
            .expand("ON_PEAK", date("2024-01-01"), date("2025-01-01"))
            .unwrap_err();
        assert_eq!(
            err,
            CalendarError::RangeTooLong {
                days: 367,
                max: 366
            }
        );
        // 2024 is a leap year: all of it is 366 days, within the limit.
        let year = pjm.expand("OFF_PEAK", date("2024-01-01"), date("2024-12-31"));
        assert!(year.is_ok());
    }

    #[test]
    fn unknown_block_names_the_blocks_that_exist() {
        let err = pjm().hours("SUPER_PEAK", date("2024-01-09")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "calendar `pjm` has no block `SUPER_PEAK`; its blocks: OFF_PEAK, ON_PEAK"
        );
    }
}
