//! Scenario workers as real processes against PostgreSQL: with two `aurum worker`s, one killed
//! by SIGKILL after it has worked and one run left leased by a dead worker, every run still
//! succeeds exactly once (one set of outputs, one outbox event) and every event reaches the
//! webhook at least once; SIGTERM then stops the survivor cleanly. And webhook retries end to
//! end: 500, 500, 200 give three signed deliveries of one event id, then none.

use std::collections::HashSet;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use aurum::Application;
use aurum::settings::ServeSettings;
use aurum::worker::SinkKind;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Mutex;

use crate::helpers::TestApp;
use crate::pg::{TestSchema, test_schema};

const SECRET: &str = "hook-secret";
const TENANT: &str = "acme";
const POLL: Duration = Duration::from_millis(20);
const SUCCEEDED: &str = "scenario.run.succeeded";

/// One request the webhook receiver got.
#[derive(Debug, Clone)]
struct Delivery {
    event_id: String,
    signature: String,
    body: Vec<u8>,
}

type Deliveries = Arc<Mutex<Vec<Delivery>>>;

/// A webhook receiver answering `statuses` in turn (the last one repeats) and recording every
/// request; one request per connection.
async fn receiver(statuses: Vec<u16>) -> (String, Deliveries) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let seen: Deliveries = Arc::default();
    let recorder = Arc::clone(&seen);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let (seen, statuses) = (Arc::clone(&recorder), statuses.clone());
            tokio::spawn(async move {
                // A sender killed mid-request leaves a partial request: not recorded.
                let Some(delivery) = read_request(&mut socket).await else {
                    return;
                };
                let status = {
                    let mut seen = seen.lock().await;
                    seen.push(delivery);
                    statuses[(seen.len() - 1).min(statuses.len() - 1)]
                };
                let reply = format!(
                    "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                );
                let _ = socket.write_all(reply.as_bytes()).await;
            });
        }
    });
    (url, seen)
}

async fn read_request(socket: &mut TcpStream) -> Option<Delivery> {
    let mut buf = Vec::new();
    let mut chunk = [0_u8; 8192];
    let head_end = loop {
        let n = socket.read(&mut chunk).await.ok().filter(|n| *n > 0)?;
        buf.extend_from_slice(&chunk[..n]);
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let header = |name: &str| {
        head.lines().skip(1).find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_owned())
        })
    };
    let length: usize = header("content-length")?.parse().ok()?;
    while buf.len() < head_end + length {
        let n = socket.read(&mut chunk).await.ok().filter(|n| *n > 0)?;
        buf.extend_from_slice(&chunk[..n]);
    }
    Some(Delivery {
        event_id: header("x-aurum-event-id")?,
        signature: header("x-aurum-signature")?,
        body: buf[head_end..head_end + length].to_vec(),
    })
}

/// A superuser connection with the schema on its search path (RLS does not apply).
async fn db(schema: &TestSchema) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(&schema.url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
        .batch_execute(&format!("SET search_path = {}", schema.name))
        .await
        .unwrap();
    client
}

async fn count(client: &tokio_postgres::Client, sql: &str) -> i64 {
    client.query_one(sql, &[]).await.unwrap().get(0)
}

/// A worker process, killed when dropped (a failing test leaves nothing running).
struct Worker(Child);

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `aurum worker` with short leases, fast polls and the webhook sink; logs to `log`.
fn start_worker(schema: &TestSchema, hook: &str, log: &Path) -> Worker {
    let child = Command::new(env!("CARGO_BIN_EXE_aurum"))
        .arg("worker")
        .env("AURUM_DATABASE_URL", &schema.url)
        .env("AURUM_DB_SCHEMA", &schema.name)
        .env("AURUM_LOG", "info,aurum::worker=debug")
        .env("AURUM_LOG_FORMAT", "json")
        .env("AURUM_WORKER_CONCURRENCY", "2")
        .env("AURUM_WORKER_POLL_MS", "20")
        .env("AURUM_WORKER_LEASE_SECS", "2")
        .env("AURUM_OUTBOX_LEASE_SECS", "2")
        .env("AURUM_OUTBOX_RETRY_BASE_MS", "50")
        .env("AURUM_EVENT_SINK", "webhook")
        .env("AURUM_WEBHOOK_URL", hook)
        .env("AURUM_WEBHOOK_SECRET", SECRET)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .unwrap();
    Worker(child)
}

