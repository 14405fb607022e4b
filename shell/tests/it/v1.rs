//! The deprecated /v1 surface over the known dataset: the same rows as /v2, v1 paging
//! (`cursor`, `since_cursor`, `prev_cursor`, `offset`), the deprecation headers on every
//! answer, 410 after sunset, the domain flags and the v1 call counter.

use std::collections::HashSet;
use std::sync::Arc;

use aurum::Application;
use aurum::settings::{ApiSettings, ServeSettings};
use aurum_ports::Clock;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::helpers::{
    DERIVED_ROWS, MONTHLY_ROWS, TestApp, known_csv, row_key, spawn_app, write_temp,
};

const DEPRECATION: &str = "@1767225600";
const SUNSET: &str = "Wed, 30 Jun 2027 23:59:59 GMT";

struct At(DateTime<Utc>);

impl Clock for At {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

/// The known dataset served with `api` settings, at the instant `now`.
async fn spawn_known(api: ApiSettings, now: DateTime<Utc>) -> TestApp {
    let dir = tempfile::TempDir::new().unwrap();
    let file = write_temp(&dir, "known.csv", &known_csv());
    let mut settings = ServeSettings::for_tests();
    settings.load = vec![file];
    settings.api = api;
    let app = Application::build_with_clock(settings, Arc::new(At(now)))
        .await
        .expect("the application builds");
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let mut app = TestApp::new(base);
    app.dir = Some(dir);
    app
}

fn instant(raw: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(raw).unwrap().to_utc()
}

fn header<'a>(res: &'a reqwest::Response, name: &str) -> &'a str {
    res.headers()
        .get(name)
        .map_or("", |v| v.to_str().unwrap_or(""))
}

fn assert_deprecated(res: &reqwest::Response, successor: &str) {
    let what = res.url().path().to_owned();
    assert_eq!(header(res, "deprecation"), DEPRECATION, "{what}");
    assert_eq!(header(res, "sunset"), SUNSET, "{what}");
    assert_eq!(header(res, "x-api-version"), "v1", "{what}");
    let link = header(res, "link");
    assert!(
        link.contains("</docs/migration-v1-to-v2>; rel=\"deprecation\""),
        "{what}: {link}"
    );
    assert!(
        link.contains(&format!("<{successor}>; rel=\"successor-version\"")),
        "{what}: {link}"
    );
}

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    tenant: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = app
        .client
        .request(method, format!("{}{path}", app.base))
        .header("X-Tenant-ID", tenant);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    assert_eq!(
        header(&res, "x-api-version") == "v1",
        path.starts_with("/v1/")
    );
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap()
    };
    (status, body)
}

/// Every row of a v1 list, walking `next_cursor` under the parameter `name`.
async fn walk_v1(app: &TestApp, path: &str, name: &str) -> Vec<Value> {
    let mut rows = Vec::new();
    let mut url = path.to_owned();
    for _ in 0..1000 {
        let (status, body) = app.get_json(&url).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            usize::try_from(body["meta"]["count"].as_u64().unwrap()).unwrap(),
            body["data"].as_array().unwrap().len()
        );
        rows.extend(body["data"].as_array().unwrap().iter().cloned());
        match body["meta"]["next_cursor"].as_str() {
            Some(c) => url = format!("{path}&{name}={c}"),
            None => return rows,
        }
    }
    panic!("the walk does not end");
}

#[tokio::test]
async fn v1_and_v2_return_the_same_curve_rows() {
    let app = spawn_app().await;
    for (v1, v2) in [
        ("/v1/curves?iso=PJM&limit=37", "/v2/curves?iso=PJM&limit=37"),
        (
            "/v1/curves/diff?iso=PJM&asof_a=2026-11-17&asof_b=2026-11-20&limit=11",
            "/v2/curves/diff?iso=PJM&asof_a=2026-11-17&asof_b=2026-11-20&limit=11",
        ),
        (
            "/v1/curves/strips?type=QUARTER&limit=7",
            "/v2/curves/strips?type=QUARTER&limit=7",
        ),
    ] {
        let old = walk_v1(&app, v1, "cursor").await;
        let new: Vec<Value> = app.walk(v2).await.into_iter().flatten().collect();
        assert!(!old.is_empty(), "{v1}");
        assert_eq!(old, new, "{v1}");
    }
}

