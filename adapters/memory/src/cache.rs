//! [`MemoryCache`]: the embedded `Cache`, a `moka` cache bounded by the bytes of its keys and
//! values with a TTL per entry, and namespace versions in a small map. Per process: each
//! replica has its own cache; production shares one Redis cache.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use aurum_ports::StoreError;
use aurum_ports::cache::{
    Cache, CacheCounters, CacheStats, NamespaceSize, validate_namespace, validate_ttl,
};
use bytes::Bytes;
use moka::Expiry;
use moka::sync::Cache as Moka;

#[derive(Clone)]
struct Entry {
    value: Bytes,
    ttl: Duration,
}

struct PerEntryTtl;

impl Expiry<String, Entry> for PerEntryTtl {
    fn expire_after_create(&self, _key: &String, entry: &Entry, _at: Instant) -> Option<Duration> {
        Some(entry.ttl)
    }

    fn expire_after_update(
        &self,
        _key: &String,
        entry: &Entry,
        _at: Instant,
        _remaining: Option<Duration>,
    ) -> Option<Duration> {
        Some(entry.ttl)
    }
}

/// In-memory cache. Cloning it clones a handle to the same entries, versions and counters.
/// Effective keys are `<namespace>:<version>:<key>` (namespaces carry no `:`).
#[derive(Clone)]
pub struct MemoryCache {
    entries: Moka<String, Entry>,
    versions: Arc<Mutex<HashMap<String, u64>>>,
    counters: Arc<CacheCounters>,
}

impl MemoryCache {
    /// A cache holding at most about `max_bytes` of keys and values (least recently used
    /// entries leave first; one entry larger than the bound is not kept).
    pub fn new(max_bytes: u64) -> Self {
        let entries = Moka::builder()
            .max_capacity(max_bytes)
            .weigher(|key: &String, entry: &Entry| {
                u32::try_from(key.len() + entry.value.len()).unwrap_or(u32::MAX)
            })
            .expire_after(PerEntryTtl)
            .build();
        Self {
            entries,
            versions: Arc::default(),
            counters: Arc::default(),
        }
    }

    fn version(&self, namespace: &str) -> u64 {
        self.lock_versions().get(namespace).copied().unwrap_or(0)
    }

    fn lock_versions(&self) -> std::sync::MutexGuard<'_, HashMap<String, u64>> {
        // A poisoned map still holds valid versions (each write is a single store).
        self.versions.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn key(&self, namespace: &str, key: &str) -> Result<String, StoreError> {
        validate_namespace(namespace)?;
        Ok(format!("{namespace}:{}:{key}", self.version(namespace)))
    }
}

#[async_trait]
impl Cache for MemoryCache {
    async fn get(&self, namespace: &str, key: &str) -> Result<Option<Bytes>, StoreError> {
        let key = self.key(namespace, key)?;
        let outcome = Ok(self.entries.get(&key).map(|e| e.value));
        self.counters.record_get(namespace, &outcome);
        outcome
    }

    async fn set(
        &self,
        namespace: &str,
        key: &str,
        value: Bytes,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        validate_ttl(ttl)?;
        let key = self.key(namespace, key)?;
        self.entries.insert(key, Entry { value, ttl });
        Ok(())
    }

    async fn delete(&self, namespace: &str, key: &str) -> Result<(), StoreError> {
        let key = self.key(namespace, key)?;
        self.entries.invalidate(&key);
        Ok(())
    }

    async fn invalidate_namespace(&self, namespace: &str) -> Result<u64, StoreError> {
        validate_namespace(namespace)?;
        let mut versions = self.lock_versions();
        let version = versions.entry(namespace.to_owned()).or_insert(0);
        *version += 1;
        Ok(*version)
    }

    fn stats(&self) -> CacheStats {
        self.entries.run_pending_tasks();
        let versions = self.lock_versions().clone();
        let mut sizes: BTreeMap<String, NamespaceSize> = BTreeMap::new();
        for (key, entry) in &self.entries {
            let mut parts = key.splitn(3, ':');
            let (Some(namespace), Some(version)) = (parts.next(), parts.next()) else {
                continue;
            };
            let current = versions.get(namespace).copied().unwrap_or(0);
            if version.parse::<u64>().ok() != Some(current) {
                continue;
            }
            let size = sizes.entry(namespace.to_owned()).or_default();
            size.entries += 1;
            size.bytes += (key.len() + entry.value.len()) as u64;
        }
        CacheStats {
            entries: Some(self.entries.entry_count()),
            bytes: Some(self.entries.weighted_size()),
            sizes,
            ..self.counters.snapshot()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_cache_stays_within_its_byte_bound() {
        let cache = MemoryCache::new(10_000);
        for i in 0..100 {
            cache
                .set(
                    "ns",
                    &i.to_string(),
                    Bytes::from(vec![0; 1_000]),
                    Duration::from_mins(1),
                )
                .await
                .unwrap();
        }
        let stats = cache.stats();
        assert!(stats.bytes.unwrap() <= 10_000, "{stats:?}");
    }
}
