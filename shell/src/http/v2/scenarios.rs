//! `/v2/scenarios…`: scenarios, their runs (with `Idempotency-Key`), outputs and latest
//! metrics. Every route is tenant-scoped: the tenant is required, and another tenant's ids are
//! 404s. Handlers parse, call `ScenarioService`, and shape the answer.

use actix_web::http::header::{self, HeaderName, LOCATION};
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::Serialize;
use serde_json::Value;
use utoipa::IntoParams;

use aurum_core::service::scenarios::{
    ListOutputs, ListRuns, ListScenarios, Problem, ScenarioError, ScenarioPatch,
};
use aurum_core::service::{CursorPage, ParameterProblem};
use aurum_ports::TenantId;
use aurum_ports::scenario::{NewScenario, RunId, RunOptions, ScenarioId};
use aurum_ports::scenario_store::{OutputFilter, RunSubmission, ScenarioFilter};

use crate::http::envelope::{self, ListMeta, ObjectMeta};
use crate::http::idempotency;
use crate::http::params::Params;
use crate::http::problem::{ApiError, ProblemItem, kinds};
use crate::http::representation::{CachePolicy, Representation};
use crate::http::tenant::Tenant;
use crate::state::AppState;

/// Largest request body of these routes.
const MAX_BODY: usize = 256 * 1024;

pub(crate) fn require_tenant(tenant: Tenant) -> Result<TenantId, ApiError> {
    tenant.0.ok_or_else(|| {
        let mut e = ApiError::new(
            kinds::INVALID_TENANT,
            "scenarios belong to a tenant: send X-Tenant-ID",
        );
        e.errors.push(ProblemItem {
            parameter: Some("X-Tenant-ID".into()),
            pointer: None,
            detail: "required".into(),
        });
        e
    })
}

pub(crate) fn scenario_id(raw: &str) -> Result<ScenarioId, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::new(kinds::NOT_FOUND, "no scenario has this id"))
}

pub(crate) fn run_id(raw: &str) -> Result<RunId, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::new(kinds::NOT_FOUND, "no run has this id"))
}

impl From<ScenarioError> for ApiError {
    fn from(e: ScenarioError) -> Self {
        match e {
            ScenarioError::Invalid(problems) => {
                let pointer_only = problems.iter().all(|p| matches!(p, Problem::Pointer(_)));
                let kind = if pointer_only {
                    kinds::UNPROCESSABLE
                } else {
                    kinds::INVALID_PARAMETER
                };
                let detail = match problems.as_slice() {
                    [one] => one.detail().to_owned(),
                    many => format!("{} inputs are invalid; see errors", many.len()),
                };
                let mut err = ApiError::new(kind, detail);
                err.errors = problems
                    .into_iter()
                    .map(|p| match p {
                        Problem::Parameter(p) => ProblemItem {
                            parameter: Some(p.parameter),
                            pointer: None,
                            detail: p.detail,
                        },
                        Problem::Pointer(p) => ProblemItem {
                            parameter: None,
                            pointer: Some(p.pointer),
                            detail: p.detail,
                        },
                    })
                    .collect();
                err
            }
            ScenarioError::NotFound(what) => ApiError::new(
                kinds::NOT_FOUND,
                format!("no {what} has this id for this tenant"),
            ),
            ScenarioError::Conflict(why) => ApiError::new(kinds::CONFLICT, why),
            ScenarioError::Cursor(c) => c.into(),
            ScenarioError::Store(s) => s.into(),
        }
    }
}

