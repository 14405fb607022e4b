//! Refuses request bodies over `AURUM_MAX_BODY_BYTES` before any handler reads them: a declared
//! `Content-Length` above the limit is a 413 problem on every route (extractors enforce the same
//! limit on bodies without a length).

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{Error, web};

use super::problem::{ApiError, kinds};

/// The configured limit, as app data.
#[derive(Debug, Clone, Copy)]
pub struct MaxBodyBytes(pub usize);

/// Middleware: 413 for a declared body over the limit.
pub async fn body_limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let limit = req
        .app_data::<web::Data<MaxBodyBytes>>()
        .map_or(usize::MAX, |l| l.0);
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        let err = ApiError::new(
            kinds::PAYLOAD_TOO_LARGE,
            format!("the request body must be at most {limit} bytes"),
        );
        return Ok(req.error_response(err).map_into_boxed_body());
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}
