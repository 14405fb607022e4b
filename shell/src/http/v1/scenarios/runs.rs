//! v1 run routes: submit (`/run`, idempotent), list and get by scenario, and the state and
//! cancel commands that name only the run (found for the tenant by its id alone).

use std::time::Instant;

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::Deserialize;

use aurum_core::service::scenarios::ListRuns;
use aurum_ports::TenantId;
use aurum_ports::scenario::{RunOptions, RunStatus};
use aurum_ports::scenario_store::RunSubmission;

use super::super::envelope;
use super::super::paging::{self, fetch};
use super::super::{CommandErrors, ResourceErrors};
use super::{SKIP_CHUNK, no_store};
use crate::http::idempotency;
use crate::http::params::Params;
use crate::http::problem::{ApiError, ProblemItem, kinds};
use crate::http::representation::CachePolicy;
use crate::http::tenant::Tenant;
use crate::http::v2::scenarios::{json_body, require_tenant, run_id, scenario_id};
use crate::state::AppState;

/// Submit a run (deprecated: use `POST /v2/scenarios/{id}/runs`). Idempotent: the same options
/// return the existing run; `Idempotency-Key` is honoured as in v2.
#[utoipa::path(post, path = "/v1/scenarios/{id}/run", tag = "v1", operation_id = "v1SubmitRun",
    params(("X-Tenant-ID" = String, Header, description = "Tenant"), ("id" = String, Path, description = "Scenario id"),
        ("Idempotency-Key" = Option<String>, Header, description = "≤ 255 chars of [A-Za-z0-9_-.:/]")),
    request_body(content = Object, content_type = "application/json", description = "RunOptions"),
    responses((status = 202, description = "Accepted", body = Object, headers(("Location" = String))), CommandErrors))]
#[post("/v1/scenarios/{id}/run")]
pub async fn submit_run(
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
    tenant: Tenant,
) -> Result<HttpResponse, ApiError> {
    let started = Instant::now();
    let tenant = require_tenant(tenant)?;
    let id = scenario_id(&path)?;
    let mut options: RunOptions = if body.is_empty() {
        RunOptions::default()
    } else {
        json_body(&req, &body)?
    };
    let key = idempotency::key(&req)?;
    if let Some(k) = &key {
        options.idempotency_key = Some(k.clone());
    }
    let fingerprint = aurum_core::service::scenarios::run_request_fingerprint(id, &options);
    // Stored responses are per version: a v1 replay must not return a v2 shape.
    let stored_key = key.map(|k| format!("v1:{k}"));
    idempotency::run(
        &state,
        &req,
        &tenant,
        stored_key.as_deref(),
        &fingerprint,
        async {
            let traceparent = crate::telemetry::propagation::request_traceparent(req.headers());
            let (RunSubmission::Created(run) | RunSubmission::Existing(run)) = state
                .scenarios
                .submit_run_traced(&tenant, id, options, traceparent)
                .await?;
            let location = format!("/v1/scenarios/{}/runs/{}", run.scenario_id, run.id);
            Ok(no_store(&req, started, &run, StatusCode::ACCEPTED).with_header(LOCATION, location))
        },
    )
    .await
}

/// A scenario's runs, newest first (deprecated: use `GET /v2/scenarios/{id}/runs`).
#[utoipa::path(get, path = "/v1/scenarios/{id}/runs", tag = "v1", operation_id = "v1ListRuns",
    params(("X-Tenant-ID" = String, Header, description = "Tenant"), ("id" = String, Path, description = "Scenario id"),
        ("state" = Option<String>, Query, description = "queued, running, succeeded, failed, cancelled, timeout"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 200),
        ("cursor" = Option<String>, Query), ("since_cursor" = Option<String>, Query), ("prev_cursor" = Option<String>, Query)),
    responses((status = 200, description = "A page of runs", body = Object), ResourceErrors))]
