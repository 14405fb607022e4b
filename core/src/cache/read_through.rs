//! [`ReadThrough`]: the cached read layer. A caller describes a read (namespace, tenant,
//! canonical request) and how to compute its bytes from the origin; the layer answers from the
//! cache when it can, computes once per process when several requests miss the same key at
//! once (single flight), stores the result under the namespace's TTL, and counts hits,
//! misses, errors and oversized values per namespace. A failing cache never fails a read: its
//! errors count and the origin answers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use aurum_ports::cache::{Cache, CacheStats, NamespaceSize};
use aurum_ports::telemetry::{Counter, InstrumentSpec, Meter};
use aurum_ports::{StoreError, TenantId};
use bytes::Bytes;
use futures::channel::oneshot;

use super::governance::{NAMESPACES, NamespacePolicy};

/// `aurum.cache.requests{namespace, result}`.
pub const REQUESTS: InstrumentSpec = InstrumentSpec::new(
    "aurum.cache.requests",
    "{request}",
    "Cached reads by namespace and result (hit, miss, error, oversize, bypass).",
);

/// What a read did, as counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheResult {
    /// Served from the cache.
    Hit,
    /// Computed by the origin (possibly shared with concurrent misses).
    Miss,
    /// The cache failed; the origin answered.
    Error,
    /// The value exceeded the namespace's largest entry: served, not stored.
    Oversize,
    /// Caching is off, or the key could not be derived: the origin answered.
    Bypass,
}

impl CacheResult {
    /// The metric attribute value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hit => "hit",
            Self::Miss => "miss",
            Self::Error => "error",
            Self::Oversize => "oversize",
            Self::Bypass => "bypass",
        }
    }
}

/// Counters of one namespace, as the admin API shows them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadCounters {
    /// Reads served from the cache.
    pub hits: u64,
    /// Reads computed by the origin.
    pub misses: u64,
    /// Cache failures (the origin answered).
    pub errors: u64,
    /// Values too large to keep.
    pub oversize: u64,
}

/// One namespace in [`ReadThrough::report`].
#[derive(Debug, Clone, PartialEq)]
pub struct NamespaceReport {
    /// Its rules.
    pub policy: NamespacePolicy,
    /// Its counters since start.
    pub counters: ReadCounters,
    /// `hits / (hits + misses)`, `None` before the first read.
    pub hit_ratio: Option<f64>,
    /// Reachable entries and bytes in this instance's tier, when known.
    pub size: Option<NamespaceSize>,
}

type Waiters = Vec<oneshot::Sender<Option<Bytes>>>;

/// The cached read layer over one [`Cache`].
pub struct ReadThrough {
    cache: Option<Arc<dyn Cache>>,
    inflight: Mutex<HashMap<(&'static str, String), Waiters>>,
    counters: Mutex<HashMap<&'static str, ReadCounters>>,
    requests: Counter,
}

impl ReadThrough {
    /// A layer over `cache`; `None` turns caching off (every read goes to the origin).
    pub fn new(cache: Option<Arc<dyn Cache>>, meter: &dyn Meter) -> Self {
        Self {
            cache,
            inflight: Mutex::default(),
            counters: Mutex::default(),
            requests: meter.counter(REQUESTS),
        }
    }

    /// Whether a cache is configured.
    pub fn enabled(&self) -> bool {
        self.cache.is_some()
    }

    /// The underlying cache, when enabled.
    pub fn cache(&self) -> Option<&Arc<dyn Cache>> {
        self.cache.as_ref()
    }

    fn count(&self, ns: &NamespacePolicy, result: CacheResult) {
        self.requests
            .add(1, &[("namespace", ns.name), ("result", result.as_str())]);
        let mut counters = self.counters.lock().unwrap_or_else(PoisonError::into_inner);
        let c = counters.entry(ns.name).or_default();
        match result {
            CacheResult::Hit => c.hits += 1,
            CacheResult::Miss => c.misses += 1,
            CacheResult::Error => {
                c.errors += 1;
                c.misses += 1;
            }
            CacheResult::Oversize => {
                c.oversize += 1;
                c.misses += 1;
            }
            CacheResult::Bypass => {}
        }
    }

