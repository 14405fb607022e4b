//! The deprecated /v1 API: the legacy paths, parameters and `{meta, data}` envelope over the
//! same core services as /v2. Every response carries the deprecation headers (see
//! [`super::deprecation`]); every operation is `deprecated` in the `OpenAPI` document.

pub mod admin;
pub mod curves;
pub mod envelope;
pub mod metadata;
pub mod paging;
pub mod scenarios;

use utoipa::openapi::Deprecated;
use utoipa::{IntoResponses, Modify};

use super::openapi::Problem;

/// Marks every operation of a v1 document `deprecated`.
pub struct DeprecateAll;

impl Modify for DeprecateAll {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                op.deprecated = Some(Deprecated::True);
            }
        }
    }
}

/// Error answers of v1 reads that name no resource.
#[derive(IntoResponses)]
pub enum QueryErrors {
    /// Invalid parameter or cursor.
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(Problem),
    /// /v1 is past its sunset date.
    #[response(status = 410, content_type = "application/problem+json")]
    Gone(Problem),
    /// A backend is unavailable.
    #[response(status = 503, content_type = "application/problem+json")]
    Unavailable(Problem),
}

/// Error answers of v1 reads of one resource.
#[derive(IntoResponses)]
pub enum ResourceErrors {
    /// Invalid parameter, cursor or tenant.
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(Problem),
    /// Unknown (for this tenant).
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// /v1 is past its sunset date.
    #[response(status = 410, content_type = "application/problem+json")]
    Gone(Problem),
    /// A backend is unavailable.
    #[response(status = 503, content_type = "application/problem+json")]
    Unavailable(Problem),
}

/// Error answers of v1 commands.
#[derive(IntoResponses)]
pub enum CommandErrors {
    /// Invalid parameter, body or tenant.
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(Problem),
    /// Unknown (for this tenant).
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// Conflicts with the resource's state.
    #[response(status = 409, content_type = "application/problem+json")]
    Conflict(Problem),
    /// /v1 is past its sunset date.
    #[response(status = 410, content_type = "application/problem+json")]
    Gone(Problem),
    /// The body is too large.
    #[response(status = 413, content_type = "application/problem+json")]
    TooLarge(Problem),
    /// The body is not JSON.
    #[response(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Problem),
    /// The body breaks a domain rule.
    #[response(status = 422, content_type = "application/problem+json")]
    Unprocessable(Problem),
    /// A backend is unavailable.
    #[response(status = 503, content_type = "application/problem+json")]
    Unavailable(Problem),
}

/// Error answers of v1 admin commands.
#[derive(IntoResponses)]
pub enum AdminErrors {
    /// Missing or wrong bearer token.
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    /// Unknown resource.
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// /v1 is past its sunset date.
    #[response(status = 410, content_type = "application/problem+json")]
    Gone(Problem),
    /// The shared cache cannot be reached.
    #[response(status = 503, content_type = "application/problem+json")]
    Unavailable(Problem),
}
