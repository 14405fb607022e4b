//! `TrinoCurveStore` keeps the read clauses of the `CurveStore` contract (and refuses writes)
//! through the fake, whose SQL runs on PostgreSQL over the seeded fixture: the same answers as
//! the memory and PostgreSQL stores, across queued pages and several `nextUri` hops.

use std::sync::Arc;

use aurum_adapter_trino::QueryOutcome;
use aurum_adapter_trino::fake::FakeBehaviour;
use aurum_ports::contract::curve_store;
use aurum_ports::{CurveFilters, CurveStore, ListQuery, PageRequest};

use crate::support::{Env, settings, store};

#[tokio::test]
async fn trino_curve_store_keeps_the_read_contract_through_the_fake() {
    let Some(env) = Env::connect().await else {
        return;
    };
    let schema = env.seeded_schema().await;
    // Two queued pages and 37-row data pages: a full list takes a dozen hops.
    let behaviour = FakeBehaviour {
        queued_polls: 2,
        rows_per_page: 37,
        ..FakeBehaviour::default()
    };
    let fake = env.fake(&schema, behaviour).await;
    let store = store(&settings(&fake));
    curve_store::run_read_only(|| {
        let store = Arc::clone(&store);
        async move { store as Arc<dyn CurveStore> }
    })
    .await;
    let metrics = store.metrics().snapshot();
    assert!(metrics.queries_total() > 100, "{metrics:?}");
    assert_eq!(
        metrics.queries_with(QueryOutcome::Succeeded),
        metrics.queries_total()
    );
    assert_eq!((metrics.cancellations, metrics.in_flight), (0, 0));
    assert!(fake.cancelled().is_empty());
    // Every query arrived with the session headers.
    for q in fake.queries() {
        assert_eq!(q.header("x-trino-user"), Some("aurum"));
        assert_eq!(
            q.header("x-trino-client-capabilities"),
            Some("PARAMETRIC_DATETIME")
        );
    }
}

#[tokio::test]
async fn timestamps_rendered_in_a_session_zone_decode_to_the_same_instants() {
    let Some(env) = Env::connect().await else {
        return;
    };
    let schema = env.seeded_schema().await;
    let fake = env.fake(&schema, FakeBehaviour::default()).await;
    let utc = store(&settings(&fake));
    let mut berlin = settings(&fake);
    berlin.time_zone = Some("Europe/Berlin".to_owned());
    let berlin = store(&berlin);
    let all = ListQuery {
        filters: CurveFilters::default(),
        asof: None,
        page: PageRequest::first(1000),
    };
    let a = utc.list(&all).await.unwrap();
    let b = berlin.list(&all).await.unwrap();
    assert_eq!(a.items.len(), 369);
    assert_eq!(a, b);
    let sample = fake
        .queries()
        .last()
        .map(|q| q.header("x-trino-time-zone").map(str::to_owned));
    assert_eq!(sample, Some(Some("Europe/Berlin".to_owned())));
}
