//! The lifecycle end to end: SIGTERM drains (`/ready` 503), lets a slow request finish and
//! exits 0; runs in flight at SIGTERM are finished or released, never lost; optional
//! dependencies that are down degrade to `warn`; an unreachable PostgreSQL fails startup with
//! a clear message after its retry budget.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use aurum::Application;
use aurum::settings::ServeSettings;
use aurum::telemetry::Telemetry;
use serde_json::{Value, json};

use crate::helpers::{TestApp, free_port};
use crate::pg::{count, test_schema};

/// `aurum serve` as a real process, killed on drop if still running.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(port: u16, log: &Path, env: &[(&str, &str)]) -> Server {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aurum"));
    cmd.arg("serve")
        .env("AURUM_PORT", port.to_string())
        .env("AURUM_LOG", "info")
        .env("AURUM_LOG_FORMAT", "json")
        .env("AURUM_CURSOR_SECRET", "lifecycle")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap());
    for (k, v) in env {
        cmd.env(k, v);
    }
    Server(cmd.spawn().unwrap())
}

async fn wait_ready(app: &TestApp, server: &mut Server, log: &Path) {
    for _ in 0..600 {
        if let Ok(res) = app.client.get(format!("{}/ready", app.base)).send().await
            && res.status() == 200
        {
            return;
        }
        assert!(
            server.0.try_wait().unwrap().is_none(),
            "the server exited: {}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server never became ready");
}

fn sigterm(server: &Server) {
    let status = Command::new("kill")
        .args(["-TERM", &server.0.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

async fn wait_exit(server: &mut Server) -> std::process::ExitStatus {
    for _ in 0..1200 {
        if let Some(status) = server.0.try_wait().unwrap() {
            return status;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not exit after SIGTERM");
}

#[tokio::test]
async fn sigterm_drains_lets_a_slow_request_finish_and_exits_zero() {
    let dir = tempfile::TempDir::new().unwrap();
    let log = dir.path().join("serve.log");
    let port = free_port();
    let mut server = serve(
        port,
        &log,
        &[
            ("AURUM_DEMO_ROWS", "100000"),
            ("AURUM_SHUTDOWN_DRAIN_DELAY_MS", "1500"),
            ("AURUM_SHUTDOWN_TIMEOUT", "20"),
        ],
    );
    let app = TestApp::new(format!("http://127.0.0.1:{port}"));
    wait_ready(&app, &mut server, &log).await;
    let export = format!("{}/v2/curves/export", app.base);
    let full = app
        .client
        .get(&export)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(
        full.len() > 1_000_000,
        "the export is large enough to be slow to read"
    );

    // A slow client: read the first chunk, then SIGTERM, then read the rest.
    let mut slow = app.client.get(&export).send().await.unwrap();
    let mut got = slow.chunk().await.unwrap().unwrap().to_vec();
    sigterm(&server);
    let mut saw_draining = false;
    for _ in 0..100 {
        match app.client.get(format!("{}/ready", app.base)).send().await {
            Ok(res) if res.status() == 503 => {
                let body: Value = res.json().await.unwrap();
                assert_eq!(body["status"], "fail");
                assert!(body["output"].as_str().unwrap().contains("draining"));
                saw_draining = true;
                break;
            }
            _ => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
    assert!(saw_draining, "/ready never answered 503 while draining");
    // Liveness never depends on shutdown state or dependencies.
    assert_eq!(app.get("/livez").await.status(), 200);
    while let Some(chunk) = slow.chunk().await.unwrap() {
        got.extend_from_slice(&chunk);
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    assert_eq!(got.len(), full.len(), "the in-flight request completed");
    assert!(got == full);
    let status = wait_exit(&mut server).await;
    assert_eq!(status.code(), Some(0));
    let text = std::fs::read_to_string(&log).unwrap();
    for step in ["drain", "http", "worker", "telemetry", "pools"] {
        assert!(
            text.lines().any(|l| l.contains("lifecycle step done")
                && l.contains(&format!("\"step\":\"{step}\""))
                && l.contains("duration_ms")),
            "no shutdown step {step} logged:\n{text}"
        );
    }
}

async fn post(app: &TestApp, path: &str, body: &Value) -> Value {
    let res = app
        .client
        .post(format!("{}{path}", app.base))
        .header("X-Tenant-ID", "acme")
        .json(body)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    let body: Value = res.json().await.unwrap();
    body["data"].clone()
}

#[tokio::test]
async fn runs_in_flight_at_sigterm_are_finished_or_released_never_lost() {
    let Some(schema) = test_schema().await else {
        return;
    };
    let dir = tempfile::TempDir::new().unwrap();
    let log = dir.path().join("serve.log");
    let env = [
        ("AURUM_DATABASE_URL", schema.url.as_str()),
        ("AURUM_DB_SCHEMA", schema.name.as_str()),
        ("AURUM_DB_MIGRATE", "auto"),
        ("AURUM_WORKER_IN_PROCESS", "true"),
        ("AURUM_WORKER_POLL_MS", "5"),
    ];
    let port = free_port();
    let mut server = serve(port, &log, &env);
    let app = TestApp::new(format!("http://127.0.0.1:{port}"));
    wait_ready(&app, &mut server, &log).await;
    let scenario = post(
        &app,
        "/v2/scenarios",
        &json!({"name": "Shutdown", "assumptions": [{"driver_type": "policy", "payload": {"policy_name": "Clean"}}]}),
    )
    .await;
    let id = scenario["id"].as_str().unwrap().to_owned();
    for seed in 0..30 {
        post(
            &app,
            &format!("/v2/scenarios/{id}/runs"),
            &json!({"seed": seed, "asof_date": "2026-01-15"}),
        )
        .await;
    }
    sigterm(&server);
    assert_eq!(wait_exit(&mut server).await.code(), Some(0));
    let (url, name) = (schema.url.as_str(), schema.name.as_str());
    assert_eq!(
        count(
            url,
            name,
            "SELECT count(*) FROM scenario_run WHERE status = 'running'"
        )
        .await,
        0,
        "no run is left claimed by the stopped worker"
    );
    assert_eq!(
        count(
            url,
            name,
            "SELECT count(*) FROM scenario_run WHERE status IN ('queued', 'succeeded')"
        )
        .await,
        30
    );
    // A restarted instance finishes whatever was left.
    let port = free_port();
    let mut server = serve(port, &log, &env);
    let app = TestApp::new(format!("http://127.0.0.1:{port}"));
    wait_ready(&app, &mut server, &log).await;
    let mut done = 0;
    for _ in 0..600 {
        done = count(
            url,
            name,
            "SELECT count(*) FROM scenario_run WHERE status = 'succeeded'",
        )
        .await;
        if done == 30 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(done, 30, "every run succeeded after the restart");
    assert_eq!(
        count(
            url,
            name,
            "SELECT count(DISTINCT run_id) FROM scenario_output"
        )
        .await,
        30,
        "one set of outputs per run"
    );
}

#[tokio::test]
async fn with_redis_down_and_no_collector_the_server_serves_and_ready_warns() {
    let mut settings = ServeSettings::for_tests();
    let closed = free_port();
    settings.traffic.redis.redis_url = Some(format!("redis://127.0.0.1:{closed}"));
    settings.telemetry.otlp_endpoint = Some(format!("http://127.0.0.1:{closed}"));
    settings.telemetry.otlp_timeout_ms = 200;
    let telemetry = Telemetry::new(&settings.telemetry).unwrap();
    let app = Application::build_with_telemetry(
        settings,
        std::sync::Arc::new(aurum::clock::SystemClock),
        telemetry.clone(),
    )
    .await
    .expect("optional dependencies never stop startup");
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let app = TestApp::new(base);
    for path in [
        "/v2/curves?limit=5",
        "/v2/curves?limit=5",
        "/v2/metadata/dimensions",
        "/v1/curves?limit=2",
        "/v2/admin/cache",
    ] {
        let status = app.get(path).await.status();
        assert!(status.is_success(), "{path}: {status}");
    }
    // An export attempt to the closed port fails; the telemetry reports it.
    let t = telemetry.clone();
    tokio::task::spawn_blocking(move || t.force_flush())
        .await
        .unwrap();
    let (status, ready) = app.get_json("/ready").await;
    assert_eq!(status, 200, "{ready}");
    assert_eq!(ready["status"], "warn", "{ready}");
    assert_eq!(ready["checks"]["redis:responseTime"][0]["status"], "warn");
    assert_eq!(
        ready["checks"]["otlp:export"][0]["status"], "warn",
        "{ready}"
    );
    assert_eq!(app.get("/livez").await.status(), 200);
}

#[tokio::test]
async fn an_unreachable_postgres_fails_startup_after_its_retry_budget() {
    let mut settings = ServeSettings::for_tests();
    settings.database.database_url = Some(format!(
        "postgres://postgres@127.0.0.1:{}/test",
        free_port()
    ));
    settings.database.db_startup_timeout_secs = 1;
    settings.database.db_connect_timeout_ms = 200;
    let Err(e) = Application::build(settings).await else {
        panic!("startup must fail without PostgreSQL");
    };
    let message = format!("{e:#}");
    assert!(
        message.contains("PostgreSQL is not reachable after"),
        "{message}"
    );
    assert!(
        message.contains("AURUM_DB_STARTUP_TIMEOUT_SECS=1"),
        "{message}"
    );
}
