//! The default sink: every event becomes one structured log line (target `aurum::events`).

use async_trait::async_trait;

use aurum_ports::outbox::{DeliveryError, EventSink, OutboxEvent};

/// Delivers events to the log.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogSink;

#[async_trait]
impl EventSink for LogSink {
    async fn deliver(&self, event: &OutboxEvent) -> Result<(), DeliveryError> {
        tracing::info!(
            target: "aurum::events",
            event_id = %event.event.id,
            topic = %event.event.topic,
            key = %event.event.key,
            attempts = event.attempts,
            payload = %event.event.payload,
            "event"
        );
        Ok(())
    }
}
