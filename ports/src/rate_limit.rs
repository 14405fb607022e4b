//! Rate limiting: policies, decisions, the GCRA step every store applies, and the
//! [`RateLimitStore`] port that keeps one "theoretical arrival time" (TAT) per key.
//!
//! The GCRA arithmetic lives here, in [`gcra_step`], rather than in `aurum-core`: adapters may
//! not depend on core, and the memory store and the Redis script must give identical decision
//! sequences for the same clock, so both apply this one function (the Redis adapter as a Lua
//! port of it). See `docs/adr/0007-rate-limiting-gcra.md`.

mod gcra;

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::StoreError;
use crate::tenant::TenantId;

pub use gcra::{GcraOutcome, GcraParams, gcra_step};

/// Which requests a [`Policy`] applies to; `None` matches anything.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PolicyMatch {
    /// Only this tenant.
    pub tenant: Option<TenantId>,
    /// Only this route group (e.g. `curves`, `admin`).
    pub route_group: Option<String>,
}

/// A named limit: `quota` requests per `window`, plus `burst` extra requests of tolerance.
///
/// An idle key admits `burst + 1` requests at once; after that requests are admitted one per
/// emission interval `window / quota`. Any window of length `window` admits at most
/// `quota + burst` requests (see [`gcra_step`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    name: String,
    matcher: PolicyMatch,
    quota: u32,
    window: Duration,
    burst: u32,
}

/// A policy that cannot be enforced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidPolicy {
    /// The name is empty.
    #[error("a rate-limit policy needs a non-empty name")]
    EmptyName,
    /// The name has characters a structured-field String cannot carry (only `0x20..=0x7E`).
    #[error("rate-limit policy {0:?}: the name must be printable ASCII")]
    NameNotPrintable(String),
    /// Two policies share a name (their keys would collide).
    #[error("rate-limit policy {0:?} is defined twice")]
    DuplicateName(String),
    /// The quota is 0.
    #[error("rate-limit policy {0:?}: quota must be at least 1")]
    ZeroQuota(String),
    /// The window is shorter than one second.
    #[error("rate-limit policy {0:?}: window must be at least 1 s")]
    WindowTooShort(String),
}

impl Policy {
    /// A validated policy.
    ///
    /// # Errors
    /// [`InvalidPolicy`] when `name` is empty (after trimming) or not printable ASCII, `quota`
    /// is 0 or `window` is shorter than one second.
    pub fn new(
        name: &str,
        matcher: PolicyMatch,
        quota: u32,
        window: Duration,
        burst: u32,
    ) -> Result<Self, InvalidPolicy> {
        let name = name.trim();
        if name.is_empty() {
            return Err(InvalidPolicy::EmptyName);
        }
        if !name.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
            return Err(InvalidPolicy::NameNotPrintable(name.to_owned()));
        }
        if quota == 0 {
            return Err(InvalidPolicy::ZeroQuota(name.to_owned()));
        }
        if window < Duration::from_secs(1) {
            return Err(InvalidPolicy::WindowTooShort(name.to_owned()));
        }
        Ok(Self {
            name: name.to_owned(),
            matcher,
            quota,
            window,
            burst,
        })
    }

    /// The policy's name (the quoted item of `RateLimit-Policy`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Which requests it applies to.
    pub fn matcher(&self) -> &PolicyMatch {
        &self.matcher
    }

    /// Requests per window.
    pub fn quota(&self) -> u32 {
        self.quota
    }

    /// The window.
    pub fn window(&self) -> Duration {
        self.window
    }

    /// Extra requests tolerated above the steady rate.
    pub fn burst(&self) -> u32 {
        self.burst
    }

    /// The GCRA parameters of this policy: emission interval `⌈window / quota⌉` µs (rounded up
    /// so that rounding never admits more than `quota + burst` per window) and tolerance
    /// `burst × interval`.
    pub fn gcra_params(&self) -> GcraParams {
        let interval = self.window.as_micros().div_ceil(u128::from(self.quota));
        let interval = i64::try_from(interval).unwrap_or(i64::MAX);
        GcraParams::new(interval, self.burst)
    }
}

