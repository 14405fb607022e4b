//! `/v1/metadata/…`: curve dimensions (over the curve service, as /v2), and the reference data
//! loaded once at startup into [`crate::state::ReferenceData`]: locations, units and trading
//! calendars with their blocks, hours and expansions.

use std::collections::BTreeMap;
use std::time::Instant;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi};

use aurum_core::reference::{CalendarError, units_list, units_mapping};
use aurum_core::service::{DimensionsRequest, ParameterProblem};

use super::DeprecateAll;
use super::envelope::{self, V1Meta};
use super::{QueryErrors, ResourceErrors};
use crate::http::params::Params;
use crate::http::problem::{ApiError, kinds};
use crate::http::representation::{CachePolicy, Representation};
use crate::http::v2::curves::CurveFilterParams;
use crate::http::v2::metadata::DimensionValue;
use crate::state::AppState;

/// The v1 metadata operations.
#[derive(OpenApi)]
#[openapi(
    paths(
    dimensions,
    locations,
    location,
    units,
    units_mapping_route,
    calendars,
    calendar_blocks,
    calendar_hours,
    calendar_expand,
),
    modifiers(&DeprecateAll)
)]
pub struct Doc;

/// Registers the v1 metadata routes.
pub fn register(cfg: &mut web::ServiceConfig) {
    cfg.service(dimensions)
        .service(locations)
        .service(location)
        .service(units_mapping_route)
        .service(units)
        .service(calendars)
        .service(calendar_blocks)
        .service(calendar_hours)
        .service(calendar_expand);
}

fn cached(req: &HttpRequest, started: Instant, data: &impl Serialize) -> HttpResponse {
    envelope::object(req, started, data, StatusCode::OK, CachePolicy::METADATA).respond(req)
}

/// v1 dimension options.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct V1DimensionParams {
    /// Values per dimension, most frequent first (1..500, default 500).
    #[param(minimum = 1, maximum = 500)]
    pub per_dim_limit: Option<u32>,
    /// Only values starting with this text (case-insensitive).
    #[param(max_length = 200)]
    pub prefix: Option<String>,
    /// Also answer `counts` (`{dim: [{value, count}]}`); otherwise `counts` is null.
    pub include_counts: Option<bool>,
}

/// Distinct values of the curve dimensions (deprecated: use `GET /v2/metadata/dimensions`).
///
/// `data` is `{dimension: [value, …]}`; `counts` is null unless `include_counts=true`.
#[utoipa::path(get, path = "/v1/metadata/dimensions", tag = "v1", operation_id = "v1CurveDimensions",
    params(CurveFilterParams, V1DimensionParams),
    responses((status = 200, description = "Values per dimension", body = Object), (status = 304, description = "Not modified"), QueryErrors))]
#[get("/v1/metadata/dimensions")]
pub async fn dimensions(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let started = Instant::now();
    let mut p = Params::of(&req)?;
    let request = DimensionsRequest {
        filters: p.curve_filters(),
        asof: p.date("asof"),
        per_dim_limit: p.integer("per_dim_limit", 500, 1, 500),
        prefix: p.text("prefix", 0, 200).filter(|x| !x.is_empty()),
    };
    let include_counts = match p.raw("include_counts").map(str::to_ascii_lowercase) {
        None => false,
        Some(v) if v == "true" || v == "1" => true,
        Some(v) if v == "false" || v == "0" => false,
        Some(_) => {
            p.problems.push(ParameterProblem::new(
                "include_counts",
                "include_counts must be true or false",
            ));
            false
        }
    };
    p.finish()?;
    let dims = state.curves.dimensions(&request).await?;
    let mut values: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut counts: BTreeMap<&str, Vec<DimensionValue>> = BTreeMap::new();
    for (dim, list) in &dims.values {
        values.insert(
            dim.as_str(),
            list.iter().map(|v| v.value.as_str()).collect(),
        );
        if include_counts {
            counts.insert(
                dim.as_str(),
                list.iter()
                    .map(|v| DimensionValue {
                        value: v.value.clone(),
                        count: v.count,
                    })
                    .collect(),
            );
        }
    }
    let data = serde_json::to_vec(&values).unwrap_or_else(|_| b"{}".to_vec());
    let counts = if include_counts {
        serde_json::to_vec(&counts).unwrap_or_else(|_| b"null".to_vec())
    } else {
        b"null".to_vec()
    };
    let body = envelope::body(&V1Meta::of(&req, started), &data, &[("counts", &counts)]);
    // The tag covers data and counts: both change with the answer.
    let tagged = [data.as_slice(), counts.as_slice()].concat();
    Ok(Representation::json(body, &tagged, CachePolicy::METADATA).respond(&req))
}

