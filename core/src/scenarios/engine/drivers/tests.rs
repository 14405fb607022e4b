//! Expected values are computed by hand in the comments; sha256 prefixes come from
//! `printf '%s' 'HH' | sha256sum` (a417aa…), `henry_hub` (d449f3…) and `EUA` (11a5cc…).

use super::*;
use crate::scenarios::fixtures::date;

fn close(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() < 1e-12,
        "expected {expected}, got {actual}"
    );
}

#[test]
fn a_policy_adds_a_tenth_per_character() {
    close(policy_effect("Clean"), 0.5); // 5 × 0.1
    close(policy_effect("Énergie"), 0.7); // 7 characters, 8 bytes
    close(policy_effect(""), 0.0);
}

#[test]
fn load_growth_is_zero_before_its_start_year() {
    close(load_growth_progress(2024, Some(2025), None), 0.0);
    close(load_growth_progress(2024, Some(2025), Some(2030)), 0.0);
}

#[test]
fn load_growth_ramps_linearly_between_start_and_end() {
    close(load_growth_progress(2025, Some(2025), Some(2025)), 1.0); // 1 / 1
    close(load_growth_progress(2025, Some(2024), Some(2027)), 0.5); // (2025−2024+1) / 4
    close(load_growth_progress(2024, Some(2024), Some(2027)), 0.25); // 1 / 4
    close(load_growth_progress(2030, Some(2024), Some(2027)), 1.0); // capped at end: 4 / 4
}

#[test]
fn load_growth_without_a_start_year_starts_in_the_pricing_year() {
    close(load_growth_progress(2025, None, None), 1.0); // start = end = 2025
    close(load_growth_progress(2025, None, Some(2028)), 0.25); // 1 / (2028−2025+1)
    close(load_growth_progress(2025, None, Some(2020)), 1.0); // end < start → end = start
}

#[test]
fn an_end_year_before_the_start_year_collapses_to_the_start() {
    // start 2020, end 2010 → end = 2020; position = min(max(2025, 2020), 2020) = 2020 → 1/1.
    close(load_growth_progress(2025, Some(2020), Some(2010)), 1.0);
}

#[test]
fn load_growth_scales_with_its_reference_curve() {
    close(load_growth_effect(2.5, 1.0, None), 0.125); // 0.05 × 2.5 × 1
    close(load_growth_effect(2.5, 1.0, Some(60.0)), 0.15); // 0.125 × 60/50
    close(load_growth_effect(4.0, 0.5, None), 0.1); // 0.05 × 4 × 0.5
    close(load_growth_effect(-2.0, 1.0, Some(25.0)), -0.05); // −0.1 × 25/50
}

#[test]
fn the_reference_factor_is_the_hash_bucket_of_the_series() {
    close(reference_factor("HH"), 0.012); // 0xa417aa = 10753962, mod 50 = 12
    close(reference_factor("henry_hub"), 0.013); // 0xd449f3 = 13912563, mod 50 = 13
    close(reference_factor("EUA"), 0.006); // 0x11a5cc = 1156556, mod 50 = 6
    close(reference_factor(""), 0.0);
}

#[test]
fn a_fuel_curve_weighs_its_baseline_and_basis() {
    // natural gas on B = 80, +100 bp: 0.004×80 + 80×0.01 + 0.012 = 0.32 + 0.8 + 0.012
    close(
        fuel_curve_effect(Some(Fuel::NaturalGas), "HH", 100.0, 80.0),
        1.132,
    );
    // coal on B = 40, −50 bp: −0.003×40 + 40×(−0.005) + 0.012 = −0.12 − 0.2 + 0.012
    close(
        fuel_curve_effect(Some(Fuel::Coal), "HH", -50.0, 40.0),
        -0.308,
    );
    // co2 on B = 50: 0.006×50 + 0 + 0.006 ; oil: 0.005×50 + 0 + 0.013
    close(fuel_curve_effect(Some(Fuel::Co2), "EUA", 0.0, 50.0), 0.306);
    close(
        fuel_curve_effect(Some(Fuel::Oil), "henry_hub", 0.0, 50.0),
        0.263,
    );
    // an unknown fuel weighs 0: 0 + 50×0.02 + 0.012
    close(fuel_curve_effect(None, "HH", 200.0, 50.0), 1.012);
}

#[test]
fn a_fuel_curve_takes_its_baseline_from_the_reference_curve_then_the_series_then_the_base() {
    let asof = date(2025, 3, 15);
    let level = |key: &str| match key {
        "HH" => Some(80.0),
        "GAS_CURVE" => Some(70.0),
        _ => None,
    };
    let payload = |curve: Option<&str>, series: &str| DriverPayload::FuelCurve {
        fuel: Fuel::NaturalGas,
        reference_series: series.to_owned(),
        basis_points_adjustment: 0.0,
        reference_curve_key: curve.map(str::to_owned),
    };
    close(
        effect(&payload(Some("GAS_CURVE"), "HH"), asof, 55.0, &level),
        0.292,
    ); // 0.28 + 0.012
    close(effect(&payload(None, "HH"), asof, 55.0, &level), 0.332); // 0.32 + 0.012
    close(
        effect(&payload(Some("NONE"), "HH"), asof, 55.0, &level),
        0.232,
    ); // B = base 55
    close(effect(&payload(Some(""), "HH"), asof, 55.0, &level), 0.332); // empty key → series
}

#[test]
fn months_ahead_counts_calendar_months_and_never_goes_negative() {
    let asof = date(2025, 3, 15);
    assert_eq!(months_ahead(asof, date(2025, 12, 1)), 9);
    assert_eq!(months_ahead(asof, date(2026, 2, 1)), 11); // 12 + (2 − 3)
    assert_eq!(months_ahead(asof, date(2025, 3, 31)), 0);
    assert_eq!(months_ahead(asof, date(2025, 3, 1)), 0);
    assert_eq!(months_ahead(asof, date(2024, 1, 1)), 0); // −14 → 0
}

#[test]
fn a_fleet_addition_ramps_up_to_half_again_over_24_months() {
    let asof = date(2025, 3, 15);
    // 120 MW in 9 months: 1.2 × (1 + 0.5 × 9/24) = 1.2 × 1.1875
    close(
        fleet_change_effect(ChangeType::Add, 120.0, date(2025, 12, 1), asof),
        1.425,
    );
    // already effective: 50 MW → 0.5 × 1
    close(
        fleet_change_effect(ChangeType::Add, 50.0, date(2024, 1, 1), asof),
        0.5,
    );
    // 58 months ahead is capped at 24: 1.0 × 1.5
    close(
        fleet_change_effect(ChangeType::Add, 100.0, date(2030, 1, 1), asof),
        1.5,
    );
}

#[test]
fn a_fleet_retirement_lowers_the_value() {
    let asof = date(2025, 3, 15);
    close(
        fleet_change_effect(ChangeType::Retire, 120.0, date(2025, 12, 1), asof),
        -1.425,
    );
    // exactly 24 months: −2 × 1.5
    close(
        fleet_change_effect(ChangeType::Retire, 200.0, date(2027, 3, 1), asof),
        -3.0,
    );
}

#[test]
fn a_capacity_that_is_not_positive_has_no_effect() {
    let asof = date(2025, 3, 15);
    for mw in [0.0, -10.0, f64::NAN] {
        close(fleet_change_effect(ChangeType::Add, mw, asof, asof), 0.0);
    }
}
