//! The rate-limit middleware: every /v1 and /v2 request is charged to the most specific policy
//! of its tenant and route group; admitted responses carry the `RateLimit-Policy` and
//! `RateLimit` headers (plus the legacy trio), refusals are a 429 `quota-exceeded` problem with
//! `Retry-After`. Operational routes (health, readiness, metrics, documents) are never limited.
//! When the store fails the request is admitted (default) or refused with 503, and counted.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, web};

use aurum_core::rate_limit::RateLimitHeaders;

use super::problem::{ApiError, kinds};
use super::tenant::Tenant;
use crate::state::AppState;

/// The route group a path is limited under: the segment after `/v1/` or `/v2/` (`curves`,
/// `metadata`, `scenarios`, `admin`, …); `None` for operational routes, never limited.
pub fn route_group(path: &str) -> Option<&str> {
    let rest = path
        .strip_prefix("/v1/")
        .or_else(|| path.strip_prefix("/v2/"))?;
    let group = rest.split(['/', ':', '?']).next().unwrap_or_default();
    (!group.is_empty()).then_some(group)
}

fn attach(res: &mut ServiceResponse<BoxBody>, headers: &RateLimitHeaders, legacy: bool) {
    let map = res.headers_mut();
    for (name, value) in headers.pairs(legacy) {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            map.insert(name, value);
        }
    }
}

/// Middleware: charge the request, or refuse it.
pub async fn rate_limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let traffic = &state.traffic;
    let group = route_group(req.path()).map(str::to_owned);
    let Some(group) = group.filter(|_| traffic.rate_limit_enabled) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    // A malformed tenant is the handler's 400; it is counted under the anonymous key.
    let tenant = Tenant::resolve(req.request()).ok().and_then(|t| t.0);
    let verdict = traffic
        .limiter
        .check(tenant.as_ref(), Some(&group), 1, state.clock.now())
        .await;
    match verdict {
        Ok(None) => Ok(next.call(req).await?.map_into_boxed_body()),
        Ok(Some(verdict)) => {
            let policy = verdict.policy().name().to_owned();
            let headers = verdict.headers();
            if verdict.decision.allowed {
                traffic
                    .decisions
                    .add(1, &[("policy", &policy), ("decision", "allowed")]);
                let mut res = next.call(req).await?.map_into_boxed_body();
                attach(&mut res, &headers, traffic.legacy_headers);
                Ok(res)
            } else {
                traffic
                    .decisions
                    .add(1, &[("policy", &policy), ("decision", "limited")]);
                let detail = match &headers.retry_after {
                    Some(s) => format!(
                        "policy \"{policy}\" admits {} requests per {} s; retry in {s} s",
                        verdict.decision.limit,
                        verdict.policy().window().as_secs()
                    ),
                    None => format!("policy \"{policy}\" can never admit this request at once"),
                };
                let mut res = req
                    .error_response(ApiError::new(kinds::QUOTA_EXCEEDED, detail))
                    .map_into_boxed_body();
                attach(&mut res, &headers, traffic.legacy_headers);
                Ok(res)
            }
        }
        Err(e) => {
            traffic
                .decisions
                .add(1, &[("policy", ""), ("decision", "error")]);
            if traffic.fail_open {
                tracing::warn!(error = %e, "rate-limit store failed; admitting the request (fail-open)");
                Ok(next.call(req).await?.map_into_boxed_body())
            } else {
                tracing::warn!(error = %e, "rate-limit store failed; refusing the request (fail-closed)");
                let err = ApiError::new(
                    kinds::SERVICE_UNAVAILABLE,
                    "rate limits cannot be checked right now",
                )
                .with_header("Retry-After", "1");
                Ok(req.error_response(err).map_into_boxed_body())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_come_from_the_segment_after_the_version() {
        assert_eq!(route_group("/v2/curves"), Some("curves"));
        assert_eq!(route_group("/v2/curves/diff"), Some("curves"));
        assert_eq!(route_group("/v1/metadata/units"), Some("metadata"));
        assert_eq!(route_group("/v2/scenarios/abc:cancel"), Some("scenarios"));
        assert_eq!(route_group("/v2/admin/cache"), Some("admin"));
        assert_eq!(route_group("/v2/"), None);
        for ops in [
            "/health",
            "/ready",
            "/metrics",
            "/openapi.json",
            "/docs/",
            "/problems/x",
            "/v3/x",
        ] {
            assert_eq!(route_group(ops), None, "{ops}");
        }
    }
}
