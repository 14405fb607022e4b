//! `RedisRateLimitStore` keeps the `RateLimitStore` contract against a real Redis: in
//! client-clock mode the Lua script makes exactly the decisions of `gcra_step` (the contract
//! suite, plus random parameters up to the exact-range bound); with Redis' own clock it admits
//! bursts, expires idle keys and survives a `SCRIPT FLUSH`.

use std::sync::Arc;

use aurum_adapter_redis::MAX_HORIZON_US;
use aurum_ports::{GcraParams, RateLimitStore, StoreError, gcra_step};
use chrono::{DateTime, Utc};
use redis::AsyncCommands;

use crate::support::{prefix, raw, redis_is_up, redis_url, store};

const SECOND: i64 = 1_000_000;

fn at(us: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(us).expect("a time in chrono's range")
}

#[tokio::test]
async fn redis_rate_limit_store_keeps_the_rate_limit_contract_with_the_client_clock() {
    if !redis_is_up().await {
        return;
    }
    aurum_ports::contract::rate_limit::run(|| async {
        Arc::new(store().with_client_clock()) as Arc<dyn RateLimitStore>
    })
    .await;
}

/// xorshift64: reproducible without a dependency.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[tokio::test]
async fn the_lua_script_equals_gcra_step_for_random_parameters_up_to_the_exact_range() {
    if !redis_is_up().await {
        return;
    }
    let store = store().with_client_clock();
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    for round in 0..8_u32 {
        // Small intervals, then ones whose horizon reaches the 2^50 µs bound.
        let interval = if round % 2 == 0 {
            i64::try_from(next(&mut state) % 1_000_000).unwrap() + 1
        } else {
            (MAX_HORIZON_US >> 4) - i64::try_from(next(&mut state) % 1_000).unwrap()
        };
        let burst = u32::try_from(next(&mut state) % 15).unwrap();
        let params = GcraParams::new(interval, burst);
        let keys = ["x", "y", "z"];
        let mut tats = [None; 3];
        let mut now = 1_795_000_000 * SECOND;
        for step in 0..250 {
            let draw = i64::try_from(next(&mut state) % 1_000_000_007).unwrap();
            now += match draw % 4 {
                0 => 0,
                1 => draw % interval,
                2 => draw % (2 * interval).min(1 << 40),
                _ => draw % (interval / 3 + 1),
            };
            let index = usize::try_from(next(&mut state) % 3).unwrap();
            let cost = u32::try_from(next(&mut state) % 7).unwrap();
            let key = format!("r{round}-{}", keys[index]);
            let expected = gcra_step(tats[index], now, params, cost);
            let actual = if cost == 0 && step % 2 == 0 {
                store.peek(&key, params, at(now)).await.unwrap()
            } else {
                store.decide(&key, params, cost, at(now)).await.unwrap()
            };
            assert_eq!(
                actual, expected,
                "round {round} step {step}: {params:?} cost {cost}"
            );
            tats[index] = expected.new_tat_us.or(tats[index]);
        }
    }
}

#[tokio::test]
async fn redis_time_decides_a_burst_and_idle_keys_expire() {
    if !redis_is_up().await {
        return;
    }
    let prefix = prefix();
    let store = aurum_adapter_redis::RedisRateLimitStore::connect(
        &redis_url(),
        &prefix,
        std::time::Duration::from_secs(5),
    )
    .unwrap();
    // One request per 10 s with a burst of 2: real time passing during the test changes nothing.
    let params = GcraParams::new(10 * SECOND, 2);
    // `now` is ignored: a date in 1970 must not matter.
    let ignored = at(0);
    let mut conn = raw().await;
    let peeked = store.peek("k", params, ignored).await.unwrap();
    assert_eq!(peeked.remaining, 3);
    let exists: bool = conn.exists(format!("{prefix}k")).await.unwrap();
    assert!(!exists, "peek writes nothing");
    for expected in [2, 1, 0] {
        let out = store.decide("k", params, 1, ignored).await.unwrap();
        assert!(out.allowed);
        assert_eq!(out.remaining, expected);
    }
    let refused = store.decide("k", params, 1, ignored).await.unwrap();
    assert!(!refused.allowed);
    let wait = refused.retry_after_us.unwrap();
    assert!(
        wait > 9 * SECOND && wait <= 10 * SECOND,
        "retry after {wait}"
    );
    let ttl_ms: i64 = conn.pttl(format!("{prefix}k")).await.unwrap();
    assert!(
        ttl_ms > 25_000 && ttl_ms <= 30_000,
        "the key expires when idle (τ + T = 30 s), not {ttl_ms} ms"
    );
    store.reset("k").await.unwrap();
    assert!(store.decide("k", params, 1, ignored).await.unwrap().allowed);
}

#[tokio::test]
async fn a_flushed_script_cache_is_reloaded() {
    if !redis_is_up().await {
        return;
    }
    let store = store();
    let params = GcraParams::new(SECOND, 1);
    assert!(store.decide("k", params, 1, at(0)).await.unwrap().allowed);
    let mut conn = raw().await;
    let () = redis::cmd("SCRIPT")
        .arg("FLUSH")
        .query_async(&mut conn)
        .await
        .unwrap();
    let out = store.decide("k", params, 1, at(0)).await.unwrap();
    assert!(out.allowed, "EVAL after NOSCRIPT; the burst of 2 holds");
    assert!(!store.decide("k", params, 1, at(0)).await.unwrap().allowed);
}

#[tokio::test]
async fn parameters_beyond_the_exact_range_are_refused_not_approximated() {
    if !redis_is_up().await {
        return;
    }
    let store = store().with_client_clock();
    let huge = GcraParams::new(MAX_HORIZON_US, 1);
    let err = store.decide("k", huge, 1, at(0)).await.unwrap_err();
    assert!(matches!(err, StoreError::InvalidQuery(_)), "{err:?}");
    let ok = GcraParams::new(MAX_HORIZON_US / 2, 1);
    assert!(store.decide("k", ok, 1, at(0)).await.unwrap().allowed);
    let err = store
        .decide("k", ok, 1, at(-1))
        .await
        .expect_err("negative times are outside the client-clock range");
    assert!(matches!(err, StoreError::InvalidQuery(_)), "{err:?}");
}