/// The answer to one request, ready to render as headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// Whether the request may proceed.
    pub allowed: bool,
    /// The policy's quota (`q`, `X-RateLimit-Limit`).
    pub limit: u32,
    /// Requests that would be admitted right now (`r`, `X-RateLimit-Remaining`).
    pub remaining: u32,
    /// Until the key is idle again, i.e. its full burst is available (`t`, `X-RateLimit-Reset`).
    pub reset_after: Duration,
    /// When refused: the exact wait after which the same request is admitted; `None` when
    /// admitted, or when the cost exceeds what the policy can ever admit at once.
    pub retry_after: Option<Duration>,
}

/// Storage of one GCRA TAT per key.
///
/// Keys are opaque, already hashed strings (`aurum-core` derives them; raw tenant ids never
/// reach a store). `now` is a hint: an adapter with an authoritative shared clock (Redis'
/// `TIME`) MAY replace it, so that every node sees one clock; the memory store uses it as is.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait RateLimitStore: Send + Sync + 'static {
    /// Applies [`gcra_step`] to the key's TAT atomically and stores the new TAT when the
    /// request is admitted; a refusal leaves the TAT unchanged.
    ///
    /// # Errors
    /// - MUST return [`StoreError::Unavailable`] or [`StoreError::Timeout`] when the backend
    ///   cannot answer; the caller decides whether to fail open or closed.
    async fn decide(
        &self,
        key: &str,
        params: GcraParams,
        cost: u32,
        now: DateTime<Utc>,
    ) -> Result<GcraOutcome, StoreError>;

    /// The state of the key as a cost-0 [`RateLimitStore::decide`] would see it, without
    /// writing anything.
    ///
    /// # Errors
    /// Backend errors only.
    async fn peek(
        &self,
        key: &str,
        params: GcraParams,
        now: DateTime<Utc>,
    ) -> Result<GcraOutcome, StoreError>;

    /// Forgets the key: its next request sees an idle key.
    ///
    /// # Errors
    /// Backend errors only.
    async fn reset(&self, key: &str) -> Result<(), StoreError>;
}

/// Storage of the rate-limit policies operators manage through the admin API. Every instance
/// of a deployment reads the same policies (PostgreSQL when configured) and reloads them
/// periodically, so a change applies everywhere without a restart.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait PolicyStore: Send + Sync + 'static {
    /// Every policy, ordered by name.
    ///
    /// # Errors
    /// Backend errors only.
    async fn list(&self) -> Result<Vec<Policy>, StoreError>;

    /// Stores `policy`, replacing the policy of the same name; returns `true` when it was new.
    ///
    /// # Errors
    /// Backend errors only.
    async fn put(&self, policy: &Policy) -> Result<bool, StoreError>;

    /// Removes the policy named `name`; returns `false` when there was none.
    ///
    /// # Errors
    /// Backend errors only.
    async fn delete(&self, name: &str) -> Result<bool, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(quota: u32, window: Duration, burst: u32) -> Result<Policy, InvalidPolicy> {
        Policy::new("p", PolicyMatch::default(), quota, window, burst)
    }

    #[test]
    fn policies_need_a_name_a_quota_and_a_window_of_a_second() {
        assert_eq!(
            Policy::new(" ", PolicyMatch::default(), 1, Duration::from_secs(1), 0),
            Err(InvalidPolicy::EmptyName)
        );
        assert!(matches!(
            Policy::new("é", PolicyMatch::default(), 1, Duration::from_secs(1), 0),
            Err(InvalidPolicy::NameNotPrintable(_))
        ));
        assert!(matches!(
            policy(0, Duration::from_secs(1), 0),
            Err(InvalidPolicy::ZeroQuota(_))
        ));
        assert!(matches!(
            policy(1, Duration::from_millis(999), 0),
            Err(InvalidPolicy::WindowTooShort(_))
        ));
        assert!(policy(1, Duration::from_secs(1), 0).is_ok());
    }

    #[test]
    fn the_emission_interval_rounds_up() {
        let p = policy(600, Duration::from_mins(1), 5).unwrap();
        assert_eq!(p.gcra_params().emission_interval_us(), 100_000);
        assert_eq!(p.gcra_params().tolerance_us(), 500_000);
        let p = policy(3, Duration::from_secs(1), 0).unwrap();
        assert_eq!(p.gcra_params().emission_interval_us(), 333_334);
    }
}
