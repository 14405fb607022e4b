//! `/v2/admin/outbox/…`: the outbox's dead letters, listed and re-driven. With
//! `AURUM_ADMIN_TOKEN` set, every admin route needs `Authorization: Bearer <token>`.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::Serialize;
use utoipa::OpenApi;

use crate::http::envelope::{self, ObjectMeta};
use crate::http::params::Params;
use crate::http::problem::{ApiError, kinds};
use crate::http::representation::{CachePolicy, Representation};
use crate::settings::ApiSettings;
use crate::state::AppState;

/// The v2 admin operations.
#[derive(OpenApi)]
#[openapi(paths(dead_letters, redrive))]
pub struct Doc;

/// Registers the v2 admin routes.
pub fn register(cfg: &mut web::ServiceConfig) {
    cfg.service(dead_letters).service(redrive);
}

/// One dead-lettered event.
#[derive(Serialize)]
struct DeadLetter {
    id: String,
    topic: String,
    key: String,
    attempts: u32,
    created_at: String,
    last_error: Option<String>,
    payload: serde_json::Value,
}

fn json(req: &HttpRequest, data: &impl Serialize) -> HttpResponse {
    let data = serde_json::to_vec(data).unwrap_or_else(|_| b"null".to_vec());
    let meta = ObjectMeta {
        request_id: envelope::request_id(req),
        tenant_id: None,
    };
    Representation::json(
        envelope::body(&data, &meta, None),
        &data,
        CachePolicy::NoStore,
    )
    .respond(req)
}

/// Events the relay gave up on, oldest first.
#[utoipa::path(get, path = "/v2/admin/outbox/dead-letters", tag = "admin", operation_id = "listDeadLetters",
    params(("limit" = Option<u32>, Query, minimum = 1, maximum = 1000),
        ("Authorization" = Option<String>, Header, description = "Bearer <admin token> (when one is configured)")),
    responses(
        (status = 200, description = "Dead letters", body = Object),
        (status = 400, description = "Bad input", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or wrong token", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
    ))]
#[get("/v2/admin/outbox/dead-letters")]
pub async fn dead_letters(
    req: HttpRequest,
    state: web::Data<AppState>,
    api: web::Data<ApiSettings>,
) -> Result<HttpResponse, ApiError> {
    crate::http::v1::admin::authorize(&req, &api)?;
    let mut p = Params::of(&req)?;
    let limit = p.integer("limit", 100, 1, 1000);
    p.finish()?;
    let events = state.outbox.dead_letters(limit).await?;
    let rows: Vec<DeadLetter> = events
        .into_iter()
        .map(|e| DeadLetter {
            id: e.event.id.to_string(),
            topic: e.event.topic,
            key: e.event.key,
            attempts: e.attempts,
            created_at: e.created_at.to_rfc3339(),
            last_error: e.last_error,
            payload: e.event.payload,
        })
        .collect();
    Ok(json(&req, &rows))
}

/// Puts a dead letter back in the queue (attempts reset, due now).
#[utoipa::path(post, path = "/v2/admin/outbox/dead-letters/{id}:redrive", tag = "admin", operation_id = "redriveDeadLetter",
    params(("id" = String, Path, description = "Event id"),
        ("Authorization" = Option<String>, Header, description = "Bearer <admin token> (when one is configured)")),
    responses(
        (status = 200, description = "Re-driven", body = Object),
        (status = 401, description = "Missing or wrong token", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a dead letter", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
    ))]
#[post("/v2/admin/outbox/dead-letters/{id}:redrive")]
pub async fn redrive(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
    api: web::Data<ApiSettings>,
) -> Result<HttpResponse, ApiError> {
    crate::http::v1::admin::authorize(&req, &api)?;
    let not_found = || ApiError::new(kinds::NOT_FOUND, "no dead letter has this id");
    let id = uuid::Uuid::parse_str(&path).map_err(|_| not_found())?;
    if state.outbox.redrive(id, state.clock.now()).await? {
        Ok(json(
            &req,
            &serde_json::json!({"id": id.to_string(), "redriven": true}),
        ))
    } else {
        Err(not_found())
    }
}
