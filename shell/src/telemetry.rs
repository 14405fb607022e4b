//! Telemetry: the OpenTelemetry providers of one application instance and the process-wide
//! logging subscriber. [`Telemetry::new`] builds, once per instance and without I/O, a meter
//! provider whose Prometheus reader fills the instance's own registry (served at `/metrics`)
//! and a tracer provider; with an OTLP endpoint it adds a periodic OTLP/HTTP metric exporter
//! and a batch span exporter. An unreachable collector never fails startup or a request: its
//! failures are counted (`aurum_telemetry_export_failures_total{signal}`) and logged once.
//! [`Telemetry::shutdown`] flushes and stops both providers. ADR 0009 explains the design.

mod export;
mod logging;
mod meter;
pub mod propagation;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::Context as _;
use clap::Args;
use opentelemetry::metrics::{MeterProvider as _, ObservableCounter, ObservableGauge};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry::{InstrumentationScope, KeyValue};
use opentelemetry_otlp::{Protocol, WithExportConfig as _, WithHttpConfig as _};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::metrics::SdkMeterProvider;
use opentelemetry_sdk::trace::{Sampler, SdkTracer, SdkTracerProvider};

use aurum_ports::telemetry::Meter;

pub use export::{ExportHealth, Signal};
pub use logging::{SPAN_TARGET, init, log_filter, subscriber};
pub use meter::OtelMeter;

/// Instrumentation scope of everything Aurum records.
const SCOPE: &str = "aurum";

/// Telemetry settings (the standard `OTEL_*` variables).
#[derive(Debug, Clone, Args, Default)]
pub struct TelemetrySettings {
    /// OTLP/HTTP (protobuf) base endpoint, e.g. `http://collector:4318`; traces go to
    /// `<endpoint>/v1/traces`, metrics to `<endpoint>/v1/metrics`. Unset: no OTLP export
    /// (`/metrics` is always served).
    #[arg(long = "otlp-endpoint", env = "OTEL_EXPORTER_OTLP_ENDPOINT")]
    pub otlp_endpoint: Option<String>,
    /// Milliseconds one OTLP export may take (retries included).
    #[arg(
        long = "otlp-timeout-ms",
        env = "OTEL_EXPORTER_OTLP_TIMEOUT",
        default_value_t = 5_000
    )]
    pub otlp_timeout_ms: u64,
}

impl TelemetrySettings {
    /// No OTLP export.
    pub fn none() -> Self {
        Self {
            otlp_endpoint: None,
            otlp_timeout_ms: 5_000,
        }
    }

    fn endpoint(&self) -> Option<&str> {
        self.otlp_endpoint
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
    }
}

/// What `/ready` can say about the OTLP collector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportStatus {
    /// No OTLP endpoint is configured.
    Disabled,
    /// The latest export succeeded, or none was attempted yet.
    Ok,
    /// The latest export failed with this error.
    Failing(String),
}

/// One application instance's telemetry. Cheap to clone; built once by the composition root.
#[derive(Clone)]
pub struct Telemetry {
    inner: Arc<Inner>,
}

struct Inner {
    registry: prometheus::Registry,
    meters: SdkMeterProvider,
    tracers: SdkTracerProvider,
    tracer: SdkTracer,
    meter: Arc<OtelMeter>,
    otel_meter: opentelemetry::metrics::Meter,
    observed: Mutex<Vec<ObservableGauge<u64>>>,
    endpoint: Option<String>,
    health: Option<Arc<ExportHealth>>,
    _export_failures: Option<ObservableCounter<u64>>,
    shut_down: AtomicBool,
}

impl std::fmt::Debug for Telemetry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Telemetry")
            .field("otlp_endpoint", &self.inner.endpoint)
            .finish_non_exhaustive()
    }
}

/// `OTEL_SERVICE_NAME` / `OTEL_RESOURCE_ATTRIBUTES`, with `service.name` defaulting to `aurum`
/// and `service.version` to this build's.
fn resource() -> Resource {
    let detected = Resource::builder().build();
    let has = |key: &'static str| {
        detected
            .get(&opentelemetry::Key::from_static_str(key))
            .is_some_and(|v| !v.as_str().starts_with("unknown_service"))
    };
    let mut builder = Resource::builder();
    if !has("service.name") {
        builder = builder.with_service_name("aurum");
    }
    if !has("service.version") {
        builder =
            builder.with_attribute(KeyValue::new("service.version", env!("CARGO_PKG_VERSION")));
    }
    builder.build()
}

fn otlp_url(base: &str, path: &str) -> String {
    format!("{}{path}", base.trim_end_matches('/'))
}

