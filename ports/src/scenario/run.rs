//! Runs of a scenario: the options a client submits (`RunOptions`), their validated form
//! (`RunSettings`), and the run record (`Run`) whose lifecycle `aurum-core` drives.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{FieldProblem, IdempotencyKey, Priority, RunId, RunStatus, ScenarioId, tenant_serde};
use crate::{CurveKey, TenantId};

/// Default run time budget, in minutes.
pub const DEFAULT_TIMEOUT_MINUTES: i64 = 60;
/// Largest run time budget, in minutes (one day).
pub const MAX_TIMEOUT_MINUTES: i64 = 1440;
/// Default number of retries after a failed attempt.
pub const DEFAULT_MAX_RETRIES: i64 = 3;
/// Largest number of retries.
pub const MAX_RETRIES: i64 = 10;

/// Run options as a client submits them, before validation. Numbers are wide so that an out
/// of range value is reported as a problem rather than a parse failure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RunOptions {
    /// Version of the model code the client expects.
    pub code_version: Option<String>,
    /// Seed for stochastic models.
    pub seed: Option<i64>,
    /// Scheduling priority (default normal).
    pub priority: Priority,
    /// Time budget in minutes, 1..=1440 (default 60).
    pub timeout_minutes: i64,
    /// Retries after a failed attempt, 0..=10 (default 3).
    pub max_retries: i64,
    /// Free-form run parameters.
    pub parameters: Map<String, Value>,
    /// Free-form environment of the run.
    pub environment: Map<String, Value>,
    /// Pricing date to evaluate at (default: today when the run executes).
    pub asof_date: Option<NaiveDate>,
    /// Curves to evaluate; the first one is the run's curve.
    pub curve_keys: Option<Vec<String>>,
    /// Client's idempotency key (≤ 255 characters of `[A-Za-z0-9_\-.:/]`).
    pub idempotency_key: Option<String>,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            code_version: None,
            seed: None,
            priority: Priority::Normal,
            timeout_minutes: DEFAULT_TIMEOUT_MINUTES,
            max_retries: DEFAULT_MAX_RETRIES,
            parameters: Map::new(),
            environment: Map::new(),
            asof_date: None,
            curve_keys: None,
            idempotency_key: None,
        }
    }
}

impl RunOptions {
    /// Validates every option.
    ///
    /// # Errors
    /// Every problem, with pointers into the request body (`/timeout_minutes`,
    /// `/curve_keys/1`, `/idempotency_key`).
    pub fn validate(self) -> Result<RunSettings, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let timeout_minutes = bounded(
            self.timeout_minutes,
            1,
            MAX_TIMEOUT_MINUTES,
            "/timeout_minutes",
            &mut problems,
        );
        let max_retries = bounded(
            self.max_retries,
            0,
            MAX_RETRIES,
            "/max_retries",
            &mut problems,
        );
        let mut curve_keys = Vec::new();
        for (i, raw) in self.curve_keys.iter().flatten().enumerate() {
            match CurveKey::parse(raw) {
                Ok(key) => curve_keys.push(key),
                Err(e) => {
                    let pointer = format!("/curve_keys/{i}");
                    problems.push(FieldProblem::new(pointer, e.to_string()));
                }
            }
        }
        let idempotency_key = match self.idempotency_key.as_deref().map(IdempotencyKey::parse) {
            None => None,
            Some(Ok(key)) => Some(key),
            Some(Err(e)) => {
                problems.push(FieldProblem::new("/idempotency_key", e.to_string()));
                None
            }
        };
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(RunSettings {
            code_version: self.code_version,
            seed: self.seed,
            priority: self.priority,
            timeout_minutes,
            max_retries,
            parameters: self.parameters,
            environment: self.environment,
            asof_date: self.asof_date,
            curve_keys,
            idempotency_key,
        })
    }
}

