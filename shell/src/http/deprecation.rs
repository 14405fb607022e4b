//! Deprecation of /v1: every /v1 response (errors included) carries `Deprecation: @<epoch>`
//! (RFC 9745), `Sunset: <IMF-fixdate>` (RFC 8594), a `Link` to the migration guide
//! (`rel="deprecation"`) and to the v2 successor (`rel="successor-version"`) and
//! `X-API-Version: v1`; after the sunset instant (read from the injected clock) every /v1
//! route answers 410 Gone. Calls are counted in `aurum_api_v1_requests_total{route}`. Also
//! serves the migration guide the `Link` points at.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse, get, web};
use aurum_ports::telemetry::{Counter, InstrumentSpec, Meter};
use chrono::{DateTime, Utc};

use super::problem::{ApiError, kinds};
use crate::settings::ApiSettings;
use crate::state::AppState;

/// Where the migration guide is served.
pub const MIGRATION_GUIDE: &str = "/docs/migration-v1-to-v2";

const GUIDE_MARKDOWN: &str = include_str!("../../../docs/migration-v1-to-v2.md");

/// `aurum.api.v1.requests{route}` → `aurum_api_v1_requests_total{route}`.
pub const V1_REQUESTS: InstrumentSpec = InstrumentSpec::new(
    "aurum.api.v1.requests",
    "{request}",
    "Requests to the deprecated /v1 API, by route template.",
);

/// The v1 schedule and the v1 call counter, shared by the middleware.
#[derive(Debug, Clone)]
pub struct V1Deprecation {
    /// `Deprecation` value (`@<epoch seconds>`).
    deprecation: String,
    /// `Sunset` value (IMF-fixdate).
    sunset_header: String,
    /// From this instant on, v1 answers 410.
    sunset: DateTime<Utc>,
    /// `aurum_api_v1_requests_total{route}`.
    requests: Counter,
}

impl V1Deprecation {
    /// The policy of `api`, counting calls through `meter`.
    pub fn new(api: &ApiSettings, meter: &dyn Meter) -> Self {
        Self {
            deprecation: structured_date(api.v1_deprecated_at),
            sunset_header: http_date(api.v1_sunset),
            sunset: api.v1_sunset,
            requests: meter.counter(V1_REQUESTS),
        }
    }
}

/// An RFC 9651 Date item: `@` and the Unix seconds.
pub fn structured_date(at: DateTime<Utc>) -> String {
    format!("@{}", at.timestamp())
}

/// An IMF-fixdate (`Wed, 30 Jun 2027 23:59:59 GMT`).
pub fn http_date(at: DateTime<Utc>) -> String {
    at.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// The v2 path that replaces the v1 `path`.
pub fn successor(path: &str) -> String {
    let rest = path.strip_prefix("/v1").unwrap_or(path);
    let segments: Vec<&str> = rest.trim_matches('/').split('/').collect();
    match segments.as_slice() {
        // The run commands by run id have no v2 twin without the scenario id.
        ["scenarios", "runs", ..] => "/v2/scenarios".to_owned(),
        ["scenarios", id, "run"] => format!("/v2/scenarios/{id}/runs"),
        ["admin", ..] => "/v2/admin".to_owned(),
        _ => format!("/v2{rest}"),
    }
}

fn is_v1(path: &str) -> bool {
    path == "/v1" || path.starts_with("/v1/")
}

fn insert(res: &mut HttpResponse, name: HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        res.headers_mut().insert(name, v);
    }
}

/// Middleware: the deprecation headers, the counter and 410 after sunset, on /v1 paths.
pub async fn deprecation(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let policy = req.app_data::<web::Data<V1Deprecation>>().cloned();
    let Some(policy) = policy.filter(|_| is_v1(req.path())) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let route = req.match_pattern();
    policy
        .requests
        .add(1, &[("route", route.as_deref().unwrap_or("unmatched"))]);
    let successor = successor(req.path());
    let now = req.app_data::<web::Data<AppState>>().map(|s| s.clock.now());
    let mut res = if route.is_some() && now.is_some_and(|n| n >= policy.sunset) {
        let err = ApiError::new(
            kinds::GONE,
            format!(
                "/v1 was retired on {}; use {successor} (see {MIGRATION_GUIDE})",
                policy.sunset_header
            ),
        );
        req.error_response(err)
    } else {
        next.call(req).await?.map_into_boxed_body()
    };
    let link = format!(
        "<{MIGRATION_GUIDE}>; rel=\"deprecation\"; type=\"text/html\", \
         <{successor}>; rel=\"successor-version\""
    );
    let out = res.response_mut();
    insert(
        out,
        HeaderName::from_static("deprecation"),
        &policy.deprecation,
    );
    insert(
        out,
        HeaderName::from_static("sunset"),
        &policy.sunset_header,
    );
    insert(out, header::LINK, &link);
    insert(out, HeaderName::from_static("x-api-version"), "v1");
    Ok(res)
}

/// The v1 → v2 migration guide (the target of the `rel="deprecation"` link).
#[utoipa::path(
    get, path = "/docs/migration-v1-to-v2", tag = "operations", operation_id = "migrationGuide",
    responses((status = 200, description = "The v1 → v2 migration guide", content_type = "text/html", body = String))
)]
#[get("/docs/migration-v1-to-v2")]
pub async fn migration_guide() -> HttpResponse {
    let escaped = GUIDE_MARKDOWN
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\">\
         <title>Migrating from /v1 to /v2</title></head>\
         <body><pre style=\"white-space: pre-wrap\">{escaped}</pre></body></html>"
    );
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(html)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::parse_instant;

    #[test]
    fn dates_use_the_rfc_formats() {
        let at = parse_instant("2027-06-30T23:59:59Z").unwrap();
        assert_eq!(http_date(at), "Wed, 30 Jun 2027 23:59:59 GMT");
        assert_eq!(structured_date(at), "@1814399999");
    }

    #[test]
    fn successors_are_the_v2_routes() {
        assert_eq!(successor("/v1/curves/diff"), "/v2/curves/diff");
        assert_eq!(successor("/v1/scenarios/abc/run"), "/v2/scenarios/abc/runs");
        assert_eq!(successor("/v1/scenarios/runs/r1/cancel"), "/v2/scenarios");
        assert_eq!(
            successor("/v1/metadata/dimensions"),
            "/v2/metadata/dimensions"
        );
    }
}