/// Waits (bounded polls) until the worker's log contains `needle`.
async fn wait_for_log(worker: &mut Worker, log: &Path, needle: &str) {
    for _ in 0..3000 {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if text.contains(needle) {
            return;
        }
        assert!(
            worker.0.try_wait().unwrap().is_none(),
            "the worker exited before logging {needle:?}: {text}"
        );
        tokio::time::sleep(POLL).await;
    }
    panic!("no {needle:?} in the worker's log after 3000 polls");
}

async fn post(app: &TestApp, path: &str, body: &Value) -> Value {
    let res = app
        .client
        .post(format!("{}{path}", app.base))
        .header("X-Tenant-ID", TENANT)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap();
    assert!(matches!(status, 201 | 202), "{status}: {body}");
    body["data"].clone()
}

/// Creates `scenarios` scenarios and submits `runs` runs over them (distinct seeds, so distinct
/// fingerprints); returns the run ids.
async fn submit(app: &TestApp, scenarios: usize, runs: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for s in 0..scenarios {
        let scenario = json!({
            "name": format!("Worker test {s}"),
            "assumptions": [{"driver_type": "policy", "payload": {"policy_name": "Clean"}}],
        });
        ids.push(
            post(app, "/v2/scenarios", &scenario).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let mut runs_out = Vec::new();
    for (seed, scenario) in (0_i64..).zip(ids.iter().cycle().take(runs)) {
        let run = post(
            app,
            &format!("/v2/scenarios/{scenario}/runs"),
            &json!({"seed": seed, "asof_date": "2026-01-15"}),
        )
        .await;
        assert_eq!(run["status"], "queued", "{run}");
        runs_out.push(run["id"].as_str().unwrap().to_owned());
    }
    runs_out
}

/// The API on PostgreSQL in this process, without a worker.
async fn pg_api(schema: &TestSchema) -> TestApp {
    let mut settings = ServeSettings::for_tests();
    settings.database.database_url = Some(schema.url.clone());
    settings.database.db_schema = Some(schema.name.clone());
    settings.in_process_worker = Some(false);
    let app = Application::build(settings).await.unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    TestApp::new(base)
}

async fn distinct_ids(seen: &Deliveries) -> HashSet<String> {
    seen.lock()
        .await
        .iter()
        .map(|d| d.event_id.clone())
        .collect()
}

/// Leaves `run` as a worker that died mid-run leaves it: running, leased for 2 s more.
async fn hold_as_dead_worker(client: &tokio_postgres::Client, run: &str) {
    let held = client
        .execute(
            "UPDATE scenario_run SET status = 'running', lease_owner = 'ghost-worker', \
                 lease_until = now() + interval '2 seconds', started_at = now() \
             WHERE id = $1::text::uuid AND status = 'queued'",
            &[&run],
        )
        .await
        .unwrap();
    assert_eq!(held, 1);
}

/// Waits (bounded polls) until `runs` runs succeeded and as many events were received and
/// marked delivered.
async fn wait_until_done(
    client: &tokio_postgres::Client,
    seen: &Deliveries,
    worker: &mut Worker,
    runs: usize,
) {
    let expected = i64::try_from(runs).unwrap();
    for _ in 0..3000 {
        let succeeded = count(
            client,
            "SELECT count(*) FROM scenario_run WHERE status = 'succeeded'",
        )
        .await;
        // Marked after the receiver's 200, so the receiver can be a moment ahead.
        let marked = count(
            client,
            "SELECT count(*) FROM outbox WHERE delivered_at IS NOT NULL",
        )
        .await;
        if succeeded == expected && marked == expected && distinct_ids(seen).await.len() == runs {
            return;
        }
        assert!(
            worker.0.try_wait().unwrap().is_none(),
            "the surviving worker exited"
        );
        tokio::time::sleep(POLL).await;
    }
    let statuses = client
        .query(
            "SELECT status, count(*) FROM scenario_run GROUP BY status",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get::<_, String>(0), r.get::<_, i64>(1)))
        .collect::<Vec<_>>();
    let events = distinct_ids(seen).await.len();
    panic!("not every run succeeded and was delivered: {statuses:?}, {events} distinct events");
}

/// Asserts every run of `runs` succeeded once: completed, one set of outputs (3 rows), one
/// success event. Returns how many were executed more than once (reclaimed leases).
async fn assert_each_run_succeeded_once(client: &tokio_postgres::Client, runs: &[String]) -> usize {
    let rows = client
        .query(
            "SELECT r.id::text, r.status, r.completed_at IS NOT NULL, r.attempt, \
                    (SELECT count(*) FROM scenario_output o WHERE o.run_id = r.id), \
                    (SELECT count(*) FROM outbox e WHERE e.key = r.id::text AND e.topic = $1) \
             FROM scenario_run r",
            &[&SUCCEEDED],
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), runs.len());
    let mut reclaimed = 0;
    for row in &rows {
        let id: String = row.get(0);
        assert!(runs.contains(&id));
        assert_eq!(row.get::<_, String>(1), "succeeded", "{id}");
        assert!(row.get::<_, bool>(2), "{id} has completed_at");
        assert_eq!(row.get::<_, i64>(4), 3, "{id} has one set of outputs");
        assert_eq!(row.get::<_, i64>(5), 1, "{id} has one success event");
        if row.get::<_, i32>(3) > 1 {
            reclaimed += 1;
        }
    }
    reclaimed
}

