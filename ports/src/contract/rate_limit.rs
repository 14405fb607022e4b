//! Contract suite for [`RateLimitStore`]: every store makes exactly the decisions of
//! [`gcra_step`] for the same clock. Adapters that replace `now` with their own clock (Redis'
//! `TIME`) run it with that clock pinned to the `now` they are given.
//!
//! ```ignore
//! #[tokio::test]
//! async fn memory_rate_limit_store_keeps_the_rate_limit_contract() {
//!     aurum_ports::contract::rate_limit::run(|| async {
//!         Arc::new(MemoryRateLimitStore::new()) as Arc<dyn RateLimitStore>
//!     })
//!     .await;
//! }
//! ```

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};

use crate::rate_limit::{GcraParams, RateLimitStore, gcra_step};

/// One request per 100 ms with a burst of 4: an idle key admits 5 at once.
const INTERVAL_US: i64 = 100_000;
const BURST: u32 = 4;

fn params() -> GcraParams {
    GcraParams::new(INTERVAL_US, BURST)
}

fn t0() -> DateTime<Utc> {
    DateTime::from_timestamp(1_795_000_000, 0).unwrap_or_default()
}

fn at(offset_us: i64) -> DateTime<Utc> {
    t0() + TimeDelta::microseconds(offset_us)
}

