//! The scenario engine (DOMAIN.md §2, parity with the original worker): values a scenario's
//! assumptions against a base price and emits one output row per tenor. Pure: curve levels
//! come from an injected [`Baselines`] lookup and "today" and the computation time are
//! arguments, so a service prefetches what [`baseline_keys`] names and then calls [`evaluate_run`].

pub mod drivers;

use std::sync::Arc;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sha2::{Digest, Sha256};

use aurum_ports::scenario::{
    Assumption, Attribution, DriverPayload, Run, Scenario, ScenarioId, ScenarioOutput,
};
use aurum_ports::{CurveKey, TenantId, TenorType};

use super::round::round4;

/// Base price when the run's curve has no rows at the pricing date.
pub const DEFAULT_BASE: f64 = 50.0;
/// Effects smaller than this (in absolute value) are left out of the attribution.
pub const ATTRIBUTION_EPSILON: f64 = 1e-9;
/// The metric every engine row reports.
pub const METRIC: &str = "mid";

/// Mean mid price of a curve's rows at one pricing date (latest available version of each
/// row), or `None` when the curve has no rows then. `key` is a curve key or a series name.
/// Any `Fn(&str, NaiveDate) -> Option<f64>` is a lookup.
pub trait Baselines {
    /// The mean mid of `key` at `asof`.
    fn mean_mid(&self, key: &str, asof: NaiveDate) -> Option<f64>;
}

impl<F: Fn(&str, NaiveDate) -> Option<f64>> Baselines for F {
    fn mean_mid(&self, key: &str, asof: NaiveDate) -> Option<f64> {
        self(key, asof)
    }
}

/// Multipliers of the run value per output tenor (default 1.0 / 1.05 / 1.08).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EngineWeights {
    /// MONTHLY row.
    pub monthly: f64,
    /// QUARTER row.
    pub quarter: f64,
    /// CALENDAR row.
    pub calendar: f64,
}

impl Default for EngineWeights {
    fn default() -> Self {
        Self {
            monthly: 1.0,
            quarter: 1.05,
            calendar: 1.08,
        }
    }
}

/// The run's value before tenor weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Valuation {
    /// The base price used (the curve's mean mid, else [`DEFAULT_BASE`]).
    pub base: f64,
    /// `round4(base + Σ effects)`.
    pub value: f64,
    /// One entry per assumption whose effect is not ~0, in assumption order, delta rounded
    /// to 4 decimals.
    pub attribution: Vec<Attribution>,
}

/// The run's pricing date: the requested one, else `today`.
pub fn resolve_asof(asof_date: Option<NaiveDate>, today: NaiveDate) -> NaiveDate {
    asof_date.unwrap_or(today)
}

/// The run's curve: the first requested key, else the first 32 hex characters of
/// sha256(`<tenant>:<scenario id>:<asof YYYY-MM-DD>`).
pub fn resolve_curve_key(
    requested: &[CurveKey],
    tenant: &TenantId,
    scenario: ScenarioId,
    asof: NaiveDate,
) -> CurveKey {
    requested.first().cloned().unwrap_or_else(|| {
        let seed = format!("{tenant}:{scenario}:{}", asof.format("%Y-%m-%d"));
        let digest = hex::encode(Sha256::digest(seed.as_bytes()));
        CurveKey::from_shared(Arc::from(&digest[..32]))
    })
}

/// A baseline lookup that ignores non-finite levels.
fn level(baselines: &impl Baselines, key: &str, asof: NaiveDate) -> Option<f64> {
    if key.is_empty() {
        return None;
    }
    baselines.mean_mid(key, asof).filter(|v| v.is_finite())
}

