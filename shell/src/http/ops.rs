//! Operational routes: liveness, readiness (`application/health+json`), Prometheus metrics,
//! problem-type documentation pages, and the 404/405 fallback.

use std::time::{Duration, Instant};

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde_json::json;

use super::problem::{ApiError, kinds};
use crate::state::AppState;

/// How long a readiness probe waits for a dependency.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// Liveness: the process answers. Never depends on a dependency.
#[utoipa::path(
    get, path = "/health", tag = "operations", operation_id = "health",
    responses((status = 200, description = "The process is alive", content_type = "application/health+json", body = Object))
)]
#[get("/health")]
pub async fn health() -> HttpResponse {
    health_response()
}

/// The liveness handler of the `/healthz` and `/livez` aliases.
pub async fn health_alias() -> HttpResponse {
    health_response()
}

/// The liveness answer.
pub fn health_response() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/health+json"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(r#"{"status":"pass"}"#)
}

/// Readiness: one check per dependency; 503 when a required one fails.
#[utoipa::path(
    get, path = "/ready", tag = "operations", operation_id = "ready",
    responses(
        (status = 200, description = "Ready (pass or warn)", content_type = "application/health+json", body = Object),
        (status = 503, description = "Not ready", content_type = "application/health+json", body = Object),
    )
)]
#[get("/ready")]
pub async fn ready(state: web::Data<AppState>) -> HttpResponse {
    ready_response(&state).await
}

