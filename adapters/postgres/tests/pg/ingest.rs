//! `PgCurveIngestor` against a real PostgreSQL: one input becomes visible at commit and only
//! then, with the replacement rules and exact per-key counts on both the direct and the staged
//! path; a session dropped, cancelled or killed leaves nothing and no broken pooled connection.

use std::time::Duration;

use aurum_adapter_postgres::{PgCurveIngestor, PgSettings, connect};
use aurum_ports::contract::curve_store::fixture::{date, ingest_ts, observation};
use aurum_ports::{
    CurveIngestor, CurveObservation, IngestFile, IngestSession, IngestTotals, QuarantinedRow,
    RowOrigin, UpsertReport,
};
use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;

use crate::support::{Schemas, database_url};

fn file(checksum: &str) -> IngestFile {
    IngestFile {
        name: format!("{checksum}.csv"),
        checksum: checksum.to_owned(),
        started_at: ingest_ts(0),
    }
}

fn totals(read: u64, quarantined: u64) -> IngestTotals {
    IngestTotals {
        read,
        quarantined,
        derived_strips: 0,
    }
}

/// A row of curve `key`, tenor `label` on 2025-01-02, ingested at `ingest_ts(ts)`.
fn row(key: &str, label: &str, mid: f64, ts: i64, origin: RowOrigin) -> CurveObservation {
    CurveObservation {
        ingest_ts: ingest_ts(ts),
        origin,
        ..observation(date(2025, 1, 2), key, label, mid)
    }
}

fn ingested(key: &str, mid: f64, ts: i64) -> CurveObservation {
    row(key, "2025-02", mid, ts, RowOrigin::Ingested)
}

fn derived(key: &str, mid: f64, ts: i64) -> CurveObservation {
    row(key, "2025-02", mid, ts, RowOrigin::Derived)
}

/// `n` distinct new rows of curve `key`.
fn many(key: &str, n: u32) -> Vec<CurveObservation> {
    (0..n)
        .map(|i| {
            let label = format!("{}-{:02}", 2026 + i / 12, i % 12 + 1);
            let day = date(2025, 1, 1) + chrono::Days::new(u64::from(i / 240));
            observation(day, key, &label, f64::from(i))
        })
        .collect()
}

fn quarantined(line: u64, reason: &str) -> QuarantinedRow {
    QuarantinedRow {
        file: "q.csv".to_owned(),
        line,
        reason: reason.to_owned(),
        raw: format!("raw {line}\0with a NUL"),
    }
}

/// Every stored row as (curve key, mid, `ingest_ts` seconds, origin), by key.
async fn stored(pool: &Pool) -> Vec<(String, f64, i64, i16)> {
    let client = pool.get().await.expect("a connection");
    let rows = client
        .query(
            "SELECT curve_key, mid, extract(epoch FROM ingest_ts)::bigint - 1735689600, origin \
             FROM curve_observation ORDER BY curve_key, tenor_label, asof_date",
            &[],
        )
        .await
        .expect("a query");
    rows.iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect()
}

/// (observations, log rows, quarantine rows) as another connection sees them.
async fn counts(pool: &Pool) -> (i64, i64, i64) {
    let client = pool.get().await.expect("a connection");
    let r = client
        .query_one(
            "SELECT (SELECT count(*) FROM curve_observation), \
                    (SELECT count(*) FROM curve_ingest_log), \
                    (SELECT count(*) FROM curve_quarantine)",
            &[],
        )
        .await
        .expect("a query");
    (r.get(0), r.get(1), r.get(2))
}

/// A second pool on the schema of `pool` (to watch from outside the session's transaction).
async fn observer(pool: &Pool) -> Pool {
    let schema: String = pool
        .get()
        .await
        .expect("a connection")
        .query_one("SELECT current_schema()", &[])
        .await
        .expect("the schema")
        .get(0);
    connect(&PgSettings {
        pool_size: 2,
        schema: Some(schema),
        ..PgSettings::new(database_url())
    })
    .expect("an observer pool")
}

