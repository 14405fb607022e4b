//! Traffic control: the one cache and the one rate-limit engine, composed from settings.
//!
//! - Cache: a byte-bounded memory tier, in front of Redis when `AURUM_REDIS_URL` is set
//!   ([`TieredCache`]); the cached read layer ([`ReadThrough`]) that handlers go through.
//! - Rate limits: policies from the policy store (PostgreSQL when configured, else memory),
//!   seeded with the default policy of the settings when the store is empty, reloaded every
//!   `AURUM_RATE_LIMIT_REFRESH_MS`; decisions in Redis when configured, else per process.
//!
//! See ADR 0008.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context as _;
use clap::{ArgAction, Args};

use aurum_adapter_memory::{MemoryCache, MemoryPolicyStore, MemoryRateLimitStore};
use aurum_adapter_postgres::PgPolicyStore;
use aurum_adapter_redis::{ConnectionErrors, RedisCache, RedisPool, RedisRateLimitStore};
use aurum_core::cache::{ReadThrough, TieredCache};
use aurum_core::rate_limit::RateLimiter;
use aurum_ports::telemetry::{Counter, InstrumentSpec, Meter};
use aurum_ports::{Cache, Clock, Policy, PolicyMatch, PolicyStore, RateLimitStore, StoreError};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Redis settings (optional: without a URL the cache and the rate-limit counters are per
/// process).
#[derive(Debug, Clone, Args)]
pub struct RedisSettings {
    /// `redis://host:port/db`: shares the cache and the rate-limit counters between instances.
    #[arg(long, env = "AURUM_REDIS_URL", hide_env_values = true)]
    pub redis_url: Option<String>,
    /// Milliseconds every Redis call may take (then the call fails and the origin answers).
    #[arg(long, env = "AURUM_REDIS_TIMEOUT_MS", default_value_t = 100)]
    pub redis_timeout_ms: u64,
    /// Prefix of every Redis key (one per deployment sharing a Redis).
    #[arg(long, env = "AURUM_REDIS_KEY_PREFIX", default_value = "aurum:")]
    pub redis_key_prefix: String,
}

impl RedisSettings {
    /// No Redis.
    pub fn none() -> Self {
        Self {
            redis_url: None,
            redis_timeout_ms: 100,
            redis_key_prefix: "aurum:".to_owned(),
        }
    }

    fn timeout(&self) -> Duration {
        Duration::from_millis(self.redis_timeout_ms.max(1))
    }

    /// The shared cache alone (for commands that only invalidate, like `aurum ingest`).
    ///
    /// # Errors
    /// When the URL is invalid.
    pub fn shared_cache(&self) -> anyhow::Result<Option<RedisCache>> {
        let Some(url) = &self.redis_url else {
            return Ok(None);
        };
        let (pool, errors) = aurum_adapter_redis::pool::connect(url, self.timeout())
            .context("invalid AURUM_REDIS_URL")?;
        Ok(Some(RedisCache::from_pool(
            pool,
            errors,
            &self.redis_key_prefix,
            self.timeout(),
        )))
    }
}

/// Redis, cache and rate-limit settings.
#[derive(Debug, Clone, Args)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "one independent on/off switch per environment variable"
)]
pub struct TrafficSettings {
    /// Redis.
    #[command(flatten)]
    pub redis: RedisSettings,
    /// Cache reads at all.
    #[arg(long = "cache-enabled", env = "AURUM_CACHE_ENABLED", default_value_t = true, action = ArgAction::Set)]
    pub cache_enabled: bool,
    /// Bytes the in-process cache tier may hold.
    #[arg(long, env = "AURUM_CACHE_LOCAL_MAX_BYTES", default_value_t = 64 << 20)]
    pub cache_local_max_bytes: u64,
    /// Milliseconds an entry lives in the in-process tier (bounds cross-instance staleness).
    #[arg(long, env = "AURUM_CACHE_LOCAL_TTL_MS", default_value_t = 5_000)]
    pub cache_local_ttl_ms: u64,
    /// Milliseconds the Redis tier is skipped after a failure.
    #[arg(long, env = "AURUM_CACHE_REDIS_PAUSE_MS", default_value_t = 1_000)]
    pub cache_redis_pause_ms: u64,
    /// Enforce rate limits at all.
    #[arg(long = "rate-limit-enabled", env = "AURUM_RATE_LIMIT_ENABLED", default_value_t = true, action = ArgAction::Set)]
    pub rate_limit_enabled: bool,
    /// Requests per window of the `default` policy (seeded when no policy is stored).
    #[arg(long, env = "AURUM_RATE_LIMIT_DEFAULT_QUOTA", default_value_t = 6_000)]
    pub rate_limit_default_quota: u32,
    /// Seconds of the `default` policy's window.
    #[arg(
        long,
        env = "AURUM_RATE_LIMIT_DEFAULT_WINDOW_SECS",
        default_value_t = 60
    )]
    pub rate_limit_default_window_secs: u64,
    /// Extra requests the `default` policy tolerates at once.
    #[arg(long, env = "AURUM_RATE_LIMIT_DEFAULT_BURST", default_value_t = 200)]
    pub rate_limit_default_burst: u32,
    /// When the rate-limit store fails: `true` admits (counted and logged), `false` answers 503.
    #[arg(long = "rate-limit-fail-open", env = "AURUM_RATE_LIMIT_FAIL_OPEN", default_value_t = true, action = ArgAction::Set)]
    pub rate_limit_fail_open: bool,
    /// Also send the legacy `X-RateLimit-*` headers.
    #[arg(long = "rate-limit-legacy-headers", env = "AURUM_RATE_LIMIT_LEGACY_HEADERS", default_value_t = true, action = ArgAction::Set)]
    pub rate_limit_legacy_headers: bool,
    /// Milliseconds between reloads of the stored policies.
    #[arg(long, env = "AURUM_RATE_LIMIT_REFRESH_MS", default_value_t = 2_000)]
    pub rate_limit_refresh_ms: u64,
}

