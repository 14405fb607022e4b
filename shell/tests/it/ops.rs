//! Operational routes: health, readiness, metrics, `OpenAPI` and docs.

use crate::helpers::{spawn_app, spawn_demo_app};

#[tokio::test]
async fn health_and_ready_answer_health_json() {
    let app = spawn_app().await;
    for path in ["/health", "/healthz", "/livez"] {
        let res = app.get(path).await;
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(res.headers()["content-type"], "application/health+json");
    }
    let (status, body) = app.get_json("/ready").await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "pass");
    assert_eq!(
        body["checks"]["memory:responseTime"][0]["componentId"],
        "memory"
    );
    assert_eq!(app.get("/readyz").await.status(), 200);
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_and_status() {
    let app = spawn_app().await;
    app.get("/v2/curves?limit=1").await;
    app.get("/v2/curves?limit=0").await;
    app.get("/v2/curves/abc/history?tenor_label=2027-01").await;
    let text = app.get("/metrics").await.text().await.unwrap();
    assert!(text.contains(
        r#"http_server_requests_total{http_request_method="GET",http_response_status_code="200",http_route="/v2/curves"} 1"#
    ), "{text}");
    assert!(text.contains(
        r#"http_server_requests_total{http_request_method="GET",http_response_status_code="400",http_route="/v2/curves"} 1"#
    ));
    assert!(text.contains(r#"http_route="/v2/curves/{curve_key}/history""#));
    assert!(text.contains("http_server_request_duration_seconds_bucket"));
}

#[tokio::test]
async fn the_openapi_document_is_3_1_and_lists_every_route() {
    let app = spawn_app().await;
    let (status, doc) = app.get_json("/openapi.json").await;
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/v2/curves",
        "/v2/curves/diff",
        "/v2/curves/strips",
        "/v2/curves/{curve_key}/history",
        "/v2/curves/export",
        "/v2/metadata/dimensions",
        "/health",
        "/ready",
        "/metrics",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} is documented");
    }
    let res = app.get("/docs/").await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("swagger"));
}

#[tokio::test]
async fn the_demo_dataset_is_served_without_configuration() {
    let app = spawn_demo_app().await;
    let (status, body) = app.get_json("/v2/metadata/dimensions").await;
    assert_eq!(status, 200);
    assert!(body["data"]["iso"].as_array().unwrap().len() >= 7);
    let markets: Vec<&str> = body["data"]["market"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["value"].as_str().unwrap())
        .collect();
    assert!(
        markets.contains(&"DA") && markets.contains(&"RT"),
        "{markets:?}"
    );
}