impl Telemetry {
    /// Builds the providers (no I/O: a collector that cannot be reached shows up later as
    /// failed exports, never here).
    ///
    /// # Errors
    /// When the Prometheus reader cannot be registered or an exporter cannot be configured
    /// (an invalid endpoint URL).
    pub fn new(settings: &TelemetrySettings) -> anyhow::Result<Self> {
        let registry = prometheus::Registry::new();
        let prometheus = opentelemetry_prometheus::exporter()
            .with_registry(registry.clone())
            .without_target_info()
            .scope_info_enabled(false)
            .build()
            .context("while registering the Prometheus reader")?;
        let resource = resource();
        let timeout = Duration::from_millis(settings.otlp_timeout_ms.max(1));
        let mut meters = SdkMeterProvider::builder()
            .with_resource(resource.clone())
            .with_reader(prometheus);
        let mut tracers = SdkTracerProvider::builder().with_resource(resource);
        let endpoint = settings.endpoint().map(str::to_owned);
        let health = if let Some(base) = &endpoint {
            let health = Arc::new(ExportHealth::default());
            let client = export::ExportClient::new(timeout, Arc::clone(&health))?;
            let metrics = opentelemetry_otlp::MetricExporter::builder()
                .with_http()
                .with_http_client(client.clone())
                .with_protocol(Protocol::HttpBinary)
                .with_endpoint(otlp_url(base, "/v1/metrics"))
                .with_timeout(timeout)
                .build()
                .context("while configuring the OTLP metric exporter")?;
            let spans = opentelemetry_otlp::SpanExporter::builder()
                .with_http()
                .with_http_client(client)
                .with_protocol(Protocol::HttpBinary)
                .with_endpoint(otlp_url(base, "/v1/traces"))
                .with_timeout(timeout)
                .build()
                .context("while configuring the OTLP span exporter")?;
            meters = meters.with_periodic_exporter(metrics);
            tracers = tracers.with_batch_exporter(spans);
            Some(health)
        } else {
            // Nothing is exported: root spans stay unrecorded (their ids still correlate logs
            // and propagate), and a sampled incoming parent is still honoured downstream.
            if std::env::var_os("OTEL_TRACES_SAMPLER").is_none() {
                tracers = tracers.with_sampler(Sampler::ParentBased(Box::new(Sampler::AlwaysOff)));
            }
            None
        };
        let meters = meters.build();
        let tracers = tracers.build();
        let scope = InstrumentationScope::builder(SCOPE)
            .with_version(env!("CARGO_PKG_VERSION"))
            .build();
        let tracer = tracers.tracer_with_scope(scope.clone());
        let otel_meter = meters.meter_with_scope(scope);
        let export_failures = health.as_ref().map(|h| {
            let h = Arc::clone(h);
            otel_meter
                .u64_observable_counter("aurum.telemetry.export.failures")
                .with_unit("{export}")
                .with_description("OTLP export calls that failed, by signal.")
                .with_callback(move |o| {
                    for signal in [Signal::Traces, Signal::Metrics] {
                        o.observe(
                            h.failures(signal),
                            &[KeyValue::new("signal", signal.as_str())],
                        );
                    }
                })
                .build()
        });
        Ok(Self {
            inner: Arc::new(Inner {
                registry,
                meters,
                tracers,
                tracer,
                meter: Arc::new(OtelMeter::new(otel_meter.clone())),
                otel_meter,
                observed: Mutex::new(Vec::new()),
                endpoint,
                health,
                _export_failures: export_failures,
                shut_down: AtomicBool::new(false),
            }),
        })
    }

    /// Telemetry without OTLP export (tests, one-shot commands).
    ///
    /// # Errors
    /// As [`Self::new`].
    pub fn local() -> anyhow::Result<Self> {
        Self::new(&TelemetrySettings::none())
    }

    /// The registry `/metrics` serves.
    pub fn registry(&self) -> &prometheus::Registry {
        &self.inner.registry
    }

    /// The metrics façade the domain and the shell record into.
    pub fn meter(&self) -> Arc<dyn Meter> {
        self.inner.meter.clone()
    }

    /// Samples the PostgreSQL pool at every collection:
    /// `aurum.db.pool.connections{state=idle|in_use}` → `aurum_db_pool_connections`.
    pub fn observe_pool(&self, pool: &deadpool_postgres::Pool) {
        let pool = pool.clone();
        let gauge = self
            .inner
            .otel_meter
            .u64_observable_gauge("aurum.db.pool.connections")
            .with_unit("{connection}")
            .with_description("PostgreSQL pool connections, by state (idle, in_use).")
            .with_callback(move |o| {
                let status = pool.status();
                let idle = status.available;
                let in_use = status.size.saturating_sub(idle);
                for (state, n) in [("idle", idle), ("in_use", in_use)] {
                    o.observe(
                        u64::try_from(n).unwrap_or(u64::MAX),
                        &[KeyValue::new("state", state)],
                    );
                }
            })
            .build();
        self.inner
            .observed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(gauge);
    }

