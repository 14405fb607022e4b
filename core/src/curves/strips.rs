//! Derived strips (DOMAIN.md §1): from the MONTHLY rows of one ingestion, CALENDAR
//! (`Calendar YYYY`) and QUARTER (`Qn YYYY`) rows per (`asof_date`, `curve_key`, `currency`,
//! `per_unit`, `units_raw`), emitted only when every month of the period is present, priced at
//! the arithmetic mean of the monthly values present. A vendor row with the same (`asof_date`,
//! `curve_key`, `tenor_label`) wins: the derived row is not emitted.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
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

/// The prices kept per month: numbers only, not whole rows.
#[derive(Debug, Clone, Copy, PartialEq)]
struct MonthPrices {
    mid: Option<f64>,
    bid: Option<f64>,
    ask: Option<f64>,
}

#[derive(Debug)]
struct Group {
    /// The first monthly row seen: identity, units and provenance of the derived rows.
    template: CurveObservation,
    /// `(year, month)` → prices; a later row of the same month replaces an earlier one.
    months: BTreeMap<(i32, u32), MonthPrices>,
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
        let prices = MonthPrices {
            mid: obs.mid,
            bid: obs.bid,
            ask: obs.ask,
        };
        self.groups
            .entry(key)
            .or_insert_with(|| Group {
                template: obs.clone(),
                months: BTreeMap::new(),
            })
            .months
            .insert((month.year(), month.month()), prices);
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
        let mut groups: Vec<(GroupKey, Group)> = self.groups.into_iter().collect();
        groups.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut labels = Interner::new();
        let mut out = Vec::new();
        for (_, group) in &groups {
            let years: BTreeSet<i32> = group.months.keys().map(|&(year, _)| year).collect();
            for year in years {
                let periods =
                    std::iter::once((TenorType::Calendar, 1, 12, format!("Calendar {year:04}")))
                        .chain((1..=4).map(|q| {
                            (
                                TenorType::Quarter,
                                3 * q - 2,
                                3 * q,
                                format!("Q{q} {year:04}"),
                            )
                        }));
                for (tenor_type, first, last, label) in periods {
                    let label = labels.intern(&label);
                    let strip = Strip {
                        tenor_type,
                        year,
                        first,
                        last,
                        label,
                    };
                    if let Some(row) = strip.derive(group, &self.vendor, ingest_ts) {
                        out.push(row);
                    }
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
            .map(|m| group.months.get(&(self.year, m)).copied())
            .collect::<Option<_>>()?;
        let t = &group.template;
        if vendor.contains(&(t.asof_date, t.curve_key.clone(), Arc::clone(&self.label))) {
            return None;
        }
        let mean = |side: fn(&MonthPrices) -> Option<f64>| {
            let values: Vec<f64> = months.iter().filter_map(side).collect();
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
