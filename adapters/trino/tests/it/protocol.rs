//! The client against the fake coordinator: paging through queued and data pages, gateway
//! retries, error mapping, timeouts and cancellation (`DELETE nextUri`) when the time budget
//! runs out or the caller stops reading, the concurrency bound, headers and credentials. No
//! test asserts on wall-clock time: waits are bounded by `PATIENCE` and only ever succeed early.

use std::sync::Arc;
use std::time::Duration;

use aurum_adapter_trino::fake::{FakeBehaviour, FakeQueryError, FakeTrino};
use aurum_adapter_trino::{QueryOutcome, TrinoAuth, TrinoClient, TrinoSettings, TrinoValue};
use aurum_ports::{CurveFilters, CurveStore, ListQuery, PageRequest, StoreError};
use futures::StreamExt as _;

use crate::support::{Env, PATIENCE, client, settings, store};

async fn fake_with(env: &Env, behaviour: FakeBehaviour) -> FakeTrino {
    let schema = env.empty_schema().await;
    env.fake(&schema, behaviour).await
}

/// Whether an error is the expected one.
type Expected = fn(&StoreError) -> bool;

fn first_page(limit: usize) -> ListQuery {
    ListQuery {
        filters: CurveFilters::default(),
        asof: None,
        page: PageRequest::first(limit),
    }
}

fn gets_of(fake: &FakeTrino, id: &str) -> usize {
    fake.requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path.contains(id))
        .count()
}

#[tokio::test]
async fn rows_arrive_in_order_across_queued_pages_and_several_next_uri_hops() {
    let Some(env) = Env::connect().await else {
        return;
    };
    let behaviour = FakeBehaviour {
        queued_polls: 3,
        rows_per_page: 100,
        ..FakeBehaviour::default()
    };
    let fake = fake_with(&env, behaviour).await;
    let c = client(&settings(&fake));
    let out = c
        .query("SELECT n FROM generate_series(1, 250) AS n")
        .await
        .unwrap();
    let got: Vec<TrinoValue> = out.rows.into_iter().flatten().collect();
    let want: Vec<TrinoValue> = (1..=250).map(TrinoValue::Integer).collect();
    assert_eq!(got, want);
    let id = &fake.queries()[0].id;
    // 3 queued + 1 columns-only + 3 data pages + 1 final page.
    assert_eq!(gets_of(&fake, id), 8);
    let m = c.metrics().snapshot();
    assert_eq!(
        (
            m.queries_with(QueryOutcome::Succeeded),
            m.rows_read,
            m.retries
        ),
        (1, 250, 0)
    );
    assert!(m.bytes_read > 0);
    assert_eq!(fake.open_queries(), 0);
}

#[tokio::test]
async fn a_503_on_the_first_poll_is_retried() {
    let Some(env) = Env::connect().await else {
        return;
    };
    let fake = fake_with(
        &env,
        FakeBehaviour {
            unavailable_polls: 2,
            ..FakeBehaviour::default()
        },
    )
    .await;
    let c = client(&settings(&fake));
    assert!(c.ping().await.is_ok());
    let statuses: Vec<u16> = fake.requests().iter().map(|r| r.status).collect();
    assert_eq!(&statuses[..4], [200, 503, 503, 200]);
    assert_eq!(c.metrics().snapshot().retries, 2);
}

#[tokio::test]
async fn gateway_errors_past_the_retry_budget_are_unavailable() {
    let Some(env) = Env::connect().await else {
        return;
    };
    let fake = fake_with(
        &env,
        FakeBehaviour {
            unavailable_polls: 100,
            ..FakeBehaviour::default()
        },
    )
    .await;
    let mut s = settings(&fake);
    s.retry.max_retries = 2;
    let c = client(&s);
    let err = c.ping().await.unwrap_err();
    assert!(
        matches!(err, StoreError::Unavailable(ref m) if m.contains("503")),
        "{err}"
    );
    assert_eq!(c.metrics().snapshot().retries, 2);
    // The query is still open on the coordinator: it is cancelled.
    assert!(
        fake.wait_until(PATIENCE, |f| f.cancelled().len() == 1)
            .await
    );
}