/// Location filters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LocationParams {
    /// ISO (case-insensitive).
    #[param(max_length = 64)]
    pub iso: Option<String>,
    /// Start of the location id or name (case-insensitive).
    #[param(max_length = 200)]
    pub prefix: Option<String>,
}

/// ISO locations (hubs, zones, nodes) (deprecated).
#[utoipa::path(get, path = "/v1/metadata/locations", tag = "v1", operation_id = "v1Locations",
    params(LocationParams),
    responses((status = 200, description = "Locations", body = Object), (status = 304, description = "Not modified"), QueryErrors))]
#[get("/v1/metadata/locations")]
pub async fn locations(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let started = Instant::now();
    let mut p = Params::of(&req)?;
    let iso = p.text("iso", 0, 64);
    let prefix = p.text("prefix", 0, 200);
    p.finish()?;
    let found = state
        .reference
        .locations
        .list(iso.as_deref(), prefix.as_deref());
    Ok(cached(&req, started, &found))
}

/// One ISO location (deprecated).
#[utoipa::path(get, path = "/v1/metadata/locations/{iso}/{location_id}", tag = "v1", operation_id = "v1Location",
    params(("iso" = String, Path, description = "ISO"), ("location_id" = String, Path, description = "Location id")),
    responses((status = 200, description = "The location", body = Object), (status = 304, description = "Not modified"), ResourceErrors))]
#[get("/v1/metadata/locations/{iso}/{location_id}")]
pub async fn location(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let started = Instant::now();
    let (iso, id) = path.into_inner();
    let found = state.reference.locations.get(&iso, &id).ok_or_else(|| {
        ApiError::new(
            kinds::NOT_FOUND,
            format!("ISO {iso} has no location {id}; see /v1/metadata/locations?iso={iso}"),
        )
    })?;
    Ok(cached(&req, started, found))
}

/// Prefix filter.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PrefixParams {
    /// Start of the units spelling (case-insensitive).
    #[param(max_length = 200)]
    pub prefix: Option<String>,
}

/// Known units spellings (deprecated).
#[utoipa::path(get, path = "/v1/metadata/units", tag = "v1", operation_id = "v1Units",
    params(PrefixParams),
    responses((status = 200, description = "Units", body = Object), (status = 304, description = "Not modified"), QueryErrors))]
#[get("/v1/metadata/units")]
pub async fn units(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let started = Instant::now();
    let mut p = Params::of(&req)?;
    let prefix = p.text("prefix", 0, 200);
    p.finish()?;
    let list = units_list(&state.reference.units, prefix.as_deref());
    Ok(cached(&req, started, &list))
}

/// Units spelling → currency and per-unit (deprecated).
#[utoipa::path(get, path = "/v1/metadata/units/mapping", tag = "v1", operation_id = "v1UnitsMapping",
    params(PrefixParams),
    responses((status = 200, description = "Mapping", body = Object), (status = 304, description = "Not modified"), QueryErrors))]
#[get("/v1/metadata/units/mapping")]
pub async fn units_mapping_route(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let started = Instant::now();
    let mut p = Params::of(&req)?;
    let prefix = p.text("prefix", 0, 200);
    p.finish()?;
    let map = units_mapping(&state.reference.units, prefix.as_deref());
    Ok(cached(&req, started, &map))
}

/// One calendar in a listing.
#[derive(Debug, Serialize)]
struct CalendarSummary<'a> {
    name: &'a str,
    timezone: &'a str,
    blocks: Vec<&'a str>,
    holidays: usize,
}

/// Trading calendars (deprecated).
#[utoipa::path(get, path = "/v1/metadata/calendars", tag = "v1", operation_id = "v1Calendars",
    responses((status = 200, description = "Calendars", body = Object), (status = 304, description = "Not modified"), QueryErrors))]
#[get("/v1/metadata/calendars")]
pub async fn calendars(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let started = Instant::now();
    let list: Vec<CalendarSummary<'_>> = state
        .reference
        .calendars
        .iter()
        .map(|c| CalendarSummary {
            name: &c.name,
            timezone: c.timezone.name(),
            blocks: c.block_names(),
            holidays: c.holidays.len(),
        })
        .collect();
    Ok(cached(&req, started, &list))
}

