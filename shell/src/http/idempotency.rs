//! `Idempotency-Key` for commands: the first request with a key runs and its response is
//! stored; a repeat with the same request replays it (`Idempotent-Replayed: true`); a repeat
//! while the first is still running is 409; the key with another request is 422.

use std::future::Future;
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};

use aurum_ports::TenantId;
use aurum_ports::idempotency::{IdempotencyClaim, StoredResponse};
use aurum_ports::scenario::IdempotencyKey;

use super::problem::{ApiError, ProblemItem, kinds};
use super::representation::Representation;
use crate::state::AppState;

/// A started key older than this is considered abandoned (its request died).
const STALE_AFTER: Duration = Duration::from_mins(1);

/// The request's validated `Idempotency-Key`, if any.
///
/// # Errors
/// 400 when the key is not 1..255 characters of `[A-Za-z0-9_-.:/]`.
pub fn key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(raw) = req.headers().get("idempotency-key") else {
        return Ok(None);
    };
    let text = raw.to_str().unwrap_or("\u{fffd}");
    IdempotencyKey::parse(text)
        .map(|_| Some(text.to_owned()))
        .map_err(|e| {
            let mut err = ApiError::new(kinds::INVALID_PARAMETER, e.to_string());
            err.errors.push(ProblemItem {
                parameter: Some("Idempotency-Key".into()),
                pointer: None,
                detail: e.to_string(),
            });
            err
        })
}

/// Runs `work` under `key` (or plainly without one).
///
/// # Errors
/// 409 / 422 for key conflicts, or `work`'s own error.
pub async fn run<F>(
    state: &AppState,
    req: &HttpRequest,
    tenant: &TenantId,
    key: Option<&str>,
    fingerprint: &str,
    work: F,
) -> Result<HttpResponse, ApiError>
where
    F: Future<Output = Result<Representation, ApiError>>,
{
    let Some(key) = key else {
        return Ok(work.await?.respond(req));
    };
    let claim = state
        .idempotency
        .begin(tenant, key, fingerprint, state.clock.now(), STALE_AFTER)
        .await?;
    match claim {
        IdempotencyClaim::Completed(stored) => Ok(replay(&stored)),
        IdempotencyClaim::InFlight => Err(ApiError::new(
            kinds::CONFLICT,
            "a request with this Idempotency-Key is still being processed; retry shortly",
        )
        .with_header("Retry-After", "1")),
        IdempotencyClaim::Mismatch => Err(ApiError::new(
            kinds::UNPROCESSABLE,
            "this Idempotency-Key was already used with a different request; use a new key",
        )),
        IdempotencyClaim::Started => match work.await {
            Ok(rep) => {
                let stored = StoredResponse {
                    status: rep.status.as_u16(),
                    headers: rep
                        .headers
                        .iter()
                        .map(|(n, v)| (n.as_str().to_owned(), v.clone()))
                        .chain(std::iter::once((
                            "content-type".to_owned(),
                            rep.content_type.to_owned(),
                        )))
                        .collect(),
                    body: rep.body.clone(),
                };
                if let Err(e) = state.idempotency.complete(tenant, key, stored).await {
                    tracing::warn!(error = %e, "could not store the idempotent response");
                }
                Ok(rep.respond(req))
            }
            Err(e) => {
                if let Err(err) = state.idempotency.abandon(tenant, key).await {
                    tracing::warn!(error = %err, "could not release an idempotency key");
                }
                Err(e)
            }
        },
    }
}

fn replay(stored: &StoredResponse) -> HttpResponse {
    let mut res =
        HttpResponse::build(StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK));
    for (name, value) in &stored.headers {
        if let (Ok(n), Ok(v)) = (
            HeaderName::try_from(name.as_str()),
            HeaderValue::from_str(value),
        ) {
            res.insert_header((n, v));
        }
    }
    res.insert_header(("Idempotent-Replayed", "true"));
    res.insert_header(("Cache-Control", "no-store"));
    res.body(stored.body.clone())
}
