//! The observability façade: metric instruments the domain and the adapters record into,
//! without knowing which telemetry backend the shell installed (OpenTelemetry in production,
//! [`NoopMeter`] or [`RecordingMeter`] in tests). Spans go through the `tracing` crate, which
//! the shell bridges to OpenTelemetry; only metrics need this façade.
//!
//! Instruments are created once (at composition) from a [`Meter`] and cloned freely; recording
//! is a method call on a cheap handle. Names follow OpenTelemetry conventions (dotted, unit
//! separate): `aurum.cache.requests` with unit `{request}` is exported to Prometheus as
//! `aurum_cache_requests_total`. Attribute values must be low-cardinality (namespaces, states,
//! route templates), never ids.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Attributes of one measurement: `(key, value)` pairs, keys from code, values low-cardinality.
pub type Attributes<'a> = &'a [(&'static str, &'a str)];

/// What an instrument is: OpenTelemetry name, unit (UCUM, e.g. `s`, `By`, `{request}`) and
/// description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstrumentSpec {
    /// Dotted OpenTelemetry name, e.g. `aurum.cache.requests`.
    pub name: &'static str,
    /// UCUM unit, e.g. `s`, `By`, `{request}`.
    pub unit: &'static str,
    /// One sentence.
    pub description: &'static str,
}

impl InstrumentSpec {
    /// A spec.
    pub const fn new(name: &'static str, unit: &'static str, description: &'static str) -> Self {
        Self {
            name,
            unit,
            description,
        }
    }
}

/// A monotonic counter backend.
pub trait CounterInstrument: Send + Sync {
    /// Adds `value`.
    fn add(&self, value: u64, attributes: Attributes<'_>);
}

/// An up-down counter backend (in-flight requests, queue depth).
pub trait UpDownCounterInstrument: Send + Sync {
    /// Adds `value` (may be negative).
    fn add(&self, value: i64, attributes: Attributes<'_>);
}

/// A histogram backend.
pub trait HistogramInstrument: Send + Sync {
    /// Records one value.
    fn record(&self, value: f64, attributes: Attributes<'_>);
}

/// A gauge backend (last value wins).
pub trait GaugeInstrument: Send + Sync {
    /// Records the current value.
    fn record(&self, value: f64, attributes: Attributes<'_>);
}

macro_rules! handle {
    ($(#[$doc:meta])* $name:ident, $backend:ident, $method:ident, $value:ty) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name(Arc<dyn $backend>);

        impl $name {
            /// Wraps a backend instrument.
            pub fn new(backend: Arc<dyn $backend>) -> Self {
                Self(backend)
            }

            /// An instrument that records nothing.
            pub fn noop() -> Self {
                Self(Arc::new(Noop))
            }

            #[doc = concat!("Records `value` (see [`", stringify!($backend), "`]).")]
            pub fn $method(&self, value: $value, attributes: Attributes<'_>) {
                self.0.$method(value, attributes);
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(stringify!($name))
            }
        }

        impl $backend for Noop {
            fn $method(&self, _value: $value, _attributes: Attributes<'_>) {}
        }
    };
}

struct Noop;

handle!(
    /// A monotonic counter.
    Counter, CounterInstrument, add, u64
);
handle!(
    /// An up-down counter.
    UpDownCounter, UpDownCounterInstrument, add, i64
);
handle!(
    /// A histogram.
    Histogram, HistogramInstrument, record, f64
);
handle!(
    /// A gauge.
    Gauge, GaugeInstrument, record, f64
);

/// Creates instruments. The shell provides one backed by OpenTelemetry.
pub trait Meter: Send + Sync {
    /// A monotonic counter.
    fn counter(&self, spec: InstrumentSpec) -> Counter;
    /// An up-down counter.
    fn up_down_counter(&self, spec: InstrumentSpec) -> UpDownCounter;
    /// A histogram with explicit bucket boundaries (in the instrument's unit).
    fn histogram(&self, spec: InstrumentSpec, boundaries: &[f64]) -> Histogram;
    /// A gauge.
    fn gauge(&self, spec: InstrumentSpec) -> Gauge;
}

/// A meter whose instruments record nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoopMeter;

impl Meter for NoopMeter {
    fn counter(&self, _spec: InstrumentSpec) -> Counter {
        Counter::noop()
    }
    fn up_down_counter(&self, _spec: InstrumentSpec) -> UpDownCounter {
        UpDownCounter::noop()
    }
    fn histogram(&self, _spec: InstrumentSpec, _boundaries: &[f64]) -> Histogram {
        Histogram::noop()
    }
    fn gauge(&self, _spec: InstrumentSpec) -> Gauge {
        Gauge::noop()
    }
}

/// One series key of a [`RecordingMeter`]: instrument name plus sorted attributes.
pub type SeriesKey = (String, Vec<(String, String)>);

/// A meter that keeps every measurement in memory, for tests of code that records metrics:
/// counters and up-down counters sum, gauges keep the last value, histograms keep every value.
#[derive(Debug, Clone, Default)]
pub struct RecordingMeter {
    series: Arc<Mutex<BTreeMap<SeriesKey, Vec<f64>>>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Sum,
    Last,
    All,
}

struct Recorder {
    name: &'static str,
    kind: Kind,
    series: Arc<Mutex<BTreeMap<SeriesKey, Vec<f64>>>>,
}

impl Recorder {
    fn put(&self, value: f64, attributes: Attributes<'_>) {
        let mut attrs: Vec<(String, String)> = attributes
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        attrs.sort();
        let mut series = self.series.lock().unwrap_or_else(PoisonError::into_inner);
        let values = series.entry((self.name.to_owned(), attrs)).or_default();
        match self.kind {
            Kind::Sum => match values.first_mut() {
                Some(total) => *total += value,
                None => values.push(value),
            },
            Kind::Last => {
                values.clear();
                values.push(value);
            }
            Kind::All => values.push(value),
        }
    }
}

impl CounterInstrument for Recorder {
    #[expect(
        clippy::cast_precision_loss,
        reason = "test recorder; counts stay far below 2^52"
    )]
    fn add(&self, value: u64, attributes: Attributes<'_>) {
        self.put(value as f64, attributes);
    }
}

impl UpDownCounterInstrument for Recorder {
    #[expect(
        clippy::cast_precision_loss,
        reason = "test recorder; counts stay far below 2^52"
    )]
    fn add(&self, value: i64, attributes: Attributes<'_>) {
        self.put(value as f64, attributes);
    }
}

impl HistogramInstrument for Recorder {
    fn record(&self, value: f64, attributes: Attributes<'_>) {
        self.put(value, attributes);
    }
}

impl GaugeInstrument for Recorder {
    fn record(&self, value: f64, attributes: Attributes<'_>) {
        self.put(value, attributes);
    }
}

impl RecordingMeter {
    /// An empty recorder.
    pub fn new() -> Self {
        Self::default()
    }

