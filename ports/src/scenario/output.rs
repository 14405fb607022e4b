//! Output rows of a scenario run: one value with its band per curve and tenor, with the
//! attribution of the value to the scenario's drivers.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{DriverType, RunId, ScenarioId, tenant_serde};
use crate::{CurveKey, TenantId, TenorType};

/// The contribution of one assumption to a run's value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attribution {
    /// The driver type of the assumption.
    pub component: DriverType,
    /// Its effect on the value, rounded to 4 decimals.
    pub delta: f64,
}

/// One output row of a run (DOMAIN.md §2, outputs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioOutput {
    /// Owner.
    #[serde(with = "tenant_serde")]
    pub tenant_id: TenantId,
    /// The scenario.
    pub scenario_id: ScenarioId,
    /// The run that computed the row.
    pub run_id: RunId,
    /// Pricing date the run evaluated.
    pub asof_date: NaiveDate,
    /// The curve the value belongs to.
    pub curve_key: CurveKey,
    /// MONTHLY, QUARTER or CALENDAR.
    pub tenor_type: TenorType,
    /// First day of the delivery period.
    pub contract_month: NaiveDate,
    /// `YYYY-MM`, `Qn YYYY` or `Calendar YYYY`.
    pub tenor_label: String,
    /// What the value measures (`mid`).
    pub metric: String,
    /// The value, 4 decimals.
    pub value: f64,
    /// `value × 0.98`, 4 decimals.
    pub band_lower: f64,
    /// `value × 1.02`, 4 decimals.
    pub band_upper: f64,
    /// Per-assumption contributions with a non-zero effect.
    pub attribution: Vec<Attribution>,
    /// Identifies the inputs that produced the row (the run's input hash).
    pub version_hash: String,
    /// When the row was computed.
    pub computed_at: DateTime<Utc>,
}
