//! HTTP server telemetry, one middleware: for every request a `SERVER` span named
//! `{method} {route}` (OpenTelemetry HTTP semantic conventions; the parent comes from a valid
//! incoming W3C `traceparent`), the `http.server.request.duration` histogram and the
//! `http.server.requests` counter by method, route template and status, the
//! `http.server.active_requests` up-down counter, and one access-log line per request. Log
//! lines emitted while the request is handled carry its `request_id`, `tenant` and `trace_id`
//! (fields of the span).

use std::time::Instant;

use actix_web::body::{BodySize, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage as _, web};
use opentelemetry::trace::{Status, TraceContextExt as _};
use tracing::Instrument as _;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

use aurum_ports::telemetry::{Counter, Histogram, InstrumentSpec, Meter, UpDownCounter};

use super::request_id::RequestId;
use super::tenant::Tenant;
use crate::telemetry::propagation;

/// Bucket boundaries of `http.server.request.duration` (seconds): the semantic conventions'
/// advisory boundaries plus three finer ones below 5 ms for the in-memory store.
pub const BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0,
    7.5, 10.0,
];

/// `http.server.request.duration` → `http_server_request_duration_seconds`.
pub const REQUEST_DURATION: InstrumentSpec = InstrumentSpec::new(
    "http.server.request.duration",
    "s",
    "Duration of HTTP server requests.",
);
/// `http.server.requests` → `http_server_requests_total`.
pub const REQUESTS: InstrumentSpec =
    InstrumentSpec::new("http.server.requests", "{request}", "HTTP server requests.");
/// `http.server.active_requests` → `http_server_active_requests`.
pub const ACTIVE_REQUESTS: InstrumentSpec = InstrumentSpec::new(
    "http.server.active_requests",
    "{request}",
    "Number of active HTTP server requests.",
);

/// The route label of requests no route matched (metrics only; spans omit `http.route`).
pub const UNMATCHED: &str = "unmatched";

/// The HTTP server instruments.
#[derive(Debug, Clone)]
pub struct HttpMetrics {
    requests: Counter,
    duration: Histogram,
    active: UpDownCounter,
}

impl HttpMetrics {
    /// Creates the instruments through `meter`.
    pub fn new(meter: &dyn Meter) -> Self {
        Self {
            requests: meter.counter(REQUESTS),
            duration: meter.histogram(REQUEST_DURATION, BUCKETS),
            active: meter.up_down_counter(ACTIVE_REQUESTS),
        }
    }
}

/// The method as the semantic conventions spell it: known methods as sent, others `_OTHER`.
fn known_method(method: &str) -> Option<&str> {
    matches!(
        method,
        "GET" | "HEAD" | "POST" | "PUT" | "DELETE" | "CONNECT" | "OPTIONS" | "TRACE" | "PATCH"
    )
    .then_some(method)
}

/// `{method} {route}`, `{method}` without a route, `HTTP` for unknown methods.
fn span_name(method: Option<&str>, route: Option<&str>) -> String {
    match (method, route) {
        (Some(m), Some(r)) => format!("{m} {r}"),
        (Some(m), None) => m.to_owned(),
        (None, Some(r)) => format!("HTTP {r}"),
        (None, None) => "HTTP".to_owned(),
    }
}

/// The tenant the request names, as the extractor normalises it; empty when absent or invalid.
fn tenant_of(req: &ServiceRequest) -> String {
    Tenant::resolve(req.request())
        .ok()
        .and_then(|t| t.0)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

fn protocol_version(req: &ServiceRequest) -> &'static str {
    match req.version() {
        actix_web::http::Version::HTTP_09 => "0.9",
        actix_web::http::Version::HTTP_10 => "1.0",
        actix_web::http::Version::HTTP_2 => "2",
        actix_web::http::Version::HTTP_3 => "3",
        _ => "1.1",
    }
}

