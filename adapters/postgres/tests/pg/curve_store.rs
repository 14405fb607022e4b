//! `PgCurveStore` behaviour beyond the shared contract: export cursors that are dropped early,
//! stored values no observation can hold, `LIKE` metacharacters and Unicode case in dimension
//! prefixes, 50k-row batches, microsecond timestamps, concurrent writers, an unreachable server,
//! and the list statement run with its arguments as text (as `pgbench -M prepared` does).

use std::sync::Arc;
use std::time::Duration;

use aurum_adapter_postgres::curve_store::list_statement;
use aurum_adapter_postgres::{PgCurveStore, PgSettings, connect};
use aurum_ports::contract::curve_store::fixture::{self, date, observation};
use aurum_ports::{
    CurveFilters, CurveObservation, CurveStore, DimValue, Dimension, DimensionsQuery, HistoryQuery,
    ListQuery, PageRequest, RowOrigin, StoreError, UpsertReport,
};
use chrono::DateTime;
use futures::StreamExt;

use crate::support::{Schemas, database_url};

fn rows(dates: u32, curves: usize, tenors: u32) -> Vec<CurveObservation> {
    let mut rows = Vec::new();
    for d in 0..dates {
        for c in 0..curves {
            for t in 0..tenors {
                let label = format!("{}-{:02}", 2026 + t / 12, t % 12 + 1);
                let mid = f64::from(t) + f64::from(d);
                rows.push(observation(
                    date(2025, 1, 1 + d),
                    &format!("C{c:04}"),
                    &label,
                    mid,
                ));
            }
        }
    }
    rows
}

fn everything(limit: usize) -> ListQuery {
    ListQuery {
        filters: CurveFilters::default(),
        asof: None,
        page: PageRequest::first(limit),
    }
}

#[tokio::test]
async fn a_scan_dropped_after_its_first_chunk_leaves_no_connection_inside_a_transaction() {
    let Some(schemas) = Schemas::connect().await else {
        return;
    };
    // One connection: the export's, then the next query's. Its `application_name` is the schema.
    let pool = schemas.fresh_pool(1).await;
    let client = pool.get().await.unwrap();
    let schema: String = client
        .query_one("SELECT current_schema()", &[])
        .await
        .unwrap()
        .get(0);
    drop(client);
    let store = PgCurveStore::new(pool);
    store.upsert(rows(1, 125, 20)).await.unwrap();
    let mut stream = store.scan(&CurveFilters::default(), None).await.unwrap();
    let first = stream.next().await.unwrap().unwrap();
    assert_eq!(first.len(), 1000, "chunks hold at most 1,000 rows");
    drop(stream);

    // The store still answers, and no backend is left idle inside the export transaction.
    let page = store.list(&everything(3)).await.unwrap();
    assert_eq!(page.items.len(), 3);
    let sizes: Vec<usize> = store
        .scan(&CurveFilters::default(), None)
        .await
        .unwrap()
        .map(|chunk| chunk.unwrap().len())
        .collect()
        .await;
    assert_eq!(sizes, [1000, 1000, 500]);
    let admin = connect(&PgSettings::new(database_url())).unwrap();
    let client = admin.get().await.unwrap();
    let mut stuck = i64::MAX;
    for _ in 0..50 {
        stuck = client
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 \
                 AND state LIKE 'idle in transaction%'",
                &[&schema],
            )
            .await
            .unwrap()
            .get(0);
        if stuck == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        stuck, 0,
        "a dropped export must not leave an open transaction"
    );
}

#[tokio::test]
async fn a_stored_value_no_observation_can_hold_is_an_unexpected_error_not_a_panic() {
    let Some(schemas) = Schemas::connect().await else {
        return;
    };
    let pool = schemas.fresh_pool(2).await;
    let store = PgCurveStore::new(pool.clone());
    store.upsert(rows(1, 1, 2)).await.unwrap();
    let client = pool.get().await.unwrap();
    client
        .batch_execute("UPDATE curve_observation SET asset_class = 'plasma'")
        .await
        .unwrap();
    let result = store.list(&everything(10)).await;
    assert!(
        matches!(result, Err(StoreError::Unexpected(_))),
        "got {result:?}"
    );
    let result = store.scan(&CurveFilters::default(), None).await;
    assert!(matches!(result, Err(StoreError::Unexpected(_))));
}

