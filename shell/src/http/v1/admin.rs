//! `/v1/admin/cache/…/invalidate`: the legacy cache commands, mapped onto the unified cache:
//! `curves` invalidates every curve namespace (as ingestion does), `scenario/{id}` the
//! scenario-outputs namespace (keys are hashed, so one scenario's entries cannot be singled
//! out; the namespace is small and refills on demand). With `AURUM_ADMIN_TOKEN` set they need
//! `Authorization: Bearer <token>` (401 otherwise).

use std::time::Instant;

use actix_web::http::StatusCode;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::{OpenApi, ToSchema};

use super::AdminErrors;
use super::DeprecateAll;
use super::envelope::{self, V1Meta};
use crate::http::problem::{ApiError, kinds};
use crate::http::representation::CachePolicy;
use crate::http::v2::scenarios::scenario_id;
use crate::http::v2::traffic_admin::invalidate;
use crate::settings::ApiSettings;
use crate::state::AppState;
use aurum_core::cache;

/// What an invalidation did.
#[derive(Debug, Serialize, ToSchema)]
pub struct Invalidated {
    /// Entries this instance's cache tier held in the invalidated namespaces (now unreachable on
    /// every instance).
    pub purged: u64,
    /// The cache namespace addressed (`curves`, `scenario:{id}`).
    pub namespace: String,
}

/// An invalidation answer.
#[derive(Serialize, ToSchema)]
pub struct V1Invalidated {
    /// Request information.
    pub meta: V1Meta,
    /// What was purged.
    pub data: Invalidated,
}

/// The v1 admin operations.
#[derive(OpenApi)]
#[openapi(
    paths(invalidate_curves, invalidate_scenario),
    components(schemas(V1Invalidated, Invalidated)),
    modifiers(&DeprecateAll)
)]
pub struct Doc;

/// Registers the v1 admin routes.
pub fn register(cfg: &mut web::ServiceConfig) {
    cfg.service(invalidate_curves).service(invalidate_scenario);
}

/// Checks `Authorization: Bearer <token>` when a token is configured (compared by digest, so
/// the comparison takes the same time wherever the texts differ).
pub(crate) fn authorize(req: &HttpRequest, api: &ApiSettings) -> Result<(), ApiError> {
    let Some(expected) = api.admin_token.as_deref() else {
        return Ok(());
    };
    let given = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim);
    let matches = given.is_some_and(|g| Sha256::digest(g) == Sha256::digest(expected));
    if matches {
        Ok(())
    } else {
        Err(ApiError::new(
            kinds::UNAUTHORIZED,
            "send Authorization: Bearer <admin token>",
        )
        .with_header("WWW-Authenticate", "Bearer realm=\"aurum-admin\""))
    }
}

fn answer(req: &HttpRequest, started: Instant, purged: u64, namespace: String) -> HttpResponse {
    let data = Invalidated { purged, namespace };
    envelope::object(req, started, &data, StatusCode::OK, CachePolicy::NoStore).respond(req)
}

/// Invalidate cached curve answers (deprecated: use the v2 admin cache routes).
#[utoipa::path(post, path = "/v1/admin/cache/curves/invalidate", tag = "v1",
    operation_id = "v1InvalidateCurveCache",
    params(("Authorization" = Option<String>, Header, description = "Bearer <admin token> (when one is configured)")),
    responses((status = 200, description = "Purged", body = V1Invalidated), AdminErrors))]
#[post("/v1/admin/cache/curves/invalidate")]
pub async fn invalidate_curves(
    req: HttpRequest,
    state: web::Data<AppState>,
    api: web::Data<ApiSettings>,
) -> Result<HttpResponse, ApiError> {
    let started = Instant::now();
    authorize(&req, &api)?;
    let mut purged = 0;
    for ns in cache::curve_namespaces() {
        purged += invalidate(&state, ns).await?.purged;
    }
    Ok(answer(&req, started, purged, "curves".to_owned()))
}

/// Invalidate a scenario's cached answers (deprecated: use the v2 admin cache routes).
#[utoipa::path(post, path = "/v1/admin/cache/scenario/{id}/invalidate", tag = "v1",
    operation_id = "v1InvalidateScenarioCache",
    params(("id" = String, Path, description = "Scenario id"),
        ("Authorization" = Option<String>, Header, description = "Bearer <admin token> (when one is configured)")),
    responses((status = 200, description = "Purged", body = V1Invalidated), AdminErrors))]
#[post("/v1/admin/cache/scenario/{id}/invalidate")]
pub async fn invalidate_scenario(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
    api: web::Data<ApiSettings>,
) -> Result<HttpResponse, ApiError> {
    let started = Instant::now();
    authorize(&req, &api)?;
    let id = scenario_id(&path)?;
    let purged = invalidate(&state, &cache::SCENARIO_OUTPUTS).await?.purged;
    Ok(answer(&req, started, purged, format!("scenario:{id}")))
}