#[tokio::test]
async fn non_retryable_statuses_fail_the_query_as_unavailable() {
    let Some(env) = Env::connect().await else {
        return;
    };
    for status in [500, 404] {
        let fake = fake_with(
            &env,
            FakeBehaviour {
                fail_polls_with: Some(status),
                ..FakeBehaviour::default()
            },
        )
        .await;
        let c = client(&settings(&fake));
        let err = c.ping().await.unwrap_err();
        assert!(
            matches!(err, StoreError::Unavailable(ref m) if m.contains(&status.to_string())),
            "{err}"
        );
        let m = c.metrics().snapshot();
        assert_eq!(
            (m.retries, m.queries_with(QueryOutcome::TransportError)),
            (0, 1)
        );
    }
}

#[tokio::test]
async fn sql_errors_are_invalid_queries_named_as_trino_names_them() {
    let Some(env) = Env::connect().await else {
        return;
    };
    let fake = fake_with(&env, FakeBehaviour::default()).await;
    let c = client(&settings(&fake));
    for (sql, name) in [
        ("SELEC 1", "SYNTAX_ERROR"),
        ("SELECT * FROM \"no_such_table\"", "TABLE_NOT_FOUND"),
        ("SELECT no_such_column", "COLUMN_NOT_FOUND"),
        ("SELECT 1 / 0", "DIVISION_BY_ZERO"),
    ] {
        let err = c.query(sql).await.unwrap_err();
        assert!(
            matches!(err, StoreError::InvalidQuery(ref m) if m.contains(name)),
            "{sql}: {err}"
        );
    }
    assert_eq!(
        c.metrics().snapshot().queries_with(QueryOutcome::UserError),
        4
    );
    assert!(
        fake.cancelled().is_empty(),
        "a failed query is over; nothing to cancel"
    );
}

#[tokio::test]
async fn resource_internal_and_time_limit_errors_map_to_their_port_errors() {
    let Some(env) = Env::connect().await else {
        return;
    };
    let fake = fake_with(&env, FakeBehaviour::default()).await;
    let c = client(&settings(&fake));
    let cases: [(&str, &str, Expected); 4] = [
        (
            "EXCEEDED_GLOBAL_MEMORY_LIMIT",
            "INSUFFICIENT_RESOURCES",
            |e| matches!(e, StoreError::Unavailable(_)),
        ),
        ("GENERIC_INTERNAL_ERROR", "INTERNAL_ERROR", |e| {
            matches!(e, StoreError::Unavailable(_))
        }),
        ("ICEBERG_FILESYSTEM_ERROR", "EXTERNAL", |e| {
            matches!(e, StoreError::Unavailable(_))
        }),
        ("EXCEEDED_TIME_LIMIT", "INSUFFICIENT_RESOURCES", |e| {
            matches!(e, StoreError::Timeout(_))
        }),
    ];
    for (name, error_type, expected) in cases {
        fake.set_behaviour(FakeBehaviour {
            error: Some(FakeQueryError {
                name: name.to_owned(),
                error_type: error_type.to_owned(),
                code: 65_536,
                message: "injected".to_owned(),
            }),
            ..FakeBehaviour::default()
        });
        let err = c.ping().await.unwrap_err();
        assert!(expected(&err), "{name}: {err}");
        assert!(err.to_string().contains(name));
    }
    assert_eq!(
        c.metrics()
            .snapshot()
            .queries_with(QueryOutcome::ServerError),
        4
    );
}

#[tokio::test]
async fn a_query_past_its_time_budget_times_out_and_is_cancelled() {
    let Some(env) = Env::connect().await else {
        return;
    };
    let fake = fake_with(&env, FakeBehaviour::default()).await;
    let mut s = settings(&fake);
    s.query_timeout = Duration::from_millis(200);
    let store = store(&s);
    fake.pause();
    let err = store.list(&first_page(10)).await.unwrap_err();
    assert!(matches!(err, StoreError::Timeout(_)), "{err}");
    let id = fake.queries()[0].id.clone();
    assert!(
        fake.wait_until(PATIENCE, |f| f.cancelled() == [id.clone()])
            .await,
        "DELETE nextUri was sent"
    );
    fake.resume();
    let m = store.metrics().snapshot();
    assert_eq!(
        (
            m.queries_with(QueryOutcome::TimedOut),
            m.cancellations,
            m.in_flight
        ),
        (1, 1, 0)
    );
    assert!(
        fake.requests()
            .iter()
            .any(|r| r.method == "DELETE" && r.path.contains(&id) && r.status == 204)
    );
}

