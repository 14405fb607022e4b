//! The lazy row iterator: as-of dates newest first, within a date the curves in catalog order,
//! within a curve its monthly tenors then (on some dates) its vendor strips. Every (curve, as-of)
//! pair draws from its own random stream and the walks advance date by date, so a row never
//! depends on how many rows were asked for.

use chrono::NaiveDate;
use rand_chacha::ChaCha8Rng;

use super::calendar::{
    ANCHOR, MONTHLY_TENORS, STRIPS_PER_CURVE, Tenors, iso_date, previous_business_day,
};
use super::catalog::{Block, Catalog, Curve, Quote};
use super::model::{
    CURVE_STREAM, Family, ROW_NOISE_SD, RT_NOISE_SD, RT_PREMIUM, WALK_STREAM, Walk, approx_normal,
    stream, uniform,
};
use crate::ingest::raw::RawCurveRow;

/// Share of (eligible curve, as-of date) pairs that also carry vendor strip rows.
const VENDOR_STRIP_SHARE: f64 = 0.15;
/// Share of monthly rows without `tenor_type` (ingestion infers it from the label).
const NO_TENOR_TYPE_SHARE: f64 = 0.25;
/// Share of monthly rows without `contract_month` (ingestion derives it from the label).
const NO_CONTRACT_MONTH_SHARE: f64 = 0.10;
/// Share of `MID` rows without `price_type` (ingestion defaults it to `MID`).
const NO_PRICE_TYPE_SHARE: f64 = 0.05;

/// Cells shared by every row of one as-of date.
struct Day {
    asof: String,
    source_file: String,
    tenors: Tenors,
}

impl Day {
    fn new(date: NaiveDate) -> Self {
        let asof = iso_date(date);
        let source_file = format!("demo/vendor_a_{asof}.xlsx");
        Self {
            asof,
            source_file,
            tenors: Tenors::for_asof(date),
        }
    }
}

/// The curve being emitted on the current date.
struct Cursor {
    curve: usize,
    rng: ChaCha8Rng,
    next: u32,
    rows: u32,
}

/// Iterator over exactly `remaining` demo rows.
pub(super) struct DemoRows {
    catalog: Catalog,
    seed: u64,
    remaining: usize,
    date: NaiveDate,
    date_index: u64,
    day: Day,
    walks: Vec<Walk>,
    cursor: Option<Cursor>,
}

impl DemoRows {
    pub(super) fn new(rows: usize, seed: u64) -> Self {
        let catalog = Catalog::build();
        let walks = vec![Walk::default(); catalog.families.len()];
        Self {
            catalog,
            seed,
            remaining: rows,
            date: ANCHOR,
            date_index: 0,
            day: Day::new(ANCHOR),
            walks,
            cursor: None,
        }
    }

    /// Moves to the next curve, or to the first curve of the previous business day.
    fn advance(&mut self) -> bool {
        let mut next = self.cursor.as_ref().map_or(0, |c| c.curve + 1);
        if self.catalog.curves.is_empty() {
            return false;
        }
        if next >= self.catalog.curves.len() {
            let Some(date) = previous_business_day(self.date) else {
                return false;
            };
            self.date = date;
            self.date_index += 1;
            self.day = Day::new(date);
            for (index, (walk, family)) in self
                .walks
                .iter_mut()
                .zip(&self.catalog.families)
                .enumerate()
            {
                walk.step(
                    family,
                    &mut stream(self.seed, WALK_STREAM, index as u64, self.date_index),
                );
            }
            next = 0;
        }
        let mut rng = stream(self.seed, CURVE_STREAM, next as u64, self.date_index);
        let strips = uniform(&mut rng) < VENDOR_STRIP_SHARE
            && self
                .catalog
                .curves
                .get(next)
                .is_some_and(|c| c.vendor_strips);
        let rows = MONTHLY_TENORS + if strips { STRIPS_PER_CURVE } else { 0 };
        self.cursor = Some(Cursor {
            curve: next,
            rng,
            next: 0,
            rows,
        });
        true
    }
}

impl Iterator for DemoRows {
    type Item = RawCurveRow;

