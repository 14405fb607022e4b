//! Tests of the cached read layer and the tiers, over an in-test cache that can be made to
//! fail.
#![expect(
    clippy::float_cmp,
    reason = "recorded counts are small integers, exact in f64"
)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use aurum_ports::cache::{Cache, CacheStats};
use aurum_ports::telemetry::RecordingMeter;
use aurum_ports::{Clock, StoreError, TenantId};
use bytes::Bytes;
use chrono::{DateTime, TimeDelta, Utc};
use futures::executor::block_on;
use futures::future::join_all;

use super::*;

/// A map with versions per namespace and a failure switch; records each TTL it was given.
#[derive(Default)]
struct FakeCache {
    entries: Mutex<HashMap<(String, u64, String), Bytes>>,
    versions: Mutex<HashMap<String, u64>>,
    ttls: Mutex<Vec<Duration>>,
    failing: AtomicBool,
    calls: AtomicUsize,
}

impl FakeCache {
    fn check(&self) -> Result<(), StoreError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if self.failing.load(Ordering::SeqCst) {
            Err(StoreError::Unavailable("down".into()))
        } else {
            Ok(())
        }
    }
    fn version(&self, ns: &str) -> u64 {
        self.versions.lock().unwrap().get(ns).copied().unwrap_or(0)
    }
}

#[async_trait]
impl Cache for FakeCache {
    async fn get(&self, ns: &str, key: &str) -> Result<Option<Bytes>, StoreError> {
        self.check()?;
        let k = (ns.to_owned(), self.version(ns), key.to_owned());
        Ok(self.entries.lock().unwrap().get(&k).cloned())
    }
    async fn set(&self, ns: &str, key: &str, v: Bytes, ttl: Duration) -> Result<(), StoreError> {
        self.check()?;
        self.ttls.lock().unwrap().push(ttl);
        let k = (ns.to_owned(), self.version(ns), key.to_owned());
        self.entries.lock().unwrap().insert(k, v);
        Ok(())
    }
    async fn delete(&self, ns: &str, key: &str) -> Result<(), StoreError> {
        self.check()?;
        let k = (ns.to_owned(), self.version(ns), key.to_owned());
        self.entries.lock().unwrap().remove(&k);
        Ok(())
    }
    async fn invalidate_namespace(&self, ns: &str) -> Result<u64, StoreError> {
        self.check()?;
        let mut v = self.versions.lock().unwrap();
        let e = v.entry(ns.to_owned()).or_insert(0);
        *e += 1;
        Ok(*e)
    }
    fn stats(&self) -> CacheStats {
        CacheStats::default()
    }
}

fn layer(cache: &Arc<FakeCache>) -> (ReadThrough, RecordingMeter) {
    let meter = RecordingMeter::new();
    let layer = ReadThrough::new(Some(Arc::clone(cache) as Arc<dyn Cache>), &meter);
    (layer, meter)
}

fn requests(meter: &RecordingMeter, ns: &str, result: &str) -> f64 {
    meter
        .value(
            "aurum.cache.requests",
            &[("namespace", ns), ("result", result)],
        )
        .unwrap_or(0.0)
}

#[test]
fn a_second_read_is_a_hit_and_does_not_reach_the_origin() {
    let cache = Arc::new(FakeCache::default());
    let (layer, meter) = layer(&cache);
    let loads = AtomicUsize::new(0);
    for _ in 0..2 {
        let got = block_on(layer.get_or_load(&CURVES, None, "q", || async {
            loads.fetch_add(1, Ordering::SeqCst);
            Ok::<_, ()>(Bytes::from_static(b"page"))
        }));
        assert_eq!(got, Ok(Bytes::from_static(b"page")));
    }
    assert_eq!(loads.load(Ordering::SeqCst), 1);
    assert_eq!(requests(&meter, "curves", "miss"), 1.0);
    assert_eq!(requests(&meter, "curves", "hit"), 1.0);
    assert_eq!(*cache.ttls.lock().unwrap(), vec![CURVES.ttl]);
    let report = layer.report();
    let curves = report.iter().find(|r| r.policy.name == "curves").unwrap();
    assert_eq!(curves.counters.hits, 1);
    assert_eq!(curves.hit_ratio, Some(0.5));
}