/// Waits until backend `pid` is gone (its connection closed).
async fn backend_gone(observer: &Pool, pid: i32) -> bool {
    for _ in 0..100 {
        let client = observer.get().await.expect("a connection");
        let alive: bool = client
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = $1)",
                &[&pid],
            )
            .await
            .expect("a query")
            .get(0);
        if !alive {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

async fn commit(
    ingestor: &PgCurveIngestor,
    checksum: &str,
    batches: Vec<Vec<CurveObservation>>,
) -> UpsertReport {
    let mut session = ingestor.begin(file(checksum)).await.expect("a session");
    for batch in batches {
        session.write(batch).await.expect("a written batch");
    }
    session
        .commit(totals(0, 0), ingest_ts(99))
        .await
        .expect("a commit")
}

/// The log row of `checksum` (9 read, 4 stored, 3 quarantined, started at 0 s, finished at
/// 30 s) and its three quarantine rows, in arrival order, linked to it.
async fn assert_logged_with_quarantine(watch: &Pool, checksum: &str) {
    let client = watch.get().await.expect("a connection");
    let log = client
        .query_one(
            "SELECT id, file_name, rows_read, rows_stored, rows_quarantined, derived_strips, \
             started_at, finished_at FROM curve_ingest_log WHERE checksum = $1",
            &[&checksum],
        )
        .await
        .expect("one log row");
    let id: i64 = log.get(0);
    let logged: (String, i64, i64, i64, i64) =
        (log.get(1), log.get(2), log.get(3), log.get(4), log.get(5));
    assert_eq!(logged, (format!("{checksum}.csv"), 9, 4, 3, 0));
    let times: (DateTime<Utc>, DateTime<Utc>) = (log.get(6), log.get(7));
    assert_eq!(times, (ingest_ts(0), ingest_ts(30)));
    let quarantine: Vec<(i64, i64, String, String)> = client
        .query(
            "SELECT ingest_id, line, reason, raw FROM curve_quarantine ORDER BY id",
            &[],
        )
        .await
        .expect("the quarantine rows")
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect();
    let expected: Vec<(i64, i64, String, String)> = [
        (7, "no finite price"),
        (3, "missing asof_date"),
        (9, "unknown asset_class 'x'"),
    ]
    .into_iter()
    .map(|(line, reason)| {
        let raw = format!("raw {line}\u{FFFD}with a NUL");
        (id, line, reason.to_owned(), raw)
    })
    .collect();
    assert_eq!(
        quarantine, expected,
        "in arrival order, linked to the log row"
    );
}

#[tokio::test]
async fn a_committed_session_makes_every_row_visible_at_once_under_the_replacement_rules() {
    let Some(schemas) = Schemas::connect().await else {
        return;
    };
    for direct in [true, false] {
        let pool = schemas.fresh_pool(1).await;
        let watch = observer(&pool).await;
        let ingestor = PgCurveIngestor::new(pool.clone()).with_direct_copy(direct);
        let seed = vec![
            ingested("k1", 1.0, 10),
            derived("k2", 2.0, 10),
            ingested("k3", 3.0, 10),
            ingested("k4", 4.0, 10),
        ];
        let seeded = commit(&ingestor, "seed", vec![seed]).await;
        assert_eq!(seeded.inserted, 4);

        let mut session = ingestor.begin_session(file("c1")).await.unwrap();
        // New keys first: this batch goes direct when allowed.
        session
            .write(vec![ingested("k5", 50.0, 20), derived("k6", 60.0, 20)])
            .await
            .unwrap();
        assert_eq!(session.is_direct(), direct);
        session
            .write(vec![
                derived("k1", 10.0, 20),  // a derived row never replaces an ingested one
                ingested("k2", 20.0, 20), // an ingested row replaces a derived one
                ingested("k3", 30.0, 5),  // an older ingest loses
                ingested("k4", 40.0, 20), // a newer ingest wins
            ])
            .await
            .unwrap();
        assert!(!session.is_direct(), "stored keys turn the session staged");
        session
            .quarantine(vec![
                quarantined(7, "no finite price"),
                quarantined(3, "missing asof_date"),
            ])
            .await
            .unwrap();
        session
            .quarantine(vec![quarantined(9, "unknown asset_class 'x'")])
            .await
            .unwrap();

        assert_eq!(
            counts(&watch).await,
            (4, 1, 0),
            "nothing is visible before commit"
        );
        let pid = session.backend_pid();
        let report = Box::new(session)
            .commit(totals(9, 3), ingest_ts(30))
            .await
            .unwrap();

        assert_eq!(
            report,
            UpsertReport {
                inserted: 2,
                updated: 2,
                skipped: 2
            },
            "direct={direct}"
        );
        let expected = [
            ("k1", 1.0, 10, 0),
            ("k2", 20.0, 20, 0),
            ("k3", 3.0, 10, 0),
            ("k4", 40.0, 20, 0),
            ("k5", 50.0, 20, 0),
            ("k6", 60.0, 20, 1),
        ];
        let expected: Vec<_> = expected
            .iter()
            .map(|(k, m, t, o)| ((*k).to_owned(), *m, *t, *o))
            .collect();
        assert_eq!(stored(&watch).await, expected, "direct={direct}");

        assert_logged_with_quarantine(&watch, "c1").await;

        // The one pooled connection came back outside any transaction, with the pool's settings.
        let client = pool.get().await.unwrap();
        let back = client
            .query_one(
                "SELECT pg_backend_pid(), current_setting('statement_timeout')",
                &[],
            )
            .await
            .unwrap();
        assert_eq!(
            (back.get::<_, i32>(0), back.get::<_, String>(1)),
            (pid, "30s".to_owned())
        );
    }
}

#[tokio::test]
async fn a_dropped_session_leaves_nothing_visible_and_the_pool_stays_usable() {
    let Some(schemas) = Schemas::connect().await else {
        return;
    };
    let pool = schemas.fresh_pool(1).await;
    let watch = observer(&pool).await;
    let ingestor = PgCurveIngestor::new(pool.clone());

    let mut session = ingestor.begin_session(file("dropped")).await.unwrap();
    session.write(many("d1", 1000)).await.unwrap();
    assert!(session.is_direct());
    session.write(many("d1", 10)).await.unwrap();
    assert!(!session.is_direct());
    session
        .quarantine(vec![quarantined(1, "no finite price")])
        .await
        .unwrap();
    let pid = session.backend_pid();
    drop(session);

    assert_eq!(counts(&watch).await, (0, 0, 0));
    assert!(
        backend_gone(&watch, pid).await,
        "the abandoned connection is closed, not pooled"
    );
    assert_eq!(ingestor.completed("dropped").await.unwrap(), None);

    // The pool of one replaced the connection; the next session works.
    let report = commit(&ingestor, "next", vec![many("d1", 10)]).await;
    assert_eq!(report.inserted, 10);
    assert_eq!(counts(&watch).await, (10, 1, 0));
}

#[tokio::test]
async fn a_write_cancelled_midway_breaks_the_session_and_leaves_nothing() {
    let Some(schemas) = Schemas::connect().await else {
        return;
    };
    let pool = schemas.fresh_pool(1).await;
    let watch = observer(&pool).await;
    let ingestor = PgCurveIngestor::new(pool.clone());

    let mut session = ingestor.begin(file("cancelled")).await.unwrap();
    session.write(many("c1", 100)).await.unwrap();
    let cancelled =
        tokio::time::timeout(Duration::from_millis(1), session.write(many("c2", 50_000))).await;
    assert!(cancelled.is_err(), "a 50k-row write takes longer than 1 ms");
    assert!(
        session.write(many("c3", 1)).await.is_err(),
        "a broken session refuses more work"
    );
    assert!(session.commit(totals(0, 0), ingest_ts(1)).await.is_err());

    assert_eq!(counts(&watch).await, (0, 0, 0));
    assert_eq!(
        commit(&ingestor, "after", vec![many("c1", 5)])
            .await
            .inserted,
        5
    );
}

#[tokio::test]
async fn two_commits_of_the_same_rows_leave_exactly_one_copy_of_each_row() {
    let Some(schemas) = Schemas::connect().await else {
        return;
    };
    let pool = schemas.fresh_pool(2).await;
    let ingestor = PgCurveIngestor::new(pool.clone());
    let rows = many("same", 600);
    let first = commit(
        &ingestor,
        "a",
        vec![rows[..300].to_vec(), rows[300..].to_vec()],
    )
    .await;
    let second = commit(
        &ingestor,
        "a",
        vec![rows[..300].to_vec(), rows[300..].to_vec()],
    )
    .await;

    assert_eq!(
        first,
        UpsertReport {
            inserted: 600,
            updated: 0,
            skipped: 0
        }
    );
    assert_eq!(
        second,
        UpsertReport {
            inserted: 0,
            updated: 600,
            skipped: 0
        }
    );
    let client = pool.get().await.unwrap();
    let r = client
        .query_one(
            "SELECT count(*), count(DISTINCT (curve_key, tenor_label, asof_date)) \
             FROM curve_observation",
            &[],
        )
        .await
        .unwrap();
    assert_eq!((r.get::<_, i64>(0), r.get::<_, i64>(1)), (600, 600));
    let latest = ingestor.completed("a").await.unwrap().unwrap();
    assert_eq!(
        (latest.rows_stored, latest.finished_at),
        (600, ingest_ts(99))
    );
    assert_eq!(ingestor.completed("unknown").await.unwrap(), None);
}

#[tokio::test]
async fn duplicates_within_one_input_resolve_to_the_later_ingested_row_and_ingested_beats_derived()
{
    let Some(schemas) = Schemas::connect().await else {
        return;
    };
    for direct in [true, false] {
        let pool = schemas.fresh_pool(1).await;
        let ingestor = PgCurveIngestor::new(pool.clone()).with_direct_copy(direct);
        let mut session = ingestor.begin_session(file("dups")).await.unwrap();
        // Batch 1 has only new, distinct keys: direct when allowed.
        session
            .write(vec![ingested("k4", 4.1, 0), ingested("k5", 5.0, 0)])
            .await
            .unwrap();
        assert_eq!(session.is_direct(), direct);
        // Batch 2 repeats k4 (a row this input already wrote) and has its own duplicates.
        session
            .write(vec![
                ingested("k4", 4.2, 0),
                ingested("k1", 1.1, 0),
                ingested("k1", 1.2, 0),
                ingested("k2", 2.0, 0),
                derived("k2", 2.9, 0),
                derived("k3", 3.9, 0),
                ingested("k3", 3.0, 0),
                ingested("k6", 6.0, 5),
                ingested("k6", 6.1, 0),
            ])
            .await
            .unwrap();
        assert!(!session.is_direct());
        // Batch 3: a derived row loses to this input's ingested k5, a later k1 wins.
        session
            .write(vec![derived("k5", 5.9, 0), ingested("k1", 1.3, 0)])
            .await
            .unwrap();
        let report = Box::new(session)
            .commit(totals(13, 0), ingest_ts(1))
            .await
            .unwrap();

        assert_eq!(
            report,
            UpsertReport {
                inserted: 6,
                updated: 0,
                skipped: 0
            },
            "one count per distinct key (direct={direct})"
        );
        let mids: Vec<(String, f64)> = stored(&pool)
            .await
            .into_iter()
            .map(|(k, m, _, _)| (k, m))
            .collect();
        let expected = [
            ("k1", 1.3),
            ("k2", 2.0),
            ("k3", 3.0),
            ("k4", 4.2),
            ("k5", 5.0),
            ("k6", 6.0),
        ];
        let expected: Vec<(String, f64)> = expected
            .iter()
            .map(|(k, m)| ((*k).to_owned(), *m))
            .collect();
        assert_eq!(mids, expected, "direct={direct}");
    }
}

#[tokio::test]
async fn a_backend_killed_mid_ingest_leaves_nothing_and_the_next_ingest_succeeds() {
    let Some(schemas) = Schemas::connect().await else {
        return;
    };
    let pool = schemas.fresh_pool(2).await;
    let watch = observer(&pool).await;
    let ingestor = PgCurveIngestor::new(pool.clone());
    let stored_before = commit(&ingestor, "before", vec![many("old", 50)]).await;
    assert_eq!(stored_before.inserted, 50);

    let mut session = ingestor.begin_session(file("killed")).await.unwrap();
    session.write(many("new", 2000)).await.unwrap();
    session.write(many("old", 50)).await.unwrap();
    session
        .quarantine(vec![quarantined(2, "no finite price")])
        .await
        .unwrap();
    let admin = watch.get().await.unwrap();
    let killed: bool = admin
        .query_one("SELECT pg_terminate_backend($1)", &[&session.backend_pid()])
        .await
        .unwrap()
        .get(0);
    assert!(killed);
    drop(admin);

    let after = session.write(many("more", 10)).await;
    let failed = match after {
        Err(e) => Some(e),
        Ok(()) => Box::new(session)
            .commit(totals(0, 0), ingest_ts(1))
            .await
            .err(),
    };
    assert!(
        failed.is_some(),
        "a session whose backend died cannot commit"
    );

    assert_eq!(
        counts(&watch).await,
        (50, 1, 0),
        "only the earlier ingestion is visible"
    );
    assert_eq!(ingestor.completed("killed").await.unwrap(), None);
    let report = commit(&ingestor, "killed", vec![many("new", 2000)]).await;
    assert_eq!(report.inserted, 2000);
    assert_eq!(counts(&watch).await, (2050, 2, 0));
}