#[tokio::test]
async fn v1_dimensions_are_values_with_optional_counts() {
    let app = spawn_app().await;
    let (_, v2) = app.get_json("/v2/metadata/dimensions").await;
    let (status, v1) = app.get_json("/v1/metadata/dimensions").await;
    assert_eq!(status, 200);
    assert!(v1["counts"].is_null());
    for (dim, values) in v2["data"].as_object().unwrap() {
        let names: Vec<&Value> = values
            .as_array()
            .unwrap()
            .iter()
            .map(|v| &v["value"])
            .collect();
        let old: Vec<&Value> = v1["data"][dim].as_array().unwrap().iter().collect();
        assert_eq!(old, names, "{dim}");
    }
    let (_, counted) = app
        .get_json("/v1/metadata/dimensions?include_counts=true")
        .await;
    assert_eq!(counted["counts"], v2["data"]);
}

#[tokio::test]
async fn walking_next_cursor_or_since_cursor_visits_every_row_once() {
    let app = spawn_app().await;
    for name in ["cursor", "since_cursor"] {
        let rows = walk_v1(&app, "/v1/curves?limit=50", name).await;
        let keys: HashSet<_> = rows.iter().map(row_key).collect();
        assert_eq!(rows.len(), MONTHLY_ROWS + DERIVED_ROWS, "{name}");
        assert_eq!(keys.len(), rows.len(), "{name}: no row twice");
    }
}

#[tokio::test]
async fn prev_cursor_returns_the_previous_page_and_offset_skips_rows() {
    let app = spawn_app().await;
    let (_, first) = app.get_json("/v1/curves?limit=20").await;
    assert!(first["meta"].get("prev_cursor").is_none());
    let next = first["meta"]["next_cursor"].as_str().unwrap();
    let (_, second) = app
        .get_json(&format!("/v1/curves?limit=20&cursor={next}"))
        .await;
    let prev = second["meta"]["prev_cursor"].as_str().unwrap();
    let (status, back) = app
        .get_json(&format!("/v1/curves?limit=20&prev_cursor={prev}"))
        .await;
    assert_eq!(status, 200, "{back}");
    assert_eq!(back["data"], first["data"]);

    let (status, skipped) = app.get_json("/v1/curves?limit=20&offset=20").await;
    assert_eq!(status, 200, "{skipped}");
    assert_eq!(skipped["data"], second["data"]);
    assert_eq!(skipped["meta"]["offset"], 20);
    let (_, beyond) = app.get_json("/v1/curves?limit=20&offset=10000").await;
    assert_eq!(beyond["data"], json!([]));
    let (status, _) = app.get_json("/v1/curves?offset=10001").await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn foreign_and_tampered_cursors_are_refused_naming_the_parameter() {
    let app = spawn_app().await;
    let (_, first) = app.get_json("/v1/curves?iso=PJM&limit=5").await;
    let cursor = first["meta"]["next_cursor"].as_str().unwrap().to_owned();
    let (status, body) = app
        .get_json(&format!(
            "/v1/curves?iso=NYMEX&limit=5&since_cursor={cursor}"
        ))
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["type"], "/problems/invalid-cursor");
    assert_eq!(body["errors"][0]["parameter"], "since_cursor");
    let mut tampered = cursor.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let (status, body) = app
        .get_json(&format!("/v1/curves?iso=PJM&limit=5&cursor={tampered}"))
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["type"], "/problems/invalid-cursor");
}

#[tokio::test]
async fn v1_guardrails_answer_400_with_what_to_change() {
    let app = spawn_app().await;
    let (status, body) = app.get_json("/v1/curves?limit=501").await;
    assert_eq!(status, 400);
    assert_eq!(body["errors"][0]["parameter"], "limit");
    for (path, parameter) in [
        (
            "/v1/curves/diff?iso=PJM&asof_a=2026-11-17&asof_b=2026-11-17",
            "asof_b",
        ),
        (
            "/v1/curves/diff?iso=PJM&asof_a=2025-01-01&asof_b=2026-11-17",
            "asof_b",
        ),
        (
            "/v1/curves/diff?asof_a=2026-11-17&asof_b=2026-11-18",
            "curve_key",
        ),
    ] {
        let (status, body) = app.get_json(path).await;
        assert_eq!(status, 400, "{path}");
        assert_eq!(body["errors"][0]["parameter"], parameter, "{path}");
        assert!(!body["detail"].as_str().unwrap().is_empty());
    }
}

