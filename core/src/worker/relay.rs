//! The outbox relay as a step function: [`OutboxRelay::deliver_due`] claims a batch of due
//! events under a lease and hands them to the [`EventSink`] concurrently (at most `batch` calls
//! in flight). Delivered events are marked; retryable failures are rescheduled with
//! full-jitter backoff until `max_attempts`, then dead-lettered; permanent failures are
//! dead-lettered at once. Delivery is at least once: consumers deduplicate on the event id.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use futures::future::join_all;
use tracing::Instrument as _;

use aurum_ports::outbox::{DeliveryError, EventSink, Outbox, OutboxEvent};
use aurum_ports::telemetry::Meter;
use aurum_ports::{Clock, StoreError};

use super::Jitter;
use super::telemetry::{RelayMetrics, SpanLinker, no_linker};
use crate::scenarios::backoff_delay;

/// How the relay works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelayConfig {
    /// Events claimed per step.
    pub batch: usize,
    /// How long claimed events stay hidden from other relays.
    pub lease: Duration,
    /// Attempts before an event is dead-lettered (at least 1).
    pub max_attempts: u32,
    /// Backoff base.
    pub retry_base: Duration,
    /// Longest backoff.
    pub retry_cap: Duration,
}

impl Default for RelayConfig {
    /// 100 events per step, 1 min lease, 10 attempts, 1 s–10 min backoff.
    fn default() -> Self {
        Self {
            batch: 100,
            lease: Duration::from_mins(1),
            max_attempts: 10,
            retry_base: Duration::from_secs(1),
            retry_cap: Duration::from_mins(10),
        }
    }
}

/// What one step did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RelayReport {
    /// Events claimed.
    pub claimed: usize,
    /// Delivered and marked.
    pub delivered: usize,
    /// Failed, to be retried later.
    pub rescheduled: usize,
    /// Given up on.
    pub dead_lettered: usize,
}

/// How one claimed event was settled.
enum Settled {
    Delivered,
    Rescheduled,
    DeadLettered,
}

/// Delivers outbox events to a sink.
#[derive(Clone)]
pub struct OutboxRelay {
    outbox: Arc<dyn Outbox>,
    sink: Arc<dyn EventSink>,
    clock: Arc<dyn Clock>,
    jitter: Jitter,
    config: RelayConfig,
    /// Lag and dead-letter gauges, sampled at most every `every` (`None`: not sampled).
    stats: Option<StatsSampling>,
    linker: Arc<dyn SpanLinker>,
}

#[derive(Clone)]
struct StatsSampling {
    metrics: RelayMetrics,
    every: TimeDelta,
    last: Arc<Mutex<Option<DateTime<Utc>>>>,
}

impl OutboxRelay {
    /// A relay from `outbox` to `sink`.
    pub fn new(
        outbox: Arc<dyn Outbox>,
        sink: Arc<dyn EventSink>,
        clock: Arc<dyn Clock>,
        jitter: Jitter,
        config: RelayConfig,
    ) -> Self {
        Self {
            outbox,
            sink,
            clock,
            jitter,
            config,
            stats: None,
            linker: no_linker(),
        }
    }

    /// Samples the outbox lag and dead-letter gauges through `meter`, at most once per
    /// `every` of the injected clock (the default samples nothing and never calls
    /// `Outbox::stats`).
    #[must_use]
    pub fn with_meter(mut self, meter: &dyn Meter, every: Duration) -> Self {
        self.stats = Some(StatsSampling {
            metrics: RelayMetrics::new(meter),
            every: TimeDelta::from_std(every).unwrap_or(TimeDelta::MAX),
            last: Arc::new(Mutex::new(None)),
        });
        self
    }

    /// Delivers each event inside a span that continues the event's stored trace (the
    /// default links nothing).
    #[must_use]
    pub fn with_span_linker(mut self, linker: Arc<dyn SpanLinker>) -> Self {
        self.linker = linker;
        self
    }

