//! Expected values are computed by hand (see comments) and cross-checked against the original
//! worker's Python formulas; the default curve key comes from
//! `printf '%s' 'acme:0190f0a2-7c1e-7d3a-9b1e-5f0c2a4b6d8e:2025-03-15' | sha256sum`.

use aurum_ports::scenario::{DriverType, RunStatus};
use serde_json::json;

use super::*;
use crate::scenarios::fixtures::{assumption, at, date, run, scenario};

const WORKED_WEIGHTS: EngineWeights = EngineWeights {
    monthly: 1.0,
    quarter: 1.1,
    calendar: 1.2,
};

fn close(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() < 1e-9,
        "expected {expected}, got {actual}"
    );
}

fn worked_example() -> (Scenario, Run) {
    let s = scenario(json!({"assumptions": [
        {"driver_type": "policy", "payload": {"policy_name": "Clean"}},
        {"driver_type": "load_growth",
         "payload": {"annual_growth_pct": 2.5, "start_year": 2025, "end_year": 2025}}
    ]}));
    let mut r = run(RunStatus::Running);
    r.asof_date = Some(date(2025, 8, 20));
    r.curve_keys = vec![CurveKey::parse("PJM_WEST").unwrap()];
    (s, r)
}

fn pjm_at_60(key: &str, asof: NaiveDate) -> Option<f64> {
    (key == "PJM_WEST" && asof == date(2025, 8, 20)).then_some(60.0)
}

#[test]
fn the_worked_example_is_reproduced_exactly() {
    let (s, r) = worked_example();
    let rows = evaluate_run(&s, &r, date(2030, 1, 1), at(9), &WORKED_WEIGHTS, &pjm_at_60);
    // Compared exactly, not within a tolerance: parity means the same doubles.
    let values: Vec<f64> = rows.iter().map(|o| o.value).collect();
    assert_eq!(values, [60.625, 66.6875, 72.75]);
    let bands: Vec<(f64, f64)> = rows.iter().map(|o| (o.band_lower, o.band_upper)).collect();
    // 60.625 × 0.98 = 59.4125; 66.6875 × 0.98 = 65.35375 (stored above the tie) → 65.3538;
    // 66.6875 × 1.02 = 68.02125 (stored below the tie) → 68.0212, as Python's round gives.
    assert_eq!(
        bands,
        [(59.4125, 61.8375), (65.3538, 68.0212), (71.295, 74.205)]
    );
    for row in &rows {
        assert_eq!(
            row.attribution,
            [
                Attribution {
                    component: DriverType::Policy,
                    delta: 0.5
                },
                Attribution {
                    component: DriverType::LoadGrowth,
                    delta: 0.125
                }
            ]
        );
    }
}

#[test]
fn default_weights_break_the_quarter_tie_to_even_like_the_original() {
    let (s, r) = worked_example();
    let rows = evaluate_run(
        &s,
        &r,
        date(2030, 1, 1),
        at(9),
        &EngineWeights::default(),
        &pjm_at_60,
    );
    let values: Vec<f64> = rows.iter().map(|o| o.value).collect();
    // 60.625 × 1.05 = 63.65625 exactly: ties to even → 63.6562, as Python's round;
    // 60.625 × 1.08 = 65.47500000000001 → 65.475.
    assert_eq!(values, [60.625, 63.6562, 65.475]);
}

#[test]
fn rows_carry_tenor_periods_labels_and_run_identity() {
    let (s, r) = worked_example();
    let rows = evaluate_run(&s, &r, date(2030, 1, 1), at(9), &WORKED_WEIGHTS, &pjm_at_60);
    let periods: Vec<(TenorType, NaiveDate, &str)> = rows
        .iter()
        .map(|o| (o.tenor_type, o.contract_month, o.tenor_label.as_str()))
        .collect();
    assert_eq!(
        periods,
        [
            (TenorType::Monthly, date(2025, 8, 1), "2025-08"),
            (TenorType::Quarter, date(2025, 7, 1), "Q3 2025"),
            (TenorType::Calendar, date(2025, 1, 1), "Calendar 2025"),
        ]
    );
    for o in &rows {
        assert_eq!(
            (o.metric.as_str(), o.curve_key.as_str()),
            ("mid", "PJM_WEST")
        );
        assert_eq!((o.asof_date, o.computed_at), (date(2025, 8, 20), at(9)));
        assert_eq!((o.scenario_id, o.run_id), (r.scenario_id, r.id));
        assert_eq!(o.tenant_id.as_str(), "acme");
        assert_eq!(o.version_hash, r.input_hash);
    }
}

#[test]
fn quarters_start_on_their_first_month() {
    for (m, start, label) in [
        (1, 1, "Q1"),
        (3, 1, "Q1"),
        (4, 4, "Q2"),
        (9, 7, "Q3"),
        (12, 10, "Q4"),
    ] {
        let (begin, text) = tenor_period(date(2026, m, 1), TenorType::Quarter);
        assert_eq!(
            (begin, text),
            (date(2026, start, 1), format!("{label} 2026"))
        );
    }
}