#[test]
fn concurrent_misses_of_one_key_compute_once() {
    let cache = Arc::new(FakeCache::default());
    let (layer, meter) = layer(&cache);
    let loads = AtomicUsize::new(0);
    let (gate_tx, gate_rx) = futures::channel::oneshot::channel::<()>();
    let gate = futures::future::FutureExt::shared(gate_rx);
    let reads = (0..8).map(|_| {
        layer.get_or_load(&CURVES, None, "same", || {
            let gate = gate.clone();
            let loads = &loads;
            async move {
                loads.fetch_add(1, Ordering::SeqCst);
                let _ = gate.await;
                Ok::<_, ()>(Bytes::from_static(b"once"))
            }
        })
    });
    let (results, ()) = block_on(futures::future::join(join_all(reads), async {
        // Every read has been polled once (join polls its first future first).
        let _ = gate_tx.send(());
    }));
    assert!(
        results
            .iter()
            .all(|r| r == &Ok(Bytes::from_static(b"once")))
    );
    assert_eq!(
        loads.load(Ordering::SeqCst),
        1,
        "one origin computation for 8 misses"
    );
    assert_eq!(requests(&meter, "curves", "miss"), 8.0);
}

#[test]
fn when_the_leader_fails_waiters_compute_on_their_own() {
    let cache = Arc::new(FakeCache::default());
    let (layer, _) = layer(&cache);
    let loads = AtomicUsize::new(0);
    let (gate_tx, gate_rx) = futures::channel::oneshot::channel::<()>();
    let gate = futures::future::FutureExt::shared(gate_rx);
    let reads = (0..3).map(|_| {
        layer.get_or_load(&CURVES, None, "k", || {
            let gate = gate.clone();
            let n = loads.fetch_add(1, Ordering::SeqCst);
            async move {
                let _ = gate.await;
                if n == 0 {
                    Err("origin failed")
                } else {
                    Ok(Bytes::from_static(b"ok"))
                }
            }
        })
    });
    let (results, ()) = block_on(futures::future::join(join_all(reads), async {
        let _ = gate_tx.send(());
    }));
    assert_eq!(results[0], Err("origin failed"));
    assert_eq!(results[1], Ok(Bytes::from_static(b"ok")));
    assert_eq!(results[2], Ok(Bytes::from_static(b"ok")));
    assert_eq!(loads.load(Ordering::SeqCst), 3);
}

#[test]
fn a_failing_cache_never_fails_a_read() {
    let cache = Arc::new(FakeCache::default());
    cache.failing.store(true, Ordering::SeqCst);
    let (layer, meter) = layer(&cache);
    let got = block_on(layer.get_or_load(&DIMENSIONS, None, "q", || async {
        Ok::<_, ()>(Bytes::from_static(b"origin"))
    }));
    assert_eq!(got, Ok(Bytes::from_static(b"origin")));
    assert_eq!(requests(&meter, "dimensions", "error"), 1.0);
    assert!(block_on(layer.invalidate(&DIMENSIONS)).is_err());
}

#[test]
fn values_above_the_namespace_bound_are_served_but_not_kept() {
    let cache = Arc::new(FakeCache::default());
    let (layer, meter) = layer(&cache);
    let big = Bytes::from(vec![b'x'; DIMENSIONS.max_entry_bytes + 1]);
    for _ in 0..2 {
        let got = block_on(layer.get_or_load(&DIMENSIONS, None, "q", || async {
            Ok::<_, ()>(big.clone())
        }));
        assert_eq!(got.map(|b| b.len()), Ok(big.len()));
    }
    assert_eq!(requests(&meter, "dimensions", "oversize"), 2.0);
    assert!(cache.entries.lock().unwrap().is_empty());
}

#[test]
fn tenant_private_reads_are_isolated_and_bypass_without_a_tenant() {
    let cache = Arc::new(FakeCache::default());
    let (layer, meter) = layer(&cache);
    let a = TenantId::parse("acme").unwrap();
    let b = TenantId::parse("beta").unwrap();
    let read = |t: Option<&TenantId>, v: &'static [u8]| {
        block_on(
            layer.get_or_load(&SCENARIO_OUTPUTS, t, "run-1", || async move {
                Ok::<_, ()>(Bytes::from_static(v))
            }),
        )
    };
    assert_eq!(read(Some(&a), b"A"), Ok(Bytes::from_static(b"A")));
    assert_eq!(
        read(Some(&b), b"B"),
        Ok(Bytes::from_static(b"B")),
        "beta must not see acme's"
    );
    assert_eq!(read(Some(&a), b"other"), Ok(Bytes::from_static(b"A")));
    assert_eq!(read(None, b"none"), Ok(Bytes::from_static(b"none")));
    assert_eq!(requests(&meter, "scenario-outputs", "bypass"), 1.0);
}

