//! Test data of the scenario suites, built only through public constructors: tenants, fixed
//! timestamps, scenarios ([`NewScenario::validate`] + [`Scenario::new`]), queued runs (as
//! `aurum-core` queues them: attempt 1, no retry used), output rows and outbox events.
//! Adapters may use them in their own tests.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde_json::json;
use uuid::Uuid;

use crate::curve::{CurveKey, TenorType};
use crate::outbox::NewEvent;
use crate::scenario::{
    AssumptionInput, NewScenario, Priority, Run, RunId, RunOptions, RunStatus, Scenario,
    ScenarioId, ScenarioOutput,
};
use crate::tenant::TenantId;

/// `2025-01-01T00:00:00Z` plus `seconds` (whole seconds, so every backend stores it exactly).
pub fn ts(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_735_689_600 + seconds, 0).expect("fixture timestamps are in range")
}

/// A date; panics on an invalid one (fixture data only).
pub fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("fixture dates are valid")
}

/// A tenant id; panics on an invalid one.
pub fn tenant(raw: &str) -> TenantId {
    TenantId::parse(raw).expect("fixture tenants are valid")
}

/// A fresh random id (uuid v4).
pub fn scenario_id() -> ScenarioId {
    ScenarioId::from_uuid(Uuid::new_v4())
}

/// A fresh random id (uuid v4).
pub fn run_id() -> RunId {
    RunId::from_uuid(Uuid::new_v4())
}

/// A scenario named `name` of `tenant`, created at `at`, with `tags`, a description, one
/// policy assumption and one parameter.
pub fn scenario_tagged(
    tenant: &TenantId,
    name: &str,
    tags: &[&str],
    at: DateTime<Utc>,
) -> Scenario {
    let draft = NewScenario {
        name: name.to_owned(),
        description: Some(format!("{name} (contract fixture)")),
        assumptions: vec![AssumptionInput {
            driver_type: "policy".to_owned(),
            payload: json!({"policy_name": "Clean", "start_year": 2025}),
            version: Some("v1".to_owned()),
        }],
        parameters: json!({"horizon": 12})
            .as_object()
            .cloned()
            .unwrap_or_default(),
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
    }
    .validate()
    .expect("fixture scenarios are valid");
    Scenario::new(scenario_id(), tenant.clone(), draft, at)
}

/// A scenario named `name` of `tenant`, created at `at`, tagged `contract`.
pub fn scenario(tenant: &TenantId, name: &str, at: DateTime<Utc>) -> Scenario {
    scenario_tagged(tenant, name, &["contract"], at)
}

/// A queued run of `scenario` at `at` with `priority`: attempt 1, no retry used, 3 retries
/// allowed, a random input hash and `run_key = <scenario_id>:<input_hash>`.
pub fn run(scenario: &Scenario, priority: Priority, at: DateTime<Utc>) -> Run {
    let settings = RunOptions {
        priority,
        curve_keys: Some(vec!["CONTRACT_CURVE".to_owned()]),
        asof_date: Some(date(2025, 1, 15)),
        ..RunOptions::default()
    }
    .validate()
    .expect("fixture run options are valid");
    let input_hash = format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());
    Run {
        id: run_id(),
        scenario_id: scenario.id,
        tenant_id: scenario.tenant_id().clone(),
        status: RunStatus::Queued,
        priority: settings.priority(),
        run_key: format!("{}:{input_hash}", scenario.id),
        input_hash,
        attempt: 1,
        retry_count: 0,
        max_retries: settings.max_retries(),
        queued_at: at,
        started_at: None,
        completed_at: None,
        cancelled_at: None,
        duration_seconds: None,
        error_message: None,
        progress_percent: 0.0,
        timeout_minutes: settings.timeout_minutes(),
        asof_date: settings.asof_date(),
        curve_keys: settings.curve_keys().to_vec(),
        traceparent: Some(TRACEPARENT.to_owned()),
    }
}

/// The `traceparent` fixture runs and events carry.
pub const TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

/// One output row of `run` (value, bands ±2 %, no attribution), computed at `computed_at`.
#[expect(
    clippy::too_many_arguments,
    reason = "one argument per field a check varies"
)]
pub fn output(
    run: &Run,
    asof: NaiveDate,
    curve_key: &str,
    tenor_type: TenorType,
    tenor_label: &str,
    metric: &str,
    value: f64,
    computed_at: DateTime<Utc>,
) -> ScenarioOutput {
    ScenarioOutput {
        tenant_id: run.tenant_id.clone(),
        scenario_id: run.scenario_id,
        run_id: run.id,
        asof_date: asof,
        curve_key: CurveKey::parse(curve_key).expect("fixture curve keys are valid"),
        tenor_type,
        contract_month: asof.with_day(1).unwrap_or(asof),
        tenor_label: tenor_label.to_owned(),
        metric: metric.to_owned(),
        value,
        band_lower: value * 0.98,
        band_upper: value * 1.02,
        attribution: Vec::new(),
        version_hash: run.input_hash.clone(),
        computed_at,
    }
}

/// The three `mid` rows (MONTHLY `2025-01`, QUARTER `Q1 2025`, CALENDAR `Calendar 2025`) of
/// `run` on `curve_key` at `asof`, valued `base`, `base + 1`, `base + 2`.
pub fn outputs(
    run: &Run,
    asof: NaiveDate,
    curve_key: &str,
    base: f64,
    computed_at: DateTime<Utc>,
) -> Vec<ScenarioOutput> {
    [
        (TenorType::Monthly, "2025-01", 0.0),
        (TenorType::Quarter, "Q1 2025", 1.0),
        (TenorType::Calendar, "Calendar 2025", 2.0),
    ]
    .into_iter()
    .map(|(tt, label, plus)| {
        output(
            run,
            asof,
            curve_key,
            tt,
            label,
            "mid",
            base + plus,
            computed_at,
        )
    })
    .collect()
}

/// An event with a fresh id on `topic`, keyed `key`, with a small payload.
pub fn event(topic: &str, key: &str) -> NewEvent {
    NewEvent {
        id: Uuid::new_v4(),
        topic: topic.to_owned(),
        key: key.to_owned(),
        payload: json!({"key": key, "topic": topic}),
        traceparent: Some("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".to_owned()),
    }
}
