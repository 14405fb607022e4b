//! The cache and the rate limiter end to end: headers and 429s, the admin API, cached reads
//! and their metrics, two instances sharing Redis, and Redis failing under load.
#![expect(
    clippy::float_cmp,
    reason = "scraped counters are small integers, exact in f64"
)]
#![expect(
    clippy::similar_names,
    reason = "status/stats pairs read naturally in these tests"
)]
#![expect(clippy::too_many_lines, reason = "one end-to-end scenario per test")]

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::helpers::{TestApp, free_port, known_csv, spawn_app, spawn_with, write_temp};
use aurum::settings::ServeSettings;
use serde_json::{Value, json};

/// The Redis the tests share, unless `AURUM_TEST_REDIS_URL` says otherwise.
fn redis_url() -> Option<String> {
    if std::env::var("AURUM_SKIP_SERVICE_TESTS").is_ok_and(|v| v == "1") {
        eprintln!("skipped: AURUM_SKIP_SERVICE_TESTS=1");
        return None;
    }
    let url = std::env::var("AURUM_TEST_REDIS_URL")
        .unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
    let addr = url
        .trim_start_matches("redis://")
        .trim_end_matches('/')
        .to_owned();
    assert!(
        std::net::TcpStream::connect(&addr).is_ok(),
        "Redis is not reachable at {url}; start it with `redis-server --daemonize yes \
         --bind 127.0.0.1 --port 6379 --save \"\" --appendonly no` or set \
         AURUM_SKIP_SERVICE_TESTS=1"
    );
    Some(url)
}

fn unique_prefix() -> String {
    format!("aurum-it-{}:", uuid::Uuid::new_v4().simple())
}

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = app.client.request(method, format!("{}{path}", app.base));
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.expect("request sent");
    let status = res.status().as_u16();
    let text = res.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// The `curves` namespace of `GET /v2/admin/cache`, and the whole answer.
async fn curves_stats(app: &TestApp) -> (Value, Value) {
    let (_, stats) = send(app, reqwest::Method::GET, "/v2/admin/cache", None).await;
    let curves = stats["data"]["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["name"] == "curves")
        .unwrap()
        .clone();
    (curves, stats)
}

async fn metrics(app: &TestApp) -> String {
    app.get("/metrics").await.text().await.unwrap()
}

/// The value of the Prometheus sample whose line starts with `series` (name and labels as
/// printed), or 0 when absent.
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    text.lines()
        .filter(|l| l.starts_with(name) && !l.starts_with('#'))
        .filter(|l| {
            let (head, _) = l.rsplit_once(' ').unwrap_or((l, ""));
            head.split(['{', '}']).next() == Some(name)
                && labels
                    .iter()
                    .all(|(k, v)| head.contains(&format!("{k}=\"{v}\"")))
        })
        .filter_map(|l| l.rsplit_once(' ')?.1.parse::<f64>().ok())
        .sum()
}

#[tokio::test]
async fn limited_routes_carry_rate_limit_headers_and_operational_routes_do_not() {
    let app = spawn_app().await;
    let res = app.get("/v2/curves?limit=1").await;
    assert_eq!(res.status(), 200);
    let policy = res.headers()["ratelimit-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(policy.starts_with("\"default\";q=1000000;w=60"), "{policy}");
    assert!(
        res.headers()["ratelimit"]
            .to_str()
            .unwrap()
            .starts_with("\"default\";r=")
    );
    assert!(res.headers().contains_key("x-ratelimit-remaining"));
    for path in ["/health", "/ready", "/metrics", "/openapi.json"] {
        let res = app.get(path).await;
        assert!(
            !res.headers().contains_key("ratelimit"),
            "{path} must not be limited"
        );
    }
}

