//! Parsing and validation of SLO definitions.

use super::*;

#[test]
fn the_embedded_definition_parses_with_the_documented_objectives() {
    let d = Definition::embedded().unwrap();
    let names: Vec<&str> = d.slos.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "availability",
            "curves-read-latency",
            "metadata-read-latency",
            "scenarios-latency",
            "cache-hit-ratio-curves",
            "cache-hit-ratio-metadata",
            "cache-hit-ratio-scenario-outputs",
            "scenario-queue-wait",
        ]
    );
    assert_eq!(d.window, "30d");
    let Objective::ErrorRatio {
        group, objective, ..
    } = &d.slos[0].objective
    else {
        panic!("availability is an error ratio");
    };
    assert!((objective - 0.999).abs() < 1e-12);
    assert!(group.contains("GET", "/v2/curves"));
    assert!(group.contains("POST", "/v2/scenarios/{id}/runs"));
    for ops in [
        "/health", "/healthz", "/ready", "/readyz", "/livez", "/metrics",
    ] {
        assert!(!group.contains("GET", ops), "{ops} is excluded");
    }
}

#[test]
fn route_groups_match_whole_route_templates_and_methods() {
    let d = Definition::embedded().unwrap();
    let group = |name: &str| match &d.slos.iter().find(|s| s.name == name).unwrap().objective {
        Objective::Latency { group, .. } => group.clone(),
        _ => panic!("{name} is a latency SLO"),
    };
    let curves = group("curves-read-latency");
    assert!(curves.contains("GET", "/v2/curves"));
    assert!(curves.contains("GET", "/v2/curves/{curve_key}/history"));
    assert!(curves.contains("GET", "/v1/curves/strips"));
    assert!(!curves.contains("POST", "/v2/curves"));
    assert!(!curves.contains("GET", "/v2/curvesx"));
    assert!(!curves.contains("GET", "/v3/curves"));
    assert!(!curves.contains("GETX", "/v2/curves"));
    let scenarios = group("scenarios-latency");
    assert!(scenarios.contains("POST", "/v2/scenarios/{id}/runs"));
    assert!(scenarios.contains("POST", "/v2/scenarios/{id}/runs/{run_id}:cancel"));
    assert!(!scenarios.contains("GET", "/v2/metadata/dimensions"));
}

#[test]
fn definitions_with_wrong_references_fields_or_numbers_are_rejected() {
    let base = "version: 1\nservice: s\nwindow: 30d\nroute_groups:\n  - {name: g, methods: 'GET', routes: '/x'}\nslos:\n";
    let cases = [
        (
            "  - {name: a, kind: latency, route_group: nope, quantile: 0.99, threshold_seconds: 1}\n",
            "unknown route group",
        ),
        (
            "  - {name: a, kind: latency, route_group: g, quantile: 1.5, threshold_seconds: 1}\n",
            "between 0 and 1",
        ),
        (
            "  - {name: a, kind: latency, route_group: g, quantile: 0.99}\n",
            "threshold_seconds` is required",
        ),
        (
            "  - {name: a, kind: queue_wait, quantile: 0.9, threshold_seconds: 1, min_ratio: 0.5}\n",
            "does not apply",
        ),
        (
            "  - {name: a, kind: queue_wait, quantile: 0.9, threshold_seconds: -1}\n",
            "must be positive",
        ),
        (
            "  - {name: a, kind: cache_hit_ratio, namespaces: '(', min_ratio: 0.5}\n",
            "invalid regex",
        ),
        (
            "  - {name: a, kind: queue_wait, quantile: 0.9, threshold_seconds: 1}\n  - {name: a, kind: queue_wait, quantile: 0.9, threshold_seconds: 1}\n",
            "defined twice",
        ),
        ("  - {name: a, kind: nonsense}\n", "not valid"),
        (
            "  - {name: a, kind: queue_wait, quantile: 0.9, threshold_seconds: 1, typo: 1}\n",
            "not valid",
        ),
    ];
    for (slos, expected) in cases {
        let err = Definition::parse(&format!("{base}{slos}")).unwrap_err();
        assert!(
            err.to_string().contains(expected),
            "{slos}: {err} does not say {expected:?}"
        );
    }
    let ok = Definition::parse(&format!(
        "{base}  - {{name: a, kind: queue_wait, quantile: 0.9, threshold_seconds: 1}}\n"
    ));
    assert!(ok.is_ok());
}
