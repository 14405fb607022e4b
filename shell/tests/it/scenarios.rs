//! /v2 scenarios on the embedded default, with the in-process worker: create, runs, outputs,
//! idempotency, tenant isolation and every error class; and the `aurum scenario` CLI.

use serde_json::{Value, json};

use crate::helpers::{TestApp, price, spawn_app};

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    tenant: Option<&str>,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut req = app.client.request(method, format!("{}{path}", app.base));
    if let Some(t) = tenant {
        req = req.header("X-Tenant-ID", t);
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let text = res.text().await.unwrap();
    (
        status,
        headers,
        if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap()
        },
    )
}

fn new_scenario(name: &str) -> Value {
    json!({"name": name, "assumptions": [{"driver_type": "policy", "payload": {"policy_name": "Clean"}}], "tags": ["t1"]})
}

async fn create(app: &TestApp, tenant: &str, name: &str) -> String {
    let (status, headers, body) = send(
        app,
        reqwest::Method::POST,
        "/v2/scenarios",
        Some(tenant),
        Some(new_scenario(name)),
        &[],
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let id = body["data"]["id"].as_str().unwrap().to_owned();
    assert_eq!(headers["location"], format!("/v2/scenarios/{id}").as_str());
    id
}

/// Polls a run until it is terminal (bounded number of polls, no wall-clock assertion).
async fn wait_terminal(app: &TestApp, tenant: &str, scenario: &str, run: &str) -> Value {
    for _ in 0..500 {
        let (_, _, body) = send(
            app,
            reqwest::Method::GET,
            &format!("/v2/scenarios/{scenario}/runs/{run}"),
            Some(tenant),
            None,
            &[],
        )
        .await;
        let status = body["data"]["status"].as_str().unwrap().to_owned();
        if !matches!(status.as_str(), "queued" | "running") {
            return body["data"].clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("run {run} never finished");
}

#[tokio::test]
async fn a_run_produces_outputs_from_the_base_curve_and_the_assumptions() {
    let app = spawn_app().await;
    let (_, _, page) = send(
        &app,
        reqwest::Method::GET,
        "/v2/curves?block=ON_PEAK&asof=2026-11-20&limit=1",
        None,
        None,
        &[],
    )
    .await;
    let curve = page["data"][0]["curve_key"].as_str().unwrap().to_owned();
    let id = create(&app, "acme", "Clean power").await;
    let options = json!({"asof_date": "2026-11-20", "curve_keys": [curve]});
    let (status, headers, body) = send(
        &app,
        reqwest::Method::POST,
        &format!("/v2/scenarios/{id}/runs"),
        Some("acme"),
        Some(options),
        &[],
    )
    .await;
    assert_eq!(status, 202, "{body}");
    let run = body["data"]["id"].as_str().unwrap().to_owned();
    assert!(headers["location"].to_str().unwrap().ends_with(&run));
    let done = wait_terminal(&app, "acme", &id, &run).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    // base = mean mid of the curve's rows at asof: the 12 monthly prices (the derived strips
    // average to the same mean); policy "Clean" adds 5 × 0.1.
    let base = (1..=12).map(|m| price(0, 0, m)).sum::<f64>() / 12.0;
    let value = base + 0.5;
    let (_, _, outputs) = send(
        &app,
        reqwest::Method::GET,
        &format!("/v2/scenarios/{id}/outputs"),
        Some("acme"),
        None,
        &[],
    )
    .await;
    let rows = outputs["data"].as_array().unwrap();
    assert_eq!(rows.len(), 3, "{outputs}");
    let by_type = |t: &str| {
        rows.iter().find(|r| r["tenor_type"] == t).unwrap()["value"]
            .as_f64()
            .unwrap()
    };
    assert!((by_type("MONTHLY") - value).abs() < 1e-9);
    assert!((by_type("QUARTER") - (value * 1.05 * 10_000.0).round() / 10_000.0).abs() < 1e-9);
    assert!((by_type("CALENDAR") - (value * 1.08 * 10_000.0).round() / 10_000.0).abs() < 1e-9);
    let (status, _, latest) = send(
        &app,
        reqwest::Method::GET,
        &format!("/v2/scenarios/{id}/metrics/latest"),
        Some("acme"),
        None,
        &[],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(latest["data"].as_array().unwrap().len(), 3);
    // A finished run cannot be cancelled.
    let (status, _, _) = send(
        &app,
        reqwest::Method::POST,
        &format!("/v2/scenarios/{id}/runs/{run}:cancel"),
        Some("acme"),
        None,
        &[],
    )
    .await;
    assert_eq!(status, 409);
}

#[tokio::test]
async fn another_tenant_sees_nothing_and_a_missing_tenant_is_rejected() {
    let app = spawn_app().await;
    let id = create(&app, "acme", "Mine").await;
    let (status, _, p) = send(
        &app,
        reqwest::Method::GET,
        &format!("/v2/scenarios/{id}"),
        Some("globex"),
        None,
        &[],
    )
    .await;
    assert_eq!(status, 404, "{p}");
    let (_, _, list) = send(
        &app,
        reqwest::Method::GET,
        "/v2/scenarios",
        Some("globex"),
        None,
        &[],
    )
    .await;
    assert!(list["data"].as_array().unwrap().is_empty());
    let (status, _, p) = send(&app, reqwest::Method::GET, "/v2/scenarios", None, None, &[]).await;
    assert_eq!(status, 400);
    assert_eq!(p["type"], "/problems/invalid-tenant");
    let (status, _, _) = send(
        &app,
        reqwest::Method::POST,
        &format!("/v2/scenarios/{id}/runs"),
        Some("globex"),
        Some(json!({})),
        &[],
    )
    .await;
    assert_eq!(status, 404);
    let (status, _, _) = send(
        &app,
        reqwest::Method::GET,
        "/v2/scenarios/not-a-uuid",
        Some("acme"),
        None,
        &[],
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn invalid_scenarios_list_every_problem_and_duplicate_names_conflict() {
    let app = spawn_app().await;
    let body = json!({"name": "", "assumptions": [
        {"driver_type": "weather", "payload": {}},
        {"driver_type": "fleet_change", "payload": {"fleet_id": "f", "change_type": "add", "effective_date": "2027-01-01", "capacity_mw": -5}}
    ]});
    let (status, _, p) = send(
        &app,
        reqwest::Method::POST,
        "/v2/scenarios",
        Some("acme"),
        Some(body),
        &[],
    )
    .await;
    assert_eq!(status, 422, "{p}");
    let pointers: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert!(pointers.contains(&"/name"), "{pointers:?}");
    assert!(
        pointers.iter().any(|p| p.starts_with("/assumptions/0")),
        "{pointers:?}"
    );
    assert!(
        pointers.contains(&"/assumptions/1/payload/capacity_mw"),
        "{pointers:?}"
    );
    create(&app, "acme", "Twice").await;
    let (status, _, p) = send(
        &app,
        reqwest::Method::POST,
        "/v2/scenarios",
        Some("acme"),
        Some(new_scenario("twice")),
        &[],
    )
    .await;
    assert_eq!(status, 409, "{p}");
    let res = app
        .client
        .post(format!("{}/v2/scenarios", app.base))
        .header("X-Tenant-ID", "acme")
        .header("content-type", "text/plain")
        .body("name")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
    let res = app
        .client
        .post(format!("{}/v2/scenarios", app.base))
        .header("X-Tenant-ID", "acme")
        .header("content-type", "application/json")
        .body("{nope")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
}

#[tokio::test]
async fn an_idempotency_key_replays_and_refuses_another_body() {
    let app = spawn_app().await;
    let id = create(&app, "acme", "Keyed").await;
    let path = format!("/v2/scenarios/{id}/runs");
    let key = [("Idempotency-Key", "submit-1")];
    let (s1, _, first) = send(
        &app,
        reqwest::Method::POST,
        &path,
        Some("acme"),
        Some(json!({"seed": 1})),
        &key,
    )
    .await;
    let (s2, headers, again) = send(
        &app,
        reqwest::Method::POST,
        &path,
        Some("acme"),
        Some(json!({"seed": 1})),
        &key,
    )
    .await;
    assert_eq!((s1, s2), (202, 202));
    assert_eq!(headers["idempotent-replayed"], "true");
    assert_eq!(first["data"]["id"], again["data"]["id"]);
    let (status, _, p) = send(
        &app,
        reqwest::Method::POST,
        &path,
        Some("acme"),
        Some(json!({"seed": 2})),
        &key,
    )
    .await;
    assert_eq!(status, 422, "{p}");
    let (status, _, _) = send(
        &app,
        reqwest::Method::POST,
        &path,
        Some("acme"),
        Some(json!({})),
        &[("Idempotency-Key", "bad key!")],
    )
    .await;
    assert_eq!(status, 400);
    // Without a key, an identical fingerprint returns the existing run.
    let (_, _, a) = send(
        &app,
        reqwest::Method::POST,
        &path,
        Some("acme"),
        Some(json!({"seed": 7})),
        &[],
    )
    .await;
    let (_, headers, b) = send(
        &app,
        reqwest::Method::POST,
        &path,
        Some("acme"),
        Some(json!({"seed": 7})),
        &[],
    )
    .await;
    assert_eq!(a["data"]["id"], b["data"]["id"]);
    assert_eq!(headers["x-run-existing"], "true");
}

#[tokio::test]
async fn scenarios_are_listed_patched_paged_and_deleted() {
    let app = spawn_app().await;
    for n in 0..5 {
        create(&app, "acme", &format!("Scenario {n}")).await;
    }
    let (_, _, page) = send(
        &app,
        reqwest::Method::GET,
        "/v2/scenarios?limit=2",
        Some("acme"),
        None,
        &[],
    )
    .await;
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    let next = page["meta"]["next_cursor"].as_str().unwrap();
    let (status, _, p) = send(
        &app,
        reqwest::Method::GET,
        &format!("/v2/scenarios?limit=2&tag=t1&cursor={next}"),
        Some("acme"),
        None,
        &[],
    )
    .await;
    assert_eq!(status, 400, "a cursor from other filters: {p}");
    let id = page["data"][0]["id"].as_str().unwrap().to_owned();
    let (status, _, patched) = send(
        &app,
        reqwest::Method::PATCH,
        &format!("/v2/scenarios/{id}"),
        Some("acme"),
        Some(json!({"name": "Renamed", "description": null})),
        &[],
    )
    .await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["data"]["name"], "Renamed");
    assert_eq!(patched["data"]["version"], 2);
    let (status, _, _) = send(
        &app,
        reqwest::Method::PATCH,
        &format!("/v2/scenarios/{id}"),
        Some("acme"),
        Some(json!({"tags": "x"})),
        &[],
    )
    .await;
    assert_eq!(status, 422);
    let (status, _, _) = send(
        &app,
        reqwest::Method::DELETE,
        &format!("/v2/scenarios/{id}"),
        Some("acme"),
        None,
        &[],
    )
    .await;
    assert_eq!(status, 204);
    let (status, _, _) = send(
        &app,
        reqwest::Method::GET,
        &format!("/v2/scenarios/{id}"),
        Some("acme"),
        None,
        &[],
    )
    .await;
    assert_eq!(status, 404);
}

// The CLI runs as a blocking child process: the server needs threads of its own meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scenario_cli_creates_runs_and_reads_outputs_over_http() {
    let app = spawn_app().await;
    let cli = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_aurum"))
            .args(["scenario", "--url", &app.base, "--tenant", "cli"])
            .args(args)
            .env("AURUM_LOG", "warn")
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (ok, out, err) = cli(&[
        "--json",
        "create",
        "--name",
        "From CLI",
        "--assumptions",
        r#"[{"driver_type":"policy","payload":{"policy_name":"X"}}]"#,
    ]);
    assert!(ok, "{err}");
    let created: Value = serde_json::from_str(&out).unwrap();
    let id = created["data"]["id"].as_str().unwrap().to_owned();
    let (ok, out, err) = cli(&["run", &id, "--asof", "2026-11-20"]);
    assert!(ok, "{err}");
    assert!(
        out.contains("queued") || out.contains("succeeded") || out.contains("running"),
        "{out}"
    );
    let (ok, out, _) = cli(&["list"]);
    assert!(ok && out.contains("From CLI"), "{out}");
    let (ok, _, err) = cli(&["show", "00000000-0000-0000-0000-000000000000"]);
    assert!(!ok && err.contains("404"), "{err}");
}

#[tokio::test]
async fn a_queued_run_is_cancelled_and_outputs_come_as_csv() {
    // Without a worker the run stays queued, so it can be cancelled.
    let mut settings = aurum::settings::ServeSettings::for_tests();
    settings.demo_rows = 100;
    settings.in_process_worker = Some(false);
    let built = aurum::Application::build(settings).await.unwrap();
    let app = TestApp::new(format!("http://127.0.0.1:{}", built.port()));
    tokio::spawn(built.run_until_stopped());
    let id = create(&app, "acme", "Queued").await;
    let (_, _, run) = send(
        &app,
        reqwest::Method::POST,
        &format!("/v2/scenarios/{id}/runs"),
        Some("acme"),
        Some(json!({})),
        &[],
    )
    .await;
    let run = run["data"]["id"].as_str().unwrap().to_owned();
    let (status, _, cancelled) = send(
        &app,
        reqwest::Method::POST,
        &format!("/v2/scenarios/{id}/runs/{run}:cancel"),
        Some("acme"),
        None,
        &[],
    )
    .await;
    assert_eq!(status, 200, "{cancelled}");
    assert_eq!(cancelled["data"]["status"], "cancelled");
    assert!(cancelled["data"]["cancelled_at"].is_string());
    let (_, _, runs) = send(
        &app,
        reqwest::Method::GET,
        &format!("/v2/scenarios/{id}/runs?status=cancelled"),
        Some("acme"),
        None,
        &[],
    )
    .await;
    assert_eq!(runs["data"].as_array().unwrap().len(), 1);
    let res = app
        .client
        .get(format!("{}/v2/scenarios/{id}/outputs?format=csv", app.base))
        .header("X-Tenant-ID", "acme")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = res.text().await.unwrap();
    assert!(text.starts_with("run_id,asof_date,curve_key"), "{text}");
    assert_eq!(text.lines().count(), 1, "a cancelled run has no outputs");
}