fn bounded(value: i64, min: i64, max: i64, pointer: &str, problems: &mut Vec<FieldProblem>) -> u32 {
    match u32::try_from(value) {
        Ok(v) if (min..=max).contains(&value) => v,
        _ => {
            problems.push(FieldProblem::new(
                pointer,
                format!("must be a whole number from {min} to {max}"),
            ));
            0
        }
    }
}

/// Validated run options; only [`RunOptions::validate`] makes them.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSettings {
    code_version: Option<String>,
    seed: Option<i64>,
    priority: Priority,
    timeout_minutes: u32,
    max_retries: u32,
    parameters: Map<String, Value>,
    environment: Map<String, Value>,
    asof_date: Option<NaiveDate>,
    curve_keys: Vec<CurveKey>,
    idempotency_key: Option<IdempotencyKey>,
}

impl RunSettings {
    /// Version of the model code the client expects.
    pub fn code_version(&self) -> Option<&str> {
        self.code_version.as_deref()
    }
    /// Seed for stochastic models.
    pub const fn seed(&self) -> Option<i64> {
        self.seed
    }
    /// Scheduling priority.
    pub const fn priority(&self) -> Priority {
        self.priority
    }
    /// Time budget, 1..=1440 minutes.
    pub const fn timeout_minutes(&self) -> u32 {
        self.timeout_minutes
    }
    /// Retries after a failed attempt, 0..=10.
    pub const fn max_retries(&self) -> u32 {
        self.max_retries
    }
    /// Free-form run parameters.
    pub const fn parameters(&self) -> &Map<String, Value> {
        &self.parameters
    }
    /// Free-form environment.
    pub const fn environment(&self) -> &Map<String, Value> {
        &self.environment
    }
    /// Requested pricing date.
    pub const fn asof_date(&self) -> Option<NaiveDate> {
        self.asof_date
    }
    /// Requested curves (possibly none).
    pub fn curve_keys(&self) -> &[CurveKey] {
        &self.curve_keys
    }
    /// The client's idempotency key.
    pub const fn idempotency_key(&self) -> Option<&IdempotencyKey> {
        self.idempotency_key.as_ref()
    }
}

/// One run of a scenario (DOMAIN.md §2). Status changes go through
/// `aurum_core::scenarios::transition`, which keeps the timestamps consistent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    /// Identity.
    pub id: RunId,
    /// The scenario run.
    pub scenario_id: ScenarioId,
    /// Owner (the scenario's tenant).
    #[serde(with = "tenant_serde")]
    pub tenant_id: TenantId,
    /// Lifecycle status.
    pub status: RunStatus,
    /// Scheduling priority.
    pub priority: Priority,
    /// sha256 hex of the canonical inputs.
    pub input_hash: String,
    /// `<scenario_id>:<input_hash>`; equal keys mean the same computation.
    pub run_key: String,
    /// Current attempt, 1 for the first.
    pub attempt: u32,
    /// Retries used so far.
    pub retry_count: u32,
    /// Retries allowed.
    pub max_retries: u32,
    /// When it was accepted.
    pub queued_at: DateTime<Utc>,
    /// When a worker first started it (set once).
    pub started_at: Option<DateTime<Utc>>,
    /// When it reached a terminal status (set once).
    pub completed_at: Option<DateTime<Utc>>,
    /// When it was cancelled.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// `completed_at − started_at` in seconds, when it ran.
    pub duration_seconds: Option<f64>,
    /// Why it failed or timed out.
    pub error_message: Option<String>,
    /// 0..=100.
    pub progress_percent: f64,
    /// Time budget in minutes.
    pub timeout_minutes: u32,
    /// Requested pricing date.
    pub asof_date: Option<NaiveDate>,
    /// Requested curves.
    pub curve_keys: Vec<CurveKey>,
    /// W3C `traceparent` of the request that submitted it: the worker's span of this run
    /// continues that trace (ADR 0009). Not part of any API representation.
    #[serde(default, skip_serializing)]
    pub traceparent: Option<String>,
}

#[cfg(test)]
mod tests;