/// Parses a JSON body: wrong media type → 415, oversized → 413, malformed → 400, ill-typed → 422.
pub(crate) fn json_body<T: serde::de::DeserializeOwned>(
    req: &HttpRequest,
    body: &[u8],
) -> Result<T, ApiError> {
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !ct
        .trim_start()
        .to_ascii_lowercase()
        .starts_with("application/json")
    {
        return Err(ApiError::new(
            kinds::UNSUPPORTED_MEDIA_TYPE,
            "send the body as application/json",
        ));
    }
    if body.len() > MAX_BODY {
        return Err(ApiError::new(
            kinds::PAYLOAD_TOO_LARGE,
            format!("the body must be at most {MAX_BODY} bytes"),
        ));
    }
    serde_json::from_slice(body).map_err(|e| {
        let kind = if e.is_data() {
            kinds::UNPROCESSABLE
        } else {
            kinds::INVALID_PARAMETER
        };
        let mut err = ApiError::new(kind, format!("the JSON body is not valid: {e}"));
        err.errors.push(ProblemItem {
            parameter: None,
            pointer: Some(String::new()),
            detail: e.to_string(),
        });
        err
    })
}

fn object(
    req: &HttpRequest,
    tenant: &TenantId,
    data: &impl Serialize,
    status: actix_web::http::StatusCode,
) -> Representation {
    let data = serde_json::to_vec(data).unwrap_or_else(|_| b"{}".to_vec());
    let meta = ObjectMeta {
        request_id: envelope::request_id(req),
        tenant_id: Some(tenant.to_string()),
    };
    let mut rep = Representation::json(
        envelope::body(&data, &meta, None),
        &data,
        CachePolicy::NoStore,
    );
    rep.status = status;
    rep
}

fn list<T: Serialize>(
    req: &HttpRequest,
    tenant: &TenantId,
    page: &CursorPage<T>,
    limit: usize,
) -> HttpResponse {
    let data = serde_json::to_vec(&page.items).unwrap_or_else(|_| b"[]".to_vec());
    let (next, prev) = (page.next_cursor.as_deref(), page.prev_cursor.as_deref());
    let meta = ListMeta {
        request_id: envelope::request_id(req),
        limit,
        returned_count: page.items.len(),
        has_more: next.is_some(),
        next_cursor: next.map(str::to_owned),
        prev_cursor: prev.map(str::to_owned),
        tenant_id: Some(tenant.to_string()),
    };
    let links = envelope::links(req, next, prev);
    Representation::json(
        envelope::body(&data, &meta, Some(&links)),
        &data,
        CachePolicy::NoStore,
    )
    .respond(req)
}

/// Scenario list filters.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScenarioListParams {
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
    /// Cursor.
    pub cursor: Option<String>,
}

pub(crate) fn timestamp(p: &mut Params, name: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let raw = p.raw(name)?.to_owned();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(raw.trim()) {
        Some(t.to_utc())
    } else {
        p.problems.push(ParameterProblem::new(
            name,
            format!("{name} must be an RFC 3339 timestamp"),
        ));
        None
    }
}

/// Create a scenario.
#[utoipa::path(post, path = "/v2/scenarios", tag = "scenarios", operation_id = "createScenario",
    params(("X-Tenant-ID" = String, Header, description = "Tenant")),
    request_body(content = Object, content_type = "application/json", description = "NewScenario: name, description?, assumptions[], parameters{}, tags[]"),
    responses(
        (status = 201, description = "Created", body = Object, headers(("Location" = String))),
        (status = 400, description = "Bad input", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Name taken", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Breaks a rule", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
    ))]
#[post("/v2/scenarios")]
pub async fn create(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
    tenant: Tenant,
) -> Result<HttpResponse, ApiError> {
    let tenant = require_tenant(tenant)?;
    let input: NewScenario = json_body(&req, &body)?;
    let scenario = state.scenarios.create(&tenant, input).await?;
    let location = format!("/v2/scenarios/{}", scenario.id);
    Ok(object(
        &req,
        &tenant,
        &scenario,
        actix_web::http::StatusCode::CREATED,
    )
    .with_header(LOCATION, location)
    .respond(&req))
}

/// List the tenant's scenarios, newest first.
#[utoipa::path(get, path = "/v2/scenarios", tag = "scenarios", operation_id = "listScenarios",
    params(("X-Tenant-ID" = String, Header, description = "Tenant"), ScenarioListParams),
    responses(
        (status = 200, description = "A page of scenarios", body = Object),
        (status = 400, description = "Bad input", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
    ))]