#[test]
fn invalidation_makes_the_next_read_a_miss() {
    let cache = Arc::new(FakeCache::default());
    let (layer, _) = layer(&cache);
    let read = |v: &'static [u8]| {
        block_on(layer.get_or_load(&STRIPS, None, "q", || async move {
            Ok::<_, ()>(Bytes::from_static(v))
        }))
    };
    assert_eq!(read(b"v1"), Ok(Bytes::from_static(b"v1")));
    assert_eq!(read(b"v2"), Ok(Bytes::from_static(b"v1")));
    assert_eq!(block_on(layer.invalidate(&STRIPS)).unwrap(), Some(1));
    assert_eq!(read(b"v2"), Ok(Bytes::from_static(b"v2")));
}

struct StepClock(Mutex<DateTime<Utc>>);

impl Clock for StepClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

fn tiered() -> (TieredCache, Arc<FakeCache>, Arc<FakeCache>, Arc<StepClock>) {
    let local = Arc::new(FakeCache::default());
    let shared = Arc::new(FakeCache::default());
    let clock = Arc::new(StepClock(Mutex::new(
        DateTime::from_timestamp(1_795_000_000, 0).unwrap(),
    )));
    let tiered = TieredCache::new(
        Arc::clone(&local) as Arc<dyn Cache>,
        Arc::clone(&shared) as Arc<dyn Cache>,
        Duration::from_secs(5),
        Duration::from_secs(1),
        Arc::clone(&clock) as Arc<dyn Clock>,
    );
    (tiered, local, shared, clock)
}

#[test]
fn the_local_tier_keeps_copies_for_at_most_its_ttl() {
    let (tiered, local, shared, _) = tiered();
    block_on(tiered.set(
        "curves",
        "k",
        Bytes::from_static(b"v"),
        Duration::from_mins(5),
    ))
    .unwrap();
    assert_eq!(*local.ttls.lock().unwrap(), vec![Duration::from_secs(5)]);
    assert_eq!(*shared.ttls.lock().unwrap(), vec![Duration::from_mins(5)]);
    // A shared hit is copied locally with the local TTL.
    block_on(shared.set(
        "curves",
        "s",
        Bytes::from_static(b"w"),
        Duration::from_mins(1),
    ))
    .unwrap();
    assert_eq!(
        block_on(tiered.get("curves", "s")).unwrap(),
        Some(Bytes::from_static(b"w"))
    );
    assert_eq!(
        local.ttls.lock().unwrap().last(),
        Some(&Duration::from_secs(5))
    );
}

#[test]
fn a_shared_tier_failure_pauses_it_and_local_hits_keep_working() {
    let (tiered, _local, shared, clock) = tiered();
    block_on(tiered.set(
        "curves",
        "k",
        Bytes::from_static(b"v"),
        Duration::from_mins(1),
    ))
    .unwrap();
    shared.failing.store(true, Ordering::SeqCst);
    assert!(block_on(tiered.get("curves", "absent")).is_err());
    assert!(tiered.shared_tier_paused());
    let calls = shared.calls.load(Ordering::SeqCst);
    // Paused: no call reaches the shared tier, local hits still answer.
    assert!(block_on(tiered.get("curves", "absent2")).is_err());
    assert_eq!(
        block_on(tiered.get("curves", "k")).unwrap(),
        Some(Bytes::from_static(b"v"))
    );
    assert_eq!(shared.calls.load(Ordering::SeqCst), calls);
    // After the pause the shared tier is tried again.
    shared.failing.store(false, Ordering::SeqCst);
    *clock.0.lock().unwrap() += TimeDelta::milliseconds(1_001);
    assert!(!tiered.shared_tier_paused());
    assert_eq!(block_on(tiered.get("curves", "absent")).unwrap(), None);
    assert!(shared.calls.load(Ordering::SeqCst) > calls);
}

#[test]
fn invalidation_reaches_both_tiers() {
    let (tiered, local, shared, _) = tiered();
    block_on(tiered.set(
        "curves",
        "k",
        Bytes::from_static(b"v"),
        Duration::from_mins(1),
    ))
    .unwrap();
    block_on(tiered.invalidate_namespace("curves")).unwrap();
    assert_eq!(local.version("curves"), 1);
    assert_eq!(shared.version("curves"), 1);
    assert_eq!(block_on(tiered.get("curves", "k")).unwrap(), None);
}
