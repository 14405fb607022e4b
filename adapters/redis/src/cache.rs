//! [`RedisCache`]: the shared `Cache`. Each namespace has a version counter in Redis
//! (`<prefix>ns:<namespace>:v`, bumped by `INCR`), and every value lives under
//! `<prefix>c:<namespace>:v<version>:<key>` with `PX` expiry. `get`, `set` and `delete` are one
//! Lua script (`cache.lua`) that reads the version and touches the value atomically, in one
//! round trip, so an invalidation by any instance is seen by every instance on its next call.
//! Hits, misses and errors are counted per process.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use aurum_ports::StoreError;
use aurum_ports::cache::{Cache, CacheCounters, CacheStats, validate_namespace, validate_ttl};
use bytes::Bytes;
use redis::Script;

use crate::pool::{ConnectionErrors, RedisPool, pool_error, redis_error};

const CACHE_LUA: &str = include_str!("cache.lua");

/// Cache entries in Redis. Cloning it clones a handle to the same pool and counters.
#[derive(Clone)]
pub struct RedisCache {
    pool: RedisPool,
    errors: ConnectionErrors,
    prefix: String,
    timeout: Duration,
    script: Script,
    counters: Arc<CacheCounters>,
}

impl std::fmt::Debug for RedisCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisCache")
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl RedisCache {
    /// A cache over a pool from [`crate::pool::connect`] (shared with the other Redis
    /// adapters). Every call (pool checkout plus command) is bounded by `timeout`, failing
    /// with [`StoreError::Timeout`] or [`StoreError::Unavailable`] as the rate-limit store does.
    pub fn from_pool(
        pool: RedisPool,
        errors: ConnectionErrors,
        key_prefix: &str,
        timeout: Duration,
    ) -> Self {
        Self {
            pool,
            errors,
            prefix: key_prefix.to_owned(),
            timeout,
            script: Script::new(CACHE_LUA),
            counters: Arc::default(),
        }
    }

    fn version_key(&self, namespace: &str) -> String {
        format!("{}ns:{namespace}:v", self.prefix)
    }

    /// Runs the script for `op` on `key` of `namespace`.
    async fn op<T: redis::FromRedisValue>(
        &self,
        namespace: &str,
        key: &str,
        op: &str,
        value: &[u8],
        ttl_ms: u64,
    ) -> Result<T, StoreError> {
        validate_namespace(namespace)?;
        let mut invocation = self.script.key(self.version_key(namespace));
        invocation
            .arg(format!("{}c:{namespace}:v", self.prefix))
            .arg(format!(":{key}"))
            .arg(op)
            .arg(value)
            .arg(ttl_ms);
        let started = Instant::now();
        self.bounded(started, async {
            let mut conn = self
                .pool
                .get()
                .await
                .map_err(|e| pool_error(e, &self.errors, started, self.timeout))?;
            invocation
                .invoke_async(&mut *conn)
                .await
                .map_err(redis_error)
        })
        .await
    }

    /// Runs `call`, which started at `started`, within the cache's timeout.
    async fn bounded<T>(
        &self,
        started: Instant,
        call: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        tokio::time::timeout(self.timeout, call)
            .await
            .map_err(|_| self.errors.no_answer(started, self.timeout))?
    }
}

#[async_trait]
impl Cache for RedisCache {
    async fn get(&self, namespace: &str, key: &str) -> Result<Option<Bytes>, StoreError> {
        let outcome = self
            .op::<Option<Vec<u8>>>(namespace, key, "get", &[], 0)
            .await
            .map(|v| v.map(Bytes::from));
        if !matches!(outcome, Err(StoreError::InvalidQuery(_))) {
            self.counters.record_get(namespace, &outcome);
        }
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
        let ttl_ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
        let outcome = self.op::<i64>(namespace, key, "set", &value, ttl_ms).await;
        self.counters.record_error(namespace, &outcome);
        outcome.map(drop)
    }

    async fn delete(&self, namespace: &str, key: &str) -> Result<(), StoreError> {
        let outcome = self.op::<i64>(namespace, key, "del", &[], 0).await;
        self.counters.record_error(namespace, &outcome);
        outcome.map(drop)
    }

    async fn invalidate_namespace(&self, namespace: &str) -> Result<u64, StoreError> {
        validate_namespace(namespace)?;
        let key = self.version_key(namespace);
        let started = Instant::now();
        let outcome = self
            .bounded(started, async {
                let mut conn = self
                    .pool
                    .get()
                    .await
                    .map_err(|e| pool_error(e, &self.errors, started, self.timeout))?;
                redis::cmd("INCR")
                    .arg(&key)
                    .query_async::<u64>(&mut *conn)
                    .await
                    .map_err(redis_error)
            })
            .await;
        self.counters.record_error(namespace, &outcome);
        outcome
    }

    fn stats(&self) -> CacheStats {
        self.counters.snapshot()
    }
}
