//! [`TieredCache`]: a short-lived local tier in front of a shared tier (Redis), with a circuit
//! breaker so an unavailable shared tier costs one timeout per pause, not one per request.
//!
//! - `get`: local hit, else the shared tier (a hit is copied into the local tier for at most
//!   `local_ttl`). A shared-tier failure opens the breaker for `pause`; while it is open the
//!   shared tier is not called and `get` answers [`StoreError::Unavailable`] after a local miss,
//!   so callers count an error and read the origin.
//! - `set`: the local tier (TTL capped at `local_ttl`) and, unless the breaker is open, the
//!   shared tier.
//! - `invalidate_namespace`: both tiers. Other instances' local tiers keep their copies for at
//!   most `local_ttl`: that is the bound on cross-instance staleness (ADR 0008).

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use aurum_ports::cache::{Cache, CacheStats};
use aurum_ports::{Clock, StoreError};
use bytes::Bytes;

/// Two tiers behind the [`Cache`] port.
pub struct TieredCache {
    local: Arc<dyn Cache>,
    shared: Arc<dyn Cache>,
    local_ttl: Duration,
    pause: Duration,
    clock: Arc<dyn Clock>,
    /// Unix milliseconds until which the shared tier is skipped; 0 when closed.
    open_until_ms: AtomicI64,
}

impl TieredCache {
    /// `local` in front of `shared`; local copies live at most `local_ttl`; a shared-tier
    /// failure skips it for `pause`.
    pub fn new(
        local: Arc<dyn Cache>,
        shared: Arc<dyn Cache>,
        local_ttl: Duration,
        pause: Duration,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            local,
            shared,
            local_ttl,
            pause,
            clock,
            open_until_ms: AtomicI64::new(0),
        }
    }

    /// Whether the shared tier is being skipped after a failure.
    pub fn shared_tier_paused(&self) -> bool {
        self.open_until_ms.load(Ordering::Relaxed) > self.clock.now().timestamp_millis()
    }

    fn trip(&self) {
        let until = self.clock.now().timestamp_millis()
            + i64::try_from(self.pause.as_millis()).unwrap_or(i64::MAX / 2);
        self.open_until_ms.store(until, Ordering::Relaxed);
    }

    fn paused_error() -> StoreError {
        StoreError::Unavailable("the shared cache tier is paused after a failure".to_owned())
    }

    /// Runs `call` on the shared tier unless paused; a backend failure trips the breaker.
    async fn shared<T, F>(&self, call: F) -> Result<T, StoreError>
    where
        F: Future<Output = Result<T, StoreError>>,
    {
        if self.shared_tier_paused() {
            return Err(Self::paused_error());
        }
        let outcome = call.await;
        if matches!(
            outcome,
            Err(StoreError::Unavailable(_) | StoreError::Timeout(_) | StoreError::Unexpected(_))
        ) {
            self.trip();
        }
        outcome
    }
}

#[async_trait]
impl Cache for TieredCache {
    async fn get(&self, namespace: &str, key: &str) -> Result<Option<Bytes>, StoreError> {
        if let Some(value) = self.local.get(namespace, key).await? {
            return Ok(Some(value));
        }
        let found = self.shared(self.shared.get(namespace, key)).await?;
        if let Some(value) = &found {
            self.local
                .set(namespace, key, value.clone(), self.local_ttl)
                .await?;
        }
        Ok(found)
    }

    async fn set(
        &self,
        namespace: &str,
        key: &str,
        value: Bytes,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        self.local
            .set(namespace, key, value.clone(), ttl.min(self.local_ttl))
            .await?;
        self.shared(self.shared.set(namespace, key, value, ttl))
            .await
    }

    async fn delete(&self, namespace: &str, key: &str) -> Result<(), StoreError> {
        self.local.delete(namespace, key).await?;
        self.shared(self.shared.delete(namespace, key)).await
    }

    async fn invalidate_namespace(&self, namespace: &str) -> Result<u64, StoreError> {
        self.local.invalidate_namespace(namespace).await?;
        // Invalidation must reach the shared tier even right after a failure: try it anyway.
        let outcome = self.shared.invalidate_namespace(namespace).await;
        if outcome.is_ok() {
            self.open_until_ms.store(0, Ordering::Relaxed);
        } else {
            self.trip();
        }
        outcome
    }

    fn stats(&self) -> CacheStats {
        let local = self.local.stats();
        let shared = self.shared.stats();
        let mut namespaces = local.namespaces;
        for (name, s) in shared.namespaces {
            // Hits and misses are the local tier's; the shared tier adds its failures.
            namespaces.entry(name).or_default().errors += s.errors;
        }
        CacheStats {
            namespaces,
            entries: local.entries,
            bytes: local.bytes,
            sizes: local.sizes,
        }
    }
}
