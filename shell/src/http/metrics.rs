//! HTTP server metrics and the access log: one counter and one duration histogram by route
//! template, method and status (OpenTelemetry semantic-convention names, Prometheus spelling),
//! and one structured log line per request.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage as _, web};
use prometheus::{HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry};

use super::request_id::RequestId;

/// Advisory bucket boundaries of `http.server.request.duration` (seconds).
const BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0,
    7.5, 10.0,
];

/// The HTTP server instruments, registered in the application's own registry.
#[derive(Clone)]
pub struct HttpMetrics {
    requests: IntCounterVec,
    duration: HistogramVec,
}

impl HttpMetrics {
    /// Creates the instruments and registers them in `registry`.
    ///
    /// # Errors
    /// When a metric of the same name is already registered.
    pub fn register(registry: &Registry) -> prometheus::Result<Self> {
        let labels = &[
            "http_request_method",
            "http_route",
            "http_response_status_code",
        ];
        let requests = IntCounterVec::new(
            Opts::new("http_server_requests_total", "HTTP server requests."),
            labels,
        )?;
        let duration = HistogramVec::new(
            HistogramOpts::new(
                "http_server_request_duration_seconds",
                "Duration of HTTP server requests.",
            )
            .buckets(BUCKETS.to_vec()),
            labels,
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(duration.clone()))?;
        Ok(Self { requests, duration })
    }

    fn observe(&self, method: &str, route: &str, status: &str, seconds: f64) {
        let labels = [method, route, status];
        self.requests.with_label_values(&labels).inc();
        self.duration.with_label_values(&labels).observe(seconds);
    }
}

/// Middleware: metrics and access log.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let start = Instant::now();
    let metrics = req.app_data::<web::Data<HttpMetrics>>().cloned();
    let method = req.method().as_str().to_owned();
    let route = req
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default();
    let res = next.call(req).await?;
    let elapsed = start.elapsed();
    let status = res.status();
    if let Some(m) = metrics {
        m.observe(&method, &route, status.as_str(), elapsed.as_secs_f64());
    }
    let bytes = match res.response().body().size() {
        actix_web::body::BodySize::Sized(n) => Some(n),
        _ => None,
    };
    tracing::info!(
        target: "aurum::access",
        method = %method,
        route = %route,
        status = status.as_u16(),
        duration_ms = elapsed.as_secs_f64() * 1000.0,
        bytes,
        request_id = %request_id,
        "request"
    );
    Ok(res)
}