/// Maps calendar errors: unknown calendar → 404; a bad block or range → 400 naming it.
fn calendar_problem(e: &CalendarError) -> ApiError {
    let parameter = match e {
        CalendarError::UnknownCalendar { .. } => {
            return ApiError::new(kinds::NOT_FOUND, e.to_string());
        }
        CalendarError::UnknownBlock { .. } => "block",
        CalendarError::EndBeforeStart { .. } | CalendarError::RangeTooLong { .. } => "end",
    };
    ApiError::invalid(vec![ParameterProblem::new(parameter, e.to_string())])
}

/// Blocks of one calendar with their rules (deprecated).
#[utoipa::path(get, path = "/v1/metadata/calendars/{name}/blocks", tag = "v1", operation_id = "v1CalendarBlocks",
    params(("name" = String, Path, description = "Calendar")),
    responses((status = 200, description = "Blocks", body = Object), (status = 304, description = "Not modified"), ResourceErrors))]
#[get("/v1/metadata/calendars/{name}/blocks")]
pub async fn calendar_blocks(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let started = Instant::now();
    let calendar = state
        .reference
        .calendars
        .get(&path)
        .map_err(|e| calendar_problem(&e))?;
    Ok(cached(&req, started, &calendar.blocks))
}

/// Hours parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HoursParams {
    /// Block name (`ON_PEAK`, …).
    #[param(min_length = 1, max_length = 64)]
    pub block: String,
    /// Local date.
    #[param(value_type = String, format = Date)]
    pub date: String,
}

/// Hour starts of a block on one date, DST-aware (deprecated).
#[utoipa::path(get, path = "/v1/metadata/calendars/{name}/hours", tag = "v1", operation_id = "v1CalendarHours",
    params(("name" = String, Path, description = "Calendar"), HoursParams),
    responses((status = 200, description = "Hour starts", body = Object), (status = 304, description = "Not modified"), ResourceErrors))]
#[get("/v1/metadata/calendars/{name}/hours")]
pub async fn calendar_hours(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let started = Instant::now();
    let mut p = Params::of(&req)?;
    let block = required_text(&mut p, "block");
    let date = p.required_date("date");
    p.finish()?;
    let calendar = state
        .reference
        .calendars
        .get(&path)
        .map_err(|e| calendar_problem(&e))?;
    let (Some(block), Some(date)) = (block, date) else {
        return Err(ApiError::new(
            kinds::INVALID_PARAMETER,
            "block and date are required",
        ));
    };
    let hours = calendar
        .hours(&block, date)
        .map_err(|e| calendar_problem(&e))?;
    Ok(cached(&req, started, &hours))
}

/// Expansion parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExpandParams {
    /// Block name.
    #[param(min_length = 1, max_length = 64)]
    pub block: String,
    /// First local date.
    #[param(value_type = String, format = Date)]
    pub start: String,
    /// Last local date (inclusive; not before `start`; at most 366 days).
    #[param(value_type = String, format = Date)]
    pub end: String,
}

/// Hour starts of a block over a date range (deprecated).
#[utoipa::path(get, path = "/v1/metadata/calendars/{name}/expand", tag = "v1", operation_id = "v1CalendarExpand",
    params(("name" = String, Path, description = "Calendar"), ExpandParams),
    responses((status = 200, description = "Hour starts", body = Object), (status = 304, description = "Not modified"), ResourceErrors))]
#[get("/v1/metadata/calendars/{name}/expand")]
pub async fn calendar_expand(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let started = Instant::now();
    let mut p = Params::of(&req)?;
    let block = required_text(&mut p, "block");
    let start = p.required_date("start");
    let end = p.required_date("end");
    p.finish()?;
    let calendar = state
        .reference
        .calendars
        .get(&path)
        .map_err(|e| calendar_problem(&e))?;
    let (Some(block), Some(start), Some(end)) = (block, start, end) else {
        return Err(ApiError::new(
            kinds::INVALID_PARAMETER,
            "block, start and end are required",
        ));
    };
    let hours = calendar
        .expand(&block, start, end)
        .map_err(|e| calendar_problem(&e))?;
    Ok(cached(&req, started, &hours))
}

fn required_text(p: &mut Params, name: &str) -> Option<String> {
    if p.raw(name).is_none() {
        p.problems
            .push(ParameterProblem::new(name, format!("{name} is required")));
        return None;
    }
    p.text(name, 1, 64)
}
