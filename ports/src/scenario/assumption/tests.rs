use serde_json::json;

use super::*;

fn pointers(problems: &[FieldProblem]) -> Vec<&str> {
    problems.iter().map(|p| p.pointer.as_str()).collect()
}

#[test]
fn a_policy_needs_only_its_name() {
    let a = Assumption::parse("policy", &json!({"policy_name": "Clean"}), None).unwrap();
    assert_eq!(a.driver_type(), DriverType::Policy);
    assert_eq!(
        a.payload(),
        &DriverPayload::Policy {
            policy_name: "Clean".to_owned(),
            start_year: None,
            description: None
        }
    );
}

#[test]
fn a_fleet_change_parses_every_field() {
    let payload = json!({"fleet_id": "f-1", "change_type": "Retire", "effective_date": "2025-12-01",
        "capacity_mw": 120, "ignored": true});
    let a = Assumption::parse("fleet_change", &payload, Some("v2")).unwrap();
    assert_eq!(a.version(), Some("v2"));
    assert_eq!(
        a.payload(),
        &DriverPayload::FleetChange {
            fleet_id: "f-1".to_owned(),
            change_type: ChangeType::Retire,
            effective_date: NaiveDate::from_ymd_opt(2025, 12, 1).unwrap(),
            capacity_mw: 120.0,
        }
    );
}

#[test]
fn a_fuel_curve_defaults_its_basis_adjustment_to_zero() {
    let payload = json!({"fuel": "co2", "reference_series": "EUA"});
    let a = Assumption::parse("fuel_curve", &payload, None).unwrap();
    let DriverPayload::FuelCurve {
        basis_points_adjustment,
        fuel,
        ..
    } = a.payload()
    else {
        panic!("not a fuel curve: {a:?}");
    };
    assert_eq!(*fuel, Fuel::Co2);
    assert!(basis_points_adjustment.abs() < f64::EPSILON);
}

#[test]
fn an_unknown_driver_type_is_named() {
    let problems = Assumption::parse("weather", &json!({}), None).unwrap_err();
    assert_eq!(pointers(&problems), ["/driver_type"]);
    assert!(problems[0].detail.contains("'weather'"));
    assert!(problems[0].detail.contains("fleet_change"));
}

#[test]
fn a_payload_that_is_not_an_object_is_refused() {
    let problems = Assumption::parse("policy", &json!([1, 2]), None).unwrap_err();
    assert_eq!(pointers(&problems), ["/payload"]);
}

#[test]
fn every_bad_fleet_field_is_listed() {
    let payload = json!({"change_type": "sell", "effective_date": "12/01/2025", "capacity_mw": 0});
    let problems = Assumption::parse("fleet_change", &payload, Some("")).unwrap_err();
    assert_eq!(
        pointers(&problems),
        [
            "/payload/fleet_id",
            "/payload/change_type",
            "/payload/effective_date",
            "/payload/capacity_mw",
            "/version"
        ]
    );
    assert!(problems[1].detail.contains("retire, add"));
}

#[test]
fn years_must_be_whole_and_between_1900_and_2100() {
    let payload = json!({"annual_growth_pct": "2.5", "start_year": 1899, "end_year": 2030.5});
    let problems = Assumption::parse("load_growth", &payload, None).unwrap_err();
    assert_eq!(
        pointers(&problems),
        [
            "/payload/annual_growth_pct",
            "/payload/start_year",
            "/payload/end_year"
        ]
    );
    let edges = json!({"annual_growth_pct": 1, "start_year": 1900, "end_year": 2100.0});
    assert!(Assumption::parse("load_growth", &edges, None).is_ok());
    let late = json!({"policy_name": "p", "start_year": 2101});
    let problems = Assumption::parse("policy", &late, None).unwrap_err();
    assert_eq!(problems[0].detail, "must be between 1900 and 2100");
}

#[test]
fn required_text_must_not_be_blank_and_nulls_count_as_absent() {
    let payload = json!({"fuel": null, "reference_series": "  ", "basis_points_adjustment": null});
    let problems = Assumption::parse("fuel_curve", &payload, None).unwrap_err();
    assert_eq!(
        pointers(&problems),
        ["/payload/fuel", "/payload/reference_series"]
    );
    assert_eq!(problems[0].detail, "is required");
}

#[test]
fn problems_can_be_placed_in_the_request_body() {
    let problems = Assumption::parse("fleet_change", &json!({}), None).unwrap_err();
    let placed: Vec<FieldProblem> = problems
        .into_iter()
        .map(|p| p.under("/assumptions/2"))
        .collect();
    assert!(
        placed
            .iter()
            .any(|p| p.pointer == "/assumptions/2/payload/capacity_mw")
    );
}

#[test]
fn assumptions_serialise_in_their_wire_shape_and_round_trip() {
    let a = Assumption::parse(
        "load_growth",
        &json!({"annual_growth_pct": 2.5, "start_year": 2025}),
        None,
    )
    .unwrap();
    let json = serde_json::to_value(&a).unwrap();
    assert_eq!(
        json,
        json!({"driver_type": "load_growth",
               "payload": {"annual_growth_pct": 2.5, "start_year": 2025}})
    );
    let back: Assumption = serde_json::from_value(json).unwrap();
    assert_eq!(back, a);
}

#[test]
fn deserialising_an_invalid_assumption_fails_with_its_problems() {
    let raw = json!({"driver_type": "fleet_change", "payload": {"capacity_mw": -1}});
    let err = serde_json::from_value::<Assumption>(raw).unwrap_err();
    assert!(
        err.to_string()
            .contains("/payload/capacity_mw: must be greater than 0")
    );
}

#[test]
fn an_assumption_is_rebuilt_from_its_serialised_json() {
    let a = Assumption::parse(
        "fleet_change",
        &json!({"fleet_id": "f1", "change_type": "ADD", "effective_date": "2026-01-01", "capacity_mw": 50}),
        Some("v2"),
    )
    .unwrap();
    let json = serde_json::to_value(&a).unwrap();
    assert_eq!(Assumption::from_json(&json).unwrap(), a);
    let problems =
        Assumption::from_json(&json!({"driver_type": "policy", "payload": {}})).unwrap_err();
    assert_eq!(pointers(&problems), ["/payload/policy_name"]);
    assert_eq!(
        pointers(&Assumption::from_json(&json!(7)).unwrap_err()),
        [""]
    );
}
