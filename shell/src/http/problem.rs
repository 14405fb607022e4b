//! The one table that maps errors to HTTP: every non-2xx answer is an RFC 9457
//! `application/problem+json` document with a stable `type` slug, a fixed `title`, a `detail`
//! that says what to fix, the `instance` path and the `request_id`.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use problem_details::ProblemDetails;
use serde::Serialize;

use aurum_core::cursor::CursorError;
use aurum_core::service::{CurveQueryError, ParameterProblem};
use aurum_ports::StoreError;

/// Media type of problem documents.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// A problem type: slug (under `/problems/`), fixed title, status and a description for its
/// documentation page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProblemKind {
    /// Stable identifier; the `type` is `/problems/{slug}`.
    pub slug: &'static str,
    /// Fixed title.
    pub title: &'static str,
    /// HTTP status.
    pub status: u16,
    /// What it means and what to do (documentation page).
    pub description: &'static str,
}

macro_rules! kinds {
    ($($name:ident = $slug:literal, $status:literal, $title:literal, $desc:literal;)+) => {
        $(#[doc = $title] pub const $name: ProblemKind = ProblemKind {
            slug: $slug, title: $title, status: $status, description: $desc,
        };)+
        /// Every problem type the service emits.
        pub const ALL: &[ProblemKind] = &[$($name),+];
    };
}

/// The problem types.
pub mod kinds {
    use super::ProblemKind;
    kinds! {
        INVALID_PARAMETER = "invalid-parameter", 400, "Invalid parameter",
            "One or more query parameters are malformed or break a rule. `errors` names each one.";
        INVALID_CURSOR = "invalid-cursor", 400, "Invalid cursor",
            "The cursor is too long, undecodable, tampered with, or was minted for other filters. Restart from the first page.";
        INVALID_TENANT = "invalid-tenant", 400, "Invalid tenant",
            "The tenant id (X-Tenant-ID, X-Aurum-Tenant or tenant_id) must match ^[a-z0-9][a-z0-9._-]{0,63}$ after trimming and lowercasing.";
        UNAUTHORIZED = "unauthorized", 401, "Unauthorized",
            "The route needs credentials: send `Authorization: Bearer <token>` with a valid token.";
        NOT_FOUND = "not-found", 404, "Not found",
            "No resource exists at this path.";
        METHOD_NOT_ALLOWED = "method-not-allowed", 405, "Method not allowed",
            "The resource exists but does not support this method; `Allow` lists the methods it does support.";
        NOT_ACCEPTABLE = "not-acceptable", 406, "Not acceptable",
            "None of the media types in `Accept` can be produced; use application/json or text/csv.";
        GONE = "gone", 410, "Gone",
            "The route was retired after its sunset date (see the Sunset and Link headers); use its successor version.";
        PAYLOAD_TOO_LARGE = "payload-too-large", 413, "Payload too large",
            "The request body is larger than the service accepts.";
        UNSUPPORTED_MEDIA_TYPE = "unsupported-media-type", 415, "Unsupported media type",
            "The request body's Content-Type is not accepted by this route.";
        UNPROCESSABLE = "unprocessable-entity", 422, "Unprocessable entity",
            "The body is well-formed but breaks a domain rule.";
        QUOTA_EXCEEDED = "quota-exceeded", 429, "Quota exceeded",
            "The tenant's rate-limit policy admits no more requests right now. Retry after the number of seconds in Retry-After; the RateLimit and RateLimit-Policy headers describe the quota.";
        CONFLICT = "conflict", 409, "Conflict",
            "The request conflicts with the current state of the resource.";
        SERVICE_UNAVAILABLE = "service-unavailable", 503, "Service unavailable",
            "A backend the route needs is unreachable or overloaded. Retry after the number of seconds in Retry-After.";
        UPSTREAM_TIMEOUT = "upstream-timeout", 504, "Upstream timeout",
            "A backend did not answer in time. Retry later, or narrow the query.";
        INTERNAL = "internal", 500, "Internal server error",
            "The service failed unexpectedly. The failure is logged with the request id.";
        HTTP_ERROR = "http-error", 400, "HTTP error",
            "A protocol-level error; `status` gives the HTTP status.";
    }
}

/// One entry of the `errors` extension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProblemItem {
    /// The query parameter at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    /// JSON pointer into the body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    /// What is wrong.
    pub detail: String,
}