    fn next(&mut self) -> Option<RawCurveRow> {
        if self.remaining == 0 {
            return None;
        }
        loop {
            if let Some(cursor) = self.cursor.as_mut().filter(|c| c.next < c.rows) {
                let curve = self.catalog.curves.get(cursor.curve)?;
                let family = self.catalog.families.get(curve.family)?;
                let walk = self.walks.get(curve.family).copied().unwrap_or_default();
                let row = build_row(curve, family, walk, &self.day, cursor)?;
                cursor.next += 1;
                self.remaining -= 1;
                return Some(row);
            }
            if !self.advance() {
                self.remaining = 0;
                return None;
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl ExactSizeIterator for DemoRows {}

/// The curve's price relative to its family's ATC day-ahead fair value.
fn shape(curve: &Curve, family: &Family, month0: usize) -> f64 {
    let block = match (curve.block, family.peak) {
        (Some(Block::OnPeak), Some(peak)) => 1.0 + peak.on_premium[month0 % 12],
        (Some(Block::OffPeak), Some(peak)) => 1.0 - peak.off_discount[month0 % 12],
        _ => 1.0,
    };
    if curve.realtime {
        block + RT_PREMIUM
    } else {
        block
    }
}

/// The noiseless price and fair value of tenor row `index` (monthly, then strips).
fn price_of(
    curve: &Curve,
    family: &Family,
    walk: Walk,
    tenors: &Tenors,
    index: u32,
) -> Option<(f64, f64, u32)> {
    if let Some(tenor) = tenors.monthly.get(index as usize) {
        let fair = family.fair(walk, index, tenor.month0);
        return Some((fair * shape(curve, family, tenor.month0), fair, index));
    }
    let strip = tenors.strips.get((index - MONTHLY_TENORS) as usize)?;
    let (mut price, mut fair) = (0.0, 0.0);
    for t in strip.first..strip.first + strip.len {
        let month0 = tenors.monthly.get(t as usize)?.month0;
        let month_fair = family.fair(walk, t, month0);
        fair += month_fair;
        price += month_fair * shape(curve, family, month0);
    }
    let len = f64::from(strip.len);
    Some((price / len, fair / len, strip.first))
}

fn build_row(
    curve: &Curve,
    family: &Family,
    walk: Walk,
    day: &Day,
    cursor: &mut Cursor,
) -> Option<RawCurveRow> {
    let index = cursor.next;
    let rng = &mut cursor.rng;
    let (price, fair, months_out) = price_of(curve, family, walk, &day.tenors, index)?;
    let mut noise = ROW_NOISE_SD * approx_normal(rng);
    let rt_noise = RT_NOISE_SD * approx_normal(rng);
    if curve.realtime {
        noise += rt_noise;
    }
    let mid = price + fair * noise;
    let spread_share = 0.005
        + 0.010 * f64::from(months_out) / f64::from(MONTHLY_TENORS - 1)
        + 0.005 * uniform(rng);
    let scale = DECIMAL_SCALE.get(curve.decimals).copied().unwrap_or(100.0);
    let half = (fair * spread_share).max(2.0 / scale) / 2.0;
    let (omit_tenor_type, omit_contract_month, omit_price_type) = (
        uniform(rng) < NO_TENOR_TYPE_SHARE,
        uniform(rng) < NO_CONTRACT_MONTH_SHARE,
        uniform(rng) < NO_PRICE_TYPE_SHARE,
    );

    let (tenor_label, contract_month, tenor_type) =
        if let Some(tenor) = day.tenors.monthly.get(index as usize) {
            (
                tenor.label.clone(),
                (!omit_contract_month).then(|| tenor.contract_month.clone()),
                (!omit_tenor_type).then(|| "MONTHLY".to_owned()),
            )
        } else {
            let strip = day.tenors.strips.get((index - MONTHLY_TENORS) as usize)?;
            (
                strip.label.clone(),
                Some(strip.contract_month.clone()),
                Some(strip.tenor_type.to_owned()),
            )
        };
    let (mut value, mut bid, mut ask, mut bid_ask) = (None, None, None, None);
    match curve.quote {
        Quote::Value => value = Some(price_text(mid, curve.decimals)),
        Quote::BidAsk => {
            bid = Some(price_text(mid - half, curve.decimals));
            ask = Some(price_text(mid + half, curve.decimals));
        }
        Quote::BidAskText => {
            let (b, a) = (
                price_text(mid - half, curve.decimals),
                price_text(mid + half, curve.decimals),
            );
            bid_ask = Some(format!("{b} / {a}"));
        }
    }
    let price_type =
        (curve.price_type != "MID" || !omit_price_type).then(|| curve.price_type.to_owned());

    Some(RawCurveRow {
        asof_date: Some(day.asof.clone()),
        source_file: Some(day.source_file.clone()),
        sheet_name: curve.sheet_name.clone(),
        asset_class: curve.asset_class.clone(),
        region: curve.region.clone(),
        iso: curve.iso.clone(),
        location: curve.location.clone(),
        market: curve.market.clone(),
        product: curve.product.clone(),
        block: curve.block_code.clone(),
        spark_location: None,
        price_type,
        units_raw: curve.units_raw.clone(),
        currency: curve.currency.clone(),
        per_unit: curve.per_unit.clone(),
        tenor_type,
        contract_month,
        tenor_label: Some(tenor_label),
        value,
        bid,
        ask,
        mid: None,
        bid_ask,
        curve_key: None,
    })
}

const DECIMAL_SCALE: [f64; 5] = [1.0, 10.0, 100.0, 1_000.0, 10_000.0];

/// `x` with `decimals` fixed decimals; values that round to zero print without a minus sign.
fn price_text(x: f64, decimals: usize) -> String {
    use std::fmt::Write as _;
    let scale = DECIMAL_SCALE.get(decimals).copied().unwrap_or(100.0);
    let x = if x.abs() < 0.5 / scale { 0.0 } else { x };
    let mut out = String::with_capacity(12);
    let _ = write!(out, "{x:.decimals$}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn price_text_uses_fixed_decimals_without_negative_zero() {
        assert_eq!(price_text(45.251, 2), "45.25");
        assert_eq!(price_text(3.8, 3), "3.800");
        assert_eq!(price_text(-0.004, 2), "0.00");
        assert_eq!(price_text(-1.5, 2), "-1.50");
    }
}
