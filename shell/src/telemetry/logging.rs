//! The process-wide tracing subscriber: structured JSON or pretty log lines filtered by
//! `AURUM_LOG`, plus (when the process has a [`Telemetry`]) the tracing-opentelemetry layer
//! that turns `info`-level spans into OpenTelemetry spans of its tracer.
//!
//! Each layer has its own filter, so `AURUM_LOG=warn` quietens the logs without dropping the
//! spans that traces need; the spans whose fields log lines inherit (`request_id`, `tenant`,
//! `trace_id`) use the target [`SPAN_TARGET`], which the log filter always enables.

use std::io::IsTerminal as _;

use tracing::{Level, Metadata, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer as _;
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

use super::Telemetry;
use crate::settings::{LogFormat, LogSettings};

/// Target of the spans that carry request and run context (HTTP server spans, scenario run
/// spans, outbox deliveries). Log lines inside them carry their fields.
pub const SPAN_TARGET: &str = "aurum_trace";

/// The log filter: `AURUM_LOG` plus the context spans, and the OpenTelemetry SDK quiet unless
/// named (its export failures are reported once by the exporter's own warning).
///
/// # Errors
/// When `AURUM_LOG` does not parse.
pub fn log_filter(spec: &str) -> anyhow::Result<EnvFilter> {
    let mut full = spec.trim().to_owned();
    let mut add = |directive: &str| {
        if !full.is_empty() {
            full.push(',');
        }
        full.push_str(directive);
    };
    if !spec.contains(SPAN_TARGET) {
        add("aurum_trace=info");
    }
    if !spec.contains("opentelemetry") {
        add("opentelemetry=off,opentelemetry_sdk=off,opentelemetry_otlp=off");
    }
    Ok(EnvFilter::try_new(full)?)
}

/// What the OpenTelemetry layer sees: spans at `info` and above, and `warn`/`error` events
/// (recorded as span events), never the SDK's own diagnostics (which would loop back).
fn otel_enabled(meta: &Metadata<'_>) -> bool {
    if meta.target().starts_with("opentelemetry") {
        return false;
    }
    if meta.is_span() {
        *meta.level() <= Level::INFO
    } else {
        *meta.level() <= Level::WARN
    }
}

/// Installs the process-wide tracing subscriber (once, from `main`; tests may install one per
/// test process). With `telemetry`, spans are bridged to its OpenTelemetry tracer.
///
/// # Errors
/// When the filter does not parse or a subscriber is already installed.
pub fn init(settings: &LogSettings, telemetry: Option<&Telemetry>) -> anyhow::Result<()> {
    let json = match settings.log_format {
        LogFormat::Json => true,
        LogFormat::Pretty => false,
        LogFormat::Auto => !std::io::stdout().is_terminal(),
    };
    subscriber(&settings.log, json, telemetry, std::io::stderr)?
        .try_init()
        .map_err(|e| anyhow::anyhow!(e))?;
    if let Some(endpoint) = telemetry.and_then(Telemetry::otlp_endpoint) {
        tracing::info!(endpoint, "exporting traces and metrics over OTLP/HTTP");
    }
    Ok(())
}

/// The subscriber [`init`] installs, writing log lines to `writer`.
///
/// # Errors
/// When the filter does not parse.
pub fn subscriber<W>(
    filter: &str,
    json: bool,
    telemetry: Option<&Telemetry>,
    writer: W,
) -> anyhow::Result<impl Subscriber + Send + Sync + 'static>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let fmt = tracing_subscriber::fmt::layer().with_writer(writer);
    let fmt = if json {
        fmt.json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(true)
            .boxed()
    } else {
        fmt.boxed()
    };
    let otel = telemetry.map(|t| {
        tracing_opentelemetry::layer()
            .with_tracer(t.tracer())
            .with_location(false)
            .with_threads(false)
            .with_level(false)
            .with_target(false)
            .with_filter(filter_fn(otel_enabled))
    });
    Ok(tracing_subscriber::registry()
        .with(otel)
        .with(fmt.with_filter(log_filter(filter)?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_filter_always_keeps_the_context_spans_and_quietens_the_sdk() {
        let f = log_filter("warn").unwrap().to_string();
        assert!(f.contains("aurum_trace=info"), "{f}");
        assert!(f.contains("opentelemetry_sdk=off"), "{f}");
        let f = log_filter("info,opentelemetry_sdk=debug")
            .unwrap()
            .to_string();
        assert!(!f.contains("opentelemetry_sdk=off"), "{f}");
        assert!(log_filter("not a [filter").is_err());
    }
}