    fn recorder(&self, spec: InstrumentSpec, kind: Kind) -> Arc<Recorder> {
        Arc::new(Recorder {
            name: spec.name,
            kind,
            series: Arc::clone(&self.series),
        })
    }

    /// The sum (counters) or last value (gauges) of the series `name` with exactly
    /// `attributes` (any order); `None` when nothing was recorded. Histograms: use
    /// [`Self::values`].
    pub fn value(&self, name: &str, attributes: Attributes<'_>) -> Option<f64> {
        self.values(name, attributes)
            .and_then(|v| v.first().copied())
    }

    /// Every value recorded for the series (one element for counters and gauges).
    pub fn values(&self, name: &str, attributes: Attributes<'_>) -> Option<Vec<f64>> {
        let mut attrs: Vec<(String, String)> = attributes
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        attrs.sort();
        self.series
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&(name.to_owned(), attrs))
            .cloned()
    }

    /// Every series recorded so far.
    pub fn series(&self) -> Vec<SeriesKey> {
        self.series
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .keys()
            .cloned()
            .collect()
    }
}

impl Meter for RecordingMeter {
    fn counter(&self, spec: InstrumentSpec) -> Counter {
        Counter::new(self.recorder(spec, Kind::Sum))
    }
    fn up_down_counter(&self, spec: InstrumentSpec) -> UpDownCounter {
        UpDownCounter::new(self.recorder(spec, Kind::Sum))
    }
    fn histogram(&self, spec: InstrumentSpec, _boundaries: &[f64]) -> Histogram {
        Histogram::new(self.recorder(spec, Kind::All))
    }
    fn gauge(&self, spec: InstrumentSpec) -> Gauge {
        Gauge::new(self.recorder(spec, Kind::Last))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recording_meter_sums_counters_keeps_last_gauges_and_every_histogram_value() {
        let meter = RecordingMeter::new();
        let c = meter.counter(InstrumentSpec::new("c", "{x}", "c"));
        c.add(2, &[("a", "1"), ("b", "2")]);
        c.add(3, &[("b", "2"), ("a", "1")]);
        c.add(7, &[("a", "other")]);
        let g = meter.gauge(InstrumentSpec::new("g", "s", "g"));
        g.record(4.0, &[]);
        g.record(1.5, &[]);
        let h = meter.histogram(InstrumentSpec::new("h", "s", "h"), &[1.0]);
        h.record(0.5, &[]);
        h.record(0.25, &[]);
        assert_eq!(meter.value("c", &[("a", "1"), ("b", "2")]), Some(5.0));
        assert_eq!(meter.value("c", &[("a", "other")]), Some(7.0));
        assert_eq!(meter.value("g", &[]), Some(1.5));
        assert_eq!(meter.values("h", &[]), Some(vec![0.5, 0.25]));
        assert_eq!(meter.value("missing", &[]), None);
    }

    #[test]
    fn noop_instruments_accept_anything() {
        let m = NoopMeter;
        m.counter(InstrumentSpec::new("c", "1", "c"))
            .add(1, &[("k", "v")]);
        m.histogram(InstrumentSpec::new("h", "s", "h"), &[])
            .record(f64::NAN, &[]);
    }
}
