//! The [`Cache`] port: opaque bytes with a time-to-live, grouped in namespaces that can be
//! invalidated at once, plus the per-namespace counters every adapter reports.
//!
//! Invalidation is O(1): each namespace has a version counter that is part of every effective
//! key, so bumping it makes every older entry unreachable; those entries then leave by TTL (or
//! eviction) without being enumerated.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;

use crate::error::StoreError;

/// The longest namespace name [`validate_namespace`] accepts.
pub const MAX_NAMESPACE_LEN: usize = 64;

/// Counters of one namespace, since the handle was created.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NamespaceStats {
    /// `get` calls that found a value.
    pub hits: u64,
    /// `get` calls that found nothing.
    pub misses: u64,
    /// Calls (any operation) that failed with an error.
    pub errors: u64,
}

/// What [`Cache::stats`] reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Counters per namespace that has seen at least one call.
    pub namespaces: BTreeMap<String, NamespaceStats>,
    /// Entries held (including unreachable ones of old versions), when the adapter knows.
    pub entries: Option<u64>,
    /// Bytes held by keys and values, when the adapter knows.
    pub bytes: Option<u64>,
    /// Reachable entries and their bytes per namespace (current version only), when the adapter
    /// can tell cheaply (the memory cache can; Redis cannot without a scan).
    pub sizes: BTreeMap<String, NamespaceSize>,
}

/// Reachable entries of one namespace.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NamespaceSize {
    /// Entries.
    pub entries: u64,
    /// Bytes of keys and values.
    pub bytes: u64,
}

/// A cache of bytes with TTL.
///
/// A namespace is a short name (`curves`, `scenarios`) of at most [`MAX_NAMESPACE_LEN`] ASCII
/// letters, digits, `_`, `-` or `.`; keys are any strings. Namespaces are a small, fixed set
/// chosen by code (stats keep one counter set per namespace), never user input.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait Cache: Send + Sync + 'static {
    /// The value stored under `key` in the current version of `namespace`.
    ///
    /// - MUST return `None` once the entry's TTL has passed, after [`Cache::delete`], and after
    ///   any [`Cache::invalidate_namespace`] of its namespace, through every handle to the same
    ///   backend.
    /// - MUST count a hit or a miss for `namespace`.
    /// - MAY return `None` for an entry a bounded cache evicted.
    ///
    /// # Errors
    /// - MUST return [`StoreError::InvalidQuery`] for an invalid namespace ([`validate_namespace`]).
    /// - MUST return [`StoreError::Unavailable`] or [`StoreError::Timeout`] when the backend
    ///   cannot answer (and count an error); callers usually treat that as a miss.
    async fn get(&self, namespace: &str, key: &str) -> Result<Option<Bytes>, StoreError>;

    /// Stores `value` under `key` for `ttl`, replacing any value and TTL it had.
    ///
    /// - MUST keep the exact bytes (any size up to at least 1 MiB, any byte values).
    ///
    /// # Errors
    /// - MUST return [`StoreError::InvalidQuery`] for an invalid namespace or a `ttl` below 1 ms.
    /// - MUST return [`StoreError::Unavailable`] or [`StoreError::Timeout`] when the backend
    ///   cannot answer.
    async fn set(
        &self,
        namespace: &str,
        key: &str,
        value: Bytes,
        ttl: Duration,
    ) -> Result<(), StoreError>;

    /// Removes `key` from the current version of `namespace`; removing an absent key is not an
    /// error.
    ///
    /// # Errors
    /// As [`Cache::get`].
    async fn delete(&self, namespace: &str, key: &str) -> Result<(), StoreError>;

    /// Makes every entry of `namespace` unreachable and returns the namespace's new version.
    ///
    /// - MUST be O(1) in the number of entries: it bumps the namespace's version, which is part
    ///   of every effective key; old entries expire by TTL.
    /// - MUST be visible to every handle of the same backend (every instance of a deployment
    ///   sharing one Redis) from the next call on.
    /// - MUST return a version greater than any it returned before for `namespace`.
    /// - MUST NOT affect other namespaces.
    ///
    /// # Errors
    /// As [`Cache::get`].
    async fn invalidate_namespace(&self, namespace: &str) -> Result<u64, StoreError>;

    /// Counters of this handle (hits, misses and errors are counted per process), plus sizes
    /// when the adapter knows them.
    fn stats(&self) -> CacheStats;
}

