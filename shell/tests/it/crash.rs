//! Killing `aurum ingest curves` midway (SIGKILL) against PostgreSQL loses and duplicates
//! nothing: no row of the file is visible, and re-running it stores each row exactly once.

use std::process::{Command, Stdio};
use std::time::Duration;

use crate::pg::{count, test_schema};

fn aurum(url: &str, schema: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aurum"));
    cmd.args(args)
        .env("AURUM_DATABASE_URL", url)
        .env("AURUM_DB_SCHEMA", schema)
        .env("AURUM_LOG", "info")
        .env("AURUM_LOG_FORMAT", "json")
        .stdout(Stdio::null());
    cmd
}

#[tokio::test]
async fn a_killed_ingest_leaves_nothing_and_a_rerun_stores_each_row_once() {
    let Some(schema) = test_schema().await else {
        return;
    };
    let dir = tempfile::TempDir::new().unwrap();
    let file = dir.path().join("demo.csv");
    let (url, name) = (schema.url.clone(), schema.name.clone());
    let status = aurum(
        &url,
        &name,
        &[
            "demo-data",
            "--out",
            file.to_str().unwrap(),
            "--rows",
            "150000",
        ],
    )
    .status()
    .unwrap();
    assert!(status.success());
    assert!(aurum(&url, &name, &["migrate"]).status().unwrap().success());

    // Start ingesting and kill the process once it has written at least one batch.
    let log = dir.path().join("ingest.log");
    let mut child = aurum(&url, &name, &["ingest", "curves", file.to_str().unwrap()])
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    for attempt in 0.. {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if text.contains("ingest progress") {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the ingest ended before it could be killed: {text}"
        );
        assert!(attempt < 6000, "no progress line after 6000 polls: {text}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    // The server notices the dead connection and rolls back; give it a moment to do so.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        count(&url, &name, "SELECT count(*) FROM curve_observation").await,
        0,
        "no row of a killed ingest is visible"
    );
    assert_eq!(
        count(&url, &name, "SELECT count(*) FROM curve_ingest_log").await,
        0
    );

    // Re-run to completion: every row once.
    assert!(
        aurum(&url, &name, &["ingest", "curves", file.to_str().unwrap()])
            .status()
            .unwrap()
            .success()
    );
    let stored = count(&url, &name, "SELECT count(*) FROM curve_observation").await;
    let distinct = count(
        &url,
        &name,
        "SELECT count(DISTINCT (curve_key, tenor_label, asof_date)) FROM curve_observation",
    )
    .await;
    assert!(stored >= 150_000, "{stored}");
    assert_eq!(stored, distinct);
    // The same file again is a no-op; with --force it stores nothing twice.
    assert!(
        aurum(&url, &name, &["ingest", "curves", file.to_str().unwrap()])
            .status()
            .unwrap()
            .success()
    );
    assert_eq!(
        count(&url, &name, "SELECT count(*) FROM curve_ingest_log").await,
        1,
        "a second run of the same file is skipped"
    );
    assert!(
        aurum(
            &url,
            &name,
            &["ingest", "curves", "--force", file.to_str().unwrap()]
        )
        .status()
        .unwrap()
        .success()
    );
    assert_eq!(
        count(&url, &name, "SELECT count(*) FROM curve_observation").await,
        stored
    );
    assert_eq!(
        count(&url, &name, "SELECT count(*) FROM curve_ingest_log").await,
        2
    );
}