#[tokio::test]
async fn every_v1_answer_carries_the_deprecation_headers_and_v2_none() {
    let app = spawn_app().await;
    for (path, status, successor) in [
        ("/v1/curves?limit=1", 200, "/v2/curves"),
        ("/v1/curves?limit=0", 400, "/v2/curves"),
        (
            "/v1/metadata/locations/PJM/NOPE",
            404,
            "/v2/metadata/locations/PJM/NOPE",
        ),
        ("/v1/nothing-here", 404, "/v2/nothing-here"),
    ] {
        let res = app.get(path).await;
        assert_eq!(res.status().as_u16(), status, "{path}");
        assert_deprecated(&res, successor);
    }
    let res = app
        .client
        .put(format!("{}/v1/curves", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 405);
    assert_eq!(header(&res, "allow"), "GET");
    assert_deprecated(&res, "/v2/curves");
    let res = app.get("/v2/curves?limit=1").await;
    assert!(res.headers().get("deprecation").is_none());
}

#[tokio::test]
async fn v1_answers_410_gone_after_sunset() {
    let app = spawn_known(ApiSettings::defaults(), instant("2027-07-01T00:00:00Z")).await;
    let res = app.get("/v1/curves").await;
    assert_eq!(res.status().as_u16(), 410);
    assert_deprecated(&res, "/v2/curves");
    assert!(header(&res, "content-type").starts_with("application/problem+json"));
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["type"], "/problems/gone");
    assert!(body["request_id"].is_string());
    let (status, _) = app.get_json("/v2/curves?limit=1").await;
    assert_eq!(status, 200);
    assert_eq!(app.get("/problems/gone").await.status().as_u16(), 200);
}

#[tokio::test]
async fn v1_works_until_the_sunset_instant() {
    let app = spawn_known(ApiSettings::defaults(), instant("2027-06-30T23:59:58Z")).await;
    let res = app.get("/v1/curves?limit=1").await;
    assert_eq!(res.status().as_u16(), 200);
}

