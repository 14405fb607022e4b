//! `/v1/scenarios…`: scenarios, runs (by scenario, and by run id alone for the state and
//! cancel commands), outputs and latest metrics in the v1 envelope, over the same
//! `ScenarioService` as /v2. Every route is tenant-scoped; another tenant's ids are 404s.

mod runs;

use std::time::Instant;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, LOCATION};
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use utoipa::{IntoParams, OpenApi};

use aurum_core::service::scenarios::{ListOutputs, ListScenarios};
use aurum_ports::scenario::NewScenario;
use aurum_ports::scenario_store::{OutputFilter, ScenarioFilter};

use super::DeprecateAll;
use super::envelope;
use super::paging::{self, fetch};
use super::{CommandErrors, ResourceErrors};
use crate::http::params::{Format, Params};
use crate::http::problem::ApiError;
use crate::http::representation::CachePolicy;
use crate::http::tenant::Tenant;
use crate::http::v2::scenarios::{json_body, outputs_csv, require_tenant, scenario_id, timestamp};
use crate::state::AppState;

/// Rows fetched per step while skipping an `offset`.
pub(super) const SKIP_CHUNK: usize = 200;

/// The v1 scenario operations.
#[derive(OpenApi)]
#[openapi(
    paths(
    create,
    list_scenarios,
    get_scenario,
    delete_scenario,
    runs::submit_run,
    runs::list_runs,
    runs::get_run,
    runs::change_run_state,
    runs::cancel_run,
    outputs,
    latest_metrics,
),
    modifiers(&DeprecateAll)
)]
pub struct Doc;

/// Registers the v1 scenario routes (the literal `runs/…` paths before `{id}`).
pub fn register(cfg: &mut web::ServiceConfig) {
    cfg.service(runs::change_run_state)
        .service(runs::cancel_run)
        .service(create)
        .service(list_scenarios)
        .service(get_scenario)
        .service(delete_scenario)
        .service(runs::submit_run)
        .service(runs::list_runs)
        .service(runs::get_run)
        .service(outputs)
        .service(latest_metrics);
}

pub(super) fn no_store(
    req: &HttpRequest,
    started: Instant,
    data: &impl serde::Serialize,
    status: StatusCode,
) -> crate::http::representation::Representation {
    envelope::object(req, started, data, status, CachePolicy::NoStore)
}

/// v1 scenario list parameters.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct V1ScenarioListParams {
    /// created, active, archived.
    pub status: Option<String>,
    /// Case-insensitive part of the name.
    pub name: Option<String>,
    /// Has this tag.
    pub tag: Option<String>,
    /// Created at or after (RFC 3339).
    pub created_after: Option<String>,
    /// Created before (RFC 3339).
    pub created_before: Option<String>,
    /// Page size (1..200, default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// Cursor from `meta.next_cursor` / `meta.prev_cursor`.
    pub cursor: Option<String>,
    /// Alias of `cursor`.
    pub since_cursor: Option<String>,
    /// A `meta.prev_cursor`.
    pub prev_cursor: Option<String>,
    /// Deprecated: rows to skip (0..10000; not with a cursor).
    #[param(minimum = 0, maximum = 10000)]
    pub offset: Option<u32>,
}

/// Create a scenario (deprecated: use `POST /v2/scenarios`).
#[utoipa::path(post, path = "/v1/scenarios", tag = "v1", operation_id = "v1CreateScenario",
    params(("X-Tenant-ID" = String, Header, description = "Tenant")),
    request_body(content = Object, content_type = "application/json", description = "NewScenario: name, description?, assumptions[], parameters{}, tags[]"),
    responses((status = 201, description = "Created", body = Object, headers(("Location" = String))), CommandErrors))]
#[post("/v1/scenarios")]
pub async fn create(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
    tenant: Tenant,
) -> Result<HttpResponse, ApiError> {
    let started = Instant::now();
    let tenant = require_tenant(tenant)?;
    let input: NewScenario = json_body(&req, &body)?;
    let scenario = state.scenarios.create(&tenant, input).await?;
    let location = format!("/v1/scenarios/{}", scenario.id);
    Ok(no_store(&req, started, &scenario, StatusCode::CREATED)
        .with_header(LOCATION, location)
        .respond(&req))
}

/// List the tenant's scenarios, newest first (deprecated: use `GET /v2/scenarios`).
#[utoipa::path(get, path = "/v1/scenarios", tag = "v1", operation_id = "v1ListScenarios",
    params(("X-Tenant-ID" = String, Header, description = "Tenant"), V1ScenarioListParams),
    responses((status = 200, description = "A page of scenarios", body = Object), ResourceErrors))]
#[get("/v1/scenarios")]
pub async fn list_scenarios(
    req: HttpRequest,
    state: web::Data<AppState>,
    tenant: Tenant,
) -> Result<HttpResponse, ApiError> {
    let started = Instant::now();
    let tenant = require_tenant(tenant)?;
    let mut p = Params::of(&req)?;
    let filter = ScenarioFilter {
        status: p.enumeration("status", "created, active, archived"),
        name: p.text("name", 1, 200),
        tag: p.text("tag", 1, 64),
        created_after: timestamp(&mut p, "created_after"),
        created_before: timestamp(&mut p, "created_before"),
    };
    let limit = p.integer("limit", 50, 1, 200);
    let paging = paging::read(&mut p);
    p.finish()?;
    let page = fetch(&paging, limit, SKIP_CHUNK, async |limit, cursor| {
        let request = ListScenarios {
            filter: filter.clone(),
            limit,
            cursor,
        };
        Ok(state.scenarios.list(&tenant, &request).await?)
    })
    .await?;
    Ok(envelope::list(
        &req,
        started,
        &page,
        limit,
        paging.offset,
        CachePolicy::NoStore,
    ))
}

