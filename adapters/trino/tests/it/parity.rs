//! The Trino adapter answers exactly as the PostgreSQL adapter over the same rows: the same
//! requests (pages both ways, filters, diff, history, dimensions with a prefix, export) against
//! `PgCurveStore` on the seeded schema and `TrinoCurveStore` through the fake on that schema.

use std::sync::Arc;

use aurum_adapter_postgres::{PgCurveStore, PgSettings, connect};
use aurum_adapter_trino::fake::FakeBehaviour;
use aurum_ports::contract::curve_store::fixture;
use aurum_ports::{
    CurveFilters, CurveKey, CurveStore, DiffQuery, DimValue, DimensionsQuery, Direction,
    HistoryQuery, ListKeyset, ListQuery, PageRequest,
};
use futures::StreamExt as _;

use crate::support::{Env, settings, store};

#[tokio::test]
async fn trino_and_postgres_adapters_give_identical_answers() {
    let Some(env) = Env::connect().await else {
        return;
    };
    let schema = env.seeded_schema().await;
    let pool = connect(&PgSettings {
        pool_size: 2,
        application_name: schema.clone(),
        schema: Some(schema.clone()),
        ..PgSettings::new(&env.url)
    })
    .expect("a pool");
    let pg: Arc<dyn CurveStore> = Arc::new(PgCurveStore::new(pool));
    let fake = env
        .fake(
            &schema,
            FakeBehaviour {
                rows_per_page: 13,
                ..FakeBehaviour::default()
            },
        )
        .await;
    let trino: Arc<dyn CurveStore> = store(&settings(&fake));

    let [d0, d1, _, d3] = fixture::asof_dates();
    let pjm = CurveFilters {
        iso: Some(DimValue::parse("PJM").unwrap()),
        ..CurveFilters::default()
    };
    let keyset = ListKeyset {
        asof_date: d1,
        curve_key: CurveKey::parse("PJM-WH-DA-ON").unwrap(),
        contract_month: None,
        tenor_label: Arc::from("BALMO"),
    };
    for direction in [Direction::Forward, Direction::Backward] {
        for filters in [CurveFilters::default(), pjm.clone()] {
            let q = ListQuery {
                filters,
                asof: None,
                page: PageRequest {
                    limit: 25,
                    position: Some((direction, keyset.clone())),
                },
            };
            assert_eq!(
                trino.list(&q).await.unwrap(),
                pg.list(&q).await.unwrap(),
                "{q:?}"
            );
        }
    }
    let diff = DiffQuery {
        filters: CurveFilters::default(),
        asof_a: d0,
        asof_b: d3,
        page: PageRequest::first(50),
    };
    assert_eq!(
        trino.diff(&diff).await.unwrap(),
        pg.diff(&diff).await.unwrap()
    );
    let history = HistoryQuery {
        curve_key: CurveKey::parse("gas:henry-hub").unwrap(),
        tenor_label: Arc::from("2025-03"),
        from: Some(d1),
        to: None,
        page: PageRequest::first(2),
    };
    assert_eq!(
        trino.history(&history).await.unwrap(),
        pg.history(&history).await.unwrap()
    );
    for prefix in [None, Some("we"), Some("Ä")] {
        let q = DimensionsQuery {
            filters: pjm.clone(),
            asof: Some(d3),
            per_dim_limit: 3,
            prefix: prefix.map(str::to_owned),
        };
        assert_eq!(
            trino.dimensions(&q).await.unwrap(),
            pg.dimensions(&q).await.unwrap(),
            "{q:?}"
        );
    }
    let collect = |store: Arc<dyn CurveStore>| async move {
        let chunks: Vec<_> = store
            .scan(&CurveFilters::default(), None)
            .await
            .unwrap()
            .collect()
            .await;
        chunks
            .into_iter()
            .flat_map(Result::unwrap)
            .collect::<Vec<_>>()
    };
    let exported = collect(Arc::clone(&trino)).await;
    assert_eq!(exported.len(), 369);
    assert_eq!(exported, collect(pg).await);
}
