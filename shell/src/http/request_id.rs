//! Request ids and problem finishing: honours a valid incoming `X-Request-Id` (≤ 128 chars of
//! `[A-Za-z0-9._:-]`) or generates one, echoes it, and turns every error response into a
//! complete RFC 9457 problem carrying that id and the request path as `instance`.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage as _};

use super::problem::{ApiError, PROBLEM_JSON};

/// `X-Request-Id`.
pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the request being served, stored in request extensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

fn valid_incoming(raw: &str) -> bool {
    !raw.is_empty()
        && raw.len() <= 128
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

/// Middleware: assigns the request id and finishes problems.
pub async fn request_id(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let id = req
        .headers()
        .get(&X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| valid_incoming(v))
        .map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_owned);
    req.extensions_mut().insert(RequestId(id.clone()));
    let path = req.path().to_owned();
    let res = next.call(req).await?.map_into_boxed_body();
    let mut res = finish_problem(res, &id, &path);
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(X_REQUEST_ID, v);
    }
    Ok(res)
}

/// Re-renders error responses as problems with the request's id and path.
fn finish_problem(res: ServiceResponse<BoxBody>, id: &str, path: &str) -> ServiceResponse<BoxBody> {
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let problem = if let Some(api) = res
        .response()
        .error()
        .and_then(|e| e.as_error::<ApiError>())
    {
        api.clone()
    } else {
        // Problems are finished already; health answers (503 `fail`) keep their own format.
        let is_problem = res.headers().get(header::CONTENT_TYPE).is_some_and(|v| {
            v.as_bytes().starts_with(PROBLEM_JSON.as_bytes())
                || v.as_bytes().starts_with(b"application/health+json")
        });
        if is_problem && res.response().error().is_none() {
            return res;
        }
        if status.is_server_error()
            && let Some(err) = res.response().error()
        {
            tracing::error!(error = %err, cause = ?err, request_id = id, "request failed");
        }
        let detail = match res.response().error() {
            Some(e) if status.is_client_error() => e.to_string(),
            _ => status.canonical_reason().unwrap_or("error").to_owned(),
        };
        ApiError::for_status(status.as_u16(), detail)
    };
    let carried: Vec<(HeaderName, HeaderValue)> = res
        .headers()
        .iter()
        .filter(|(n, _)| carried_header(n))
        .map(|(n, v)| (n.clone(), v.clone()))
        .collect();
    let (req, _) = res.into_parts();
    let mut rendered = problem.render(Some(id), Some(path));
    for (n, v) in carried {
        rendered.headers_mut().insert(n, v);
    }
    ServiceResponse::new(req, rendered)
}

/// Headers that survive re-rendering an error as a problem: `Allow` (405), `Retry-After`
/// (429, 503), `WWW-Authenticate` (401), the rate-limit headers and the deprecation headers of
/// /v1.
fn carried_header(name: &HeaderName) -> bool {
    *name == header::ALLOW
        || *name == header::RETRY_AFTER
        || *name == header::WWW_AUTHENTICATE
        || *name == header::LINK
        || matches!(
            name.as_str(),
            "deprecation"
                | "sunset"
                | "x-api-version"
                | "ratelimit"
                | "ratelimit-policy"
                | "x-ratelimit-limit"
                | "x-ratelimit-remaining"
                | "x-ratelimit-reset"
        )
}

#[cfg(test)]
mod tests {
    use super::valid_incoming;

    #[test]
    fn incoming_request_ids_must_be_short_and_plain() {
        assert!(valid_incoming("abc-123:x.y_z"));
        assert!(!valid_incoming(""));
        assert!(!valid_incoming("has space"));
        assert!(!valid_incoming(&"a".repeat(129)));
    }
}