/// Every key the engine may look up for a run on `curve_key`: the curve itself, then each
/// load-growth reference curve and each fuel curve's baseline key, without repeats.
pub fn baseline_keys(assumptions: &[Assumption], curve_key: &CurveKey) -> Vec<String> {
    let mut keys = vec![curve_key.as_str().to_owned()];
    for a in assumptions {
        let key = match a.payload() {
            DriverPayload::LoadGrowth {
                reference_curve_key: Some(k),
                ..
            } => k,
            DriverPayload::FuelCurve {
                reference_curve_key,
                reference_series,
                ..
            } => drivers::fuel_baseline_key(reference_curve_key.as_deref(), reference_series),
            _ => continue,
        };
        if !key.is_empty() && !keys.iter().any(|k| k == key) {
            keys.push(key.to_owned());
        }
    }
    keys
}

/// Values `assumptions` at `asof` on a curve whose mean mid is `curve_level` (when it has rows).
pub fn value_scenario(
    assumptions: &[Assumption],
    asof: NaiveDate,
    curve_level: Option<f64>,
    baselines: &impl Baselines,
) -> Valuation {
    let base = curve_level
        .filter(|v| v.is_finite())
        .unwrap_or(DEFAULT_BASE);
    let lookup = |key: &str| level(baselines, key, asof);
    let mut total = 0.0;
    let mut attribution = Vec::new();
    for a in assumptions {
        let effect = drivers::effect(a.payload(), asof, base, &lookup);
        total += effect;
        if effect.abs() >= ATTRIBUTION_EPSILON {
            attribution.push(Attribution {
                component: a.driver_type(),
                delta: round4(effect),
            });
        }
    }
    Valuation {
        base,
        value: round4(base + total),
        attribution,
    }
}

/// The contract month (first day of the delivery period) and label of `tenor` for a run
/// whose contract month is `month` (a first of month).
pub fn tenor_period(month: NaiveDate, tenor: TenorType) -> (NaiveDate, String) {
    let year = month.year();
    match tenor {
        TenorType::Quarter => {
            let q = (month.month() - 1) / 3 + 1;
            let start = NaiveDate::from_ymd_opt(year, (q - 1) * 3 + 1, 1).unwrap_or(month);
            (start, format!("Q{q} {year}"))
        }
        TenorType::Calendar => {
            let start = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(month);
            (start, format!("Calendar {year}"))
        }
        _ => (month, month.format("%Y-%m").to_string()),
    }
}

/// The output rows of `run` of `scenario`: MONTHLY, QUARTER and CALENDAR, each
/// `value_t = round4(value × w_t)` with a band of `round4(value_t × 0.98)` to
/// `round4(value_t × 1.02)`, stamped `computed_at`, versioned by the run's input hash.
pub fn evaluate_run(
    scenario: &Scenario,
    run: &Run,
    today: NaiveDate,
    computed_at: DateTime<Utc>,
    weights: &EngineWeights,
    baselines: &impl Baselines,
) -> Vec<ScenarioOutput> {
    let asof = resolve_asof(run.asof_date, today);
    let month = asof.with_day(1).unwrap_or(asof);
    let curve_key = resolve_curve_key(&run.curve_keys, &run.tenant_id, run.scenario_id, asof);
    let curve_level = level(baselines, curve_key.as_str(), asof);
    let valuation = value_scenario(&scenario.assumptions, asof, curve_level, baselines);
    let tenors = [
        (TenorType::Monthly, weights.monthly),
        (TenorType::Quarter, weights.quarter),
        (TenorType::Calendar, weights.calendar),
    ];
    tenors
        .into_iter()
        .map(|(tenor_type, weight)| {
            let (contract_month, tenor_label) = tenor_period(month, tenor_type);
            let value = round4(valuation.value * weight);
            ScenarioOutput {
                tenant_id: run.tenant_id.clone(),
                scenario_id: run.scenario_id,
                run_id: run.id,
                asof_date: asof,
                curve_key: curve_key.clone(),
                tenor_type,
                contract_month,
                tenor_label,
                metric: METRIC.to_owned(),
                value,
                band_lower: round4(value * 0.98),
                band_upper: round4(value * 1.02),
                attribution: valuation.attribution.clone(),
                version_hash: run.input_hash.clone(),
                computed_at,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