/// One scenario (deprecated: use `GET /v2/scenarios/{id}`).
#[utoipa::path(get, path = "/v1/scenarios/{id}", tag = "v1", operation_id = "v1GetScenario",
    params(("X-Tenant-ID" = String, Header, description = "Tenant"), ("id" = String, Path, description = "Scenario id")),
    responses((status = 200, description = "The scenario", body = Object), ResourceErrors))]
#[get("/v1/scenarios/{id}")]
pub async fn get_scenario(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
    tenant: Tenant,
) -> Result<HttpResponse, ApiError> {
    let started = Instant::now();
    let tenant = require_tenant(tenant)?;
    let scenario = state.scenarios.get(&tenant, scenario_id(&path)?).await?;
    Ok(no_store(&req, started, &scenario, StatusCode::OK).respond(&req))
}

/// Delete a scenario with its runs and outputs (deprecated: use `DELETE /v2/scenarios/{id}`).
#[utoipa::path(delete, path = "/v1/scenarios/{id}", tag = "v1", operation_id = "v1DeleteScenario",
    params(("X-Tenant-ID" = String, Header, description = "Tenant"), ("id" = String, Path, description = "Scenario id")),
    responses((status = 204, description = "Deleted"), ResourceErrors))]
#[delete("/v1/scenarios/{id}")]
pub async fn delete_scenario(
    path: web::Path<String>,
    state: web::Data<AppState>,
    tenant: Tenant,
) -> Result<HttpResponse, ApiError> {
    let tenant = require_tenant(tenant)?;
    state.scenarios.delete(&tenant, scenario_id(&path)?).await?;
    Ok(HttpResponse::NoContent()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish())
}

/// A scenario's output rows (deprecated: use `GET /v2/scenarios/{id}/outputs`).
#[utoipa::path(get, path = "/v1/scenarios/{id}/outputs", tag = "v1", operation_id = "v1ScenarioOutputs",
    params(("X-Tenant-ID" = String, Header, description = "Tenant"), ("id" = String, Path),
        ("metric" = Option<String>, Query), ("tenor_type" = Option<String>, Query),
        ("curve_key" = Option<String>, Query), ("limit" = Option<u32>, Query, minimum = 1, maximum = 500),
        ("cursor" = Option<String>, Query), ("since_cursor" = Option<String>, Query), ("prev_cursor" = Option<String>, Query),
        ("format" = Option<String>, Query, description = "json or csv")),
    responses((status = 200, description = "A page of outputs", content((Object = "application/json"), (String = "text/csv"))), ResourceErrors))]
#[get("/v1/scenarios/{id}/outputs")]
pub async fn outputs(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
    tenant: Tenant,
) -> Result<HttpResponse, ApiError> {
    let started = Instant::now();
    let tenant = require_tenant(tenant)?;
    let id = scenario_id(&path)?;
    let mut p = Params::of(&req)?;
    let format = Format::negotiate(&req, &mut p);
    let filter = OutputFilter {
        run_id: None,
        metric: p.text("metric", 1, 64),
        tenor_type: p.text("tenor_type", 1, 16),
        curve_key: p.text("curve_key", 1, 128),
    };
    let limit = p.integer("limit", 200, 1, 500);
    let paging = paging::read(&mut p);
    p.finish()?;
    let page = fetch(&paging, limit, 500, async |limit, cursor| {
        let request = ListOutputs {
            filter: filter.clone(),
            limit,
            cursor,
        };
        Ok(state.scenarios.outputs(&tenant, id, &request).await?)
    })
    .await?;
    if format == Format::Csv {
        return Ok(outputs_csv(&req, &page));
    }
    Ok(envelope::list(
        &req,
        started,
        &page,
        limit,
        paging.offset,
        CachePolicy::NoStore,
    ))
}

/// Latest value per (metric, tenor, curve) (deprecated: use `GET /v2/scenarios/{id}/metrics/latest`).
#[utoipa::path(get, path = "/v1/scenarios/{id}/metrics/latest", tag = "v1", operation_id = "v1LatestMetrics",
    params(("X-Tenant-ID" = String, Header, description = "Tenant"), ("id" = String, Path),
        ("asof" = Option<String>, Query, format = Date)),
    responses((status = 200, description = "Latest values", body = Object), ResourceErrors))]
#[get("/v1/scenarios/{id}/metrics/latest")]
pub async fn latest_metrics(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
    tenant: Tenant,
) -> Result<HttpResponse, ApiError> {
    let started = Instant::now();
    let tenant = require_tenant(tenant)?;
    let id = scenario_id(&path)?;
    let mut p = Params::of(&req)?;
    let asof = p.date("asof");
    p.finish()?;
    let rows = state.scenarios.latest_metrics(&tenant, id, asof).await?;
    Ok(no_store(&req, started, &rows, StatusCode::OK).respond(&req))
}