#[get("/v1/scenarios/{id}/runs")]
pub async fn list_runs(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
    tenant: Tenant,
) -> Result<HttpResponse, ApiError> {
    let started = Instant::now();
    let tenant = require_tenant(tenant)?;
    let id = scenario_id(&path)?;
    let mut p = Params::of(&req)?;
    let status = p.enumeration(
        "state",
        "queued, running, succeeded, failed, cancelled, timeout",
    );
    let limit = p.integer("limit", 50, 1, 200);
    let paging = paging::read(&mut p);
    p.finish()?;
    let page = fetch(&paging, limit, SKIP_CHUNK, async |limit, cursor| {
        let request = ListRuns {
            status,
            limit,
            cursor,
        };
        Ok(state.scenarios.list_runs(&tenant, id, &request).await?)
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

/// One run (deprecated: use `GET /v2/scenarios/{id}/runs/{run_id}`).
#[utoipa::path(get, path = "/v1/scenarios/{id}/runs/{run_id}", tag = "v1", operation_id = "v1GetRun",
    params(("X-Tenant-ID" = String, Header, description = "Tenant"), ("id" = String, Path), ("run_id" = String, Path)),
    responses((status = 200, description = "The run", body = Object), ResourceErrors))]
#[get("/v1/scenarios/{id}/runs/{run_id}")]
pub async fn get_run(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
    tenant: Tenant,
) -> Result<HttpResponse, ApiError> {
    let started = Instant::now();
    let tenant = require_tenant(tenant)?;
    let (id, run) = path.into_inner();
    let run = state
        .scenarios
        .get_run(&tenant, scenario_id(&id)?, run_id(&run)?)
        .await?;
    Ok(no_store(&req, started, &run, StatusCode::OK).respond(&req))
}

/// Body of the state command.
#[derive(Debug, Deserialize)]
pub struct StateChange {
    /// The requested state; only `cancelled` can be requested.
    pub state: String,
}

async fn cancel(
    req: &HttpRequest,
    started: Instant,
    state: &AppState,
    tenant: &TenantId,
    raw_run: &str,
) -> Result<HttpResponse, ApiError> {
    let run = state
        .scenarios
        .get_run_by_id(tenant, run_id(raw_run)?)
        .await?;
    let run = state
        .scenarios
        .cancel_run(tenant, run.scenario_id, run.id)
        .await?;
    Ok(no_store(req, started, &run, StatusCode::OK).respond(req))
}

/// Request a run state (deprecated: use `POST /v2/scenarios/{id}/runs/{run_id}:cancel`).
///
/// Only guarded transitions: `cancelled` for a queued or running run (409 once it ended
/// otherwise); asking for the state the run is already in returns it; any other state is set
/// by the worker alone (409); an unknown state is 400.
#[utoipa::path(post, path = "/v1/scenarios/runs/{run_id}/state", tag = "v1", operation_id = "v1ChangeRunState",
    params(("X-Tenant-ID" = String, Header, description = "Tenant"), ("run_id" = String, Path)),
    request_body(content = Object, content_type = "application/json", description = "{\"state\": \"cancelled\"}"),
    responses((status = 200, description = "The run after the change", body = Object), CommandErrors))]
#[post("/v1/scenarios/runs/{run_id}/state")]
pub async fn change_run_state(
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
    tenant: Tenant,
) -> Result<HttpResponse, ApiError> {
    let started = Instant::now();
    let tenant = require_tenant(tenant)?;
    let change: StateChange = json_body(&req, &body)?;
    let Ok(wanted) = change.state.parse::<RunStatus>() else {
        let mut e = ApiError::new(
            kinds::INVALID_PARAMETER,
            "state must be one of queued, running, succeeded, failed, cancelled, timeout",
        );
        e.errors.push(ProblemItem {
            parameter: None,
            pointer: Some("/state".into()),
            detail: "unknown state".into(),
        });
        return Err(e);
    };
    if wanted == RunStatus::Cancelled {
        return cancel(&req, started, &state, &tenant, &path).await;
    }
    let run = state
        .scenarios
        .get_run_by_id(&tenant, run_id(&path)?)
        .await?;
    if run.status == wanted {
        return Ok(no_store(&req, started, &run, StatusCode::OK).respond(&req));
    }
    Err(ApiError::new(
        kinds::CONFLICT,
        format!(
            "a run cannot be moved from {} to {wanted} by a client; only cancelled can be requested",
            run.status
        ),
    ))
}

/// Cancel a queued or running run (deprecated: use `POST /v2/scenarios/{id}/runs/{run_id}:cancel`).
#[utoipa::path(post, path = "/v1/scenarios/runs/{run_id}/cancel", tag = "v1", operation_id = "v1CancelRun",
    params(("X-Tenant-ID" = String, Header, description = "Tenant"), ("run_id" = String, Path)),
    responses((status = 200, description = "The run after cancelling", body = Object), CommandErrors))]
#[post("/v1/scenarios/runs/{run_id}/cancel")]
pub async fn cancel_run(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
    tenant: Tenant,
) -> Result<HttpResponse, ApiError> {
    let tenant = require_tenant(tenant)?;
    cancel(&req, Instant::now(), &state, &tenant, &path).await
}