/// The request's span (a `SERVER` span when OpenTelemetry is bridged) and its trace id.
fn request_span(
    req: &ServiceRequest,
    method: &str,
    route: Option<&str>,
    request_id: &str,
    tenant: &str,
) -> (tracing::Span, String) {
    let known = known_method(method);
    let span = tracing::info_span!(
        target: "aurum_trace",
        "request",
        otel.name = %span_name(known, route),
        otel.kind = "server",
        request_id = %request_id,
        tenant = %tenant,
        trace_id = tracing::field::Empty,
    );
    let incoming = propagation::extract(req.headers());
    if let Some(parent) = &incoming {
        propagation::set_parent(&span, parent);
    }
    let cx = span.context();
    let own = cx.span().span_context().clone();
    let recording = cx.span().is_recording();
    let trace_id = if own.is_valid() {
        own.trace_id().to_string()
    } else {
        incoming
            .map(|p| p.trace_id().to_string())
            .unwrap_or_default()
    };
    if !trace_id.is_empty() {
        span.record("trace_id", trace_id.as_str());
    }
    if recording {
        span.set_attribute("http.request.method", known.unwrap_or("_OTHER").to_owned());
        if known.is_none() {
            span.set_attribute("http.request.method_original", method.to_owned());
        }
        span.set_attribute("url.path", req.path().to_owned());
        if !req.query_string().is_empty() {
            span.set_attribute("url.query", req.query_string().to_owned());
        }
        span.set_attribute("url.scheme", req.connection_info().scheme().to_owned());
        if let Some(r) = route {
            span.set_attribute("http.route", r.to_owned());
        }
        span.set_attribute("network.protocol.name", "http");
        span.set_attribute("network.protocol.version", protocol_version(req));
        span.set_attribute(
            "server.port",
            i64::from(req.app_config().local_addr().port()),
        );
        if let Some(ua) = req
            .headers()
            .get(actix_web::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
        {
            span.set_attribute("user_agent.original", ua.to_owned());
        }
    }
    (span, trace_id)
}

/// Middleware: span, metrics and access log.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let start = Instant::now();
    let metrics = req.app_data::<web::Data<HttpMetrics>>().cloned();
    let method = req.method().as_str().to_owned();
    let metric_method = known_method(&method).unwrap_or("_OTHER").to_owned();
    let route = req.match_pattern();
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default();
    let tenant = tenant_of(&req);
    let scheme = req.connection_info().scheme().to_owned();
    let (span, trace_id) = request_span(&req, &method, route.as_deref(), &request_id, &tenant);
    let active_attrs = [
        ("http.request.method", metric_method.as_str()),
        ("url.scheme", scheme.as_str()),
    ];
    if let Some(m) = &metrics {
        m.active.add(1, &active_attrs);
    }
    let result = next.call(req).instrument(span.clone()).await;
    if let Some(m) = &metrics {
        m.active.add(-1, &active_attrs);
    }
    let elapsed = start.elapsed();
    let (status, bytes) = match &result {
        Ok(res) => (
            res.status(),
            match res.response().body().size() {
                BodySize::Sized(n) => Some(n),
                _ => None,
            },
        ),
        Err(e) => (e.as_response_error().status_code(), None),
    };
    span.set_attribute("http.response.status_code", i64::from(status.as_u16()));
    if status.is_server_error() {
        span.set_attribute("error.type", status.as_str().to_owned());
        span.set_status(Status::error(""));
    }
    let route_label = route.as_deref().unwrap_or(UNMATCHED);
    if let Some(m) = &metrics {
        let attrs = [
            ("http.request.method", metric_method.as_str()),
            ("http.route", route_label),
            ("http.response.status_code", status.as_str()),
        ];
        m.requests.add(1, &attrs);
        m.duration.record(elapsed.as_secs_f64(), &attrs);
    }
    tracing::info!(
        target: "aurum::access",
        method = %method,
        route = %route_label,
        status = status.as_u16(),
        duration_ms = elapsed.as_secs_f64() * 1000.0,
        bytes,
        request_id = %request_id,
        tenant = %tenant,
        trace_id = %trace_id,
        "request"
    );
    result
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use actix_web::middleware::from_fn;
    use actix_web::test as actix_test;
    use actix_web::{App, HttpResponse};
    use serde_json::Value;

    use super::*;
    use crate::telemetry::Telemetry;

    const TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buf {
        fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(data);
            Ok(data.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Buf {
        type Writer = Self;

        fn make_writer(&'a self) -> Self {
            self.clone()
        }
    }

    #[actix_web::test]
    async fn log_lines_inside_a_request_carry_its_request_id_tenant_and_trace_id() {
        let telemetry = Telemetry::local().unwrap();
        let buf = Buf::default();
        let subscriber =
            crate::telemetry::subscriber("info", true, Some(&telemetry), buf.clone()).unwrap();
        let _guard = tracing::subscriber::set_default(subscriber);
        let app = actix_test::init_service(
            App::new()
                .app_data(web::Data::new(HttpMetrics::new(&*telemetry.meter())))
                .wrap(actix_web::middleware::from_fn(observe))
                .wrap(from_fn(super::super::request_id::request_id))
                .route(
                    "/v2/things/{id}",
                    web::get().to(|| async {
                        tracing::warn!("inside");
                        HttpResponse::Ok().body("hello")
                    }),
                ),
        )
        .await;
        let req = actix_test::TestRequest::get()
            .uri("/v2/things/7")
            .insert_header(("traceparent", TRACEPARENT))
            .insert_header(("x-tenant-id", "acme"))
            .insert_header(("x-request-id", "req-1"))
            .to_request();
        assert_eq!(actix_test::call_service(&app, req).await.status(), 200);
        // Without a traceparent a new (unrecorded, nothing is exported) trace still has an id.
        let req = actix_test::TestRequest::get()
            .uri("/v2/things/8")
            .to_request();
        assert_eq!(actix_test::call_service(&app, req).await.status(), 200);
        let out = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let inside = lines.iter().find(|l| l["message"] == "inside").unwrap();
        assert_eq!(inside["span"]["request_id"], "req-1", "{out}");
        assert_eq!(inside["span"]["tenant"], "acme", "{out}");
        assert_eq!(
            inside["span"]["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736",
            "{out}"
        );
        let accesses: Vec<&Value> = lines
            .iter()
            .filter(|l| l["target"] == "aurum::access")
            .collect();
        let fresh = accesses[1]["trace_id"].as_str().unwrap();
        assert_eq!(fresh.len(), 32, "{out}");
        assert_ne!(fresh, "4bf92f3577b34da6a3ce929d0e0e4736", "{out}");
        assert_eq!(accesses[1]["tenant"], "", "{out}");
        let access = accesses[0];
        assert_eq!(access["method"], "GET", "{out}");
        assert_eq!(access["route"], "/v2/things/{id}", "{out}");
        assert_eq!(access["status"], 200, "{out}");
        assert_eq!(access["bytes"], 5, "{out}");
        assert_eq!(access["request_id"], "req-1", "{out}");
        assert_eq!(access["tenant"], "acme", "{out}");
        assert_eq!(
            access["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736",
            "{out}"
        );
        assert!(access["duration_ms"].is_number(), "{out}");
        let text = prometheus::TextEncoder::new()
            .encode_to_string(&telemetry.registry().gather())
            .unwrap();
        assert!(
            text.contains(r#"http_server_requests_total{http_request_method="GET",http_response_status_code="200",http_route="/v2/things/{id}"} 2"#),
            "{text}"
        );
        assert!(
            text.contains(
                r#"http_server_active_requests{http_request_method="GET",url_scheme="http"} 0"#
            ),
            "{text}"
        );
    }

    #[test]
    fn span_names_follow_the_semantic_conventions() {
        assert_eq!(
            span_name(known_method("GET"), Some("/v2/curves")),
            "GET /v2/curves"
        );
        assert_eq!(span_name(known_method("POST"), None), "POST");
        assert_eq!(span_name(known_method("BREW"), None), "HTTP");
        assert_eq!(known_method("get"), None);
    }
}
