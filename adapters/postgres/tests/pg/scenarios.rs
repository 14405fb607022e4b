//! `PgScenarioBackend` keeps the four scenario contracts (one fresh schema per check), and the
//! PostgreSQL-specific promises: row-level security confines tenant work even for a superuser
//! login, parallel claims never share a run, and a finishing transaction writes all or nothing.

use std::collections::BTreeSet;
use std::sync::Arc;

use aurum_adapter_postgres::PgScenarioBackend;
use aurum_ports::contract::scenario_fixtures::{event, outputs, run, scenario, tenant, ts};
use aurum_ports::contract::{self, ScenarioBackend};
use aurum_ports::page::PageRequest;
use aurum_ports::run_queue::RunQueue;
use aurum_ports::scenario::{Priority, RunStatus};
use aurum_ports::scenario_store::{OutputFilter, RunSubmission, ScenarioStore};
use aurum_ports::{StoreError, TenantId};
use deadpool_postgres::Pool;
use futures::future::join_all;

use crate::support::Schemas;

fn bundle(backend: PgScenarioBackend) -> ScenarioBackend {
    let b = Arc::new(backend);
    ScenarioBackend {
        scenarios: b.clone(),
        queue: b.clone(),
        outbox: b.clone(),
        idempotency: b,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pg_scenario_backend_keeps_the_scenario_contracts() {
    let Some(schemas) = Schemas::connect().await else {
        return;
    };
    let schemas = &schemas;
    contract::run_all(move || async move {
        bundle(PgScenarioBackend::new(schemas.fresh_pool(10).await))
    })
    .await;
}

/// Seeds one scenario with one queued run for each of `tenants`.
async fn seed(backend: &PgScenarioBackend, tenants: &[&TenantId]) {
    for t in tenants {
        let s = scenario(t, "Secured", ts(1));
        backend.create(&s).await.expect("seed scenario");
        let r = run(&s, Priority::Normal, ts(2));
        assert!(matches!(
            backend.submit_run(&r, None).await.expect("seed run"),
            RunSubmission::Created(_)
        ));
    }
}

/// Rows of `table` visible in a transaction that first runs `setup`.
async fn visible(pool: &Pool, setup: &str, table: &str) -> Vec<String> {
    let mut client = pool.get().await.expect("a connection");
    let tx = client.transaction().await.expect("BEGIN");
    tx.batch_execute(setup).await.expect("the setup");
    let rows = tx
        .query(
            &format!("SELECT tenant_id FROM {table} ORDER BY tenant_id"),
            &[],
        )
        .await
        .expect("the query");
    tx.rollback().await.expect("ROLLBACK");
    rows.iter().map(|r| r.get(0)).collect()
}

#[tokio::test]
async fn row_level_security_shows_a_tenant_only_its_own_rows() {
    let Some(schemas) = Schemas::connect().await else {
        return;
    };
    let pool = schemas.fresh_pool(2).await;
    let backend = PgScenarioBackend::new(pool.clone());
    let (acme, globex) = (tenant("acme"), tenant("globex"));
    seed(&backend, &[&acme, &globex]).await;

    for table in ["scenario", "scenario_run"] {
        assert_eq!(
            visible(&pool, "SELECT 1", table).await,
            ["acme", "globex"],
            "the superuser login bypasses RLS on {table}: why the adapter switches roles"
        );
        assert!(
            visible(&pool, "SET LOCAL ROLE aurum_app", table)
                .await
                .is_empty(),
            "without app.current_tenant, {table} MUST show no row"
        );
        let as_acme = "SET LOCAL ROLE aurum_app; SET LOCAL app.current_tenant = 'acme'";
        assert_eq!(visible(&pool, as_acme, table).await, ["acme"], "{table}");
        let as_globex = "SET LOCAL ROLE aurum_app; SET LOCAL app.current_tenant = 'globex'";
        assert_eq!(
            visible(&pool, as_globex, table).await,
            ["globex"],
            "{table}"
        );
        assert_eq!(
            visible(&pool, "SET LOCAL ROLE aurum_worker", table).await,
            ["acme", "globex"],
            "the worker role sees every tenant's {table}"
        );
    }
    for table in ["scenario_output", "idempotency_key"] {
        assert!(
            visible(&pool, "SET LOCAL ROLE aurum_app", table)
                .await
                .is_empty()
        );
    }

    let mut client = pool.get().await.unwrap();
    let tx = client.transaction().await.unwrap();
    tx.batch_execute("SET LOCAL ROLE aurum_app; SET LOCAL app.current_tenant = 'acme'")
        .await
        .unwrap();
    let foreign = tx
        .batch_execute(
            "INSERT INTO idempotency_key (tenant_id, key, fingerprint, state, created_at) \
             VALUES ('globex', 'k', 'fp', 'started', now())",
        )
        .await;
    let code = foreign.unwrap_err().code().cloned();
    assert_eq!(
        code,
        Some(tokio_postgres::error::SqlState::INSUFFICIENT_PRIVILEGE),
        "WITH CHECK MUST refuse a row of another tenant"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_claims_never_return_the_same_run() {
    let Some(schemas) = Schemas::connect().await else {
        return;
    };
    let backend = Arc::new(PgScenarioBackend::new(schemas.fresh_pool(16).await));
    let s = scenario(&tenant("acme"), "Busy", ts(1));
    backend.create(&s).await.unwrap();
    let mut submitted = BTreeSet::new();
    for i in 0..60 {
        let priority = [Priority::Low, Priority::Normal, Priority::High][i % 3];
        let r = run(&s, priority, ts(10 + i64::try_from(i).unwrap()));
        backend.submit_run(&r, None).await.unwrap();
        submitted.insert(r.id);
    }
    let workers = (0..16).map(|w| {
        let backend = Arc::clone(&backend);
        tokio::spawn(async move {
            let mut mine = Vec::new();
            while let Some(c) = backend
                .claim(
                    &format!("w{w}"),
                    ts(1000),
                    std::time::Duration::from_mins(1),
                )
                .await
                .unwrap()
            {
                assert_eq!(c.run.status, RunStatus::Running);
                mine.push(c.run.id);
            }
            mine
        })
    });
    let claimed: Vec<_> = join_all(workers)
        .await
        .into_iter()
        .flat_map(Result::unwrap)
        .collect();
    let unique: BTreeSet<_> = claimed.iter().copied().collect();
    assert_eq!(unique.len(), claimed.len(), "a run was claimed twice");
    assert_eq!(unique, submitted, "every run claimed exactly once");
}

#[tokio::test]
async fn a_failing_finish_writes_nothing() {
    let Some(schemas) = Schemas::connect().await else {
        return;
    };
    let backend = PgScenarioBackend::new(schemas.fresh_pool(2).await);
    let acme = tenant("acme");
    let s = scenario(&acme, "Atomic", ts(1));
    backend.create(&s).await.unwrap();
    let (first, second) = (
        run(&s, Priority::High, ts(10)),
        run(&s, Priority::Normal, ts(11)),
    );
    for r in [&first, &second] {
        backend.submit_run(r, None).await.unwrap();
        backend
            .claim("w", ts(20), std::time::Duration::from_mins(1))
            .await
            .unwrap()
            .unwrap();
    }
    let ev = event("scenario.run.succeeded", "k");
    let rows = outputs(&first, ts(0).date_naive(), "C1", 50.0, ts(30));
    assert!(
        backend
            .complete(first.id, "w", ts(30), rows, ev.clone())
            .await
            .unwrap()
    );

    // The second completion reuses the event id: the outbox insert fails last, after the
    // status and outputs were written in the same transaction.
    let rows = outputs(&second, ts(0).date_naive(), "C1", 60.0, ts(31));
    let result = backend.complete(second.id, "w", ts(31), rows, ev).await;
    assert!(matches!(result, Err(StoreError::Conflict(_))), "{result:?}");
    let stored = backend
        .get_run(&acme, s.id, second.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.status,
        RunStatus::Running,
        "the status change MUST roll back"
    );
    assert_eq!(stored.completed_at, None);
    let filter = OutputFilter {
        run_id: Some(second.id),
        ..OutputFilter::default()
    };
    let page = backend
        .outputs(&acme, s.id, &filter, &PageRequest::first(10))
        .await
        .unwrap();
    assert!(page.items.is_empty(), "the outputs MUST roll back");
    assert!(
        backend.heartbeat(second.id, "w", ts(40)).await.unwrap(),
        "lease kept"
    );
}