/// Sends SIGTERM and waits (bounded polls) for the exit status.
async fn stop_with_sigterm(worker: &mut Worker) -> std::process::ExitStatus {
    let pid = worker.0.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    for _ in 0..3000 {
        if let Some(exit) = worker.0.try_wait().unwrap() {
            return exit;
        }
        tokio::time::sleep(POLL).await;
    }
    panic!("the worker did not stop after SIGTERM");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_and_dead_workers_lose_no_run_and_duplicate_no_effect() {
    const RUNS: usize = 40;
    let Some(schema) = test_schema().await else {
        return;
    };
    let migrate = Command::new(env!("CARGO_BIN_EXE_aurum"))
        .arg("migrate")
        .env("AURUM_DATABASE_URL", &schema.url)
        .env("AURUM_DB_SCHEMA", &schema.name)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(migrate.success());
    let app = pg_api(&schema).await;
    let client = db(&schema).await;
    let (hook, seen) = receiver(vec![200]).await;
    let runs = submit(&app, 3, RUNS).await;
    // The state SIGKILL leaves mid-run, made certain for one run (the real kill below may or
    // may not land inside one).
    let ghost = runs[RUNS - 1].clone();
    hold_as_dead_worker(&client, &ghost).await;

    // Worker A works, B joins, A is killed; B has to finish everything.
    let dir = tempfile::TempDir::new().unwrap();
    let (log_a, log_b) = (dir.path().join("a.log"), dir.path().join("b.log"));
    let mut a = start_worker(&schema, &hook, &log_a);
    wait_for_log(&mut a, &log_a, "run step").await;
    let mut b = start_worker(&schema, &hook, &log_b);
    wait_for_log(&mut b, &log_b, "worker started").await;
    a.0.kill().unwrap(); // SIGKILL
    a.0.wait().unwrap();
    wait_until_done(&client, &seen, &mut b, RUNS).await;

    let reclaimed = assert_each_run_succeeded_once(&client, &runs).await;
    let ghost_attempt: i32 = client
        .query_one(
            "SELECT attempt FROM scenario_run WHERE id = $1::text::uuid",
            &[&ghost],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(ghost_attempt, 2, "the dead worker's run was reclaimed once");
    let outputs = count(&client, "SELECT count(*) FROM scenario_output").await;
    assert_eq!(outputs, 3 * i64::try_from(RUNS).unwrap());

    // Every event was delivered (at least once) and marked; the receiver saw exactly them.
    let outbox: HashSet<String> = client
        .query(
            "SELECT id::text FROM outbox WHERE topic = $1 AND delivered_at IS NOT NULL",
            &[&SUCCEEDED],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let received = distinct_ids(&seen).await;
    assert_eq!(received.len(), RUNS);
    assert_eq!(
        received, outbox,
        "the receiver saw exactly the outbox's events"
    );
    let deliveries = seen.lock().await.len();
    eprintln!("runs {RUNS}; reclaimed {reclaimed}; deliveries {deliveries} of {RUNS} events");

    // SIGTERM stops the survivor at a safe point: exit 0, nothing left running.
    let exit = stop_with_sigterm(&mut b).await;
    let log = std::fs::read_to_string(&log_b).unwrap_or_default();
    assert!(exit.success(), "{exit}: {log}");
    let running = count(
        &client,
        "SELECT count(*) FROM scenario_run WHERE status = 'running'",
    )
    .await;
    assert_eq!(running, 0);
}

#[tokio::test]
async fn a_failing_webhook_gets_the_same_signed_event_until_it_answers_200() {
    let (hook, seen) = receiver(vec![500, 500, 200]).await;
    let mut settings = ServeSettings::for_tests();
    settings.demo_rows = 100;
    settings.worker.worker_poll_ms = 20;
    settings.worker.event_sink = SinkKind::Webhook;
    settings.worker.webhook_url = Some(hook);
    settings.worker.webhook_secret = Some(SECRET.to_owned());
    settings.worker.outbox_retry_base_ms = 50;
    let app = Application::build(settings).await.unwrap();
    let app_url = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let app = TestApp::new(app_url);
    let run = submit(&app, 1, 1).await.remove(0);

    for _ in 0..3000 {
        if seen.lock().await.len() >= 3 {
            break;
        }
        tokio::time::sleep(POLL).await;
    }
    // After the 200 nothing more arrives: a few relay poll intervals later the count is 3.
    for _ in 0..25 {
        tokio::time::sleep(POLL).await;
    }
    let seen = seen.lock().await.clone();
    assert_eq!(seen.len(), 3, "500, 500, then 200 and no more: {seen:?}");
    let ids: HashSet<&str> = seen.iter().map(|d| d.event_id.as_str()).collect();
    assert_eq!(ids.len(), 1, "every retry carries the same event id");
    for d in &seen {
        assert_eq!(
            d.signature,
            aurum_adapter_events::signature(SECRET.as_bytes(), &d.body),
            "the signature verifies"
        );
        let body: Value = serde_json::from_slice(&d.body).unwrap();
        assert_eq!(body["id"], d.event_id.as_str());
        assert_eq!(body["topic"], SUCCEEDED);
        assert_eq!(body["key"], run.as_str());
        assert_eq!(body["payload"]["run_id"], run.as_str());
    }
    let bodies: HashSet<&[u8]> = seen.iter().map(|d| d.body.as_slice()).collect();
    assert_eq!(bodies.len(), 1, "the same body each time");
}

#[tokio::test]
async fn a_refused_event_is_dead_lettered_listed_and_redriven_by_an_admin() {
    // 400 is permanent: the event goes straight to the dead letters.
    let (hook, seen) = receiver(vec![400]).await;
    let mut settings = ServeSettings::for_tests();
    settings.demo_rows = 100;
    settings.worker.worker_poll_ms = 20;
    settings.worker.event_sink = SinkKind::Webhook;
    settings.worker.webhook_url = Some(hook);
    settings.worker.webhook_secret = Some(SECRET.to_owned());
    settings.api.admin_token = Some("admin-token".to_owned());
    let app = Application::build(settings).await.unwrap();
    let app_url = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let app = TestApp::new(app_url);
    submit(&app, 1, 1).await;
    let list = |token: Option<&'static str>| {
        let mut req = app
            .client
            .get(format!("{}/v2/admin/outbox/dead-letters", app.base));
        if let Some(t) = token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        req.send()
    };
    assert_eq!(
        list(None).await.unwrap().status(),
        401,
        "admin routes need the token"
    );
    let mut dead = Value::Null;
    for _ in 0..3000 {
        dead = list(Some("admin-token"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if !dead["data"].as_array().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(POLL).await;
    }
    let letters = dead["data"].as_array().unwrap();
    assert_eq!(letters.len(), 1, "{dead}");
    assert_eq!(letters[0]["topic"], SUCCEEDED);
    // A failing event sink degrades readiness to `warn`, never `fail`.
    let (status, ready) = app.get_json("/ready").await;
    assert_eq!(status, 200);
    assert_eq!(ready["status"], "warn", "{ready}");
    assert_eq!(ready["checks"]["events:lag"][0]["status"], "warn");
    assert_eq!(
        seen.lock().await.len(),
        1,
        "a permanent refusal is not retried"
    );
    let id = letters[0]["id"].as_str().unwrap();
    let redrive = |id: String| {
        app.client
            .post(format!(
                "{}/v2/admin/outbox/dead-letters/{id}:redrive",
                app.base
            ))
            .header("Authorization", "Bearer admin-token")
            .send()
    };
    assert_eq!(redrive(id.to_owned()).await.unwrap().status(), 200);
    // Re-driven: the relay delivers it again (and the receiver refuses it again).
    for _ in 0..3000 {
        if seen.lock().await.len() >= 2 {
            break;
        }
        tokio::time::sleep(POLL).await;
    }
    let seen = seen.lock().await.clone();
    assert_eq!(seen.len(), 2);
    assert_eq!(
        seen[0].event_id, seen[1].event_id,
        "the same event id after a re-drive"
    );
    assert_eq!(
        redrive(uuid::Uuid::new_v4().to_string())
            .await
            .unwrap()
            .status(),
        404
    );
}