/// An error on its way to becoming a problem response.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}: {detail}", kind.title)]
pub struct ApiError {
    /// The problem type.
    pub kind: ProblemKind,
    /// Status (normally `kind.status`; differs for generic HTTP errors).
    pub status: u16,
    /// What to fix.
    pub detail: String,
    /// Offending inputs.
    pub errors: Vec<ProblemItem>,
    /// `Allow` for 405, `Retry-After` for 503.
    pub headers: Vec<(&'static str, String)>,
}

impl ApiError {
    /// A problem of `kind` with `detail`.
    pub fn new(kind: ProblemKind, detail: impl Into<String>) -> Self {
        Self {
            kind,
            status: kind.status,
            detail: detail.into(),
            errors: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// An `invalid-parameter` problem listing every offending parameter.
    pub fn invalid(problems: Vec<ParameterProblem>) -> Self {
        let detail = if problems.len() == 1 {
            problems[0].detail.clone()
        } else {
            format!("{} parameters are invalid; see errors", problems.len())
        };
        let mut e = Self::new(kinds::INVALID_PARAMETER, detail);
        e.errors = problems
            .into_iter()
            .map(|p| ProblemItem {
                parameter: Some(p.parameter),
                pointer: None,
                detail: p.detail,
            })
            .collect();
        e
    }

    /// A generic problem for an HTTP status produced outside the handlers.
    pub fn for_status(status: u16, detail: impl Into<String>) -> Self {
        let kind = ALL_BY_STATUS
            .iter()
            .find(|k| k.status == status)
            .copied()
            .unwrap_or(kinds::HTTP_ERROR);
        let mut e = Self::new(kind, detail);
        e.status = status;
        e
    }

    /// Adds a response header.
    #[must_use]
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Renders the problem for a request with `request_id` at `instance`.
    pub fn render(&self, request_id: Option<&str>, instance: Option<&str>) -> HttpResponse {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let title = if self.kind == kinds::HTTP_ERROR {
            status.canonical_reason().unwrap_or("HTTP error")
        } else {
            self.kind.title
        };
        let mut body = ProblemDetails::new()
            .with_type(
                http::Uri::try_from(format!("/problems/{}", self.kind.slug)).unwrap_or_default(),
            )
            .with_title(title)
            .with_detail(self.detail.clone())
            .with_extensions(Extensions {
                request_id,
                errors: &self.errors,
            });
        body.status = http::StatusCode::from_u16(self.status).ok();
        body.instance = instance.and_then(|i| http::Uri::try_from(i).ok());
        let mut res = HttpResponse::build(status);
        res.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        res.insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
        for (name, value) in &self.headers {
            res.insert_header((*name, value.as_str()));
        }
        res.body(serde_json::to_vec(&body).unwrap_or_default())
    }
}

const ALL_BY_STATUS: &[ProblemKind] = &[
    kinds::NOT_FOUND,
    kinds::METHOD_NOT_ALLOWED,
    kinds::NOT_ACCEPTABLE,
    kinds::PAYLOAD_TOO_LARGE,
    kinds::UNSUPPORTED_MEDIA_TYPE,
    kinds::SERVICE_UNAVAILABLE,
    kinds::INTERNAL,
];

/// The extension members of every problem.
#[derive(Debug, Serialize)]
struct Extensions<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<&'a str>,
    #[serde(skip_serializing_if = "<[ProblemItem]>::is_empty")]
    errors: &'a [ProblemItem],
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// Rendered without request context here; the request-id middleware re-renders it with the
    /// request id and instance.
    fn error_response(&self) -> HttpResponse {
        self.render(None, None)
    }
}

impl From<CursorError> for ApiError {
    fn from(e: CursorError) -> Self {
        let mut err = Self::new(kinds::INVALID_CURSOR, e.to_string());
        err.errors.push(ProblemItem {
            parameter: Some("cursor".into()),
            pointer: None,
            detail: e.to_string(),
        });
        err
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(_) => Self::new(
                kinds::SERVICE_UNAVAILABLE,
                "the data store is unavailable; retry shortly",
            )
            .with_header("Retry-After", "5"),
            StoreError::Timeout(_) => Self::new(
                kinds::UPSTREAM_TIMEOUT,
                "the data store did not answer in time; retry or narrow the query",
            ),
            StoreError::Conflict(msg) => Self::new(kinds::CONFLICT, msg),
            StoreError::InvalidQuery(msg) => Self::new(kinds::INVALID_PARAMETER, msg),
            StoreError::Unsupported(what) => Self::new(
                kinds::METHOD_NOT_ALLOWED,
                format!("this deployment's store does not support {what}"),
            ),
            StoreError::Unexpected(source) => {
                tracing::error!(error = %source, cause = ?source, "store failed unexpectedly");
                Self::new(
                    kinds::INTERNAL,
                    "the service failed unexpectedly; the failure is logged",
                )
            }
        }
    }
}

impl From<CurveQueryError> for ApiError {
    fn from(e: CurveQueryError) -> Self {
        match e {
            CurveQueryError::Invalid(problems) => Self::invalid(problems),
            CurveQueryError::Cursor(c) => c.into(),
            CurveQueryError::Store(s) => s.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_slug_is_unique() {
        let mut slugs: Vec<_> = kinds::ALL.iter().map(|k| k.slug).collect();
        slugs.sort_unstable();
        slugs.dedup();
        assert_eq!(slugs.len(), kinds::ALL.len());
    }

    #[test]
    fn unavailable_stores_answer_503_with_retry_after() {
        let e = ApiError::from(StoreError::Unavailable("down".into()));
        assert_eq!(e.status, 503);
        assert!(e.headers.iter().any(|(n, _)| *n == "Retry-After"));
        assert!(
            !e.detail.contains("down"),
            "driver messages never reach clients"
        );
    }
}