/// Runs every clause on fresh, empty stores from `factory`.
pub async fn run<F, Fut>(factory: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<dyn RateLimitStore>>,
{
    check_a_burst_is_admitted_then_refused_with_an_exact_retry_after(&*factory().await).await;
    check_a_key_recovers_one_request_per_emission_interval(&*factory().await).await;
    check_keys_are_independent(&*factory().await).await;
    check_reset_forgets_a_key(&*factory().await).await;
    check_costs_above_one_consume_several_requests(&*factory().await).await;
    check_peek_writes_nothing(&*factory().await).await;
    check_decisions_equal_the_pure_function(&*factory().await).await;
}

async fn decide(store: &dyn RateLimitStore, key: &str, cost: u32, offset_us: i64) -> bool {
    store
        .decide(key, params(), cost, at(offset_us))
        .await
        .expect("decide answers")
        .allowed
}

/// An idle key admits `burst + 1`; the next is refused with `retry_after` exactly one interval.
pub async fn check_a_burst_is_admitted_then_refused_with_an_exact_retry_after(
    store: &dyn RateLimitStore,
) {
    for i in 0..=BURST {
        let out = store.decide("k", params(), 1, at(0)).await.expect("decide");
        assert!(out.allowed, "request {i} of the burst must be admitted");
        assert_eq!(out.remaining, BURST - i, "remaining after request {i}");
    }
    let refused = store.decide("k", params(), 1, at(0)).await.expect("decide");
    assert!(
        !refused.allowed,
        "the request after the burst must be refused"
    );
    assert_eq!(refused.remaining, 0);
    assert_eq!(
        refused.retry_after_us,
        Some(INTERVAL_US),
        "retry_after is exact"
    );
    assert!(
        !decide(store, "k", 1, INTERVAL_US - 1).await,
        "1 µs early is refused"
    );
    assert!(
        decide(store, "k", 1, INTERVAL_US).await,
        "retry_after later is admitted"
    );
}

/// After the burst, one request is admitted per emission interval.
pub async fn check_a_key_recovers_one_request_per_emission_interval(store: &dyn RateLimitStore) {
    for _ in 0..=BURST {
        assert!(decide(store, "k", 1, 0).await);
    }
    for n in 1..=3 {
        assert!(
            decide(store, "k", 1, n * INTERVAL_US).await,
            "interval {n} admits one"
        );
        assert!(
            !decide(store, "k", 1, n * INTERVAL_US).await,
            "and only one"
        );
    }
    let idle = store
        .decide("k", params(), 1, at(100 * INTERVAL_US))
        .await
        .expect("decide");
    assert_eq!(
        idle.remaining, BURST,
        "an idle key has its full burst again"
    );
}

/// Exhausting one key leaves another untouched.
pub async fn check_keys_are_independent(store: &dyn RateLimitStore) {
    for _ in 0..=BURST {
        assert!(decide(store, "a", 1, 0).await);
    }
    assert!(!decide(store, "a", 1, 0).await);
    let other = store.decide("b", params(), 1, at(0)).await.expect("decide");
    assert!(other.allowed, "key b is independent of key a");
    assert_eq!(other.remaining, BURST);
}

/// `reset` makes the key idle.
pub async fn check_reset_forgets_a_key(store: &dyn RateLimitStore) {
    for _ in 0..=BURST {
        assert!(decide(store, "k", 1, 0).await);
    }
    store.reset("k").await.expect("reset answers");
    store
        .reset("never-seen")
        .await
        .expect("resetting an unknown key is fine");
    let out = store.decide("k", params(), 1, at(0)).await.expect("decide");
    assert!(out.allowed, "a reset key admits again");
    assert_eq!(out.remaining, BURST);
}

/// A cost of `n` uses `n` requests; a cost above `burst + 1` is refused with no retry.
pub async fn check_costs_above_one_consume_several_requests(store: &dyn RateLimitStore) {
    let out = store.decide("k", params(), 3, at(0)).await.expect("decide");
    assert!(out.allowed);
    assert_eq!(out.remaining, BURST - 2);
    let refused = store.decide("k", params(), 3, at(0)).await.expect("decide");
    assert!(!refused.allowed, "3 + 3 exceeds a capacity of 5");
    assert_eq!(refused.retry_after_us, Some(INTERVAL_US));
    assert!(decide(store, "k", 2, 0).await, "the 2 left are still there");
    let never = store
        .decide("other", params(), BURST + 2, at(0))
        .await
        .expect("decide");
    assert!(!never.allowed);
    assert_eq!(
        never.retry_after_us, None,
        "no wait admits more than the capacity"
    );
}

/// `peek` reports without consuming.
pub async fn check_peek_writes_nothing(store: &dyn RateLimitStore) {
    assert!(decide(store, "k", 1, 0).await);
    for _ in 0..3 {
        let seen = store
            .peek("k", params(), at(0))
            .await
            .expect("peek answers");
        assert!(seen.allowed);
        assert_eq!(seen.new_tat_us, None);
        assert_eq!(seen.remaining, BURST, "peek does not consume");
        assert_eq!(seen.reset_after_us, INTERVAL_US);
    }
    let fresh = store.peek("unknown", params(), at(0)).await.expect("peek");
    assert_eq!(fresh.remaining, BURST + 1);
    assert_eq!(fresh.reset_after_us, 0);
}

/// A deterministic, bursty sequence of times and costs over three keys gives exactly the
/// outcomes of [`gcra_step`] applied to a map of TATs.
pub async fn check_decisions_equal_the_pure_function(store: &dyn RateLimitStore) {
    let keys = ["x", "y", "z"];
    let mut tats = [None; 3];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut offset = 0_i64;
    for step in 0..2_000 {
        // xorshift64: reproducible without a dependency.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let draw = i64::try_from(state % 1_000_000).unwrap_or_default();
        offset += match draw % 4 {
            0 => 0,
            1 => draw % INTERVAL_US,
            _ => draw % (INTERVAL_US / 3),
        };
        let index = usize::try_from(state % 3).unwrap_or_default();
        let cost = u32::try_from(state % 4).unwrap_or(1);
        let expected = gcra_step(tats[index], at(offset).timestamp_micros(), params(), cost);
        let actual = store
            .decide(keys[index], params(), cost, at(offset))
            .await
            .expect("decide");
        assert_eq!(actual, expected, "step {step}: store and gcra_step differ");
        tats[index] = expected.new_tat_us.or(tats[index]);
    }
}
