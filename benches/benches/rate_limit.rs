//! Criterion benches of rate-limit decisions: the pure GCRA step, and the memory store (sync
//! hot path and through the async port) over 10,000 pre-hashed tenant keys. Target: ≥ 5M
//! decisions/s on one core for the memory store. See `benches/README.md`.

use std::hint::black_box;
use std::time::Duration;

use aurum_adapter_memory::MemoryRateLimitStore;
use aurum_benches::block_on;
use aurum_core::rate_limit::key_for;
use aurum_ports::{GcraParams, Policy, PolicyMatch, RateLimitStore, TenantId, gcra_step};
use chrono::{DateTime, TimeDelta, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// Decisions per iteration.
const BATCH: u64 = 10_000;
/// Distinct tenants (keys) the batch cycles through.
const TENANTS: usize = 10_000;
/// Start of the simulated clock (µs since the epoch).
const T0_US: i64 = 1_795_000_000_000_000;

fn policy() -> Policy {
    Policy::new(
        "tenant",
        PolicyMatch::default(),
        600,
        Duration::from_mins(1),
        50,
    )
    .expect("the bench policy is valid")
}

/// Store keys as the limiter derives them: hashed once, outside the timed loop.
fn keys() -> Vec<String> {
    (0..TENANTS)
        .map(|i| {
            let tenant = TenantId::parse(&format!("tenant-{i}")).expect("valid tenant");
            key_for(&policy(), Some(&tenant))
        })
        .collect()
}

/// `rate_limit/gcra_step`: the pure function alone, a TAT threaded through 10,000 steps.
fn pure(c: &mut Criterion) {
    let params = policy().gcra_params();
    let mut group = c.benchmark_group("rate_limit");
    group.throughput(Throughput::Elements(BATCH));
    group.bench_function("gcra_step", |b| {
        b.iter(|| {
            let mut tat = None;
            let mut allowed = 0_u32;
            for i in 0..BATCH.cast_signed() {
                let out = gcra_step(tat, black_box(T0_US + i * 7_000), params, 1);
                tat = out.new_tat_us.or(tat);
                allowed += u32::from(out.allowed);
            }
            allowed
        });
    });
    group.finish();
}

fn run_sync(store: &MemoryRateLimitStore, keys: &[String], params: GcraParams, now: i64) -> u32 {
    keys.iter()
        .map(|k| u32::from(store.decide_at(black_box(k), params, 1, now).allowed))
        .sum()
}

/// `rate_limit/memory_decide_at` and `rate_limit/memory_decide_async`: one decision per key of
/// 10,000 warm keys (the map holds them all), one thread; the clock advances per batch.
fn memory(c: &mut Criterion) {
    let keys = keys();
    let params = policy().gcra_params();
    let store = MemoryRateLimitStore::new();
    run_sync(&store, &keys, params, T0_US);
    let mut group = c.benchmark_group("rate_limit");
    group.throughput(Throughput::Elements(BATCH));
    let mut now = T0_US;
    group.bench_function("memory_decide_at", |b| {
        b.iter(|| {
            now += 50_000;
            run_sync(&store, &keys, params, now)
        });
    });
    let port: &dyn RateLimitStore = &store;
    let mut at = DateTime::<Utc>::from_timestamp_micros(now).expect("valid time");
    group.bench_function("memory_decide_async", |b| {
        b.iter(|| {
            at += TimeDelta::milliseconds(50);
            block_on(async {
                let mut allowed = 0_u32;
                for k in &keys {
                    let out = port.decide(black_box(k), params, 1, at).await;
                    allowed += u32::from(out.is_ok_and(|o| o.allowed));
                }
                allowed
            })
        });
    });
    group.finish();
}

criterion_group!(benches, pure, memory);
criterion_main!(benches);
