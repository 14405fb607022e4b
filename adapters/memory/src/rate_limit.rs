//! [`MemoryRateLimitStore`]: the embedded `RateLimitStore`, one TAT per key in sharded maps.
//! It is per process: N replicas each admit a full quota. Production shares one Redis store.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use aurum_ports::{GcraOutcome, GcraParams, RateLimitStore, StoreError, gcra_step};
use chrono::{DateTime, Utc};

/// Shards (a power of two): enough that worker threads rarely meet on one lock.
const SHARDS: usize = 16;

type Shard = Mutex<HashMap<String, i64>>;

/// In-memory rate-limit state. Cloning the store clones a handle to the same state. A decision
/// on a known key takes one short lock and allocates nothing; locks are never held across
/// `.await` (there is none inside).
#[derive(Clone)]
pub struct MemoryRateLimitStore {
    shared: Arc<Shared>,
}

struct Shared {
    picker: RandomState,
    shards: [Shard; SHARDS],
}

impl Default for MemoryRateLimitStore {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryRateLimitStore {
    /// An empty store.
    pub fn new() -> Self {
        Self {
            shared: Arc::new(Shared {
                picker: RandomState::new(),
                shards: std::array::from_fn(|_| Mutex::new(HashMap::new())),
            }),
        }
    }

    /// [`RateLimitStore::decide`] without the async wrapper, at `now_us` (µs since the epoch):
    /// the hot path the async method calls.
    pub fn decide_at(&self, key: &str, params: GcraParams, cost: u32, now_us: i64) -> GcraOutcome {
        let mut shard = self.shard(key);
        if let Some(tat) = shard.get_mut(key) {
            let outcome = gcra_step(Some(*tat), now_us, params, cost);
            if let Some(new_tat) = outcome.new_tat_us {
                *tat = new_tat;
            }
            outcome
        } else {
            let outcome = gcra_step(None, now_us, params, cost);
            if let Some(new_tat) = outcome.new_tat_us {
                shard.insert(key.to_owned(), new_tat);
            }
            outcome
        }
    }

    /// [`RateLimitStore::peek`] at `now_us`.
    pub fn peek_at(&self, key: &str, params: GcraParams, now_us: i64) -> GcraOutcome {
        let tat = self.shard(key).get(key).copied();
        gcra_step(tat, now_us, params, 0)
    }

    /// Drops every key whose TAT is at or before `now_us` (an idle key decides like an absent
    /// one) and returns how many were dropped. Call it periodically to bound memory.
    pub fn purge_idle(&self, now_us: i64) -> usize {
        self.shared
            .shards
            .iter()
            .map(|shard| {
                let mut map = lock(shard);
                let before = map.len();
                map.retain(|_, tat| *tat > now_us);
                before - map.len()
            })
            .sum()
    }

    /// Keys currently held.
    pub fn len(&self) -> usize {
        self.shared.shards.iter().map(|s| lock(s).len()).sum()
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn shard(&self, key: &str) -> MutexGuard<'_, HashMap<String, i64>> {
        let hash = self.shared.picker.hash_one(key);
        // Masking keeps the index below SHARDS, so the truncation is exact.
        #[expect(clippy::cast_possible_truncation, reason = "masked to SHARDS - 1")]
        let index = (hash as usize) & (SHARDS - 1);
        lock(&self.shared.shards[index])
    }
}

/// A poisoned shard still holds valid TATs (each write is a single store), so it is used as is.
fn lock(shard: &Shard) -> MutexGuard<'_, HashMap<String, i64>> {
    shard.lock().unwrap_or_else(PoisonError::into_inner)
}

#[async_trait]
impl RateLimitStore for MemoryRateLimitStore {
    async fn decide(
        &self,
        key: &str,
        params: GcraParams,
        cost: u32,
        now: DateTime<Utc>,
    ) -> Result<GcraOutcome, StoreError> {
        Ok(self.decide_at(key, params, cost, now.timestamp_micros()))
    }

    async fn peek(
        &self,
        key: &str,
        params: GcraParams,
        now: DateTime<Utc>,
    ) -> Result<GcraOutcome, StoreError> {
        Ok(self.peek_at(key, params, now.timestamp_micros()))
    }

    async fn reset(&self, key: &str) -> Result<(), StoreError> {
        self.shard(key).remove(key);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purging_drops_only_idle_keys() {
        let store = MemoryRateLimitStore::new();
        let params = GcraParams::new(1_000, 0);
        assert!(store.decide_at("a", params, 1, 0).allowed);
        assert!(store.decide_at("b", params, 1, 500).allowed);
        assert_eq!(store.len(), 2);
        assert_eq!(store.purge_idle(1_000), 1);
        assert_eq!(store.len(), 1);
        assert!(!store.decide_at("b", params, 1, 1_000).allowed);
    }
}
