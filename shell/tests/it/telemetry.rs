//! Telemetry over real HTTP: the Prometheus series `/metrics` serves after requests and a run,
//! spans received by an OTLP/HTTP receiver running inside the test (semantic-convention names
//! and attributes, the incoming `traceparent` continued, the worker's run span in the trace of
//! the request that submitted it), and an unreachable collector that changes nothing for
//! clients.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, web};
use aurum::Application;
use aurum::settings::{LogFormat, LogSettings, ServeSettings};
use aurum::telemetry::Telemetry;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value as AnyValue;
use opentelemetry_proto::tonic::trace::v1::Span;
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use prost::Message as _;
use serde_json::{Value, json};

use crate::helpers::{TestApp, known_csv, spawn_app, spawn_with, write_temp};

const REQUEST_TRACE: &str = "0af7651916cd43dd8448eb211c80319c";
const REQUEST_PARENT: &str = "b7ad6b7169203331";
const RUN_TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const RUN_PARENT: &str = "00f067aa0ba902b7";

/// A tiny OTLP/HTTP receiver: keeps every span posted to `/v1/traces` (protobuf) and accepts
/// `/v1/metrics`.
struct Receiver {
    base: String,
    spans: Arc<Mutex<Vec<Span>>>,
}

impl Receiver {
    fn start() -> Self {
        let spans: Arc<Mutex<Vec<Span>>> = Arc::default();
        let kept = Arc::clone(&spans);
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let server = HttpServer::new(move || {
            let kept = Arc::clone(&kept);
            App::new()
                .route(
                    "/v1/traces",
                    web::post().to(move |body: web::Bytes| {
                        let kept = Arc::clone(&kept);
                        async move {
                            let Ok(req) = ExportTraceServiceRequest::decode(body) else {
                                return HttpResponse::BadRequest().finish();
                            };
                            let mut all = kept.lock().unwrap();
                            for rs in req.resource_spans {
                                for ss in rs.scope_spans {
                                    all.extend(ss.spans);
                                }
                            }
                            HttpResponse::Ok()
                                .content_type("application/x-protobuf")
                                .finish()
                        }
                    }),
                )
                .route(
                    "/v1/metrics",
                    web::post().to(|| async {
                        HttpResponse::Ok()
                            .content_type("application/x-protobuf")
                            .finish()
                    }),
                )
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        tokio::spawn(server);
        Self { base, spans }
    }

    fn spans(&self) -> Vec<Span> {
        self.spans.lock().unwrap().clone()
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn attr(span: &Span, key: &str) -> Option<AnyValue> {
    span.attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.clone())
        .and_then(|v| v.value)
}

fn text(span: &Span, key: &str) -> Option<String> {
    match attr(span, key) {
        Some(AnyValue::StringValue(s)) => Some(s),
        _ => None,
    }
}

fn int(span: &Span, key: &str) -> Option<i64> {
    match attr(span, key) {
        Some(AnyValue::IntValue(n)) => Some(n),
        _ => None,
    }
}

/// The application, with the given telemetry settings, serving the known dataset; its
/// telemetry is bridged to this test process's tracing subscriber when `bridge`.
async fn spawn_traced(settings: ServeSettings, bridge: bool) -> (TestApp, Telemetry) {
    let dir = tempfile::TempDir::new().unwrap();
    let file = write_temp(&dir, "known.csv", &known_csv());
    let mut settings = settings;
    settings.load = vec![file];
    let telemetry = Telemetry::new(&settings.telemetry).unwrap();
    if bridge {
        let log = LogSettings {
            log_format: LogFormat::Pretty,
            log: "warn".to_owned(),
        };
        aurum::telemetry::init(&log, Some(&telemetry))
            .expect("this test process has no subscriber yet (one test per process)");
    }
    let clock = Arc::new(aurum::clock::SystemClock);
    let app = Application::build_with_telemetry(settings, clock, telemetry.clone())
        .await
        .expect("the application builds");
    let mut test_app = TestApp::new(format!("http://127.0.0.1:{}", app.port()));
    tokio::spawn(app.run_until_stopped());
    test_app.dir = Some(dir);
    (test_app, telemetry)
}

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> (u16, Value) {
    let mut req = app
        .client
        .request(method, format!("{}{path}", app.base))
        .header("X-Tenant-ID", "acme");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Creates a scenario and submits a run of it (with `headers`), then waits (bounded polls)
/// until the in-process worker finished it; returns the run.
async fn run_to_completion(app: &TestApp, headers: &[(&str, &str)]) -> Value {
    let scenario = json!({"name": "Telemetry", "assumptions": [{"driver_type": "policy", "payload": {"policy_name": "Clean"}}]});
    let (status, body) = send(
        app,
        reqwest::Method::POST,
        "/v2/scenarios",
        Some(scenario),
        &[],
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let id = body["data"]["id"].as_str().unwrap().to_owned();
    let options = json!({"asof_date": "2026-11-20"});
    let path = format!("/v2/scenarios/{id}/runs");
    let (status, body) = send(app, reqwest::Method::POST, &path, Some(options), headers).await;
    assert_eq!(status, 202, "{body}");
    let run = body["data"]["id"].as_str().unwrap().to_owned();
    for _ in 0..500 {
        let (_, body) = send(
            app,
            reqwest::Method::GET,
            &format!("{path}/{run}"),
            None,
            &[],
        )
        .await;
        if !matches!(body["data"]["status"].as_str(), Some("queued" | "running")) {
            return body["data"].clone();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("run {run} never finished");
}

async fn scrape(app: &TestApp) -> String {
    app.get("/metrics").await.text().await.unwrap()
}

#[tokio::test]
async fn metrics_expose_http_v1_ingest_and_scenario_series_with_their_labels() {
    let app = spawn_app().await;
    assert_eq!(app.get("/v2/curves?limit=1").await.status(), 200);
    assert_eq!(app.get("/v1/curves?limit=1").await.status(), 200);
    assert_eq!(app.get("/no/such/route").await.status(), 404);
    let done = run_to_completion(&app, &[]).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    let text = scrape(&app).await;
    for series in [
        r#"http_server_request_duration_seconds_bucket{http_request_method="GET",http_response_status_code="200",http_route="/v2/curves",le="0.005"}"#,
        r#"http_server_request_duration_seconds_bucket{http_request_method="GET",http_response_status_code="200",http_route="/v2/curves",le="+Inf"} 1"#,
        r#"http_server_request_duration_seconds_count{http_request_method="GET",http_response_status_code="200",http_route="/v2/curves"} 1"#,
        r#"http_server_request_duration_seconds_sum{http_request_method="GET",http_response_status_code="200",http_route="/v2/curves"}"#,
        r#"http_server_requests_total{http_request_method="GET",http_response_status_code="200",http_route="/v1/curves"} 1"#,
        r#"http_server_requests_total{http_request_method="GET",http_response_status_code="404",http_route="unmatched"} 1"#,
        r#"http_server_requests_total{http_request_method="POST",http_response_status_code="202",http_route="/v2/scenarios/{id}/runs"} 1"#,
        r#"http_server_active_requests{http_request_method="GET",url_scheme="http"}"#,
        r#"aurum_api_v1_requests_total{route="/v1/curves"} 1"#,
        r#"aurum_ingest_rows_total{outcome="quarantined"} 2"#,
        r#"aurum_scenario_runs_total{state="succeeded"} 1"#,
        r#"aurum_scenario_run_duration_seconds_count{state="succeeded"} 1"#,
        "aurum_scenario_queue_wait_seconds_count 1",
        r#"aurum_scenario_queue_wait_seconds_bucket{le="5"}"#,
        "# TYPE http_server_request_duration_seconds histogram",
        "# TYPE aurum_scenario_runs_total counter",
        "# TYPE http_server_active_requests gauge",
    ] {
        assert!(text.contains(series), "missing {series} in\n{text}");
    }
    assert!(
        text.contains(r#"aurum_ingest_rows_total{outcome="stored"}"#),
        "{text}"
    );
    assert!(!text.contains("otel_scope_name"), "no scope labels: {text}");
    assert!(!text.contains("target_info"), "no target_info: {text}");
}

#[tokio::test]
async fn the_outbox_gauges_appear_once_the_relay_sampled_them() {
    let app = spawn_app().await;
    run_to_completion(&app, &[]).await;
    let mut text = String::new();
    for _ in 0..200 {
        text = scrape(&app).await;
        if text.contains("aurum_outbox_lag_seconds") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(text.contains("aurum_outbox_lag_seconds"), "{text}");
    assert!(text.contains("aurum_outbox_dead_letters 0"), "{text}");
}

/// One test drives every span assertion: the process-wide subscriber can bridge only one
/// application's tracer, and nextest gives each test its own process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spans_reach_an_otlp_receiver_and_the_worker_span_continues_the_request_trace() {
    let receiver = Receiver::start();
    let mut settings = ServeSettings::for_tests();
    settings.telemetry.otlp_endpoint = Some(receiver.base.clone());
    let (app, telemetry) = spawn_traced(settings, true).await;
    let port: i64 = app.base.rsplit(':').next().unwrap().parse().unwrap();

    let curves_tp = format!("00-{REQUEST_TRACE}-{REQUEST_PARENT}-01");
    let res = app
        .get_with(
            "/v2/curves?limit=1",
            &[
                ("traceparent", curves_tp.as_str()),
                ("user-agent", "otel-test"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    // An invalid traceparent (all-zero trace id) is ignored: a new trace starts.
    let bad = "00-00000000000000000000000000000000-00f067aa0ba902b7-01";
    assert_eq!(
        app.get_with("/v2/metadata/dimensions", &[("traceparent", bad)])
            .await
            .status(),
        200
    );
    let run_tp = format!("00-{RUN_TRACE}-{RUN_PARENT}-01");
    let done = run_to_completion(&app, &[("traceparent", run_tp.as_str())]).await;
    assert_eq!(done["status"], "succeeded", "{done}");

    let mut spans = Vec::new();
    for _ in 0..100 {
        let t = telemetry.clone();
        tokio::task::spawn_blocking(move || t.force_flush())
            .await
            .unwrap();
        spans = receiver.spans();
        let has_delivery = spans.iter().any(|s| s.name == "outbox.deliver");
        if has_delivery && spans.iter().any(|s| s.name == "scenario.run") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let names: Vec<&str> = spans.iter().map(|s| s.name.as_str()).collect();

    let curves = spans
        .iter()
        .find(|s| s.name == "GET /v2/curves")
        .unwrap_or_else(|| panic!("no GET /v2/curves span in {names:?}"));
    assert_server_span(curves, port);

    let dims = spans
        .iter()
        .find(|s| s.name == "GET /v2/metadata/dimensions")
        .unwrap_or_else(|| panic!("no metadata span in {names:?}"));
    assert!(
        dims.parent_span_id.is_empty(),
        "an invalid traceparent starts a new trace"
    );
    assert_ne!(hex(&dims.trace_id), "0".repeat(32));

    assert_run_in_request_trace(&spans, &done, &names);
    telemetry.shutdown().await;
    telemetry.shutdown().await;
}

/// The `GET /v2/curves` span: a server span continuing the incoming trace, with the
/// semantic-convention attributes.
fn assert_server_span(curves: &Span, port: i64) {
    assert_eq!(curves.kind, SpanKind::Server as i32);
    assert_eq!(
        hex(&curves.trace_id),
        REQUEST_TRACE,
        "the incoming trace is continued"
    );
    assert_eq!(hex(&curves.parent_span_id), REQUEST_PARENT);
    assert_eq!(text(curves, "http.request.method").as_deref(), Some("GET"));
    assert_eq!(text(curves, "http.route").as_deref(), Some("/v2/curves"));
    assert_eq!(text(curves, "url.path").as_deref(), Some("/v2/curves"));
    assert_eq!(text(curves, "url.query").as_deref(), Some("limit=1"));
    assert_eq!(text(curves, "url.scheme").as_deref(), Some("http"));
    assert_eq!(
        text(curves, "user_agent.original").as_deref(),
        Some("otel-test")
    );
    assert_eq!(int(curves, "http.response.status_code"), Some(200));
    assert_eq!(int(curves, "server.port"), Some(port));
    assert_eq!(text(curves, "error.type"), None);
}

/// The submit request's span, the worker's run span (its child) and the delivery of the
/// run's event (a child of the run span), all in the trace the client started.
fn assert_run_in_request_trace(spans: &[Span], done: &Value, names: &[&str]) {
    let submit = spans
        .iter()
        .find(|s| s.name == "POST /v2/scenarios/{id}/runs")
        .unwrap_or_else(|| panic!("no submit span in {names:?}"));
    assert_eq!(hex(&submit.trace_id), RUN_TRACE);
    assert_eq!(int(submit, "http.response.status_code"), Some(202));

    let run = spans
        .iter()
        .find(|s| s.name == "scenario.run")
        .unwrap_or_else(|| panic!("no scenario.run span in {names:?}"));
    assert_eq!(run.kind, SpanKind::Consumer as i32);
    assert_eq!(
        hex(&run.trace_id),
        RUN_TRACE,
        "the run joins the submitting trace"
    );
    assert_eq!(
        run.parent_span_id, submit.span_id,
        "the run span is a child of the request that submitted it"
    );
    assert_eq!(text(run, "run_id").as_deref(), done["id"].as_str());

    let delivery = spans
        .iter()
        .find(|s| s.name == "outbox.deliver")
        .unwrap_or_else(|| panic!("no outbox.deliver span in {names:?}"));
    assert_eq!(hex(&delivery.trace_id), RUN_TRACE);
    assert_eq!(
        delivery.parent_span_id, run.span_id,
        "the run's event carries the run span's context"
    );
}

#[tokio::test]
async fn an_unreachable_collector_fails_no_request_and_is_counted() {
    let mut settings = ServeSettings::for_tests();
    settings.telemetry.otlp_endpoint = Some("http://127.0.0.1:9".to_owned());
    settings.telemetry.otlp_timeout_ms = 500;
    let app = spawn_with(settings, None).await;
    for path in [
        "/health",
        "/ready",
        "/v2/curves?limit=2",
        "/v2/metadata/dimensions",
        "/v1/curves?limit=2",
        "/metrics",
    ] {
        let status = app.get(path).await.status();
        assert!(!status.is_server_error(), "{path}: {status}");
    }
    let done = run_to_completion(&app, &[]).await;
    assert_eq!(done["status"], "succeeded", "{done}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_failures_are_counted_per_signal() {
    let mut settings = ServeSettings::for_tests();
    settings.telemetry.otlp_endpoint = Some("http://127.0.0.1:9".to_owned());
    settings.telemetry.otlp_timeout_ms = 300;
    let (app, telemetry) = spawn_traced(settings, false).await;
    assert_eq!(app.get("/v2/curves?limit=1").await.status(), 200);
    let t = telemetry.clone();
    tokio::task::spawn_blocking(move || t.force_flush())
        .await
        .unwrap();
    assert!(matches!(
        telemetry.export_status(),
        aurum::telemetry::ExportStatus::Failing(_)
    ));
    let text = scrape(&app).await;
    assert!(
        text.contains(r#"aurum_telemetry_export_failures_total{signal="metrics"}"#),
        "{text}"
    );
}