    /// The bytes of a read: from the cache, or from `load` (then cached).
    ///
    /// `request` must describe everything the answer depends on except the tenant (added for
    /// tenant-private namespaces): route, canonical parameters and representation.
    ///
    /// # Errors
    /// Only `load`'s errors; cache failures are counted and bypassed.
    pub async fn get_or_load<F, Fut, E>(
        &self,
        ns: &'static NamespacePolicy,
        tenant: Option<&TenantId>,
        request: &str,
        load: F,
    ) -> Result<Bytes, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Bytes, E>>,
    {
        let (Some(cache), Ok(key)) = (&self.cache, ns.key(tenant, request)) else {
            self.count(ns, CacheResult::Bypass);
            return load().await;
        };
        let mut failed = match cache.get(ns.name, &key).await {
            Ok(Some(value)) => {
                self.count(ns, CacheResult::Hit);
                return Ok(value);
            }
            Ok(None) => false,
            Err(e) => {
                tracing::debug!(namespace = ns.name, error = %e, "cache read failed");
                true
            }
        };
        // Single flight: the first miss computes; concurrent misses wait for its bytes.
        let slot = (ns.name, key.clone());
        let waiter = {
            let mut inflight = self.inflight.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(waiters) = inflight.get_mut(&slot) {
                let (tx, rx) = oneshot::channel();
                waiters.push(tx);
                Some(rx)
            } else {
                inflight.insert(slot.clone(), Vec::new());
                None
            }
        };
        if let Some(rx) = waiter {
            self.count(
                ns,
                if failed {
                    CacheResult::Error
                } else {
                    CacheResult::Miss
                },
            );
            // The leader's bytes, or (leader failed or went away) our own computation.
            if let Ok(Some(value)) = rx.await {
                return Ok(value);
            }
            return load().await;
        }
        let leader = Leader {
            inflight: &self.inflight,
            slot: Some(slot),
        };
        let outcome = load().await;
        let Ok(value) = &outcome else {
            let result = if failed {
                CacheResult::Error
            } else {
                CacheResult::Miss
            };
            self.count(ns, result);
            drop(leader);
            return outcome;
        };
        let value = value.clone();
        let result = if value.len() > ns.max_entry_bytes {
            CacheResult::Oversize
        } else {
            if let Err(e) = cache.set(ns.name, &key, value.clone(), ns.ttl).await {
                tracing::debug!(namespace = ns.name, error = %e, "cache write failed");
                failed = true;
            }
            if failed {
                CacheResult::Error
            } else {
                CacheResult::Miss
            }
        };
        self.count(ns, result);
        leader.finish(&value);
        outcome
    }

    /// Invalidates `ns` (every instance sharing the cache), returning the new version.
    ///
    /// # Errors
    /// The cache's errors; `Ok(None)` when caching is off.
    pub async fn invalidate(&self, ns: &NamespacePolicy) -> Result<Option<u64>, StoreError> {
        match &self.cache {
            Some(cache) => cache.invalidate_namespace(ns.name).await.map(Some),
            None => Ok(None),
        }
    }

    /// Counters and sizes of every governed namespace.
    pub fn report(&self) -> Vec<NamespaceReport> {
        let stats = self.cache.as_ref().map(|c| c.stats()).unwrap_or_default();
        let counters = self.counters.lock().unwrap_or_else(PoisonError::into_inner);
        NAMESPACES
            .iter()
            .map(|policy| {
                let c = counters.get(policy.name).copied().unwrap_or_default();
                let looked_up = c.hits + c.misses;
                #[expect(clippy::cast_precision_loss, reason = "a ratio; counts far below 2^52")]
                let hit_ratio = (looked_up > 0).then(|| c.hits as f64 / looked_up as f64);
                NamespaceReport {
                    policy: *policy,
                    counters: c,
                    hit_ratio,
                    size: size_of(&stats, policy.name, self.cache.is_some()),
                }
            })
            .collect()
    }
}

fn size_of(stats: &CacheStats, name: &str, enabled: bool) -> Option<NamespaceSize> {
    if !enabled || stats.entries.is_none() {
        return None;
    }
    Some(stats.sizes.get(name).copied().unwrap_or_default())
}

/// The in-flight slot of a leader: removed, and its waiters answered, when the leader finishes
/// or is dropped (a cancelled request); dropped senders make waiters compute on their own.
struct Leader<'a> {
    inflight: &'a Mutex<HashMap<(&'static str, String), Waiters>>,
    slot: Option<(&'static str, String)>,
}

impl Leader<'_> {
    fn finish(mut self, value: &Bytes) {
        for tx in self.take_waiters() {
            let _ = tx.send(Some(value.clone()));
        }
    }

    fn take_waiters(&mut self) -> Waiters {
        let Some(slot) = self.slot.take() else {
            return Vec::new();
        };
        self.inflight
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&slot)
            .unwrap_or_default()
    }
}

impl Drop for Leader<'_> {
    fn drop(&mut self) {
        drop(self.take_waiters());
    }
}