#[get("/v2/scenarios")]
pub async fn list_scenarios(
    req: HttpRequest,
    state: web::Data<AppState>,
    tenant: Tenant,
) -> Result<HttpResponse, ApiError> {
    let tenant = require_tenant(tenant)?;
    let mut p = Params::of(&req)?;
    let filter = ScenarioFilter {
        status: p.enumeration("status", "created, active, archived"),
        name: p.text("name", 1, 200),
        tag: p.text("tag", 1, 64),
        created_after: timestamp(&mut p, "created_after"),
        created_before: timestamp(&mut p, "created_before"),
    };
    let request = ListScenarios {
        filter,
        limit: p.integer("limit", 50, 1, 200),
        cursor: p.cursor(),
    };
    p.finish()?;
    let page = state.scenarios.list(&tenant, &request).await?;
    Ok(list(&req, &tenant, &page, request.limit))
}

/// One scenario.
#[utoipa::path(get, path = "/v2/scenarios/{id}", tag = "scenarios", operation_id = "getScenario",
    params(("X-Tenant-ID" = String, Header, description = "Tenant"), ("id" = String, Path, description = "Scenario id")),
    responses(
        (status = 400, description = "Bad input or missing tenant", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
        (status = 200, description = "The scenario", body = Object),
        (status = 404, description = "Unknown for this tenant", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
    ))]
#[get("/v2/scenarios/{id}")]
pub async fn get_scenario(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
    tenant: Tenant,
) -> Result<HttpResponse, ApiError> {
    let tenant = require_tenant(tenant)?;
    let scenario = state.scenarios.get(&tenant, scenario_id(&path)?).await?;
    Ok(object(&req, &tenant, &scenario, actix_web::http::StatusCode::OK).respond(&req))
}

/// Change a scenario (partial update; `If-Match: "<version>"` guards against lost updates).
#[utoipa::path(patch, path = "/v2/scenarios/{id}", tag = "scenarios", operation_id = "patchScenario",
    params(("X-Tenant-ID" = String, Header, description = "Tenant"), ("id" = String, Path, description = "Scenario id")),
    request_body(content = Object, content_type = "application/json", description = "Any of name, description, status, assumptions, parameters, tags"),
    responses(
        (status = 400, description = "Bad input or missing tenant", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
        (status = 200, description = "The updated scenario", body = Object),
        (status = 404, description = "Unknown", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Version moved on or name taken", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Breaks a rule", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
    ))]
#[patch("/v2/scenarios/{id}")]
pub async fn patch_scenario(
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
    tenant: Tenant,
) -> Result<HttpResponse, ApiError> {
    let tenant = require_tenant(tenant)?;
    let id = scenario_id(&path)?;
    let changes = patch_body(json_body(&req, &body)?)?;
    let expected = req
        .headers()
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.trim()
                .trim_start_matches("W/")
                .trim_matches('"')
                .parse::<i64>()
                .ok()
        });
    let scenario = state
        .scenarios
        .patch(&tenant, id, changes, expected)
        .await?;
    Ok(object(&req, &tenant, &scenario, actix_web::http::StatusCode::OK).respond(&req))
}

fn typed<T: serde::de::DeserializeOwned>(
    name: &str,
    v: Option<Value>,
    problems: &mut Vec<ProblemItem>,
) -> Option<T> {
    let v = v?;
    match serde_json::from_value(v) {
        Ok(t) => Some(t),
        Err(e) => {
            problems.push(ProblemItem {
                parameter: None,
                pointer: Some(format!("/{name}")),
                detail: e.to_string(),
            });
            None
        }
    }
}