#[tokio::test]
async fn a_slow_coordinator_times_out_too() {
    let Some(env) = Env::connect().await else {
        return;
    };
    let fake = fake_with(
        &env,
        FakeBehaviour {
            poll_delay: Duration::from_secs(2),
            ..FakeBehaviour::default()
        },
    )
    .await;
    let mut s = settings(&fake);
    s.query_timeout = Duration::from_millis(100);
    let err = client(&s).ping().await.unwrap_err();
    assert!(matches!(err, StoreError::Timeout(_)), "{err}");
    assert!(
        fake.wait_until(PATIENCE, |f| f.cancelled().len() == 1)
            .await
    );
}

#[tokio::test]
async fn a_caller_that_gives_up_on_a_query_cancels_it() {
    let Some(env) = Env::connect().await else {
        return;
    };
    let fake = fake_with(&env, FakeBehaviour::default()).await;
    let store = store(&settings(&fake));
    fake.pause();
    let query = first_page(10);
    let list = store.list(&query);
    // The caller stops waiting (as an HTTP handler does when its client disconnects).
    let gave_up = tokio::time::timeout(Duration::from_millis(100), list).await;
    assert!(gave_up.is_err());
    assert!(
        fake.wait_until(PATIENCE, |f| f.cancelled().len() == 1)
            .await
    );
    fake.resume();
    let m = store.metrics().snapshot();
    assert_eq!(
        (m.queries_with(QueryOutcome::Abandoned), m.cancellations),
        (1, 1)
    );
}

#[tokio::test]
async fn dropping_an_export_mid_way_cancels_the_query() {
    let Some(env) = Env::connect().await else {
        return;
    };
    let schema = env.seeded_schema().await;
    let fake = env
        .fake(
            &schema,
            FakeBehaviour {
                rows_per_page: 10,
                ..FakeBehaviour::default()
            },
        )
        .await;
    let store = store(&settings(&fake));
    let mut export = store.scan(&CurveFilters::default(), None).await.unwrap();
    let first = export.next().await.unwrap().unwrap();
    assert_eq!(first.len(), 10);
    drop(export);
    let id = fake.queries()[0].id.clone();
    assert!(
        fake.wait_until(PATIENCE, |f| f.cancelled() == [id.clone()])
            .await,
        "DELETE nextUri was sent"
    );
    let m = store.metrics().snapshot();
    assert_eq!(
        (
            m.queries_with(QueryOutcome::Abandoned),
            m.cancellations,
            m.in_flight
        ),
        (1, 1, 0)
    );
    assert_eq!(fake.open_queries(), 0);
}

#[tokio::test]
async fn an_export_read_to_its_end_is_not_cancelled() {
    let Some(env) = Env::connect().await else {
        return;
    };
    let schema = env.seeded_schema().await;
    let fake = env
        .fake(
            &schema,
            FakeBehaviour {
                rows_per_page: 50,
                ..FakeBehaviour::default()
            },
        )
        .await;
    let store = store(&settings(&fake));
    let chunks: Vec<_> = store
        .scan(&CurveFilters::default(), None)
        .await
        .unwrap()
        .collect()
        .await;
    let rows: usize = chunks.iter().map(|c| c.as_ref().unwrap().len()).sum();
    assert_eq!((chunks.len(), rows), (8, 369));
    assert!(fake.cancelled().is_empty());
    assert_eq!(
        store
            .metrics()
            .snapshot()
            .queries_with(QueryOutcome::Succeeded),
        1
    );
}

#[tokio::test]
async fn no_more_queries_than_the_bound_run_at_once() {
    let Some(env) = Env::connect().await else {
        return;
    };
    let fake = fake_with(&env, FakeBehaviour::default()).await;
    let mut s = settings(&fake);
    s.max_concurrent_queries = 2;
    s.acquire_timeout = Duration::from_mins(1);
    let c = client(&s);
    fake.pause();
    let pings: Vec<_> = (0..5)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move { c.ping().await })
        })
        .collect();
    assert!(fake.wait_until(PATIENCE, |f| f.open_queries() == 2).await);
    // Give the waiting queries every chance to break the bound before releasing.
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(fake.queries().len(), 2);
    assert_eq!(c.metrics().snapshot().in_flight, 2);
    fake.resume();
    for ping in pings {
        assert!(ping.await.unwrap().is_ok());
    }
    assert_eq!((fake.queries().len(), fake.peak_open_queries()), (5, 2));
    assert_eq!(c.metrics().snapshot().in_flight, 0);
}

