//! [`RedisRateLimitStore`]: the shared `RateLimitStore`. Each decision is one atomic Lua script
//! (`gcra.lua`, a port of [`gcra_step`](aurum_ports::gcra_step)) that reads Redis' own clock, so
//! every node of a deployment sees one clock and one TAT per key.

use std::time::{Duration, Instant};

use async_trait::async_trait;
use aurum_ports::{GcraOutcome, GcraParams, RateLimitStore, StoreError};
use chrono::{DateTime, Utc};
use redis::Script;

use crate::pool::{self, ConnectionErrors, RedisPool, pool_error, redis_error};

/// The default budget of one call: pool checkout plus command.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(100);

/// The largest horizon `τ + T` the script accepts, in µs (2^50 µs ≈ 35 years). Lua numbers are
/// doubles; below this bound (and with times below 2^52 µs, the year 2112) every value the
/// script computes stays below 2^53, where doubles are exact integers and no `i64` saturation
/// of `gcra_step` can trigger.
pub const MAX_HORIZON_US: i64 = 1 << 50;

/// The largest `now` the client-clock mode accepts, in µs since the epoch.
const MAX_NOW_US: i64 = 1 << 52;

/// In client-clock mode keys live at least this long, so that a test's simulated time never
/// races Redis' real expiry.
const CLIENT_CLOCK_MIN_TTL_MS: i64 = 10 * 60 * 1000;

const GCRA_LUA: &str = include_str!("gcra.lua");

/// Rate-limit state in Redis: one string key `<prefix><key>` per limited key holding its TAT in
/// µs, with a time-to-live of the time until the key is idle again, so idle keys vanish.
/// Cloning the store clones a handle to the same pool.
#[derive(Clone)]
pub struct RedisRateLimitStore {
    pool: RedisPool,
    errors: ConnectionErrors,
    prefix: String,
    timeout: Duration,
    script: Script,
    client_clock: bool,
}

impl std::fmt::Debug for RedisRateLimitStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisRateLimitStore")
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .field("client_clock", &self.client_clock)
            .finish_non_exhaustive()
    }
}

impl RedisRateLimitStore {
    /// A store over a new, lazily connecting `bb8` pool for `url` (`redis://host:port/db`).
    /// Every call (pool checkout plus script) is bounded by `timeout`, which is also the
    /// pool's connection timeout: when no answer comes within `timeout`, the call fails with
    /// [`StoreError::Unavailable`] if a connection attempt failed meanwhile (refused, reset),
    /// else with [`StoreError::Timeout`] (a silent peer, a busy server). Must be called inside a Tokio runtime (the pool spawns its
    /// reaper there). Nothing is contacted yet: a Redis that is down shows up as
    /// [`StoreError::Unavailable`] on the first call, not here.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when `url` is not a Redis URL.
    pub fn connect(url: &str, key_prefix: &str, timeout: Duration) -> Result<Self, StoreError> {
        let (pool, errors) = pool::connect(url, timeout)?;
        Ok(Self::from_pool(pool, errors, key_prefix, timeout))
    }

    /// A store over an existing pool from [`pool::connect`] (shared with other Redis adapters).
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
            script: Script::new(GCRA_LUA),
            client_clock: false,
        }
    }

    /// **Tests only.** Decides at the `now` each call passes instead of Redis' `TIME`, and
    /// keeps keys for at least ten minutes, so that the Lua arithmetic can be compared with
    /// [`gcra_step`](aurum_ports::gcra_step) step for step. Never use it in production: nodes
    /// with skewed clocks would then disagree.
    #[must_use]
    pub fn with_client_clock(mut self) -> Self {
        self.client_clock = true;
        self
    }

    async fn run(
        &self,
        key: &str,
        params: GcraParams,
        cost: u32,
        now: DateTime<Utc>,
    ) -> Result<GcraOutcome, StoreError> {
        let horizon = params
            .tolerance_us()
            .saturating_add(params.emission_interval_us());
        if horizon > MAX_HORIZON_US {
            return Err(StoreError::InvalidQuery(format!(
                "rate-limit horizon of {horizon} µs exceeds the Redis script's exact range \
                 ({MAX_HORIZON_US} µs)"
            )));
        }
        let increment = params
            .emission_interval_us()
            .saturating_mul(i64::from(cost))
            // Any increment above the horizon is refused with no retry-after, and the other
            // outputs depend on the TAT before the request only: clamping changes nothing.
            .min(horizon + 1);
        let now_arg = if self.client_clock {
            let now_us = now.timestamp_micros();
            if !(0..MAX_NOW_US).contains(&now_us) {
                return Err(StoreError::InvalidQuery(format!(
                    "time {now_us} µs is outside the Redis script's exact range"
                )));
            }
            now_us.to_string()
        } else {
            String::new()
        };
        let min_ttl_ms = if self.client_clock {
            CLIENT_CLOCK_MIN_TTL_MS
        } else {
            0
        };
        let mut invocation = self.script.key(self.key(key));
        invocation
            .arg(params.emission_interval_us())
            .arg(horizon)
            .arg(increment)
            .arg(u8::from(cost > 0))
            .arg(now_arg)
            .arg(min_ttl_ms);
        let started = Instant::now();
        let reply: (i64, i64, i64, i64, i64, i64) = self
            .bounded(started, async {
                let mut conn = self
                    .pool
                    .get()
                    .await
                    .map_err(|e| self.pool_error(e, started))?;
                invocation
                    .invoke_async(&mut *conn)
                    .await
                    .map_err(redis_error)
            })
            .await?;
        let (allowed, new_tat, remaining, reset_after, has_retry, retry_after) = reply;
        let allowed = allowed == 1;
        Ok(GcraOutcome {
            allowed,
            new_tat_us: (allowed && cost > 0).then_some(new_tat),
            remaining: u32::try_from(remaining.max(0)).unwrap_or(u32::MAX),
            reset_after_us: reset_after,
            retry_after_us: (has_retry == 1).then_some(retry_after),
        })
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    /// Runs `call`, which started at `started`, within the store's timeout.
    async fn bounded<T>(
        &self,
        started: Instant,
        call: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        tokio::time::timeout(self.timeout, call)
            .await
            .map_err(|_| self.errors.no_answer(started, self.timeout))?
    }

    fn pool_error(&self, e: bb8::RunError<redis::RedisError>, started: Instant) -> StoreError {
        pool_error(e, &self.errors, started, self.timeout)
    }
}

#[async_trait]
impl RateLimitStore for RedisRateLimitStore {
    async fn decide(
        &self,
        key: &str,
        params: GcraParams,
        cost: u32,
        now: DateTime<Utc>,
    ) -> Result<GcraOutcome, StoreError> {
        self.run(key, params, cost, now).await
    }

    async fn peek(
        &self,
        key: &str,
        params: GcraParams,
        now: DateTime<Utc>,
    ) -> Result<GcraOutcome, StoreError> {
        // Cost 0: the script never writes.
        self.run(key, params, 0, now).await
    }

    async fn reset(&self, key: &str) -> Result<(), StoreError> {
        let key = self.key(key);
        let started = Instant::now();
        self.bounded(started, async {
            let mut conn = self
                .pool
                .get()
                .await
                .map_err(|e| self.pool_error(e, started))?;
            redis::cmd("DEL")
                .arg(&key)
                .query_async::<i64>(&mut *conn)
                .await
                .map_err(redis_error)?;
            Ok(())
        })
        .await
    }
}
