use chrono::TimeZone;
use serde_json::json;

use super::*;

fn input(value: serde_json::Value) -> NewScenario {
    serde_json::from_value(value).unwrap()
}

fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 15, 12, 0, 0).unwrap()
}

#[test]
fn a_valid_scenario_becomes_a_draft_with_trimmed_deduplicated_tags() {
    let draft = input(json!({
        "name": "  Base Case ",
        "assumptions": [{"driver_type": "policy", "payload": {"policy_name": "Clean"}}],
        "tags": [" power", "power", "gas "]
    }))
    .validate()
    .unwrap();
    assert_eq!(draft.name().as_str(), "Base Case");
    assert_eq!(draft.assumptions().len(), 1);
    assert_eq!(draft.tags(), ["power", "gas"]);
}

#[test]
fn every_problem_of_a_new_scenario_is_listed_with_its_pointer() {
    let problems = input(json!({
        "name": "   ",
        "description": "d".repeat(2001),
        "assumptions": [
            {"driver_type": "policy", "payload": {"policy_name": "ok"}},
            {"driver_type": "nope", "payload": {}},
            {"driver_type": "fleet_change", "payload": {"fleet_id": "f", "change_type": "add",
              "effective_date": "2025-01-01", "capacity_mw": -5}}
        ],
        "tags": ["ok", "", "t".repeat(65)]
    }))
    .validate()
    .unwrap_err();
    let pointers: Vec<&str> = problems.iter().map(|p| p.pointer.as_str()).collect();
    assert_eq!(
        pointers,
        [
            "/name",
            "/description",
            "/assumptions/1/driver_type",
            "/assumptions/2/payload/capacity_mw",
            "/tags/1",
            "/tags/2"
        ]
    );
}

#[test]
fn names_and_tags_are_limited_in_characters_not_bytes() {
    let long_but_ok = "é".repeat(MAX_NAME_CHARS);
    assert!(ScenarioName::parse(&long_but_ok).is_ok());
    assert_eq!(
        ScenarioName::parse(&"é".repeat(MAX_NAME_CHARS + 1)),
        Err(InvalidName)
    );
    let tags: Vec<String> = (0..=MAX_TAGS).map(|i| format!("t{i}")).collect();
    let problems = NewScenario {
        name: "n".to_owned(),
        tags,
        ..NewScenario::default()
    }
    .validate()
    .unwrap_err();
    assert_eq!(problems[0].pointer, "/tags");
}

#[test]
fn a_missing_name_is_reported_not_a_parse_error() {
    let problems = input(json!({})).validate().unwrap_err();
    assert_eq!(problems[0].pointer, "/name");
}

#[test]
fn a_new_scenario_derives_its_unique_key_and_starts_at_version_one() {
    let draft = input(json!({"name": "Clean Power 2030!"}))
        .validate()
        .unwrap();
    let id = ScenarioId::parse("0190f0a2-7c1e-7d3a-9b1e-5f0c2a4b6d8e").unwrap();
    let mut s = Scenario::new(id, TenantId::parse("acme").unwrap(), draft, at());
    assert_eq!(s.unique_key().as_str(), "acme:clean-power-2030");
    assert_eq!(s.status, ScenarioStatus::Created);
    assert_eq!((s.version, s.created_at, s.updated_at), (1, at(), at()));
    s.rename(ScenarioName::parse("Stress").unwrap());
    assert_eq!(s.unique_key().as_str(), "acme:stress");
    assert_eq!(s.name().as_str(), "Stress");
}

#[test]
fn a_scenario_serialises_with_its_tenant_as_text() {
    let draft = input(json!({"name": "x"})).validate().unwrap();
    let id = ScenarioId::parse("0190f0a2-7c1e-7d3a-9b1e-5f0c2a4b6d8e").unwrap();
    let s = Scenario::new(id, TenantId::parse("acme").unwrap(), draft, at());
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["tenant_id"], "acme");
    assert_eq!(json["unique_key"], "acme:x");
    assert_eq!(json["status"], "created");
}

#[test]
fn a_restored_scenario_equals_the_stored_one_and_re_derives_its_unique_key() {
    let draft = input(json!({
        "name": "Clean Power: 2030!",
        "assumptions": [{"driver_type": "policy", "payload": {"policy_name": "Clean"}}],
        "tags": ["power"]
    }))
    .validate()
    .unwrap();
    let tenant = TenantId::parse("acme").unwrap();
    let stored = Scenario::new(
        ScenarioId::from_uuid(uuid::Uuid::nil()),
        tenant.clone(),
        draft,
        at(),
    );
    let restored = Scenario::restore(
        stored.id,
        tenant,
        stored.name().clone(),
        stored.description.clone(),
        stored.status,
        stored.assumptions.clone(),
        stored.parameters.clone(),
        stored.tags.clone(),
        stored.created_at,
        stored.updated_at,
        stored.version,
    );
    assert_eq!(restored, stored);
    assert_eq!(restored.unique_key().as_str(), "acme:clean-power-2030");
}