#[tokio::test]
async fn waiting_too_long_for_a_slot_is_unavailable() {
    let Some(env) = Env::connect().await else {
        return;
    };
    let fake = fake_with(&env, FakeBehaviour::default()).await;
    let mut s = settings(&fake);
    s.max_concurrent_queries = 1;
    s.acquire_timeout = Duration::from_millis(50);
    let c = client(&s);
    fake.pause();
    let busy = {
        let c = c.clone();
        tokio::spawn(async move { c.ping().await })
    };
    assert!(fake.wait_until(PATIENCE, |f| f.open_queries() == 1).await);
    let err = c.ping().await.unwrap_err();
    assert!(
        matches!(err, StoreError::Unavailable(ref m) if m.contains("slots")),
        "{err}"
    );
    fake.resume();
    assert!(busy.await.unwrap().is_ok());
    assert_eq!(
        c.metrics().snapshot().queries_with(QueryOutcome::Rejected),
        1
    );
}

#[tokio::test]
async fn session_headers_and_credentials_reach_the_coordinator() {
    let Some(env) = Env::connect().await else {
        return;
    };
    let fake = fake_with(
        &env,
        FakeBehaviour {
            required_authorization: Some("Bearer t0ken".to_owned()),
            ..FakeBehaviour::default()
        },
    )
    .await;
    let mut s = settings(&fake);
    s.user = "analyst".to_owned();
    s.source = "aurum-test".to_owned();
    s.client_tags = vec!["curves".to_owned(), "interactive".to_owned()];
    s.time_zone = Some("Europe/Berlin".to_owned());
    s.auth = TrinoAuth::Bearer {
        token: "t0ken".to_owned(),
    };
    assert!(
        TrinoClient::new(&s).is_err(),
        "credentials over http:// are refused by default"
    );
    s.allow_insecure_auth = true;
    let c = client(&s);
    c.ping().await.unwrap();
    let q = &fake.queries()[0];
    for (name, want) in [
        ("x-trino-user", "analyst"),
        ("x-trino-source", "aurum-test"),
        ("x-trino-catalog", fake.catalog()),
        ("x-trino-schema", fake.schema()),
        ("x-trino-client-tags", "curves,interactive"),
        ("x-trino-time-zone", "Europe/Berlin"),
        ("x-trino-client-capabilities", "PARAMETRIC_DATETIME"),
    ] {
        assert_eq!(q.header(name), Some(want), "{name}");
    }
    // Every request of the query, polls included, carries the user and the credentials.
    for r in fake.requests() {
        assert_eq!(r.authorization.as_deref(), Some("Bearer t0ken"), "{r:?}");
        assert_eq!(r.user.as_deref(), Some("analyst"), "{r:?}");
    }
}

#[tokio::test]
async fn refused_credentials_are_unavailable() {
    let Some(env) = Env::connect().await else {
        return;
    };
    let fake = fake_with(
        &env,
        FakeBehaviour {
            required_authorization: Some("Basic other".to_owned()),
            ..FakeBehaviour::default()
        },
    )
    .await;
    let mut s = settings(&fake);
    s.auth = TrinoAuth::Basic {
        user: "u".to_owned(),
        password: "p".to_owned(),
    };
    s.allow_insecure_auth = true;
    let err = client(&s).ping().await.unwrap_err();
    assert!(
        matches!(err, StoreError::Unavailable(ref m) if m.contains("credentials")),
        "{err}"
    );
}

#[tokio::test]
async fn an_unreachable_coordinator_is_unavailable() {
    let mut s = TrinoSettings::new("http://127.0.0.1:9", "iceberg", "market");
    s.retry.max_retries = 1;
    s.retry.base_delay = Duration::from_millis(1);
    let store = store(&s);
    let err = store.ping().await.unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err}");
    assert_eq!(
        store
            .metrics()
            .snapshot()
            .queries_with(QueryOutcome::TransportError),
        1
    );
}

#[tokio::test]
async fn writes_are_refused_as_unsupported() {
    let s = TrinoSettings::new("http://127.0.0.1:9", "iceberg", "market");
    let store: Arc<dyn CurveStore> = store(&s);
    let err = store.upsert(Vec::new()).await.unwrap_err();
    assert!(matches!(err, StoreError::Unsupported(m) if m.contains("read-only")));
}
