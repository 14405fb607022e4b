//! The outbox relay as a step function: [`OutboxRelay::deliver_due`] claims a batch of due
//! events under a lease and hands them to the [`EventSink`] concurrently (at most `batch` calls
//! in flight). Delivered events are marked; retryable failures are rescheduled with
//! full-jitter backoff until `max_attempts`, then dead-lettered; permanent failures are
//! dead-lettered at once. Delivery is at least once: consumers deduplicate on the event id.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use futures::future::join_all;

use aurum_ports::outbox::{DeliveryError, EventSink, Outbox, OutboxEvent};
use aurum_ports::{Clock, StoreError};

use super::Jitter;
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
        }
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
            let result = self.sink.deliver(event).await;
            self.settle(event, result).await
        }))
        .await;
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
