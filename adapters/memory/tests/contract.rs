//! The memory adapters keep the `CurveStore`, scenario, rate-limit and cache contracts (the one integration-test binary of this
//! crate).

use std::sync::Arc;

use aurum_adapter_memory::{MemoryCurveStore, MemoryRateLimitStore, MemoryScenarioBackend};
use aurum_ports::contract::{self, ScenarioBackend, curve_store};
use aurum_ports::{CurveStore, RateLimitStore};

#[tokio::test]
async fn memory_curve_store_keeps_the_curve_store_contract() {
    curve_store::run(|| async { Arc::new(MemoryCurveStore::new()) as Arc<dyn CurveStore> }).await;
}

#[tokio::test]
async fn memory_curve_store_answers_the_read_clauses_from_one_shared_seeded_store() {
    let store = MemoryCurveStore::new();
    let report = store.upsert(curve_store::fixture::dataset()).await.unwrap();
    assert_eq!(report.inserted, 369);
    curve_store::run_read_clauses(|| {
        let store = store.clone();
        async move { Arc::new(store) as Arc<dyn CurveStore> }
    })
    .await;
}

fn scenario_backend() -> ScenarioBackend {
    let memory = Arc::new(MemoryScenarioBackend::new());
    ScenarioBackend {
        scenarios: memory.clone(),
        queue: memory.clone(),
        outbox: memory.clone(),
        idempotency: memory,
    }
}

#[tokio::test]
async fn memory_scenario_backend_keeps_the_scenario_store_contract() {
    contract::scenario_store::run(|| async { scenario_backend() }).await;
}

#[tokio::test]
async fn memory_scenario_backend_keeps_the_run_queue_contract() {
    contract::run_queue::run(|| async { scenario_backend() }).await;
}

#[tokio::test]
async fn memory_scenario_backend_keeps_the_outbox_contract() {
    contract::outbox::run(|| async { scenario_backend() }).await;
}

#[tokio::test]
async fn memory_scenario_backend_keeps_the_idempotency_contract() {
    contract::idempotency::run(|| async { scenario_backend() }).await;
}

#[tokio::test]
async fn memory_scenario_backend_keeps_every_scenario_contract_via_run_all() {
    contract::run_all(|| async { scenario_backend() }).await;
}

#[tokio::test]
async fn memory_rate_limit_store_keeps_the_rate_limit_contract() {
    contract::rate_limit::run(|| async {
        Arc::new(MemoryRateLimitStore::new()) as Arc<dyn RateLimitStore>
    })
    .await;
}

#[tokio::test]
async fn memory_cache_keeps_the_cache_contract() {
    contract::cache::run(
        || async {
            let cache = aurum_adapter_memory::MemoryCache::new(16 << 20);
            (
                Arc::new(cache.clone()) as Arc<dyn aurum_ports::Cache>,
                Arc::new(cache) as Arc<dyn aurum_ports::Cache>,
            )
        },
        tokio::time::sleep,
    )
    .await;
}

#[tokio::test]
async fn memory_policy_store_keeps_the_policy_store_contract() {
    contract::policy_store::run(|| async {
        let store = aurum_adapter_memory::MemoryPolicyStore::new();
        (
            Arc::new(store.clone()) as Arc<dyn aurum_ports::PolicyStore>,
            Arc::new(store) as Arc<dyn aurum_ports::PolicyStore>,
        )
    })
    .await;
}

#[tokio::test]
async fn memory_cache_reports_reachable_sizes_per_namespace() {
    use aurum_ports::Cache as _;
    let cache = aurum_adapter_memory::MemoryCache::new(16 << 20);
    let ttl = std::time::Duration::from_mins(1);
    cache
        .set("a", "k1", bytes::Bytes::from_static(b"12345"), ttl)
        .await
        .unwrap();
    cache
        .set("a", "k2", bytes::Bytes::from_static(b"1"), ttl)
        .await
        .unwrap();
    cache
        .set("b", "k", bytes::Bytes::from_static(b"xy"), ttl)
        .await
        .unwrap();
    let sizes = cache.stats().sizes;
    // Keys are "<ns>:<version>:<key>": "a:0:k1" is 6 bytes + 5 of value, "a:0:k2" 6 + 1.
    assert_eq!(
        sizes["a"],
        aurum_ports::NamespaceSize {
            entries: 2,
            bytes: 18
        }
    );
    assert_eq!(
        sizes["b"],
        aurum_ports::NamespaceSize {
            entries: 1,
            bytes: 7
        }
    );
    cache.invalidate_namespace("a").await.unwrap();
    let sizes = cache.stats().sizes;
    assert!(
        !sizes.contains_key("a"),
        "old versions are unreachable: {sizes:?}"
    );
    assert_eq!(sizes["b"].entries, 1);
}