    /// The tracer the tracing-opentelemetry layer writes to.
    pub fn tracer(&self) -> SdkTracer {
        self.inner.tracer.clone()
    }

    /// The OTLP base endpoint, when exporting.
    pub fn otlp_endpoint(&self) -> Option<&str> {
        self.inner.endpoint.as_deref()
    }

    /// Whether the OTLP collector takes the exports (for `/ready`: `Failing` is a `warn`).
    pub fn export_status(&self) -> ExportStatus {
        match &self.inner.health {
            None => ExportStatus::Disabled,
            Some(h) => h.failing().map_or(ExportStatus::Ok, ExportStatus::Failing),
        }
    }

    /// Exports what is buffered now. Blocks up to the export timeout per signal; from async
    /// code call it through `spawn_blocking`.
    pub fn force_flush(&self) {
        if let Err(e) = self.inner.tracers.force_flush() {
            tracing::debug!(error = %e, "span flush failed");
        }
        if let Err(e) = self.inner.meters.force_flush() {
            tracing::debug!(error = %e, "metric flush failed");
        }
    }

    /// Flushes and shuts down both providers; later calls do nothing. Blocks up to the export
    /// timeout per signal (see [`Self::shutdown`] for async code).
    pub fn shutdown_blocking(&self) {
        if self.inner.shut_down.swap(true, Ordering::SeqCst) {
            return;
        }
        if let Err(e) = self.inner.tracers.shutdown() {
            tracing::warn!(error = %e, "the tracer provider did not shut down cleanly");
        }
        if let Err(e) = self.inner.meters.shutdown() {
            tracing::warn!(error = %e, "the meter provider did not shut down cleanly");
        }
    }

    /// [`Self::shutdown_blocking`] on a blocking thread: flushes and stops the providers;
    /// idempotent.
    pub async fn shutdown(&self) {
        let this = self.clone();
        if tokio::task::spawn_blocking(move || this.shutdown_blocking())
            .await
            .is_err()
        {
            tracing::warn!("telemetry shutdown panicked");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aurum_ports::telemetry::InstrumentSpec;

    fn scrape(t: &Telemetry) -> String {
        prometheus::TextEncoder::new()
            .encode_to_string(&t.registry().gather())
            .unwrap()
    }

    #[test]
    fn facade_instruments_reach_the_registry_with_prometheus_names() {
        let t = Telemetry::local().unwrap();
        let meter = t.meter();
        meter
            .counter(InstrumentSpec::new("aurum.scenario.runs", "{run}", "Runs."))
            .add(2, &[("state", "succeeded")]);
        meter
            .histogram(
                InstrumentSpec::new("aurum.scenario.run.duration", "s", "D."),
                &[1.0],
            )
            .record(0.5, &[]);
        meter
            .gauge(InstrumentSpec::new("aurum.outbox.lag", "s", "Lag."))
            .record(3.0, &[]);
        meter
            .up_down_counter(InstrumentSpec::new(
                "http.server.active_requests",
                "{request}",
                "A.",
            ))
            .add(1, &[("http.request.method", "GET")]);
        let text = scrape(&t);
        assert!(
            text.contains(r#"aurum_scenario_runs_total{state="succeeded"} 2"#),
            "{text}"
        );
        assert!(
            text.contains(r#"aurum_scenario_run_duration_seconds_bucket{le="1"} 1"#),
            "{text}"
        );
        assert!(text.contains("aurum_outbox_lag_seconds 3"), "{text}");
        assert!(
            text.contains(r#"http_server_active_requests{http_request_method="GET"} 1"#),
            "{text}"
        );
        assert!(!text.contains("otel_scope_name"), "{text}");
        assert!(!text.contains("target_info"), "{text}");
        assert_eq!(t.export_status(), ExportStatus::Disabled);
        t.shutdown_blocking();
        t.shutdown_blocking();
    }

    #[test]
    fn an_unreachable_collector_does_not_fail_construction_and_is_reported() {
        let settings = TelemetrySettings {
            otlp_endpoint: Some("http://127.0.0.1:9".to_owned()),
            otlp_timeout_ms: 300,
        };
        let t = Telemetry::new(&settings).unwrap();
        assert_eq!(t.export_status(), ExportStatus::Ok);
        t.meter()
            .counter(InstrumentSpec::new("aurum.test", "{x}", "x"))
            .add(1, &[]);
        t.force_flush();
        assert!(matches!(t.export_status(), ExportStatus::Failing(_)));
        let text = scrape(&t);
        assert!(
            text.contains(r#"aurum_telemetry_export_failures_total{signal="metrics"}"#),
            "{text}"
        );
        t.shutdown_blocking();
    }
}