/// The patch in a JSON object: absent fields stay, `"description": null` clears it.
fn patch_body(value: Value) -> Result<ScenarioPatch, ApiError> {
    let Value::Object(mut map) = value else {
        return Err(ApiError::new(
            kinds::UNPROCESSABLE,
            "the body must be a JSON object",
        ));
    };
    let mut problems = Vec::new();
    let mut take = |name: &str| map.remove(name);
    let description = match take("description") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(v) => typed::<String>("description", Some(v), &mut problems).map(Some),
    };
    let patch = ScenarioPatch {
        name: typed("name", take("name"), &mut problems),
        description,
        status: typed("status", take("status"), &mut problems),
        assumptions: typed("assumptions", take("assumptions"), &mut problems),
        parameters: typed("parameters", take("parameters"), &mut problems),
        tags: typed("tags", take("tags"), &mut problems),
    };
    if problems.is_empty() {
        Ok(patch)
    } else {
        let mut err = ApiError::new(
            kinds::UNPROCESSABLE,
            "some fields have the wrong type; see errors",
        );
        err.errors = problems;
        Err(err)
    }
}

/// Delete a scenario with its runs and outputs.
#[utoipa::path(delete, path = "/v2/scenarios/{id}", tag = "scenarios", operation_id = "deleteScenario",
    params(("X-Tenant-ID" = String, Header, description = "Tenant"), ("id" = String, Path, description = "Scenario id")),
    responses(
        (status = 400, description = "Bad input or missing tenant", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
        (status = 204, description = "Deleted"),
        (status = 404, description = "Unknown", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
    ))]
#[delete("/v2/scenarios/{id}")]
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

/// Submit a run (202 + `Location`). Honours `Idempotency-Key`: a repeat replays the stored
/// response with `Idempotent-Replayed: true`; 409 while the first is in flight; 422 when the
/// key comes with another body. An identical fingerprint returns the existing run.
#[utoipa::path(post, path = "/v2/scenarios/{id}/runs", tag = "scenarios", operation_id = "submitRun",
    params(("X-Tenant-ID" = String, Header, description = "Tenant"), ("id" = String, Path, description = "Scenario id"),
        ("Idempotency-Key" = Option<String>, Header, description = "≤ 255 chars of [A-Za-z0-9_-.:/]")),
    request_body(content = Object, content_type = "application/json", description = "RunOptions"),
    responses(
        (status = 202, description = "Accepted", body = Object, headers(("Location" = String))),
        (status = 400, description = "Bad key", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown scenario", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Same key in flight", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad options or key reused with another body", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
    ))]
#[post("/v2/scenarios/{id}/runs")]
pub async fn submit_run(
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
    tenant: Tenant,
) -> Result<HttpResponse, ApiError> {
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
    idempotency::run(&state, &req, &tenant, key.as_deref(), &fingerprint, async {
        let traceparent = crate::telemetry::propagation::request_traceparent(req.headers());
        let submission = state
            .scenarios
            .submit_run_traced(&tenant, id, options, traceparent)
            .await?;
        let run = match &submission {
            RunSubmission::Created(run) | RunSubmission::Existing(run) => run,
        };
        let location = format!("/v2/scenarios/{}/runs/{}", run.scenario_id, run.id);
        let existing = matches!(submission, RunSubmission::Existing(_));
        let rep = object(&req, &tenant, run, actix_web::http::StatusCode::ACCEPTED)
            .with_header(LOCATION, location)
            .with_header(
                HeaderName::from_static("x-run-existing"),
                existing.to_string(),
            );
        Ok(rep)
    })
    .await
}

/// A scenario's runs, newest first.
#[utoipa::path(get, path = "/v2/scenarios/{id}/runs", tag = "scenarios", operation_id = "listRuns",
    params(("X-Tenant-ID" = String, Header, description = "Tenant"), ("id" = String, Path, description = "Scenario id"),
        ("status" = Option<String>, Query, description = "Run status"), ("limit" = Option<u32>, Query, minimum = 1, maximum = 200),
        ("cursor" = Option<String>, Query)),
    responses(
        (status = 200, description = "A page of runs", body = Object),
        (status = 400, description = "Bad input", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown scenario", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
    ))]
