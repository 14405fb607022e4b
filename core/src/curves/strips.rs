//! Derived strips (DOMAIN.md §1): from the MONTHLY rows of one ingestion, CALENDAR
//! (`Calendar YYYY`) and QUARTER (`Qn YYYY`) rows per (`asof_date`, `curve_key`, `currency`,
//! `per_unit`, `units_raw`), emitted only when every month of the period is present, priced at
//! the arithmetic mean of the monthly values present. A vendor row with the same (`asof_date`,
//! `curve_key`, `tenor_label`) wins: the derived row is not emitted.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use aurum_ports::{CurveKey, CurveObservation, PriceType, RowOrigin, TenorType};
use chrono::{DateTime, Datelike as _, NaiveDate, Utc};

use super::intern::Interner;
use super::price::average;

/// Rows that average into the same strips.
type GroupKey = (
    NaiveDate,
    CurveKey,
    Option<Arc<str>>,
    Option<Arc<str>>,
    Arc<str>,
);

/// The prices kept per month: numbers only, not whole rows (NaN = absent, 32 bytes a month).
#[derive(Debug, Clone, Copy, PartialEq)]
struct MonthPrices {
    /// `year * 12 + month - 1`.
    index: i32,
    mid: f64,
    bid: f64,
    ask: f64,
}

impl MonthPrices {
    fn side(value: Option<f64>) -> f64 {
        value.unwrap_or(f64::NAN)
    }
}

#[derive(Debug)]
struct Group {
    /// The first monthly row seen: identity, units and provenance of the derived rows.
    template: CurveObservation,
    /// Prices in arrival order; a later row of the same month replaces an earlier one (resolved
    /// by [`Group::settle`]).
    months: Vec<MonthPrices>,
}

impl Group {
    /// Sorts by month, keeping only the last row seen for each month.
    fn settle(&mut self) {
        // Stable sort keeps arrival order within a month; keep the last of each run.
        self.months.sort_by_key(|m| m.index);
        let mut settled: Vec<MonthPrices> = Vec::with_capacity(self.months.len());
        for m in self.months.drain(..) {
            match settled.last_mut() {
                Some(last) if last.index == m.index => *last = m,
                _ => settled.push(m),
            }
        }
        self.months = settled;
    }

    fn month(&self, year: i32, month: u32) -> Option<&MonthPrices> {
        let index = year * 12 + i32::try_from(month).ok()? - 1;
        self.months
            .binary_search_by_key(&index, |m| m.index)
            .ok()
            .map(|i| &self.months[i])
    }
}

/// Collects monthly prices during an ingestion and derives the complete strips at the end.
#[derive(Debug, Default)]
pub struct StripAccumulator {
    groups: HashMap<GroupKey, Group>,
    vendor: HashSet<(NaiveDate, CurveKey, Arc<str>)>,
}

impl StripAccumulator {
    /// An empty accumulator.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds one stored row: MONTHLY rows with a contract month are averaged into strips;
    /// every other row is noted as a vendor strip (see [`Self::note_vendor_strip`]).
    pub fn observe(&mut self, obs: &CurveObservation) {
        if obs.tenor_type != TenorType::Monthly {
            self.note_vendor_strip(obs.asof_date, &obs.curve_key, &obs.tenor_label);
            return;
        }
        let Some(month) = obs.contract_month else {
            return;
        };
        let key = (
            obs.asof_date,
            obs.curve_key.clone(),
            obs.currency.clone(),
            obs.per_unit.clone(),
            Arc::clone(&obs.units_raw),
        );
        let Ok(month_number) = i32::try_from(month.month()) else {
            return;
        };
        let prices = MonthPrices {
            index: month.year() * 12 + month_number - 1,
            mid: MonthPrices::side(obs.mid),
            bid: MonthPrices::side(obs.bid),
            ask: MonthPrices::side(obs.ask),
        };
        self.groups
            .entry(key)
            .or_insert_with(|| Group {
                template: obs.clone(),
                months: Vec::new(),
            })
            .months
            .push(prices);
    }

    /// Records a vendor-supplied row: no strip with the same `(asof, curve_key, label)` (the
    /// normalised label, e.g. `Calendar 2027`) will be derived.
    pub fn note_vendor_strip(&mut self, asof: NaiveDate, curve_key: &CurveKey, label: &Arc<str>) {
        self.vendor
            .insert((asof, curve_key.clone(), Arc::clone(label)));
    }

    /// Number of (`asof_date`, curve, units) groups collected so far.
    pub fn groups(&self) -> usize {
        self.groups.len()
    }

