//! The transactional outbox: events appended with the state change that caused them, then
//! delivered at least once by a relay, each with a stable id consumers deduplicate on.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::StoreError;

/// An event to append (inside a state-changing transaction).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewEvent {
    /// Stable event id (the consumer's dedup key).
    pub id: uuid::Uuid,
    /// Topic, e.g. `scenario.run.succeeded`.
    pub topic: String,
    /// Partition key, e.g. the run id.
    pub key: String,
    /// Body.
    pub payload: serde_json::Value,
    /// W3C `traceparent` of the request that caused it.
    pub traceparent: Option<String>,
}

/// A stored event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEvent {
    /// The event as appended.
    pub event: NewEvent,
    /// Delivery attempts so far.
    pub attempts: u32,
    /// When it was appended.
    pub created_at: DateTime<Utc>,
    /// Earliest next delivery.
    pub next_attempt_at: DateTime<Utc>,
    /// Last delivery error.
    pub last_error: Option<String>,
}

/// Counts of the outbox, for the relay's lag and dead-letter gauges.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxStats {
    /// Events neither delivered nor dead-lettered.
    pub pending: u64,
    /// `created_at` of the oldest of them.
    pub oldest_pending: Option<DateTime<Utc>>,
    /// Dead-lettered events.
    pub dead_letters: u64,
}

/// Outbox storage for the relay.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait Outbox: Send + Sync + 'static {
    /// Claims up to `limit` undelivered, not dead-lettered events due at `now` (oldest first),
    /// hiding them from other relays until `now + lease`.
    ///
    /// # Errors
    /// Backend errors only. Concurrent claims MUST not return the same event.
    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<OutboxEvent>, StoreError>;

    /// Marks an event delivered; it is never claimed again.
    ///
    /// # Errors
    /// Backend errors only.
    async fn mark_delivered(&self, id: uuid::Uuid, at: DateTime<Utc>) -> Result<(), StoreError>;

    /// Counts a failed attempt and schedules the next one at `at`.
    ///
    /// # Errors
    /// Backend errors only.
    async fn reschedule(
        &self,
        id: uuid::Uuid,
        at: DateTime<Utc>,
        error: &str,
    ) -> Result<(), StoreError>;

    /// Gives up on an event: it moves to the dead letters.
    ///
    /// # Errors
    /// Backend errors only.
    async fn dead_letter(&self, id: uuid::Uuid, error: &str) -> Result<(), StoreError>;

    /// Dead-lettered events, oldest first.
    ///
    /// # Errors
    /// Backend errors only.
    async fn dead_letters(&self, limit: usize) -> Result<Vec<OutboxEvent>, StoreError>;

    /// Puts a dead letter back in the queue, due at `now` with its attempts reset; `false` when
    /// it is not a dead letter.
    ///
    /// # Errors
    /// Backend errors only.
    async fn redrive(&self, id: uuid::Uuid, now: DateTime<Utc>) -> Result<bool, StoreError>;

    /// How many events are pending (not delivered, not dead), the oldest one's `created_at`,
    /// and how many are dead letters.
    ///
    /// # Errors
    /// Backend errors only.
    async fn stats(&self) -> Result<OutboxStats, StoreError>;
}

/// Why a delivery failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// Worth retrying (timeout, 5xx, connection refused).
    #[error("delivery failed, will retry: {0}")]
    Retryable(String),
    /// Retrying cannot help (4xx other than 408/429): dead-letter at once.
    #[error("delivery refused: {0}")]
    Permanent(String),
}

/// Where the relay delivers events.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait EventSink: Send + Sync + 'static {
    /// Delivers one event.
    ///
    /// # Errors
    /// [`DeliveryError`] saying whether to retry.
    async fn deliver(&self, event: &OutboxEvent) -> Result<(), DeliveryError>;
}

/// Source of new ids (injected so tests are deterministic).
#[cfg_attr(feature = "mocks", mockall::automock)]
pub trait IdGenerator: Send + Sync + 'static {
    /// A new unique id.
    fn new_id(&self) -> uuid::Uuid;
}
