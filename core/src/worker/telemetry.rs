//! What the worker reports: its metrics through the façade of `aurum_ports::telemetry`, and its
//! `tracing` spans. Each run execution is a span named `scenario.run` (target `aurum_trace`)
//! with the run's stored W3C `traceparent` as a field; a [`SpanLinker`] installed by the shell
//! makes that remote context the span's OpenTelemetry parent, so the run shows up in the trace
//! of the request that submitted it (ADR 0009). Without a linker nothing is linked.

use std::sync::Arc;

use aurum_ports::telemetry::{Counter, Gauge, Histogram, InstrumentSpec, Meter, NoopMeter};

/// `aurum.scenario.runs{state}` → `aurum_scenario_runs_total`.
pub const RUNS: InstrumentSpec = InstrumentSpec::new(
    "aurum.scenario.runs",
    "{run}",
    "Scenario runs the worker finished, by terminal state (succeeded, failed, timeout).",
);
/// `aurum.scenario.run.duration{state}` → `aurum_scenario_run_duration_seconds`.
pub const RUN_DURATION: InstrumentSpec = InstrumentSpec::new(
    "aurum.scenario.run.duration",
    "s",
    "Time from a run's first start to its terminal state.",
);
/// `aurum.scenario.queue.wait` → `aurum_scenario_queue_wait_seconds`.
pub const QUEUE_WAIT: InstrumentSpec = InstrumentSpec::new(
    "aurum.scenario.queue.wait",
    "s",
    "Time from a run's enqueueing to its first claim by a worker.",
);
/// `aurum.outbox.lag` → `aurum_outbox_lag_seconds`.
pub const OUTBOX_LAG: InstrumentSpec = InstrumentSpec::new(
    "aurum.outbox.lag",
    "s",
    "Age of the oldest outbox event not yet delivered (0 when none is pending).",
);
/// `aurum.outbox.dead_letters` → `aurum_outbox_dead_letters`.
pub const DEAD_LETTERS: InstrumentSpec = InstrumentSpec::new(
    "aurum.outbox.dead_letters",
    "{event}",
    "Outbox events given up on (dead letters).",
);

/// Bucket boundaries of run durations (seconds).
pub const RUN_DURATION_BUCKETS: &[f64] = &[
    0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0,
];
/// Bucket boundaries of queue waits (seconds; the SLO threshold of 5 s is one of them).
pub const QUEUE_WAIT_BUCKETS: &[f64] = &[
    0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0,
];

/// Connects the worker's `tracing` spans to stored W3C trace contexts. The shell implements
/// it with OpenTelemetry; [`NoLinker`] does nothing.
pub trait SpanLinker: Send + Sync {
    /// Makes the context `traceparent` names the parent of `span` (called before the span is
    /// entered; invalid values are ignored).
    fn adopt(&self, span: &tracing::Span, traceparent: &str);
    /// The `traceparent` of `span` itself, for the events it writes; `None` when spans are not
    /// bridged.
    fn traceparent(&self, span: &tracing::Span) -> Option<String>;
}

/// A linker that links nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoLinker;

impl SpanLinker for NoLinker {
    fn adopt(&self, _span: &tracing::Span, _traceparent: &str) {}

    fn traceparent(&self, _span: &tracing::Span) -> Option<String> {
        None
    }
}

/// The shared default linker.
pub(crate) fn no_linker() -> Arc<dyn SpanLinker> {
    Arc::new(NoLinker)
}

/// The runner's instruments.
#[derive(Debug, Clone)]
pub struct RunMetrics {
    pub(crate) runs: Counter,
    pub(crate) duration: Histogram,
    pub(crate) queue_wait: Histogram,
}

impl RunMetrics {
    /// Instruments created from `meter`.
    pub fn new(meter: &dyn Meter) -> Self {
        Self {
            runs: meter.counter(RUNS),
            duration: meter.histogram(RUN_DURATION, RUN_DURATION_BUCKETS),
            queue_wait: meter.histogram(QUEUE_WAIT, QUEUE_WAIT_BUCKETS),
        }
    }
}

impl Default for RunMetrics {
    fn default() -> Self {
        Self::new(&NoopMeter)
    }
}

/// The relay's instruments.
#[derive(Debug, Clone)]
pub struct RelayMetrics {
    pub(crate) lag: Gauge,
    pub(crate) dead_letters: Gauge,
}

impl RelayMetrics {
    /// Instruments created from `meter`.
    pub fn new(meter: &dyn Meter) -> Self {
        Self {
            lag: meter.gauge(OUTBOX_LAG),
            dead_letters: meter.gauge(DEAD_LETTERS),
        }
    }
}

impl Default for RelayMetrics {
    fn default() -> Self {
        Self::new(&NoopMeter)
    }
}