#[get("/v2/scenarios/{id}/runs")]
pub async fn list_runs(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
    tenant: Tenant,
) -> Result<HttpResponse, ApiError> {
    let tenant = require_tenant(tenant)?;
    let id = scenario_id(&path)?;
    let mut p = Params::of(&req)?;
    let request = ListRuns {
        status: p.enumeration(
            "status",
            "queued, running, succeeded, failed, cancelled, timeout",
        ),
        limit: p.integer("limit", 50, 1, 200),
        cursor: p.cursor(),
    };
    p.finish()?;
    let page = state.scenarios.list_runs(&tenant, id, &request).await?;
    Ok(list(&req, &tenant, &page, request.limit))
}

/// One run.
#[utoipa::path(get, path = "/v2/scenarios/{id}/runs/{run_id}", tag = "scenarios", operation_id = "getRun",
    params(("X-Tenant-ID" = String, Header, description = "Tenant"), ("id" = String, Path), ("run_id" = String, Path)),
    responses(
        (status = 400, description = "Bad input or missing tenant", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
        (status = 200, description = "The run", body = Object),
        (status = 404, description = "Unknown", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
    ))]
#[get("/v2/scenarios/{id}/runs/{run_id}")]
pub async fn get_run(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
    tenant: Tenant,
) -> Result<HttpResponse, ApiError> {
    let tenant = require_tenant(tenant)?;
    let (id, run) = path.into_inner();
    let run = state
        .scenarios
        .get_run(&tenant, scenario_id(&id)?, run_id(&run)?)
        .await?;
    Ok(object(&req, &tenant, &run, actix_web::http::StatusCode::OK).respond(&req))
}

/// Cancel a queued or running run (terminal runs are final: 409).
#[utoipa::path(post, path = "/v2/scenarios/{id}/runs/{run_id}:cancel", tag = "scenarios", operation_id = "cancelRun",
    params(("X-Tenant-ID" = String, Header, description = "Tenant"), ("id" = String, Path), ("run_id" = String, Path)),
    responses(
        (status = 400, description = "Bad input or missing tenant", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
        (status = 200, description = "The run after cancelling", body = Object),
        (status = 404, description = "Unknown", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already finished", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
    ))]
#[post("/v2/scenarios/{id}/runs/{run_id}:cancel")]
pub async fn cancel_run(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
    tenant: Tenant,
) -> Result<HttpResponse, ApiError> {
    let tenant = require_tenant(tenant)?;
    let (id, run) = path.into_inner();
    let run = state
        .scenarios
        .cancel_run(&tenant, scenario_id(&id)?, run_id(&run)?)
        .await?;
    Ok(object(&req, &tenant, &run, actix_web::http::StatusCode::OK).respond(&req))
}

/// A scenario's output rows (latest succeeded run unless `run_id`), JSON or CSV.
#[utoipa::path(get, path = "/v2/scenarios/{id}/outputs", tag = "scenarios", operation_id = "scenarioOutputs",
    params(("X-Tenant-ID" = String, Header, description = "Tenant"), ("id" = String, Path),
        ("run_id" = Option<String>, Query), ("metric" = Option<String>, Query), ("tenor_type" = Option<String>, Query),
        ("curve_key" = Option<String>, Query), ("limit" = Option<u32>, Query, minimum = 1, maximum = 500),
        ("cursor" = Option<String>, Query), ("format" = Option<String>, Query, description = "json or csv")),
    responses(
        (status = 200, description = "A page of outputs", content((Object = "application/json"), (String = "text/csv"))),
        (status = 400, description = "Bad input", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
    ))]