#[tokio::test]
async fn a_tenant_over_its_quota_gets_a_429_problem_with_retry_after() {
    let app = spawn_app().await;
    // One request per 30 s and no burst: an idle key admits exactly one.
    let (status, body) = send(
        &app,
        reqwest::Method::POST,
        "/v2/admin/rate-limits/policies",
        Some(json!({"name": "tight", "tenant": "acme", "quota": 2, "window_seconds": 60, "burst": 0})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let first = app
        .get_with("/v2/curves?limit=1", &[("X-Tenant-ID", "acme")])
        .await;
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()["ratelimit-policy"], "\"tight\";q=2;w=60");
    let second = app
        .get_with("/v2/curves?limit=1", &[("X-Tenant-ID", "acme")])
        .await;
    assert_eq!(second.status(), 429);
    assert_eq!(second.headers()["content-type"], "application/problem+json");
    // The key's TAT is 30 s ahead after one admission; the next slot is 30 s away.
    let retry: u64 = second.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((29..=30).contains(&retry), "Retry-After {retry}");
    assert_eq!(second.headers()["x-ratelimit-remaining"], "0");
    let problem: Value = second.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/quota-exceeded");
    assert_eq!(problem["status"], 429);
    // Another tenant and operational routes are unaffected.
    let other = app
        .get_with("/v2/curves?limit=1", &[("X-Tenant-ID", "beta")])
        .await;
    assert_eq!(other.status(), 200);
    assert_eq!(
        app.get_with("/health", &[("X-Tenant-ID", "acme")])
            .await
            .status(),
        200
    );
    let text = metrics(&app).await;
    assert_eq!(
        sample(
            &text,
            "aurum_rate_limit_decisions_total",
            &[("policy", "tight"), ("decision", "limited")]
        ),
        1.0
    );
}

#[tokio::test]
async fn operators_manage_policies_through_the_admin_api() {
    let app = spawn_app().await;
    let post = |body: Value| {
        send(
            &app,
            reqwest::Method::POST,
            "/v2/admin/rate-limits/policies",
            Some(body),
        )
    };
    let (status, _) = post(json!({"name": "curves-acme", "tenant": "acme", "route_group": "curves", "quota": 10, "window_seconds": 1})).await;
    assert_eq!(status, 201);
    let (status, problem) =
        post(json!({"name": "curves-acme", "quota": 1, "window_seconds": 1})).await;
    assert_eq!(status, 409, "{problem}");
    let (status, problem) = post(json!({"name": "bad", "quota": 0, "window_seconds": 1})).await;
    assert_eq!(status, 422, "{problem}");
    let (status, problem) =
        post(json!({"name": "bad", "tenant": "NOT VALID!", "quota": 1, "window_seconds": 1})).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["pointer"], "/tenant");

    let (status, list) = send(
        &app,
        reqwest::Method::GET,
        "/v2/admin/rate-limits/policies",
        None,
    )
    .await;
    assert_eq!(status, 200);
    let names: Vec<&str> = list["data"]["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["curves-acme", "default"]);

    let (status, _) = send(&app, reqwest::Method::PUT, "/v2/admin/rate-limits/policies/curves-acme",
        Some(json!({"tenant": "acme", "route_group": "curves", "quota": 20, "window_seconds": 1, "burst": 5}))).await;
    assert_eq!(status, 200);
    // The change applies at once on this instance: the dry run names the policy and its quota.
    let (status, dry) = send(
        &app,
        reqwest::Method::POST,
        "/v2/admin/rate-limits/decisions:dry-run",
        Some(json!({"tenant": "acme", "path": "/v2/curves/diff"})),
    )
    .await;
    assert_eq!(status, 200, "{dry}");
    assert_eq!(dry["data"]["policy"], "curves-acme");
    assert_eq!(dry["data"]["rate_limit_policy"], "\"curves-acme\";q=20;w=1");
    assert_eq!(dry["data"]["allowed"], true);
    // Metadata routes of the same tenant fall back to the default policy.
    let (_, dry) = send(
        &app,
        reqwest::Method::POST,
        "/v2/admin/rate-limits/decisions:dry-run",
        Some(json!({"tenant": "acme", "path": "/v2/metadata/units"})),
    )
    .await;
    assert_eq!(dry["data"]["policy"], "default");
    let (_, dry) = send(
        &app,
        reqwest::Method::POST,
        "/v2/admin/rate-limits/decisions:dry-run",
        Some(json!({"path": "/health"})),
    )
    .await;
    assert_eq!(dry["data"]["route_group"], Value::Null);
    assert_eq!(dry["data"]["allowed"], true);

    let (status, usage) = send(
        &app,
        reqwest::Method::GET,
        "/v2/admin/rate-limits/usage?tenant=acme",
        None,
    )
    .await;
    assert_eq!(status, 200);
    let groups = usage["data"]["groups"].as_array().unwrap();
    let curves = groups
        .iter()
        .find(|g| g["route_group"] == "curves")
        .unwrap();
    assert_eq!(curves["policy"], "curves-acme");
    assert_eq!(
        curves["remaining"], 6,
        "an idle key admits burst + 1 at once"
    );

    let (status, _) = send(
        &app,
        reqwest::Method::DELETE,
        "/v2/admin/rate-limits/policies/curves-acme",
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = send(
        &app,
        reqwest::Method::DELETE,
        "/v2/admin/rate-limits/policies/curves-acme",
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (_, dry) = send(
        &app,
        reqwest::Method::POST,
        "/v2/admin/rate-limits/decisions:dry-run",
        Some(json!({"tenant": "acme", "path": "/v2/curves"})),
    )
    .await;
    assert_eq!(dry["data"]["policy"], "default");
}

#[tokio::test]
async fn repeated_reads_are_served_from_the_cache_until_invalidated() {
    let app = spawn_app().await;
    let path = "/v2/curves?iso=PJM&limit=5";
    let first: Value = app.get(path).await.json().await.unwrap();
    // Parameter order does not matter; the request id is this request's own.
    let second: Value = app
        .get("/v2/curves?limit=5&iso=PJM")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first["data"], second["data"]);
    assert_ne!(first["meta"]["request_id"], second["meta"]["request_id"]);
    let (curves, stats) = curves_stats(&app).await;
    assert_eq!(curves["hits"], 1, "{curves}");
    assert_eq!(curves["misses"], 1);
    assert_eq!(curves["hit_ratio"], 0.5);
    assert_eq!(curves["entries"], 1);
    assert!(curves["bytes"].as_u64().unwrap() > 100);
    assert_eq!(stats["data"]["backend"], "memory");

    let text = metrics(&app).await;
    assert_eq!(
        sample(
            &text,
            "aurum_cache_requests_total",
            &[("namespace", "curves"), ("result", "hit")]
        ),
        1.0
    );
    assert_eq!(
        sample(
            &text,
            "aurum_cache_requests_total",
            &[("namespace", "curves"), ("result", "miss")]
        ),
        1.0
    );

    let (status, done) = send(
        &app,
        reqwest::Method::POST,
        "/v2/admin/cache/curves/invalidate",
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(done["data"]["purged"], 1);
    let version = done["data"]["version"].as_u64().unwrap();
    let (_, again) = send(
        &app,
        reqwest::Method::POST,
        "/v2/admin/cache/curves/invalidate",
        None,
    )
    .await;
    assert_eq!(again["data"]["version"].as_u64(), Some(version + 1));
    assert_eq!(again["data"]["purged"], 0);
    app.get(path).await;
    let text = metrics(&app).await;
    assert_eq!(
        sample(
            &text,
            "aurum_cache_requests_total",
            &[("namespace", "curves"), ("result", "miss")]
        ),
        2.0
    );
    let (status, _) = send(
        &app,
        reqwest::Method::POST,
        "/v2/admin/cache/nope/invalidate",
        None,
    )
    .await;
    assert_eq!(status, 404);
    // The legacy route invalidates every curve namespace.
    app.get("/v2/metadata/dimensions").await;
    let (status, v1) = send(
        &app,
        reqwest::Method::POST,
        "/v1/admin/cache/curves/invalidate",
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        v1["data"]["purged"], 2,
        "one curves page and one dimensions answer: {v1}"
    );
}

#[tokio::test]
async fn errors_and_invalid_requests_are_never_cached() {
    let app = spawn_app().await;
    for _ in 0..2 {
        assert_eq!(app.get("/v2/curves?limit=0").await.status(), 400);
    }
    let (curves, _) = curves_stats(&app).await;
    assert_eq!(curves["hits"], 0);
    assert_eq!(curves["entries"], 0);
}

fn shared_settings(redis: &str, prefix: &str, file: &std::path::Path) -> ServeSettings {
    let mut settings = ServeSettings::for_tests();
    settings.load = vec![file.to_owned()];
    settings.traffic.redis.redis_url = Some(redis.to_owned());
    settings.traffic.redis.redis_key_prefix = prefix.to_owned();
    // 100 per hour with a burst of 99: an idle key admits exactly 100 at once, and nothing
    // replenishes within the test (one request per 36 s).
    settings.traffic.rate_limit_default_quota = 100;
    settings.traffic.rate_limit_default_window_secs = 3600;
    settings.traffic.rate_limit_default_burst = 99;
    settings.traffic.cache_local_ttl_ms = 1;
    settings
}

#[tokio::test]
async fn two_instances_sharing_redis_enforce_one_quota_and_one_cache() {
    let Some(redis) = redis_url() else { return };
    let prefix = unique_prefix();
    let dir = tempfile::TempDir::new().unwrap();
    let file = write_temp(&dir, "known.csv", &known_csv());
    let a = spawn_with(shared_settings(&redis, &prefix, &file), None).await;
    let b = spawn_with(shared_settings(&redis, &prefix, &file), None).await;
    let mut admitted = 0;
    let mut limited = 0;
    for i in 0..300 {
        let app = if i % 2 == 0 { &a } else { &b };
        let res = app
            .get_with("/v2/curves?limit=1", &[("X-Tenant-ID", "twin")])
            .await;
        match res.status().as_u16() {
            200 => admitted += 1,
            429 => limited += 1,
            other => panic!("unexpected status {other}"),
        }
    }
    eprintln!("two instances: admitted {admitted} of 300 requests (quota 100, burst included)");
    // Per-instance counters would admit 200; one shared quota admits 100 (within 5 %).
    assert!(
        (95..=105).contains(&admitted),
        "admitted {admitted}, limited {limited}"
    );
    assert_eq!(admitted + limited, 300);

    // A page cached by one instance is a hit on the other (through Redis).
    let count = |stats: &Value, field: &str| {
        stats["data"]["namespaces"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["name"] == "curves")
            .unwrap()[field]
            .as_u64()
            .unwrap()
    };
    let hits = |stats: &Value| count(stats, "hits");
    let (_, before_b) = send(&b, reqwest::Method::GET, "/v2/admin/cache", None).await;
    let (_, before_a) = send(&a, reqwest::Method::GET, "/v2/admin/cache", None).await;
    let misses = |stats: &Value| count(stats, "misses");
    let page = "/v2/curves?limit=3&iso=NYMEX";
    a.get(page).await;
    b.get(page).await;
    let (_, after_b) = send(&b, reqwest::Method::GET, "/v2/admin/cache", None).await;
    let (_, after_a) = send(&a, reqwest::Method::GET, "/v2/admin/cache", None).await;
    assert_eq!(
        hits(&after_b),
        hits(&before_b) + 1,
        "b hits a's entry in Redis"
    );
    assert_eq!(misses(&after_a), misses(&before_a) + 1, "a computed it");
    assert_eq!(after_b["data"]["backend"], "memory+redis");
    // Invalidation on a reaches b: b's next read of the page misses (the local tier keeps
    // copies for 1 ms in this test) and recomputes.
    let (status, _) = send(
        &a,
        reqwest::Method::POST,
        "/v2/admin/cache/curves/invalidate",
        None,
    )
    .await;
    assert_eq!(status, 200);
    tokio::time::sleep(Duration::from_millis(5)).await;
    b.get(page).await;
    let (_, last_b) = send(&b, reqwest::Method::GET, "/v2/admin/cache", None).await;
    assert_eq!(
        misses(&last_b),
        misses(&after_b) + 1,
        "b missed after a's invalidation"
    );
    assert_eq!(hits(&last_b), hits(&after_b));
}

#[tokio::test]
async fn a_policy_created_on_one_instance_applies_on_another() {
    let Some(schema) = crate::pg::test_schema().await else {
        return;
    };
    let mut settings = ServeSettings::for_tests();
    settings.database.database_url = Some(schema.url.clone());
    settings.database.db_schema = Some(schema.name.clone());
    settings.database.db_migrate = aurum::settings::MigrateMode::Auto;
    settings.in_process_worker = Some(false);
    settings.traffic.rate_limit_refresh_ms = 200;
    let a = spawn_with(settings.clone(), None).await;
    let b = spawn_with(settings, None).await;
    let (status, _) = send(
        &a,
        reqwest::Method::POST,
        "/v2/admin/rate-limits/policies",
        Some(json!({"name": "shared", "tenant": "acme", "quota": 7, "window_seconds": 60})),
    )
    .await;
    assert_eq!(status, 201);
    let mut seen = false;
    for _ in 0..100 {
        let (_, dry) = send(
            &b,
            reqwest::Method::POST,
            "/v2/admin/rate-limits/decisions:dry-run",
            Some(json!({"tenant": "acme", "path": "/v2/curves"})),
        )
        .await;
        if dry["data"]["policy"] == "shared" {
            seen = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(seen, "instance b never applied the policy created on a");
    let (_, list) = send(
        &b,
        reqwest::Method::GET,
        "/v2/admin/rate-limits/policies",
        None,
    )
    .await;
    assert_eq!(list["data"]["store"], "postgres");
}

/// A private redis-server on a free port, killed on drop.
struct PrivateRedis {
    child: Child,
    port: u16,
}

impl PrivateRedis {
    fn start(port: u16) -> Self {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server is on PATH");
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Self { child, port }
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

#[tokio::test]
async fn redis_failing_under_load_degrades_speed_never_correctness() {
    if redis_url().is_none() {
        return;
    }
    let mut redis = PrivateRedis::start(free_port());
    let dir = tempfile::TempDir::new().unwrap();
    let file = write_temp(&dir, "known.csv", &known_csv());
    let mut settings = shared_settings(
        &format!("redis://127.0.0.1:{}", redis.port),
        &unique_prefix(),
        &file,
    );
    settings.traffic.rate_limit_default_quota = 1_000_000;
    settings.traffic.rate_limit_default_burst = 100_000;
    settings.traffic.cache_local_ttl_ms = 1;
    settings.traffic.cache_redis_pause_ms = 100;
    let app = spawn_with(settings, None).await;
    let expected: Value = app
        .get("/v2/curves?limit=7&iso=PJM")
        .await
        .json()
        .await
        .unwrap();
    let load = |n: usize| {
        let app = &app;
        let expected = &expected;
        async move {
            let mut statuses = Vec::new();
            for _ in 0..n {
                let res = app.get("/v2/curves?limit=7&iso=PJM").await;
                statuses.push(res.status().as_u16());
                let body: Value = res.json().await.unwrap();
                assert_eq!(body["data"], expected["data"], "answers stay correct");
            }
            statuses
        }
    };
    let before = load(50).await;
    redis.stop();
    let during = load(100).await;
    assert!(
        before.iter().chain(&during).all(|s| *s == 200),
        "no 5xx while Redis is down"
    );
    let (status, ready) = app.get_json("/ready").await;
    assert_eq!(status, 200);
    assert_eq!(ready["status"], "warn");
    assert_eq!(ready["checks"]["redis:responseTime"][0]["status"], "warn");
    let text = metrics(&app).await;
    assert!(
        sample(
            &text,
            "aurum_cache_requests_total",
            &[("namespace", "curves"), ("result", "error")]
        ) > 0.0
    );
    assert!(
        sample(
            &text,
            "aurum_rate_limit_decisions_total",
            &[("decision", "error")]
        ) > 0.0
    );

    // Redis back on the same port: the breaker closes and hits come back.
    let _redis = PrivateRedis::start(redis.port);
    let mut recovered = false;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let hits_before = sample(
            &metrics(&app).await,
            "aurum_cache_requests_total",
            &[("namespace", "curves"), ("result", "hit")],
        );
        load(2).await;
        let hits_after = sample(
            &metrics(&app).await,
            "aurum_cache_requests_total",
            &[("namespace", "curves"), ("result", "hit")],
        );
        if hits_after > hits_before {
            recovered = true;
            break;
        }
    }
    assert!(
        recovered,
        "the hit ratio never recovered after Redis came back"
    );
    let (_, ready) = app.get_json("/ready").await;
    assert_eq!(ready["status"], "pass");
}