/// The readiness answer (also served at `/readyz`).
pub async fn ready_response(state: &AppState) -> HttpResponse {
    let checks_list = dependency_checks(state).await;
    let mut checks = serde_json::Map::new();
    let mut status = "pass";
    for (name, check_status, check) in checks_list {
        if check_status == "fail" {
            status = "fail";
        } else if check_status == "warn" && status == "pass" {
            status = "warn";
        }
        let key = if name == "otlp" {
            "otlp:export".to_owned()
        } else if name == "events" {
            "events:lag".to_owned()
        } else {
            format!("{name}:responseTime")
        };
        checks.insert(key, json!([check]));
    }
    let draining = state.lifecycle.is_draining();
    if draining {
        status = "fail";
    }
    let mut body = json!({
        "status": status,
        "version": env!("CARGO_PKG_VERSION"),
        "checks": checks,
    });
    if draining {
        body["output"] = json!("draining: the service is shutting down");
    }
    let mut res = if status == "fail" {
        HttpResponse::ServiceUnavailable()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((header::CONTENT_TYPE, "application/health+json"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body.to_string())
}

/// Event delivery lag (oldest pending outbox event) above which `/ready` warns.
const EVENT_LAG_WARN_SECS: f64 = 60.0;

/// Event delivery is optional: a sink that keeps failing shows as lag or dead letters (`warn`).
async fn events_check(state: &AppState) -> (String, &'static str, serde_json::Value) {
    let outcome = tokio::time::timeout(PROBE_TIMEOUT, state.outbox.stats()).await;
    let (status, output, lag) = match outcome {
        Ok(Ok(outbox)) => {
            let lag = outbox
                .oldest_pending
                .map_or(0.0, |t| (state.clock.now() - t).as_seconds_f64().max(0.0));
            if outbox.dead_letters > 0 || lag > EVENT_LAG_WARN_SECS {
                (
                    "warn",
                    Some(format!(
                        "{} dead letters, oldest pending event {lag:.0} s old",
                        outbox.dead_letters
                    )),
                    lag,
                )
            } else {
                ("pass", None, lag)
            }
        }
        Ok(Err(e)) => ("warn", Some(e.to_string()), 0.0),
        Err(_) => ("warn", Some("timed out".to_owned()), 0.0),
    };
    (
        "events".to_owned(),
        status,
        json!({
            "componentId": "outbox",
            "componentType": "component",
            "observedValue": lag,
            "observedUnit": "s",
            "status": status,
            "output": output,
        }),
    )
}

/// Checks every dependency concurrently: `(component, pass|warn|fail, check object)`. The curve
/// store is required (`fail`); Redis and the OTLP collector are optional (`warn`).
pub async fn dependency_checks(state: &AppState) -> Vec<(String, &'static str, serde_json::Value)> {
    let timed = |status: &'static str, output: Option<String>, ms: f64, id: &str| {
        json!({
            "componentId": id,
            "componentType": "datastore",
            "observedValue": ms,
            "observedUnit": "ms",
            "status": status,
            "output": output,
        })
    };
    let store = async {
        let start = Instant::now();
        let outcome = tokio::time::timeout(PROBE_TIMEOUT, state.curves.store().ping()).await;
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        let (status, output) = match outcome {
            Ok(Ok(())) => ("pass", None),
            Ok(Err(e)) => ("fail", Some(e.to_string())),
            Err(_) => ("fail", Some("timed out".to_owned())),
        };
        (
            state.store_kind.to_owned(),
            status,
            timed(status, output, ms, state.store_kind),
        )
    };
    let redis = async {
        let redis = state.traffic.redis.as_ref()?;
        let start = Instant::now();
        let outcome = tokio::time::timeout(PROBE_TIMEOUT, redis.ping()).await;
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        let (status, output) = match outcome {
            Ok(Ok(())) => ("pass", None),
            Ok(Err(e)) => ("warn", Some(e.to_string())),
            Err(_) => ("warn", Some("timed out".to_owned())),
        };
        Some((
            "redis".to_owned(),
            status,
            timed(status, output, ms, "redis"),
        ))
    };
    let events = events_check(state);
    let (store, redis, events) = futures::join!(store, redis, events);
    let mut checks = vec![store];
    checks.extend(redis);
    checks.push(events);
    let otlp = match state.telemetry.export_status() {
        crate::telemetry::ExportStatus::Disabled => None,
        crate::telemetry::ExportStatus::Ok => Some(("pass", None)),
        crate::telemetry::ExportStatus::Failing(e) => Some(("warn", Some(e))),
    };
    if let Some((status, output)) = otlp {
        checks.push((
            "otlp".to_owned(),
            status,
            json!({
                "componentId": "otlp",
                "componentType": "component",
                "status": status,
                "output": output,
            }),
        ));
    }
    checks
}

/// Prometheus metrics in the text exposition format.
#[utoipa::path(
    get, path = "/metrics", tag = "operations", operation_id = "metrics",
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain", body = String))
)]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let families = state.registry.gather();
    let text = prometheus::TextEncoder::new()
        .encode_to_string(&families)
        .unwrap_or_default();
    HttpResponse::Ok()
        .insert_header((
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(text)
}

/// The documented problem types (kept equal to `problem::kinds::ALL` by a test).
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "kebab-case")]
pub enum ProblemSlug {
    /// 400
    InvalidParameter,
    /// 400
    InvalidCursor,
    /// 400
    InvalidTenant,
    /// 401
    Unauthorized,
    /// 404
    NotFound,
    /// 405
    MethodNotAllowed,
    /// 406
    NotAcceptable,
    /// 410
    Gone,
    /// 413
    PayloadTooLarge,
    /// 415
    UnsupportedMediaType,
    /// 422
    UnprocessableEntity,
    /// 409
    Conflict,
    /// 429
    QuotaExceeded,
    /// 503
    ServiceUnavailable,
    /// 504
    UpstreamTimeout,
    /// 500
    Internal,
    /// any
    HttpError,
}

/// Documentation of one problem type.
#[utoipa::path(
    get, path = "/problems/{slug}", tag = "operations", operation_id = "problemType",
    params(("slug" = ProblemSlug, Path, description = "Problem type slug")),
    responses(
        (status = 200, description = "HTML page describing the problem type", content_type = "text/html", body = String),
        (status = 404, description = "Unknown problem type", body = super::openapi::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/problems/{slug}")]
pub async fn problem_page(slug: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let kind = super::problem::kinds::ALL
        .iter()
        .find(|k| k.slug == slug.as_str())
        .ok_or_else(|| ApiError::new(kinds::NOT_FOUND, "no problem type has this slug"))?;
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body><h1>{title}</h1><p>Type: <code>/problems/{slug}</code> &middot; status {status}</p>\
         <p>{desc}</p></body></html>",
        title = kind.title,
        slug = kind.slug,
        status = kind.status,
        desc = kind.description,
    );
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(html))
}