#[tokio::test]
async fn dimension_prefixes_match_like_metacharacters_literally_and_fold_unicode_case() {
    let Some(schemas) = Schemas::connect().await else {
        return;
    };
    let store = schemas.fresh_store().await;
    let blocks = ["ON_PEAK", "ONXPEAK", "50%off", "50 off", "a\\b", "ab"];
    let locations = ["Ärger", "ärgerlich", "\u{212a}elvin", "kelvin", "Arbor"];
    let batch: Vec<CurveObservation> = blocks
        .iter()
        .zip(locations.iter().chain(&["x"]))
        .enumerate()
        .map(|(i, (block, location))| CurveObservation {
            block: Some(Arc::from(*block)),
            location: Some(Arc::from(*location)),
            ..observation(date(2025, 1, 6), &format!("K{i}"), "2025-02", 1.0)
        })
        .collect();
    store.upsert(batch).await.unwrap();
    let values = async |prefix: &str, dim: Dimension| -> Vec<String> {
        let q = DimensionsQuery {
            filters: CurveFilters::default(),
            asof: None,
            per_dim_limit: 10,
            prefix: Some(prefix.to_owned()),
        };
        let dims = store.dimensions(&q).await.unwrap();
        let (_, list) = dims.values.iter().find(|(d, _)| *d == dim).unwrap();
        list.iter().map(|c| c.value.clone()).collect()
    };
    assert_eq!(values("on_", Dimension::Block).await, ["ON_PEAK"]);
    assert_eq!(values("50%", Dimension::Block).await, ["50%off"]);
    assert_eq!(values("A\\", Dimension::Block).await, ["a\\b"]);
    assert_eq!(
        values("är", Dimension::Location).await,
        ["Ärger", "ärgerlich"]
    );
    assert_eq!(
        values("KE", Dimension::Location).await,
        ["kelvin", "\u{212a}elvin"]
    );
    assert_eq!(values("ar", Dimension::Location).await, ["Arbor"]);
}

#[tokio::test]
async fn a_batch_of_fifty_thousand_rows_is_counted_as_if_applied_in_order() {
    let Some(schemas) = Schemas::connect().await else {
        return;
    };
    let store = schemas.fresh_store().await;
    let unique = rows(20, 100, 20); // 40,000 keys
    let mut batch = unique.clone();
    for (i, row) in unique.iter().take(10_000).enumerate() {
        let seconds = if i % 2 == 0 { 60 } else { -60 };
        batch.push(CurveObservation {
            mid: Some(-1.0),
            ingest_ts: fixture::ingest_ts(seconds),
            ..row.clone()
        });
    }
    let report = store.upsert(batch.clone()).await.unwrap();
    assert_eq!(
        report,
        UpsertReport {
            inserted: 40_000,
            updated: 5_000,
            skipped: 5_000
        }
    );
    let all = store.list(&everything(100_000)).await.unwrap().items;
    assert_eq!(all.len(), 40_000);
    assert_eq!(all.iter().filter(|r| r.mid == Some(-1.0)).count(), 5_000);

    // The same batch again: every stored row wins ties or loses to the newer copy.
    let report = store.upsert(batch).await.unwrap();
    assert_eq!(report.inserted, 0);
    assert_eq!(report.updated + report.skipped, 50_000);
}

#[tokio::test]
async fn ingest_timestamps_keep_microseconds_like_the_memory_store() {
    let Some(schemas) = Schemas::connect().await else {
        return;
    };
    let store = schemas.fresh_store().await;
    let at = |nanos| DateTime::from_timestamp(1_735_689_600, nanos).unwrap();
    let row = |mid, nanos| CurveObservation {
        ingest_ts: at(nanos),
        ..observation(date(2025, 1, 6), "K", "2025-02", mid)
    };
    store.upsert(vec![row(1.0, 123_456_789)]).await.unwrap();
    let stored = store.list(&everything(10)).await.unwrap().items;
    assert_eq!(stored[0].ingest_ts, at(123_456_000));
    // Within the same microsecond the new row ties, and a tie replaces.
    let report = store.upsert(vec![row(2.0, 123_456_001)]).await.unwrap();
    assert_eq!(report.updated, 1);
    let report = store.upsert(vec![row(3.0, 123_455_999)]).await.unwrap();
    assert_eq!(report.skipped, 1);
    let stored = store.list(&everything(10)).await.unwrap().items;
    assert_eq!(stored[0].mid, Some(2.0));
}

