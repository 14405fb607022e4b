//! `PgCurveStore` keeps the `CurveStore` contract against a real PostgreSQL: every write clause
//! on a fresh schema per check, and the read clauses both on fresh seeded schemas and on one
//! shared seeded schema.

use std::sync::Arc;

use aurum_ports::CurveStore;
use aurum_ports::contract::curve_store;

use crate::support::Schemas;

#[tokio::test]
async fn pg_curve_store_keeps_the_curve_store_contract() {
    let Some(schemas) = Schemas::connect().await else {
        return;
    };
    let schemas = &schemas;
    curve_store::run(move || async move {
        Arc::new(schemas.fresh_store().await) as Arc<dyn CurveStore>
    })
    .await;
}

#[tokio::test]
async fn pg_curve_store_answers_the_read_clauses_from_one_shared_seeded_store() {
    let Some(schemas) = Schemas::connect().await else {
        return;
    };
    let store = schemas.fresh_store().await;
    let report = store.upsert(curve_store::fixture::dataset()).await.unwrap();
    assert_eq!(report.inserted, 369);
    curve_store::run_read_clauses(|| {
        let store = store.clone();
        async move { Arc::new(store) as Arc<dyn CurveStore> }
    })
    .await;
}

#[tokio::test]
async fn pg_policy_store_keeps_the_policy_store_contract() {
    let Some(schemas) = Schemas::connect().await else {
        return;
    };
    let schemas = &schemas;
    aurum_ports::contract::policy_store::run(move || async move {
        let pool = schemas.fresh_pool(2).await;
        (
            Arc::new(aurum_adapter_postgres::PgPolicyStore::new(pool.clone()))
                as Arc<dyn aurum_ports::PolicyStore>,
            Arc::new(aurum_adapter_postgres::PgPolicyStore::new(pool))
                as Arc<dyn aurum_ports::PolicyStore>,
        )
    })
    .await;
}