#[get("/v2/scenarios/{id}/outputs")]
pub async fn outputs(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
    tenant: Tenant,
) -> Result<HttpResponse, ApiError> {
    let tenant = require_tenant(tenant)?;
    let id = scenario_id(&path)?;
    let mut p = Params::of(&req)?;
    let format = crate::http::params::Format::negotiate(&req, &mut p);
    let run = p.raw("run_id").map(str::to_owned);
    let run_id = match run {
        Some(r) => {
            if let Ok(id) = r.parse::<RunId>() {
                Some(id)
            } else {
                p.problems
                    .push(ParameterProblem::new("run_id", "run_id must be a run id"));
                None
            }
        }
        None => None,
    };
    let filter = OutputFilter {
        run_id,
        metric: p.text("metric", 1, 64),
        tenor_type: p.text("tenor_type", 1, 16),
        curve_key: p.text("curve_key", 1, 128),
    };
    let request = ListOutputs {
        filter,
        limit: p.integer("limit", 200, 1, 500),
        cursor: p.cursor(),
    };
    p.finish()?;
    let page = state.scenarios.outputs(&tenant, id, &request).await?;
    if format == crate::http::params::Format::Csv {
        return Ok(outputs_csv(&req, &page));
    }
    Ok(list(&req, &tenant, &page, request.limit))
}

pub(crate) fn outputs_csv(
    req: &HttpRequest,
    page: &CursorPage<aurum_ports::scenario::ScenarioOutput>,
) -> HttpResponse {
    let mut c = crate::http::csv_out::CsvBuffer::new();
    c.header(&[
        "run_id",
        "asof_date",
        "curve_key",
        "tenor_type",
        "contract_month",
        "tenor_label",
        "metric",
        "value",
        "band_lower",
        "band_upper",
        "computed_at",
    ]);
    for o in &page.items {
        let v = serde_json::to_value(o).unwrap_or(Value::Null);
        let text = |k: &str| {
            v.get(k)
                .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_owned))
        };
        c.text(text("run_id").as_deref());
        c.text(text("asof_date").as_deref());
        c.text(text("curve_key").as_deref());
        c.text(text("tenor_type").as_deref());
        c.text(text("contract_month").as_deref());
        c.text(text("tenor_label").as_deref());
        c.text(text("metric").as_deref());
        c.number(v.get("value").and_then(Value::as_f64));
        c.number(v.get("band_lower").and_then(Value::as_f64));
        c.number(v.get("band_upper").and_then(Value::as_f64));
        c.text(text("computed_at").as_deref());
        c.end_row();
    }
    let body = c.take();
    let mut rep = Representation::json(Vec::new(), &body, CachePolicy::NoStore)
        .with_header(
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"scenario-outputs.csv\"",
        )
        .with_body(body);
    rep.content_type = "text/csv; charset=utf-8";
    if let Some(n) = &page.next_cursor {
        rep = rep.with_header(super::page::X_NEXT_CURSOR, n.clone());
    }
    if let Some(p) = &page.prev_cursor {
        rep = rep.with_header(super::page::X_PREV_CURSOR, p.clone());
    }
    rep.respond(req)
}

/// Per (metric, tenor, curve) the newest value over the scenario's succeeded runs.
#[utoipa::path(get, path = "/v2/scenarios/{id}/metrics/latest", tag = "scenarios", operation_id = "latestMetrics",
    params(("X-Tenant-ID" = String, Header, description = "Tenant"), ("id" = String, Path),
        ("asof" = Option<String>, Query, format = Date)),
    responses(
        (status = 400, description = "Bad input or missing tenant", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
        (status = 200, description = "Latest values", body = Object),
        (status = 404, description = "Unknown", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
    ))]
#[get("/v2/scenarios/{id}/metrics/latest")]
pub async fn latest_metrics(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
    tenant: Tenant,
) -> Result<HttpResponse, ApiError> {
    let tenant = require_tenant(tenant)?;
    let id = scenario_id(&path)?;
    let mut p = Params::of(&req)?;
    let asof = p.date("asof");
    p.finish()?;
    let rows = state.scenarios.latest_metrics(&tenant, id, asof).await?;
    Ok(object(&req, &tenant, &rows, actix_web::http::StatusCode::OK).respond(&req))
}