#[tokio::test]
async fn concurrent_writers_of_the_same_new_keys_leave_the_latest_ingest() {
    let Some(schemas) = Schemas::connect().await else {
        return;
    };
    let store = schemas.fresh_store().await;
    let batch = |seconds, origin| -> Vec<CurveObservation> {
        rows(1, 20, 20)
            .into_iter()
            .map(|r| CurveObservation {
                ingest_ts: fixture::ingest_ts(seconds),
                mid: Some(f64::from(i32::try_from(seconds).unwrap())),
                origin,
                ..r
            })
            .collect()
    };
    for round in 0..5 {
        let (older, newer) = (100 * round, 100 * round + 50);
        let (a, b) = tokio::join!(
            store.upsert(batch(newer, RowOrigin::Ingested)),
            store.upsert(batch(older, RowOrigin::Ingested)),
        );
        a.unwrap();
        b.unwrap();
        let all = store.list(&everything(1000)).await.unwrap().items;
        assert_eq!(all.len(), 400);
        assert!(
            all.iter().all(|r| r.ingest_ts == fixture::ingest_ts(newer)),
            "round {round}: an older concurrent batch must not overwrite a newer one"
        );
    }
}

#[tokio::test]
async fn an_unreachable_server_is_reported_as_unavailable() {
    let pool = connect(&PgSettings {
        connect_timeout: Duration::from_secs(2),
        ..PgSettings::new("postgres://postgres@127.0.0.1:1/test")
    })
    .unwrap();
    let store = PgCurveStore::new(pool);
    let ping = store.ping().await;
    assert!(
        matches!(ping, Err(StoreError::Unavailable(_))),
        "got {ping:?}"
    );
    let list = store.list(&everything(10)).await;
    assert!(
        matches!(list, Err(StoreError::Unavailable(_))),
        "got {list:?}"
    );
    let history = store
        .history(&HistoryQuery {
            curve_key: aurum_ports::CurveKey::parse("K").unwrap(),
            tenor_label: Arc::from("2025-02"),
            from: None,
            to: None,
            page: PageRequest::first(10),
        })
        .await;
    assert!(matches!(history, Err(StoreError::Unavailable(_))));
}

#[tokio::test]
async fn the_list_statement_runs_with_its_arguments_bound_as_text() {
    let Some(schemas) = Schemas::connect().await else {
        return;
    };
    let pool = schemas.fresh_pool(2).await;
    let store = PgCurveStore::new(pool.clone());
    store.upsert(rows(3, 10, 20)).await.unwrap();
    let first = store
        .list(&ListQuery {
            filters: CurveFilters {
                iso: Some(DimValue::parse("PJM").unwrap()),
                ..Default::default()
            },
            asof: Some(date(2025, 1, 2)),
            page: PageRequest::first(5),
        })
        .await
        .unwrap();
    let boundary = first.items.last().unwrap();
    let query = ListQuery {
        filters: CurveFilters {
            iso: Some(DimValue::parse("PJM").unwrap()),
            ..Default::default()
        },
        asof: Some(date(2025, 1, 2)),
        page: PageRequest {
            limit: 7,
            position: Some((
                aurum_ports::Direction::Forward,
                aurum_ports::ListKeyset {
                    asof_date: boundary.asof_date,
                    curve_key: boundary.curve_key.clone(),
                    contract_month: boundary.contract_month,
                    tenor_label: boundary.tenor_label.clone(),
                },
            )),
        },
    };
    let statement = list_statement(&query);
    // As pgbench would: the SQL unchanged, every argument as text, parsed by the server.
    let literals: Vec<String> = statement
        .args
        .iter()
        .map(|a| format!("'{}'", a.to_string().replace('\'', "''")))
        .collect();
    let client = pool.get().await.unwrap();
    client
        .batch_execute(&format!("PREPARE bench_list AS {}", statement.sql))
        .await
        .unwrap();
    let rows = client
        .simple_query(&format!("EXECUTE bench_list({})", literals.join(", ")))
        .await
        .unwrap();
    let labels: Vec<String> = rows
        .iter()
        .filter_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => {
                Some(format!("{}|{}", r.get("curve_key")?, r.get("tenor_label")?))
            }
            _ => None,
        })
        .collect();
    let page = store.list(&query).await.unwrap();
    let mut want: Vec<String> = page
        .items
        .iter()
        .map(|r| format!("{}|{}", r.curve_key, r.tenor_label))
        .collect();
    assert!(page.has_more, "the look-ahead row is part of the statement");
    assert_eq!(labels.len(), want.len() + 1);
    want.push(labels[want.len()].clone());
    assert_eq!(labels, want);
}
