//! Cached `GET /v2/curves` (hit path) against a handler returning the same bytes from a static
//! buffer, side by side in one server and one run: both routes sit behind the same middleware
//! (request id, metrics, rate limiting off, deprecation, body limit), and `wrk` loads each in
//! turn, twice, so background noise hits both alike.
//!
//! ```text
//! bash benches/load/cache_hit.sh        # builds in release, installs wrk if needed
//! ```

use std::process::Command;
use std::sync::OnceLock;

use actix_web::{HttpResponse, web};
use anyhow::Context as _;
use aurum::Application;
use aurum::settings::ServeSettings;
use bytes::Bytes;

/// The page the bench asks for: 100 rows of one ISO.
const PAGE: &str = "/v2/curves?iso=PJM&limit=100";

/// The cached answer's bytes, captured once before the load starts (bench-only global).
static BODY: OnceLock<Bytes> = OnceLock::new();

async fn static_page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(BODY.get().cloned().unwrap_or_default())
}

fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/bench/static", web::get().to(static_page));
}

fn wrk(url: &str, duration: &str, connections: &str) -> anyhow::Result<f64> {
    let out = Command::new("wrk")
        .args([
            "-t2",
            &format!("-c{connections}"),
            &format!("-d{duration}"),
            url,
        ])
        .output()
        .context("running wrk (apt-get install wrk)")?;
    let text = String::from_utf8_lossy(&out.stdout);
    let rate = text
        .lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .context("wrk printed no Requests/sec")?
        .trim()
        .parse()?;
    if text.contains("Non-2xx") {
        anyhow::bail!("wrk saw non-2xx answers:\n{text}");
    }
    Ok(rate)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let duration = std::env::var("DURATION").unwrap_or_else(|_| "8s".to_owned());
    let connections = std::env::var("CONNECTIONS").unwrap_or_else(|_| "32".to_owned());
    let mut settings = ServeSettings::for_tests();
    settings.demo_rows = 200_000;
    settings.workers = None;
    settings.traffic.rate_limit_enabled = false;
    settings.extra_routes = Some(routes);
    let app = Application::build(settings).await?;
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::new();
    let body = client
        .get(format!("{base}{PAGE}"))
        .send()
        .await?
        .bytes()
        .await?;
    let _ = BODY.set(body.clone());
    let again = client
        .get(format!("{base}/bench/static"))
        .send()
        .await?
        .bytes()
        .await?;
    anyhow::ensure!(
        again.len() == body.len(),
        "the static route must serve the page's bytes"
    );
    println!("page bytes: {}", body.len());
    let (cached_url, static_url) = (format!("{base}{PAGE}"), format!("{base}/bench/static"));
    let mut cached = Vec::new();
    let mut fixed = Vec::new();
    for _ in 0..2 {
        let (c_url, s_url, d, n) = (
            cached_url.clone(),
            static_url.clone(),
            duration.clone(),
            connections.clone(),
        );
        let (c, s) = tokio::task::spawn_blocking(move || -> anyhow::Result<(f64, f64)> {
            Ok((wrk(&c_url, &d, &n)?, wrk(&s_url, &d, &n)?))
        })
        .await??;
        cached.push(c);
        fixed.push(s);
    }
    let c = cached.iter().sum::<f64>() / 2.0;
    let s = fixed.iter().sum::<f64>() / 2.0;
    println!("cached_hit_req_per_s={c:.0} (runs {cached:?})");
    println!("static_buffer_req_per_s={s:.0} (runs {fixed:?})");
    println!("ratio={:.2} (target >= 0.80)", c / s);
    Ok(())
}
