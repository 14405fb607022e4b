//! Builders shared by the scenario tests.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde_json::{Value, json};

use aurum_ports::TenantId;
use aurum_ports::scenario::{
    Assumption, NewScenario, Run, RunId, RunOptions, RunSettings, Scenario, ScenarioId,
};

use super::lifecycle::queued_run;

pub(crate) const SCENARIO_ID: &str = "0190f0a2-7c1e-7d3a-9b1e-5f0c2a4b6d8e";
pub(crate) const RUN_ID: &str = "0190f0a2-7c1e-7d3a-9b1e-000000000001";

pub(crate) fn tenant() -> TenantId {
    TenantId::parse("acme").unwrap()
}

/// 2025-03-15 `h`:00 UTC.
pub(crate) fn at(h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 15, h, 0, 0).unwrap()
}

pub(crate) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A scenario named "Base Case" with the given request body fields merged in.
pub(crate) fn scenario(body: Value) -> Scenario {
    let mut input = json!({"name": "Base Case"});
    if let (Some(target), Value::Object(extra)) = (input.as_object_mut(), body) {
        target.extend(extra);
    }
    let draft = serde_json::from_value::<NewScenario>(input)
        .unwrap()
        .validate()
        .unwrap();
    Scenario::new(
        ScenarioId::parse(SCENARIO_ID).unwrap(),
        tenant(),
        draft,
        at(0),
    )
}

pub(crate) fn settings(body: Value) -> RunSettings {
    serde_json::from_value::<RunOptions>(body)
        .unwrap()
        .validate()
        .unwrap()
}

pub(crate) fn run(status: aurum_ports::scenario::RunStatus) -> Run {
    let mut run = queued_run(
        RunId::parse(RUN_ID).unwrap(),
        &scenario(json!({})),
        &settings(json!({})),
        at(1),
    );
    run.status = status;
    run
}

pub(crate) fn assumption(driver_type: &str, payload: &Value) -> Assumption {
    Assumption::parse(driver_type, payload, None).unwrap()
}