/// Checks a namespace name: 1 to [`MAX_NAMESPACE_LEN`] ASCII letters, digits, `_`, `-` or `.`.
/// The rule keeps `:` out, so adapters may build unambiguous keys `…:<namespace>:…`.
///
/// # Errors
/// [`StoreError::InvalidQuery`] naming the rule.
pub fn validate_namespace(namespace: &str) -> Result<(), StoreError> {
    let ok = !namespace.is_empty()
        && namespace.len() <= MAX_NAMESPACE_LEN
        && namespace
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(StoreError::InvalidQuery(format!(
            "cache namespace {namespace:?} must be 1 to {MAX_NAMESPACE_LEN} ASCII letters, \
             digits, '_', '-' or '.'"
        )))
    }
}

/// Checks a TTL: at least 1 ms (the resolution every adapter supports).
///
/// # Errors
/// [`StoreError::InvalidQuery`] for a shorter TTL.
pub fn validate_ttl(ttl: Duration) -> Result<(), StoreError> {
    if ttl < Duration::from_millis(1) {
        return Err(StoreError::InvalidQuery(format!(
            "cache TTL {ttl:?} is shorter than 1 ms"
        )));
    }
    Ok(())
}

/// Which counter a call moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheEvent {
    /// A `get` found a value.
    Hit,
    /// A `get` found nothing.
    Miss,
    /// A call failed.
    Error,
}

/// Per-namespace counters for adapters: one short lock per call, never held across `.await`.
#[derive(Debug, Default)]
pub struct CacheCounters {
    namespaces: Mutex<HashMap<String, NamespaceStats>>,
}

impl CacheCounters {
    /// Counts `event` for `namespace`.
    pub fn record(&self, namespace: &str, event: CacheEvent) {
        let mut map = self
            .namespaces
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let stats = if let Some(stats) = map.get_mut(namespace) {
            stats
        } else {
            map.entry(namespace.to_owned()).or_default()
        };
        match event {
            CacheEvent::Hit => stats.hits += 1,
            CacheEvent::Miss => stats.misses += 1,
            CacheEvent::Error => stats.errors += 1,
        }
    }

    /// Counts the outcome of a `get`.
    pub fn record_get<T>(&self, namespace: &str, outcome: &Result<Option<T>, StoreError>) {
        let event = match outcome {
            Ok(Some(_)) => CacheEvent::Hit,
            Ok(None) => CacheEvent::Miss,
            Err(_) => CacheEvent::Error,
        };
        self.record(namespace, event);
    }

    /// Counts an error when `outcome` is one.
    pub fn record_error<T>(&self, namespace: &str, outcome: &Result<T, StoreError>) {
        if outcome.is_err() {
            self.record(namespace, CacheEvent::Error);
        }
    }

    /// A copy of the counters, without sizes.
    pub fn snapshot(&self) -> CacheStats {
        let map = self
            .namespaces
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        CacheStats {
            namespaces: map.iter().map(|(k, v)| (k.clone(), *v)).collect(),
            entries: None,
            bytes: None,
            sizes: BTreeMap::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_are_short_names_without_colons() {
        assert!(validate_namespace("curves.v2-a_b").is_ok());
        assert!(validate_namespace("").is_err());
        assert!(validate_namespace("a:b").is_err());
        assert!(validate_namespace(&"n".repeat(MAX_NAMESPACE_LEN + 1)).is_err());
    }

    #[test]
    fn counters_count_per_namespace() {
        let counters = CacheCounters::default();
        counters.record_get::<()>("a", &Ok(None));
        counters.record_get("a", &Ok(Some(())));
        counters.record_error::<()>("b", &Err(StoreError::Timeout("t".into())));
        let stats = counters.snapshot();
        assert_eq!(
            stats.namespaces["a"],
            NamespaceStats {
                hits: 1,
                misses: 1,
                errors: 0
            }
        );
        assert_eq!(stats.namespaces["b"].errors, 1);
    }
}
