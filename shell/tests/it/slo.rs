//! `aurum slo check` against a running application's `/metrics`.

use std::time::Duration;

use aurum::slo::evaluate::Status;
use aurum::slo::{Definition, check};

use crate::helpers::{TestApp, spawn_app};

/// Five curve reads, two metadata reads, one unknown path (404) and the probes.
async fn some_traffic(app: &TestApp) {
    for _ in 0..5 {
        assert_eq!(app.get("/v2/curves?limit=5").await.status(), 200);
    }
    for _ in 0..2 {
        assert_eq!(app.get("/v2/metadata/dimensions").await.status(), 200);
    }
    assert_eq!(app.get("/no/such/route").await.status(), 404);
    for probe in ["/health", "/ready", "/livez", "/readyz"] {
        assert_eq!(app.get(probe).await.status(), 200, "{probe}");
    }
}

#[tokio::test]
async fn a_healthy_instance_meets_the_embedded_slos() {
    let app = spawn_app().await;
    some_traffic(&app).await;
    let definition = Definition::embedded().unwrap();
    let report = check(
        &format!("{}/metrics", app.base),
        &definition,
        false,
        Duration::from_secs(5),
    )
    .await
    .unwrap();
    assert!(report.passed, "{}", report.to_text());
    let result = |name: &str| report.results.iter().find(|r| r.name == name).unwrap();
    let availability = result("availability");
    // 5 + 2 + 1 requests outside the operational routes, none of them 5xx.
    let whole = |v: f64, n: f64| (v - n).abs() < 1e-9;
    assert!(whole(availability.events, 8.0), "{}", report.to_text());
    assert_eq!(availability.observed, Some(1.0));
    assert_eq!(result("curves-read-latency").status, Status::Pass);
    assert!(whole(result("curves-read-latency").events, 5.0));
    assert_eq!(result("metadata-read-latency").status, Status::Pass);
    assert_eq!(result("scenarios-latency").status, Status::NoData);
}

#[tokio::test]
async fn a_tightened_objective_is_reported_as_a_breach() {
    let app = spawn_app().await;
    some_traffic(&app).await;
    let tight = Definition::parse(
        "version: 1\nservice: aurum\nwindow: 30d\n\
         route_groups:\n  - {name: curves, methods: 'GET', routes: '/v2/curves'}\n\
         slos:\n  - {name: impossible, kind: latency, route_group: curves, quantile: 0.99, \
         threshold_seconds: 0.0000001}\n",
    )
    .unwrap();
    let url = format!("{}/metrics", app.base);
    let report = check(&url, &tight, false, Duration::from_secs(5))
        .await
        .unwrap();
    assert!(!report.passed, "{}", report.to_text());
    assert_eq!(report.results[0].status, Status::Breach);
    assert!(report.to_text().contains("FAILED"));
}

#[tokio::test]
async fn an_unreachable_or_non_metrics_url_is_an_error_not_a_verdict() {
    let app = spawn_app().await;
    let definition = Definition::embedded().unwrap();
    let not_text = check(
        &format!("{}/openapi.json", app.base),
        &definition,
        false,
        Duration::from_secs(5),
    )
    .await;
    assert!(not_text.is_err());
    let missing = check(
        &format!("{}/metricz", app.base),
        &definition,
        false,
        Duration::from_secs(5),
    )
    .await
    .unwrap_err();
    assert!(missing.to_string().contains("404"), "{missing}");
}