impl TrafficSettings {
    /// Settings for tests: no Redis, and a default policy generous enough that no test is
    /// limited unless it sets its own.
    pub fn for_tests() -> Self {
        Self {
            rate_limit_default_quota: 1_000_000,
            rate_limit_default_burst: 100_000,
            ..Self::defaults()
        }
    }

    /// The defaults (no Redis).
    pub fn defaults() -> Self {
        Self {
            redis: RedisSettings::none(),
            cache_enabled: true,
            cache_local_max_bytes: 64 << 20,
            cache_local_ttl_ms: 5_000,
            cache_redis_pause_ms: 1_000,
            rate_limit_enabled: true,
            rate_limit_default_quota: 6_000,
            rate_limit_default_window_secs: 60,
            rate_limit_default_burst: 200,
            rate_limit_fail_open: true,
            rate_limit_legacy_headers: true,
            rate_limit_refresh_ms: 2_000,
        }
    }

    /// The `default` policy of these settings.
    ///
    /// # Errors
    /// When the quota is 0 or the window shorter than a second.
    pub fn default_policy(&self) -> anyhow::Result<Policy> {
        Policy::new(
            "default",
            PolicyMatch::default(),
            self.rate_limit_default_quota,
            Duration::from_secs(self.rate_limit_default_window_secs),
            self.rate_limit_default_burst,
        )
        .context("invalid AURUM_RATE_LIMIT_DEFAULT_* settings")
    }
}

/// `aurum.rate_limit.decisions{policy, decision}`.
pub const DECISIONS: InstrumentSpec = InstrumentSpec::new(
    "aurum.rate_limit.decisions",
    "{decision}",
    "Rate-limit decisions by policy and outcome (allowed, limited, error).",
);

/// A Redis connection shared by the cache and the rate-limit store, for readiness.
#[derive(Clone)]
pub struct RedisHandle {
    pool: RedisPool,
    errors: ConnectionErrors,
    timeout: Duration,
}

impl RedisHandle {
    /// `PING` within the configured timeout.
    ///
    /// # Errors
    /// When Redis does not answer.
    pub async fn ping(&self) -> Result<(), StoreError> {
        aurum_adapter_redis::pool::ping(&self.pool, &self.errors, self.timeout).await
    }
}

/// The composed cache and rate-limit engine, shared by every handler.
pub struct Traffic {
    /// The cached read layer.
    pub reads: ReadThrough,
    /// The rate limiter.
    pub limiter: RateLimiter,
    /// Where policies are kept.
    pub policies: Arc<dyn PolicyStore>,
    /// `memory` or `postgres`.
    pub policy_store_kind: &'static str,
    /// Whether rate limits are enforced.
    pub rate_limit_enabled: bool,
    /// Admit when the store fails.
    pub fail_open: bool,
    /// Send the legacy headers too.
    pub legacy_headers: bool,
    /// Redis, when configured.
    pub redis: Option<RedisHandle>,
    /// The two tiers, when Redis is configured.
    tiered: Option<Arc<TieredCache>>,
    /// Decision counter.
    pub decisions: Counter,
    /// Set once the first policy load succeeded.
    loaded: AtomicBool,
    refresh: Duration,
}

