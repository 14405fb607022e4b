//! Parity: the same dataset served from the memory store, from PostgreSQL and from Trino (the
//! protocol-faithful fake over that PostgreSQL) answers a broad set of /v1 and /v2 requests
//! with identical bodies (ignoring request ids, timings and the host in links).

use std::sync::Arc;

use aurum::Application;
use aurum::settings::{MigrateMode, ServeSettings};
use aurum_ports::Clock;
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::helpers::{TestApp, known_csv, row_key, write_temp};
use crate::pg::{TestSchema, test_schema};

struct FixedClock;

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(1_764_000_000, 123_456_000).unwrap()
    }
}

async fn spawn(settings: ServeSettings) -> TestApp {
    let app = Application::build_with_clock(settings, Arc::new(FixedClock))
        .await
        .expect("the application builds");
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    TestApp::new(base)
}

/// Both apps, loaded with the known dataset, plus the schema guard.
async fn both() -> Option<(TestApp, TestApp, TestSchema, tempfile::TempDir)> {
    let schema = test_schema().await?;
    let dir = tempfile::TempDir::new().unwrap();
    let file = write_temp(&dir, "known.csv", &known_csv());
    let mut memory = ServeSettings::for_tests();
    memory.load = vec![file.clone()];
    let mut pg = ServeSettings::for_tests();
    pg.load = vec![file];
    pg.database.database_url = Some(schema.url.clone());
    pg.database.db_schema = Some(schema.name.clone());
    pg.database.db_migrate = MigrateMode::Auto;
    Some((spawn(memory).await, spawn(pg).await, schema, dir))
}

/// A body with the request id removed and links made host-independent.
fn normalise(app: &TestApp, mut body: Value) -> Value {
    if let Some(meta) = body.get_mut("meta").and_then(Value::as_object_mut) {
        meta.remove("request_id");
        meta.remove("query_time_ms");
    }
    if let Some(links) = body.get_mut("links").and_then(Value::as_object_mut) {
        for v in links.values_mut() {
            if let Some(s) = v.as_str() {
                *v = Value::String(s.replace(&app.base, ""));
            }
        }
    }
    body
}

#[tokio::test]
async fn memory_and_postgres_answer_every_curve_route_identically() {
    let Some((memory, pg, _schema, _dir)) = both().await else {
        return;
    };
    assert_same_answers(&memory, &pg).await;
}

#[tokio::test]
async fn memory_and_trino_answer_every_curve_route_identically() {
    // PostgreSQL holds the dataset (loaded by the PostgreSQL app); the fake coordinator runs
    // the Trino adapter's SQL on it.
    let Some((memory, _pg, schema, _dir)) = both().await else {
        return;
    };
    let fake = aurum_adapter_trino::fake::FakeTrino::start(&schema.url, &schema.name)
        .await
        .expect("the fake Trino starts");
    // Several nextUri hops with queued pages, and small pages, on every query.
    fake.set_behaviour(aurum_adapter_trino::fake::FakeBehaviour {
        queued_polls: 1,
        rows_per_page: 7,
        ..aurum_adapter_trino::fake::FakeBehaviour::default()
    });
    let mut trino = ServeSettings::for_tests();
    trino.database.curve_backend = Some(aurum::settings::CurveBackend::Trino);
    trino.database.trino.trino_url = Some(fake.url());
    trino.database.trino.trino_catalog = Some(fake.catalog().to_owned());
    trino.database.trino.trino_schema = Some(fake.schema().to_owned());
    let trino = spawn(trino).await;
    let (status, ready) = trino.get_json("/ready").await;
    assert_eq!(status, 200, "{ready}");
    assert_eq!(ready["checks"]["trino:responseTime"][0]["status"], "pass");
    assert_same_answers(&memory, &trino).await;
    assert!(
        !fake.queries().is_empty(),
        "the answers came through the fake"
    );
}

