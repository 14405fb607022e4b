//! The memory adapter keeps the `CurveStore` contract (the one integration-test binary of this
//! crate).

use std::sync::Arc;

use aurum_adapter_memory::MemoryCurveStore;
use aurum_ports::CurveStore;
use aurum_ports::contract::curve_store;

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