impl Traffic {
    /// Builds the cache and the limiter from `settings`. Nothing is contacted yet: Redis and
    /// PostgreSQL failures show up in `/ready` and in the counters, never as startup errors.
    ///
    /// # Errors
    /// When the Redis URL or the default policy is invalid.
    pub fn build(
        settings: &TrafficSettings,
        pool: Option<&deadpool_postgres::Pool>,
        clock: &Arc<dyn Clock>,
        meter: &dyn Meter,
    ) -> anyhow::Result<Self> {
        let redis = match &settings.redis.redis_url {
            Some(url) => {
                let timeout = settings.redis.timeout();
                let (pool, errors) = aurum_adapter_redis::pool::connect(url, timeout)
                    .context("invalid AURUM_REDIS_URL")?;
                Some(RedisHandle {
                    pool,
                    errors,
                    timeout,
                })
            }
            None => None,
        };
        let mut tiered = None;
        let cache: Option<Arc<dyn Cache>> = settings.cache_enabled.then(|| {
            let local: Arc<dyn Cache> = Arc::new(MemoryCache::new(settings.cache_local_max_bytes));
            match &redis {
                Some(r) => {
                    let t = Arc::new(TieredCache::new(
                        local,
                        Arc::new(RedisCache::from_pool(
                            r.pool.clone(),
                            r.errors.clone(),
                            &settings.redis.redis_key_prefix,
                            r.timeout,
                        )),
                        Duration::from_millis(settings.cache_local_ttl_ms.max(1)),
                        Duration::from_millis(settings.cache_redis_pause_ms),
                        Arc::clone(clock),
                    ));
                    tiered = Some(Arc::clone(&t));
                    t as Arc<dyn Cache>
                }
                None => local,
            }
        });
        let store: Arc<dyn RateLimitStore> = match &redis {
            Some(r) => Arc::new(RedisRateLimitStore::from_pool(
                r.pool.clone(),
                r.errors.clone(),
                &settings.redis.redis_key_prefix,
                r.timeout,
            )),
            None => Arc::new(MemoryRateLimitStore::new()),
        };
        let (policies, policy_store_kind): (Arc<dyn PolicyStore>, _) = match pool {
            Some(pool) => (Arc::new(PgPolicyStore::new(pool.clone())), "postgres"),
            None => (Arc::new(MemoryPolicyStore::new()), "memory"),
        };
        let limiter = RateLimiter::new(store, vec![settings.default_policy()?])
            .context("invalid default policy")?;
        Ok(Self {
            reads: ReadThrough::new(cache, meter),
            limiter,
            policies,
            policy_store_kind,
            rate_limit_enabled: settings.rate_limit_enabled,
            fail_open: settings.rate_limit_fail_open,
            legacy_headers: settings.rate_limit_legacy_headers,
            redis,
            tiered,
            decisions: meter.counter(DECISIONS),
            loaded: AtomicBool::new(false),
            refresh: Duration::from_millis(settings.rate_limit_refresh_ms.max(100)),
        })
    }

    /// Whether the Redis cache tier is being skipped after a failure.
    pub fn shared_tier_paused(&self) -> bool {
        self.tiered.as_ref().is_some_and(|t| t.shared_tier_paused())
    }

    /// Invalidates every curve namespace (after curve ingestion).
    ///
    /// # Errors
    /// The first cache error (every namespace is still attempted).
    pub async fn invalidate_curve_data(&self) -> Result<(), StoreError> {
        let mut first = Ok(());
        for ns in aurum_core::cache::curve_namespaces() {
            if let Err(e) = self.reads.invalidate(ns).await
                && first.is_ok()
            {
                first = Err(e);
            }
        }
        first
    }

    /// Loads the stored policies into the limiter; an empty store is seeded with the settings'
    /// `default` policy, so a fresh deployment is limited from the start.
    ///
    /// # Errors
    /// The store's errors, or stored policies that cannot be enforced together.
    pub async fn reload_policies(&self, settings_default: Option<&Policy>) -> anyhow::Result<()> {
        let mut stored = self.policies.list().await?;
        if stored.is_empty()
            && !self.loaded.load(Ordering::Relaxed)
            && let Some(default) = settings_default
        {
            self.policies.put(default).await?;
            stored = self.policies.list().await?;
        }
        self.limiter.replace_policies(stored)?;
        self.loaded.store(true, Ordering::Relaxed);
        Ok(())
    }

    /// Reloads the policies every refresh period until `token` is cancelled.
    pub fn spawn_refresher(
        self: &Arc<Self>,
        default: Policy,
        token: &CancellationToken,
        tracker: &TaskTracker,
    ) {
        let traffic = Arc::clone(self);
        let token = token.clone();
        tracker.spawn(async move {
            let mut failing = false;
            loop {
                let outcome = tokio::time::timeout(
                    traffic.refresh.max(Duration::from_secs(1)),
                    traffic.reload_policies(Some(&default)),
                )
                .await;
                match outcome {
                    Ok(Ok(())) => failing = false,
                    Ok(Err(e)) if !failing => {
                        failing = true;
                        tracing::warn!(
                            error = format!("{e:#}"),
                            "cannot reload rate-limit policies; keeping the current ones"
                        );
                    }
                    Err(_) if !failing => {
                        failing = true;
                        tracing::warn!(
                            "reloading rate-limit policies timed out; keeping the current ones"
                        );
                    }
                    _ => {}
                }
                tokio::select! {
                    () = token.cancelled() => break,
                    () = tokio::time::sleep(traffic.refresh) => {}
                }
            }
        });
    }
}