#[tokio::test]
async fn a_disabled_domain_is_404_while_v2_and_other_domains_work() {
    let api = ApiSettings {
        v1_curves: false,
        ..ApiSettings::defaults()
    };
    let app = spawn_known(api, instant("2026-11-26T00:00:00Z")).await;
    for method in [reqwest::Method::GET, reqwest::Method::POST] {
        let res = app
            .client
            .request(method.clone(), format!("{}/v1/curves", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 404, "{method}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["type"], "/problems/not-found");
    }
    assert_eq!(app.get("/v2/curves?limit=1").await.status().as_u16(), 200);
    assert_eq!(
        app.get("/v1/metadata/dimensions").await.status().as_u16(),
        200
    );
    let (_, doc) = app.get_json("/openapi.json").await;
    assert!(doc["paths"].get("/v1/curves").is_none());
    assert!(doc["paths"].get("/v1/metadata/dimensions").is_some());

    let off = ApiSettings {
        v1_enabled: false,
        ..ApiSettings::defaults()
    };
    let app = spawn_known(off, instant("2026-11-26T00:00:00Z")).await;
    let res = app.get("/v1/scenarios").await;
    assert_eq!(res.status().as_u16(), 404);
    assert_eq!(app.get("/v2/curves?limit=1").await.status().as_u16(), 200);
}

#[tokio::test]
async fn the_v1_counter_counts_by_route_template() {
    let app = spawn_app().await;
    app.get("/v1/curves?limit=1").await;
    app.get("/v1/metadata/locations/PJM/x").await;
    let text = app.get("/metrics").await.text().await.unwrap();
    assert!(
        text.contains("aurum_api_v1_requests_total{route=\"/v1/curves\"} 1"),
        "{text}"
    );
    assert!(text.contains(
        "aurum_api_v1_requests_total{route=\"/v1/metadata/locations/{iso}/{location_id}\"} 1"
    ));
}

/// A finished run cannot be cancelled or moved by a client; asking for its own state is a no-op.
async fn guarded_transitions_of_a_finished_run(app: &TestApp, run_id: &str) {
    let cancel = format!("/v1/scenarios/runs/{run_id}/cancel");
    let (status, _) = send(app, reqwest::Method::POST, &cancel, "acme", None).await;
    assert_eq!(status, 409);
    let (status, _) = send(app, reqwest::Method::POST, &cancel, "globex", None).await;
    assert_eq!(status, 404, "another tenant's run is unknown");
    let state = format!("/v1/scenarios/runs/{run_id}/state");
    let (status, same) = send(
        app,
        reqwest::Method::POST,
        &state,
        "acme",
        Some(json!({"state": "succeeded"})),
    )
    .await;
    assert_eq!(status, 200, "{same}");
    let (status, _) = send(
        app,
        reqwest::Method::POST,
        &state,
        "acme",
        Some(json!({"state": "running"})),
    )
    .await;
    assert_eq!(status, 409);
    let (status, _) = send(
        app,
        reqwest::Method::POST,
        &state,
        "acme",
        Some(json!({"state": "done"})),
    )
    .await;
    assert_eq!(status, 400);
}

/// Polls a run until it leaves queued/running (bounded; no wall-clock assertion).
async fn wait_finished(app: &TestApp, id: &str, run_id: &str) -> Value {
    for _ in 0..500 {
        let path = format!("/v1/scenarios/{id}/runs/{run_id}");
        let (_, r) = send(app, reqwest::Method::GET, &path, "acme", None).await;
        if !matches!(r["data"]["status"].as_str(), Some("queued" | "running")) {
            return r["data"].clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("run {run_id} never finished");
}

#[tokio::test]
async fn v1_and_v2_scenarios_are_the_same_resources() {
    let app = spawn_app().await;
    let body = json!({"name": "Legacy", "assumptions": [{"driver_type": "policy", "payload": {"policy_name": "Clean"}}], "tags": ["t1"]});
    let (status, created) = send(
        &app,
        reqwest::Method::POST,
        "/v1/scenarios",
        "acme",
        Some(body),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["data"]["id"].as_str().unwrap().to_owned();
    assert!(created["meta"]["query_time_ms"].is_number());
    let (_, v2) = send(
        &app,
        reqwest::Method::GET,
        &format!("/v2/scenarios/{id}"),
        "acme",
        None,
    )
    .await;
    assert_eq!(created["data"], v2["data"]);
    let (_, v1_list) = send(&app, reqwest::Method::GET, "/v1/scenarios", "acme", None).await;
    let (_, v2_list) = send(&app, reqwest::Method::GET, "/v2/scenarios", "acme", None).await;
    assert_eq!(v1_list["data"], v2_list["data"]);
    assert_eq!(v1_list["meta"]["count"], 1);

    let (status, run) = send(
        &app,
        reqwest::Method::POST,
        &format!("/v1/scenarios/{id}/run"),
        "acme",
        None,
    )
    .await;
    assert_eq!(status, 202, "{run}");
    let run_id = run["data"]["id"].as_str().unwrap().to_owned();
    let finished = wait_finished(&app, &id, &run_id).await;
    assert_eq!(finished["status"], "succeeded", "{finished}");
    let (_, runs) = send(
        &app,
        reqwest::Method::GET,
        &format!("/v1/scenarios/{id}/runs?state=succeeded"),
        "acme",
        None,
    )
    .await;
    assert_eq!(runs["data"][0]["id"], run_id.as_str());

    let (_, v1_out) = send(
        &app,
        reqwest::Method::GET,
        &format!("/v1/scenarios/{id}/outputs?limit=500"),
        "acme",
        None,
    )
    .await;
    let (_, v2_out) = send(
        &app,
        reqwest::Method::GET,
        &format!("/v2/scenarios/{id}/outputs?limit=500"),
        "acme",
        None,
    )
    .await;
    assert!(!v1_out["data"].as_array().unwrap().is_empty());
    assert_eq!(v1_out["data"], v2_out["data"]);
    let (status, latest) = send(
        &app,
        reqwest::Method::GET,
        &format!("/v1/scenarios/{id}/metrics/latest"),
        "acme",
        None,
    )
    .await;
    assert_eq!(status, 200, "{latest}");

    guarded_transitions_of_a_finished_run(&app, &run_id).await;

    let (status, _) = send(
        &app,
        reqwest::Method::DELETE,
        &format!("/v1/scenarios/{id}"),
        "acme",
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = send(
        &app,
        reqwest::Method::GET,
        &format!("/v2/scenarios/{id}"),
        "acme",
        None,
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_queued_run_is_cancelled_through_the_v1_state_command() {
    let api = ApiSettings::defaults();
    let dir = tempfile::TempDir::new().unwrap();
    let file = write_temp(&dir, "known.csv", &known_csv());
    let mut settings = ServeSettings::for_tests();
    settings.load = vec![file];
    settings.api = api;
    settings.in_process_worker = Some(false);
    let app = Application::build(settings).await.unwrap();
    let app = {
        let base = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        TestApp::new(base)
    };
    let body = json!({"name": "Queued", "assumptions": [{"driver_type": "policy", "payload": {"policy_name": "Clean"}}], "tags": []});
    let (status, created) = send(
        &app,
        reqwest::Method::POST,
        "/v1/scenarios",
        "acme",
        Some(body),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["data"]["id"].as_str().unwrap();
    let (_, run) = send(
        &app,
        reqwest::Method::POST,
        &format!("/v1/scenarios/{id}/run"),
        "acme",
        None,
    )
    .await;
    let run_id = run["data"]["id"].as_str().unwrap();
    assert_eq!(run["data"]["status"], "queued");
    let (status, after) = send(
        &app,
        reqwest::Method::POST,
        &format!("/v1/scenarios/runs/{run_id}/state"),
        "acme",
        Some(json!({"state": "cancelled"})),
    )
    .await;
    assert_eq!(status, 200, "{after}");
    assert_eq!(after["data"]["status"], "cancelled");
}

#[tokio::test]
async fn admin_invalidation_needs_the_token_when_one_is_set() {
    let api = ApiSettings {
        admin_token: Some("s3cret".into()),
        ..ApiSettings::defaults()
    };
    let app = spawn_known(api, instant("2026-11-26T00:00:00Z")).await;
    let url = format!("{}/v1/admin/cache/curves/invalidate", app.base);
    let res = app.client.post(&url).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 401);
    assert!(header(&res, "www-authenticate").starts_with("Bearer"));
    assert_deprecated(&res, "/v2/admin");
    let res = app
        .client
        .post(&url)
        .bearer_auth("s3cret")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["data"], json!({"purged": 0, "namespace": "curves"}));
}

#[tokio::test]
async fn reference_metadata_is_served_and_bad_ranges_are_400() {
    let app = spawn_app().await;
    let (status, calendars) = app.get_json("/v1/metadata/calendars").await;
    assert_eq!(status, 200, "{calendars}");
    let name = calendars["data"][0]["name"].as_str().unwrap().to_owned();
    let block = calendars["data"][0]["blocks"][0]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _) = app
        .get_json(&format!("/v1/metadata/calendars/{name}/blocks"))
        .await;
    assert_eq!(status, 200);
    let (status, hours) = app
        .get_json(&format!(
            "/v1/metadata/calendars/{name}/expand?block={block}&start=2026-01-05&end=2026-01-06"
        ))
        .await;
    assert_eq!(status, 200, "{hours}");
    let (status, body) = app
        .get_json(&format!(
            "/v1/metadata/calendars/{name}/expand?block={block}&start=2026-01-06&end=2026-01-05"
        ))
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["errors"][0]["parameter"], "end");
    let (status, _) = app.get_json("/v1/metadata/calendars/nowhere/blocks").await;
    assert_eq!(status, 404);
    let (status, locations) = app.get_json("/v1/metadata/locations").await;
    assert_eq!(status, 200);
    let first = &locations["data"][0];
    let (status, one) = app
        .get_json(&format!(
            "/v1/metadata/locations/{}/{}",
            first["iso"].as_str().unwrap(),
            first["location_id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(&one["data"], first);
    let (status, _) = app.get_json("/v1/metadata/units?prefix=$").await;
    assert_eq!(status, 200);
    let (status, _) = app.get_json("/v1/metadata/units/mapping").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn the_migration_guide_is_served() {
    let app = spawn_app().await;
    let res = app.get("/docs/migration-v1-to-v2").await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(header(&res, "content-type").starts_with("text/html"));
    assert!(res.text().await.unwrap().contains("/v2/curves"));
}
