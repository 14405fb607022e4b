//! The HTTP surface: middleware, the problem table, representations and the route modules.

pub mod body_limit;
pub mod csv_out;
pub mod curve_repr;
pub mod deprecation;
pub mod envelope;
pub mod idempotency;
pub mod metrics;
pub mod openapi;
pub mod ops;
pub mod params;
pub mod problem;
pub mod rate_limit;
pub mod registry;
pub mod representation;
pub mod request_id;
pub mod tenant;
pub mod v1;
pub mod v2;

use actix_web::{HttpRequest, error, web};

use self::problem::{ApiError, kinds};

pub use self::registry::configure_routes;

/// Maps extractor failures (query, path, JSON, payload) to problems.
pub fn extractor_config(
    max_body_bytes: usize,
) -> (
    web::QueryConfig,
    web::PathConfig,
    web::JsonConfig,
    web::PayloadConfig,
) {
    let query = web::QueryConfig::default().error_handler(|e, _req: &HttpRequest| {
        ApiError::invalid(vec![aurum_core::service::ParameterProblem::new(
            "query",
            e.to_string(),
        )])
        .into()
    });
    let path = web::PathConfig::default().error_handler(|e, _req: &HttpRequest| {
        ApiError::new(kinds::NOT_FOUND, e.to_string()).into()
    });
    let json = web::JsonConfig::default()
        .limit(max_body_bytes)
        .error_handler(move |e, _req: &HttpRequest| {
            match &e {
                error::JsonPayloadError::ContentType => ApiError::new(
                    kinds::UNSUPPORTED_MEDIA_TYPE,
                    "send the body as application/json",
                ),
                error::JsonPayloadError::Overflow { .. }
                | error::JsonPayloadError::OverflowKnownLength { .. } => ApiError::new(
                    kinds::PAYLOAD_TOO_LARGE,
                    format!("the body must be at most {max_body_bytes} bytes"),
                ),
                other => ApiError::new(kinds::UNPROCESSABLE, other.to_string()),
            }
            .into()
        });
    let payload = web::PayloadConfig::default().limit(max_body_bytes);
    (query, path, json, payload)
}