async fn assert_same_answers(memory: &TestApp, pg: &TestApp) {
    let paths = [
        "/v2/curves?limit=25",
        "/v2/curves?iso=PJM&limit=7",
        "/v2/curves?asset_class=gas&asof=2026-11-18",
        "/v2/curves?block=OFF_PEAK&tenor_type=QUARTER",
        "/v2/curves?location=%3DHENRY%20HUB&limit=3",
        "/v2/curves?iso=NOPE",
        "/v2/curves/diff?asof_a=2026-11-17&asof_b=2026-11-20&iso=PJM&limit=50",
        "/v2/curves/diff?asof_a=2026-11-18&asof_b=2026-11-19&asset_class=gas",
        "/v2/curves/strips?type=CALENDAR",
        "/v2/curves/strips?type=QUARTER&iso=PJM&limit=5",
        "/v2/metadata/dimensions",
        "/v2/metadata/dimensions?iso=PJM",
        "/v2/metadata/dimensions?asof=2026-11-20&prefix=o&per_dim_limit=2",
        "/v2/curves?iso=PJM&limit=5&format=csv",
        "/v1/curves?limit=10&iso=PJM",
        "/v1/curves?asset_class=gas&offset=5&limit=4",
        "/v1/curves/strips?type=QUARTER&limit=6",
        "/v1/curves/diff?asof_a=2026-11-17&asof_b=2026-11-20&iso=PJM&limit=5",
        "/v1/metadata/dimensions?include_counts=true",
    ];
    for path in paths {
        let (a, b) = (memory.get(path).await, pg.get(path).await);
        assert_eq!(a.status(), b.status(), "{path}");
        assert_eq!(a.headers().get("etag"), b.headers().get("etag"), "{path}");
        let (a, b) = (a.text().await.unwrap(), b.text().await.unwrap());
        if path.contains("format=csv") {
            assert_eq!(a, b, "{path}");
        } else {
            let (a, b): (Value, Value) = (
                serde_json::from_str(&a).unwrap(),
                serde_json::from_str(&b).unwrap(),
            );
            assert_eq!(normalise(memory, a), normalise(pg, b), "{path}");
        }
    }
    // Every page of a walk, and the history of one curve.
    let (wa, wb) = (
        memory.walk("/v2/curves?asset_class=power&limit=9").await,
        pg.walk("/v2/curves?asset_class=power&limit=9").await,
    );
    assert_eq!(wa, wb);
    let key = row_key(&wa[0][0]).0;
    let path = format!("/v2/curves/{key}/history?tenor_label=2027-02&limit=2");
    let (a, b) = (memory.get_json(&path).await.1, pg.get_json(&path).await.1);
    assert_eq!(normalise(memory, a), normalise(pg, b));
    // The export, whole.
    for path in [
        "/v2/curves/export",
        "/v2/curves/export?format=ndjson&iso=PJM",
    ] {
        let (a, b) = (
            memory.get(path).await.text().await.unwrap(),
            pg.get(path).await.text().await.unwrap(),
        );
        assert_eq!(a, b, "{path}");
    }
}

#[tokio::test]
async fn a_stuck_or_failing_trino_gives_timeouts_and_503s_and_leaks_no_query() {
    let Some((_memory, _pg, schema, _dir)) = both().await else {
        return;
    };
    let fake = aurum_adapter_trino::fake::FakeTrino::start(&schema.url, &schema.name)
        .await
        .expect("the fake Trino starts");
    let mut settings = ServeSettings::for_tests();
    settings.database.curve_backend = Some(aurum::settings::CurveBackend::Trino);
    settings.database.trino.trino_url = Some(fake.url());
    settings.database.trino.trino_catalog = Some(fake.catalog().to_owned());
    settings.database.trino.trino_schema = Some(fake.schema().to_owned());
    settings.database.trino.trino_query_timeout_ms = 300;
    settings.traffic.cache_enabled = false;
    let app = spawn(settings).await;
    assert_eq!(app.get("/v2/curves?limit=3").await.status(), 200);

    // A stuck cluster: the query times out (504), is cancelled with DELETE, and none stays open.
    fake.pause();
    let res = app.get("/v2/curves?limit=4").await;
    assert_eq!(res.status(), 504);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/upstream-timeout");
    fake.resume();
    assert!(
        fake.wait_until(std::time::Duration::from_secs(5), |f| !f
            .cancelled()
            .is_empty()
            && f.open_queries() == 0)
            .await,
        "the timed-out query was cancelled and none is left open"
    );

    // Trino out of resources: 503 with a problem, not a 500.
    fake.set_behaviour(aurum_adapter_trino::fake::FakeBehaviour {
        error: Some(aurum_adapter_trino::fake::FakeQueryError {
            name: "EXCEEDED_GLOBAL_MEMORY_LIMIT".to_owned(),
            error_type: "INSUFFICIENT_RESOURCES".to_owned(),
            code: 131_079,
            message: "Query exceeded distributed user memory limit".to_owned(),
        }),
        ..aurum_adapter_trino::fake::FakeBehaviour::default()
    });
    let res = app.get("/v2/curves?limit=5").await;
    assert_eq!(res.status(), 503);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/service-unavailable");
    // The read-only backend refuses ingestion clearly rather than losing rows.
    let dir = tempfile::TempDir::new().unwrap();
    let file = write_temp(&dir, "x.csv", &known_csv());
    let mut settings = ServeSettings::for_tests();
    settings.database.curve_backend = Some(aurum::settings::CurveBackend::Trino);
    settings.database.trino.trino_url = Some(fake.url());
    settings.database.trino.trino_catalog = Some(fake.catalog().to_owned());
    settings.database.trino.trino_schema = Some(fake.schema().to_owned());
    settings.load = vec![file];
    let Err(e) = Application::build(settings).await else {
        panic!("loading files into Trino must be refused");
    };
    assert!(format!("{e:#}").contains("read-only"), "{e:#}");
}