    /// The derived strips, stamped `ingest_ts`, ordered by group (`asof_date`, `curve_key`,
    /// `currency`, `per_unit`, `units_raw`) then, per year, `Calendar YYYY`, `Q1 YYYY` …
    /// `Q4 YYYY`.
    pub fn finish(self, ingest_ts: DateTime<Utc>) -> Vec<CurveObservation> {
        self.into_derived(ingest_ts).collect()
    }

    /// The derived strips as a lazy iterator (same order as [`Self::finish`]): one group's
    /// rows are built at a time, so memory does not hold every derived row at once.
    pub fn into_derived(self, ingest_ts: DateTime<Utc>) -> DerivedStrips {
        let mut groups: Vec<(GroupKey, Group)> = self.groups.into_iter().collect();
        groups.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        DerivedStrips {
            groups: groups.into_iter(),
            vendor: self.vendor,
            labels: Interner::new(),
            ingest_ts,
            pending: Vec::new().into_iter(),
        }
    }
}

/// Lazily derived strip rows; see [`StripAccumulator::into_derived`].
#[derive(Debug)]
pub struct DerivedStrips {
    groups: std::vec::IntoIter<(GroupKey, Group)>,
    vendor: HashSet<(NaiveDate, CurveKey, Arc<str>)>,
    labels: Interner,
    ingest_ts: DateTime<Utc>,
    pending: std::vec::IntoIter<CurveObservation>,
}

impl Iterator for DerivedStrips {
    type Item = CurveObservation;

    fn next(&mut self) -> Option<CurveObservation> {
        loop {
            if let Some(row) = self.pending.next() {
                return Some(row);
            }
            let (_, mut group) = self.groups.next()?;
            group.settle();
            self.pending = self.derive_group(&group).into_iter();
        }
    }
}

impl DerivedStrips {
    fn derive_group(&mut self, group: &Group) -> Vec<CurveObservation> {
        let years: BTreeSet<i32> = group
            .months
            .iter()
            .map(|m| m.index.div_euclid(12))
            .collect();
        let mut out = Vec::new();
        for year in years {
            let periods =
                std::iter::once((TenorType::Calendar, 1, 12, format!("Calendar {year:04}"))).chain(
                    (1..=4).map(|q| {
                        (
                            TenorType::Quarter,
                            3 * q - 2,
                            3 * q,
                            format!("Q{q} {year:04}"),
                        )
                    }),
                );
            for (tenor_type, first, last, label) in periods {
                let label = self.labels.intern(&label);
                let strip = Strip {
                    tenor_type,
                    year,
                    first,
                    last,
                    label,
                };
                if let Some(row) = strip.derive(group, &self.vendor, self.ingest_ts) {
                    out.push(row);
                }
            }
        }
        out
    }
}

/// One candidate strip of a group.
struct Strip {
    tenor_type: TenorType,
    year: i32,
    first: u32,
    last: u32,
    label: Arc<str>,
}

impl Strip {
    /// The derived row, unless a month is missing, a vendor row has the label, or no month has
    /// a price.
    fn derive(
        &self,
        group: &Group,
        vendor: &HashSet<(NaiveDate, CurveKey, Arc<str>)>,
        ingest_ts: DateTime<Utc>,
    ) -> Option<CurveObservation> {
        let months: Vec<MonthPrices> = (self.first..=self.last)
            .map(|m| group.month(self.year, m).copied())
            .collect::<Option<_>>()?;
        let t = &group.template;
        if vendor.contains(&(t.asof_date, t.curve_key.clone(), Arc::clone(&self.label))) {
            return None;
        }
        let mean = |side: fn(&MonthPrices) -> f64| {
            let values: Vec<f64> = months.iter().map(side).filter(|v| !v.is_nan()).collect();
            (!values.is_empty()).then(|| average(&values))
        };
        let (mid, bid, ask) = (mean(|p| p.mid), mean(|p| p.bid), mean(|p| p.ask));
        if mid.is_none() && bid.is_none() && ask.is_none() {
            return None;
        }
        Some(CurveObservation {
            price_type: PriceType::Mid,
            tenor_type: self.tenor_type,
            contract_month: NaiveDate::from_ymd_opt(self.year, self.first, 1),
            tenor_label: Arc::clone(&self.label),
            value: mid,
            bid,
            ask,
            mid,
            ingest_ts,
            origin: RowOrigin::Derived,
            ..t.clone()
        })
    }
}

#[cfg(test)]
mod tests;