    /// Records the lag (age of the oldest pending event) and the dead-letter count, when due.
    /// A failing count is logged and retried at the next step; it never fails delivery.
    async fn sample_stats(&self, now: DateTime<Utc>) {
        let Some(sampling) = &self.stats else {
            return;
        };
        {
            let mut last = sampling.last.lock().unwrap_or_else(PoisonError::into_inner);
            if last.is_some_and(|at| now - at < sampling.every) {
                return;
            }
            *last = Some(now);
        }
        match self.outbox.stats().await {
            Ok(stats) => {
                let lag = stats
                    .oldest_pending
                    .map_or(0.0, |oldest| (now - oldest).as_seconds_f64().max(0.0));
                sampling.metrics.lag.record(lag, &[]);
                #[expect(
                    clippy::cast_precision_loss,
                    reason = "a gauge; dead-letter counts stay far below 2^52"
                )]
                let dead = stats.dead_letters as f64;
                sampling.metrics.dead_letters.record(dead, &[]);
            }
            Err(e) => tracing::debug!(error = %e, "outbox stats failed"),
        }
    }

    /// The span of one delivery attempt, a child of the event's stored trace context.
    fn delivery_span(&self, event: &OutboxEvent) -> tracing::Span {
        let e = &event.event;
        let span = tracing::info_span!(
            target: "aurum_trace",
            "outbox.deliver",
            otel.name = "outbox.deliver",
            otel.kind = "producer",
            event_id = %e.id,
            topic = %e.topic,
            attempt = event.attempts.saturating_add(1),
            traceparent = e.traceparent.as_deref().unwrap_or_default(),
        );
        if let Some(tp) = &e.traceparent {
            self.linker.adopt(&span, tp);
        }
        span
    }

    /// Claims the due events and tries each once: the batch's deliveries run concurrently,
    /// and each event is settled (marked, rescheduled or dead-lettered) after its own answer,
    /// so an event is marked delivered only after the sink accepted it.
    ///
    /// # Errors
    /// The first outbox failure; events claimed but not yet settled reappear when their lease
    /// expires.
    pub async fn deliver_due(&self) -> Result<RelayReport, StoreError> {
        let now = self.clock.now();
        let events = self
            .outbox
            .claim_due(now, self.config.batch, self.config.lease)
            .await?;
        let settled = join_all(events.iter().map(|event| async move {
            let span = self.delivery_span(event);
            let result = self.sink.deliver(event).instrument(span).await;
            self.settle(event, result).await
        }))
        .await;
        self.sample_stats(now).await;
        let mut report = RelayReport {
            claimed: events.len(),
            ..RelayReport::default()
        };
        for outcome in settled {
            match outcome? {
                Settled::Delivered => report.delivered += 1,
                Settled::Rescheduled => report.rescheduled += 1,
                Settled::DeadLettered => report.dead_lettered += 1,
            }
        }
        Ok(report)
    }

    /// Records one delivery attempt's result in the outbox.
    async fn settle(
        &self,
        event: &OutboxEvent,
        result: Result<(), DeliveryError>,
    ) -> Result<Settled, StoreError> {
        let id = event.event.id;
        match result {
            Ok(()) => {
                self.outbox.mark_delivered(id, self.clock.now()).await?;
                Ok(Settled::Delivered)
            }
            Err(DeliveryError::Retryable(reason)) if !self.exhausted(event) => {
                let at = self.clock.now() + self.retry_delay(event.attempts);
                self.outbox.reschedule(id, at, &reason).await?;
                Ok(Settled::Rescheduled)
            }
            Err(DeliveryError::Retryable(reason) | DeliveryError::Permanent(reason)) => {
                self.outbox.dead_letter(id, &reason).await?;
                Ok(Settled::DeadLettered)
            }
        }
    }

    /// Whether this failed attempt is the last one allowed.
    fn exhausted(&self, event: &OutboxEvent) -> bool {
        event.attempts.saturating_add(1) >= self.config.max_attempts
    }

    /// The delay before the next attempt after `attempts` earlier failures.
    pub fn retry_delay(&self, attempts: u32) -> TimeDelta {
        let delay = backoff_delay(
            attempts,
            self.config.retry_base,
            self.config.retry_cap,
            (self.jitter)(),
        );
        TimeDelta::from_std(delay).unwrap_or(TimeDelta::MAX)
    }

    /// Dead-lettered events, oldest first.
    ///
    /// # Errors
    /// Outbox failures.
    pub async fn dead_letters(&self, limit: usize) -> Result<Vec<OutboxEvent>, StoreError> {
        self.outbox.dead_letters(limit).await
    }

    /// Puts the dead letter with id `event_id` (uuid text) back in the queue, due now with
    /// its attempts reset; `false` when there is no such dead letter (including ids that are
    /// not uuids).
    ///
    /// # Errors
    /// Outbox failures.
    pub async fn redrive(&self, event_id: &str) -> Result<bool, StoreError> {
        // The id type is the outbox's (`uuid::Uuid`); parsing through serde keeps this crate
        // free of a direct uuid dependency.
        let Ok(id) = serde_json::from_value(serde_json::Value::String(event_id.trim().to_owned()))
        else {
            return Ok(false);
        };
        self.outbox.redrive(id, self.clock.now()).await
    }
}

#[cfg(test)]
mod tests;