#[test]
fn without_curve_keys_the_curve_is_derived_and_the_base_defaults_to_50() {
    let s = scenario(json!({}));
    let r = run(RunStatus::Running); // no asof_date, no curve keys
    let rows = evaluate_run(
        &s,
        &r,
        date(2025, 3, 15),
        at(9),
        &EngineWeights::default(),
        &|_: &str, _| None,
    );
    assert_eq!(
        rows[0].curve_key.as_str(),
        "79de2def69412a0a2313e655e44b2348"
    );
    assert_eq!(
        rows[0].asof_date,
        date(2025, 3, 15),
        "asof defaults to today"
    );
    assert_eq!(rows[0].tenor_label, "2025-03");
    close(rows[0].value, 50.0);
    assert!(rows[0].attribution.is_empty());
}

#[test]
fn the_derived_curve_key_depends_on_the_pricing_date() {
    let id = ScenarioId::parse(crate::scenarios::fixtures::SCENARIO_ID).unwrap();
    let tenant = TenantId::parse("acme").unwrap();
    let key = resolve_curve_key(&[], &tenant, id, date(2025, 1, 31));
    assert_eq!(key.as_str(), "966909ac899b108871ed4797fc8fa9f5");
    let first = CurveKey::parse("A").unwrap();
    let chosen = resolve_curve_key(
        &[first.clone(), CurveKey::parse("B").unwrap()],
        &tenant,
        id,
        date(2025, 1, 31),
    );
    assert_eq!(chosen, first);
}

#[test]
fn every_driver_adds_up_and_zero_effects_are_not_attributed() {
    let assumptions = [
        assumption("policy", &json!({"policy_name": "Clean"})), // 0.5
        assumption(
            "fleet_change",
            &json!({"fleet_id": "f", "change_type": "add",
            "effective_date": "2025-12-01", "capacity_mw": 120}),
        ), // 1.2 × 1.1875 = 1.425
        assumption(
            "fuel_curve",
            &json!({"fuel": "natural_gas", "reference_series": "HH"}),
        ), // 0.004×80 + 0.012 = 0.332
        assumption(
            "load_growth",
            &json!({"annual_growth_pct": 3, "start_year": 2026}),
        ), // 0: not started
    ];
    let hh = |key: &str, _: NaiveDate| (key == "HH").then_some(80.0);
    let v = value_scenario(&assumptions, date(2025, 3, 15), None, &hh);
    close(v.base, 50.0);
    close(v.value, 52.257); // 50 + 0.5 + 1.425 + 0.332
    let parts: Vec<(DriverType, f64)> = v
        .attribution
        .iter()
        .map(|a| (a.component, a.delta))
        .collect();
    assert_eq!(parts.len(), 3);
    for ((component, delta), (want_c, want_d)) in parts.into_iter().zip([
        (DriverType::Policy, 0.5),
        (DriverType::FleetChange, 1.425),
        (DriverType::FuelCurve, 0.332),
    ]) {
        assert_eq!(component, want_c);
        close(delta, want_d);
    }
}

#[test]
fn a_load_growth_reference_scales_by_its_level_over_50() {
    let a = [assumption(
        "load_growth",
        &json!({"annual_growth_pct": 2.5, "reference_curve_key": "LOAD"}),
    )];
    let load = |key: &str, _: NaiveDate| (key == "LOAD").then_some(60.0);
    // 0.05 × 2.5 × 1 × 60/50 = 0.15 on the curve's base 40
    close(
        value_scenario(&a, date(2025, 3, 15), Some(40.0), &load).value,
        40.15,
    );
}

#[test]
fn non_finite_levels_count_as_missing() {
    let nan = |_: &str, _: NaiveDate| Some(f64::NAN);
    let a = [assumption(
        "fuel_curve",
        &json!({"fuel": "oil", "reference_series": "EUA"}),
    )];
    // B falls back to the base 50: 0.005 × 50 + 0.006
    close(
        value_scenario(&a, date(2025, 3, 15), Some(f64::NAN), &nan).value,
        50.256,
    );
}

#[test]
fn baseline_keys_name_every_lookup_once() {
    let a = [
        assumption(
            "load_growth",
            &json!({"annual_growth_pct": 1, "reference_curve_key": "LOAD"}),
        ),
        assumption(
            "fuel_curve",
            &json!({"fuel": "coal", "reference_series": "API2"}),
        ),
        assumption(
            "fuel_curve",
            &json!({"fuel": "oil", "reference_series": "X", "reference_curve_key": "LOAD"}),
        ),
        assumption("policy", &json!({"policy_name": "p"})),
    ];
    let keys = baseline_keys(&a, &CurveKey::parse("PJM_WEST").unwrap());
    assert_eq!(keys, ["PJM_WEST", "LOAD", "API2"]);
}