/// Routes known to the API description, for telling 405 from 404.
#[derive(Debug, Clone)]
pub struct RouteTable(pub Vec<(String, Vec<&'static str>)>);

/// Whether `path` fits `template`; `Some(literal characters matched)` (more = more specific).
/// A segment may hold one `{placeholder}` between literal text (`{run_id}:cancel`).
fn template_match(template: &str, path: &str) -> Option<usize> {
    let t: Vec<&str> = template.trim_matches('/').split('/').collect();
    let p: Vec<&str> = path.trim_matches('/').split('/').collect();
    if t.len() != p.len() {
        return None;
    }
    let mut literal = 0;
    for (t, p) in t.iter().zip(&p) {
        match (t.find('{'), t.rfind('}')) {
            (Some(open), Some(close)) if open < close => {
                let (prefix, suffix) = (&t[..open], &t[close + 1..]);
                if p.len() <= prefix.len() + suffix.len()
                    || !p.starts_with(prefix)
                    || !p.ends_with(suffix)
                {
                    return None;
                }
                literal += prefix.len() + suffix.len();
            }
            _ if t == p => literal += t.len(),
            _ => return None,
        }
    }
    Some(literal)
}

/// The default service: 405 with `Allow` for a known path with another method, else 404.
pub async fn fallback(
    req: HttpRequest,
    routes: web::Data<RouteTable>,
) -> Result<HttpResponse, ApiError> {
    let matches: Vec<(usize, &Vec<&'static str>)> = routes
        .0
        .iter()
        .filter_map(|(t, m)| template_match(t, req.path()).map(|n| (n, m)))
        .collect();
    let best = matches.iter().map(|(n, _)| *n).max();
    let mut allowed: Vec<&str> = matches
        .iter()
        .filter(|(n, _)| Some(*n) == best)
        .flat_map(|(_, m)| m.iter().copied())
        .collect();
    allowed.sort_unstable();
    allowed.dedup();
    if allowed.is_empty() {
        Err(ApiError::new(
            kinds::NOT_FOUND,
            "no route matches this path; see /openapi.json",
        ))
    } else {
        let allow = allowed.join(", ");
        Err(ApiError::new(
            kinds::METHOD_NOT_ALLOWED,
            format!("{} is not allowed here; use {allow}", req.method()),
        )
        .with_header("Allow", allow))
    }
}

#[cfg(test)]
mod tests {
    use super::template_match;

    fn template_matches(t: &str, p: &str) -> bool {
        template_match(t, p).is_some()
    }

    #[test]
    fn the_most_specific_template_wins_and_placeholders_may_share_a_segment() {
        let cancel = template_match(
            "/v2/scenarios/{id}/runs/{run_id}:cancel",
            "/v2/scenarios/a/runs/b:cancel",
        );
        let get = template_match(
            "/v2/scenarios/{id}/runs/{run_id}",
            "/v2/scenarios/a/runs/b:cancel",
        );
        assert!(cancel.unwrap() > get.unwrap());
        assert!(
            template_match(
                "/v2/scenarios/{id}/runs/{run_id}:cancel",
                "/v2/scenarios/a/runs/:cancel"
            )
            .is_none()
        );
    }

    #[test]
    fn the_documented_problem_slugs_are_exactly_the_emitted_ones() {
        let doc = crate::http::openapi::document();
        let json = serde_json::to_value(&doc).unwrap();
        let mut documented: Vec<String> = json["components"]["schemas"]["ProblemSlug"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect();
        let mut emitted: Vec<String> = crate::http::problem::kinds::ALL
            .iter()
            .map(|k| k.slug.to_owned())
            .collect();
        documented.sort();
        emitted.sort();
        assert_eq!(documented, emitted);
    }

    #[test]
    fn templates_match_paths_segment_by_segment() {
        assert!(template_matches(
            "/v2/curves/{curve_key}/history",
            "/v2/curves/abc/history"
        ));
        assert!(!template_matches(
            "/v2/curves/{curve_key}/history",
            "/v2/curves/history"
        ));
        assert!(template_matches("/v2/curves", "/v2/curves/"));
        assert!(!template_matches("/v2/curves", "/v2/curve"));
    }
}
