//! The effect of each driver type on a scenario's value, exactly as the original worker
//! computed it (including its order of floating-point operations).

use chrono::{Datelike, NaiveDate};
use sha2::{Digest, Sha256};

use aurum_ports::scenario::{ChangeType, DriverPayload, Fuel};

/// Level a `load_growth` reference curve is scaled against.
pub const LOAD_REFERENCE_LEVEL: f64 = 50.0;
/// Effect per character of a policy name.
pub const POLICY_WEIGHT: f64 = 0.1;
/// Effect per percent of annual load growth at full progress.
pub const LOAD_WEIGHT: f64 = 0.05;
/// Months over which a fleet change ramps to its full +50 %.
pub const FLEET_RAMP_MONTHS: i32 = 24;

/// The effect of one assumption at `asof` on a run with base price `base`; `level(key)` is
/// the mean mid of a curve or series at `asof`, `None` when it has no rows.
pub fn effect(
    payload: &DriverPayload,
    asof: NaiveDate,
    base: f64,
    level: &impl Fn(&str) -> Option<f64>,
) -> f64 {
    match payload {
        DriverPayload::Policy { policy_name, .. } => policy_effect(policy_name),
        DriverPayload::LoadGrowth {
            annual_growth_pct,
            start_year,
            end_year,
            reference_curve_key,
            ..
        } => {
            let reference = reference_curve_key.as_deref().and_then(level);
            let progress = load_growth_progress(asof.year(), *start_year, *end_year);
            load_growth_effect(*annual_growth_pct, progress, reference)
        }
        DriverPayload::FuelCurve {
            fuel,
            reference_series,
            basis_points_adjustment,
            reference_curve_key,
        } => {
            let key = fuel_baseline_key(reference_curve_key.as_deref(), reference_series);
            let fuel_base = level(key).unwrap_or(base);
            fuel_curve_effect(
                Some(*fuel),
                reference_series,
                *basis_points_adjustment,
                fuel_base,
            )
        }
        DriverPayload::FleetChange {
            change_type,
            effective_date,
            capacity_mw,
            ..
        } => fleet_change_effect(*change_type, *capacity_mw, *effective_date, asof),
    }
}

/// `len(policy_name) × 0.1`, the length in characters (Unicode scalar values).
pub fn policy_effect(policy_name: &str) -> f64 {
    let chars = u32::try_from(policy_name.chars().count()).unwrap_or(u32::MAX);
    f64::from(chars) * POLICY_WEIGHT
}

/// The share of a load-growth ramp reached in `year`: 0 before `start_year` (when given);
/// otherwise, with `start = start_year or year` and `end = end_year` when ≥ start else start,
/// `(min(max(year, start), end) − start + 1) / (end − start + 1)`.
pub fn load_growth_progress(year: i32, start_year: Option<i32>, end_year: Option<i32>) -> f64 {
    if start_year.is_some_and(|start| year < start) {
        return 0.0;
    }
    let start = start_year.unwrap_or(year);
    let end = end_year.filter(|&end| end >= start).unwrap_or(start);
    let position = year.clamp(start, end);
    f64::from(position - start + 1) / f64::from(end - start + 1)
}

/// `0.05 × annual_growth_pct × progress`, scaled by `reference / 50` when the reference curve
/// has rows at the pricing date.
pub fn load_growth_effect(annual_growth_pct: f64, progress: f64, reference: Option<f64>) -> f64 {
    let effect = LOAD_WEIGHT * annual_growth_pct * progress;
    match reference {
        Some(level) => effect * (level / LOAD_REFERENCE_LEVEL),
        None => effect,
    }
}

/// The key a fuel curve takes its baseline from: `reference_curve_key` when non-empty, else
/// `reference_series`.
pub fn fuel_baseline_key<'a>(
    reference_curve_key: Option<&'a str>,
    reference_series: &'a str,
) -> &'a str {
    reference_curve_key
        .filter(|k| !k.is_empty())
        .unwrap_or(reference_series)
}

/// Weight of a fuel's baseline in its effect; 0 for a fuel the engine does not know.
pub fn fuel_weight(fuel: Option<Fuel>) -> f64 {
    match fuel {
        Some(Fuel::NaturalGas) => 0.004,
        Some(Fuel::Coal) => -0.003,
        Some(Fuel::Co2) => 0.006,
        Some(Fuel::Oil) => 0.005,
        None => 0.0,
    }
}

/// `(int(first 6 hex of sha256(series), 16) mod 50) / 1000`; 0 for an empty series.
pub fn reference_factor(reference_series: &str) -> f64 {
    if reference_series.is_empty() {
        return 0.0;
    }
    let digest = Sha256::digest(reference_series.as_bytes());
    let prefix = u32::from_be_bytes([0, digest[0], digest[1], digest[2]]);
    f64::from(prefix % 50) / 1000.0
}

/// `w × B + B × (bp / 10000) + reference_factor(series)` with `B = fuel_base`.
pub fn fuel_curve_effect(
    fuel: Option<Fuel>,
    reference_series: &str,
    basis_points: f64,
    fuel_base: f64,
) -> f64 {
    let basis = fuel_base * (basis_points / 10_000.0);
    fuel_weight(fuel) * fuel_base + basis + reference_factor(reference_series)
}

/// Whole months from `asof` to `effective`, never negative:
/// `max(0, (eff.year − asof.year) × 12 + (eff.month − asof.month))`.
pub fn months_ahead(asof: NaiveDate, effective: NaiveDate) -> i64 {
    let years = i64::from(effective.year()) - i64::from(asof.year());
    let months = i64::from(effective.month()) - i64::from(asof.month());
    (years * 12 + months).max(0)
}

/// `± (capacity_mw / 100) × (1 + 0.5 × min(months_ahead, 24) / 24)`, + for add, − for retire;
/// 0 for a capacity that is not positive.
pub fn fleet_change_effect(
    change_type: ChangeType,
    capacity_mw: f64,
    effective_date: NaiveDate,
    asof: NaiveDate,
) -> f64 {
    if capacity_mw.is_nan() || capacity_mw <= 0.0 {
        return 0.0;
    }
    let sign = match change_type {
        ChangeType::Add => 1.0,
        ChangeType::Retire => -1.0,
    };
    let capped = months_ahead(asof, effective_date).min(i64::from(FLEET_RAMP_MONTHS));
    let ramp_months = i32::try_from(capped).unwrap_or(FLEET_RAMP_MONTHS);
    let ramp = f64::from(ramp_months) / f64::from(FLEET_RAMP_MONTHS);
    sign * (capacity_mw / 100.0) * (1.0 + 0.5 * ramp)
}

#[cfg(test)]
mod tests;
