//! The OpenTelemetry implementation of the metrics façade of `aurum_ports::telemetry`: each
//! façade instrument wraps an SDK instrument of the application's `SdkMeterProvider`, so a
//! measurement reaches every reader of that provider (the Prometheus registry behind
//! `/metrics` and, when configured, the periodic OTLP exporter).

use std::sync::Arc;

use aurum_ports::telemetry::{
    Attributes, Counter, CounterInstrument, Gauge, GaugeInstrument, Histogram, HistogramInstrument,
    InstrumentSpec, Meter, UpDownCounter, UpDownCounterInstrument,
};
use opentelemetry::KeyValue;
use opentelemetry::metrics as otel;

/// A façade [`Meter`] over one OpenTelemetry meter.
#[derive(Clone)]
pub struct OtelMeter {
    meter: otel::Meter,
}

impl std::fmt::Debug for OtelMeter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OtelMeter")
    }
}

impl OtelMeter {
    /// Wraps `meter`.
    pub fn new(meter: otel::Meter) -> Self {
        Self { meter }
    }
}

fn key_values(attributes: Attributes<'_>) -> Vec<KeyValue> {
    attributes
        .iter()
        .map(|(k, v)| KeyValue::new(*k, (*v).to_owned()))
        .collect()
}

struct OtelCounter(otel::Counter<u64>);
struct OtelUpDown(otel::UpDownCounter<i64>);
struct OtelHistogram(otel::Histogram<f64>);
struct OtelGauge(otel::Gauge<f64>);

impl CounterInstrument for OtelCounter {
    fn add(&self, value: u64, attributes: Attributes<'_>) {
        self.0.add(value, &key_values(attributes));
    }
}

impl UpDownCounterInstrument for OtelUpDown {
    fn add(&self, value: i64, attributes: Attributes<'_>) {
        self.0.add(value, &key_values(attributes));
    }
}

impl HistogramInstrument for OtelHistogram {
    fn record(&self, value: f64, attributes: Attributes<'_>) {
        if value.is_finite() {
            self.0.record(value, &key_values(attributes));
        }
    }
}

impl GaugeInstrument for OtelGauge {
    fn record(&self, value: f64, attributes: Attributes<'_>) {
        if value.is_finite() {
            self.0.record(value, &key_values(attributes));
        }
    }
}

impl Meter for OtelMeter {
    fn counter(&self, spec: InstrumentSpec) -> Counter {
        let c = self
            .meter
            .u64_counter(spec.name)
            .with_unit(spec.unit)
            .with_description(spec.description)
            .build();
        Counter::new(Arc::new(OtelCounter(c)))
    }

    fn up_down_counter(&self, spec: InstrumentSpec) -> UpDownCounter {
        let c = self
            .meter
            .i64_up_down_counter(spec.name)
            .with_unit(spec.unit)
            .with_description(spec.description)
            .build();
        UpDownCounter::new(Arc::new(OtelUpDown(c)))
    }

    fn histogram(&self, spec: InstrumentSpec, boundaries: &[f64]) -> Histogram {
        let mut builder = self
            .meter
            .f64_histogram(spec.name)
            .with_unit(spec.unit)
            .with_description(spec.description);
        if !boundaries.is_empty() {
            builder = builder.with_boundaries(boundaries.to_vec());
        }
        Histogram::new(Arc::new(OtelHistogram(builder.build())))
    }

    fn gauge(&self, spec: InstrumentSpec) -> Gauge {
        let g = self
            .meter
            .f64_gauge(spec.name)
            .with_unit(spec.unit)
            .with_description(spec.description)
            .build();
        Gauge::new(Arc::new(OtelGauge(g)))
    }
}
