//! `/v1/curves`, `/v1/curves/diff`, `/v1/curves/strips`: the v2 curve use cases in the v1
//! envelope, with v1's page size (200, at most 500) and paging parameters.

use std::time::Instant;

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use aurum_core::service::{DiffRequest, ListRequest, ParameterProblem, StripsRequest};
use aurum_ports::TenorType;

use super::DeprecateAll;
use super::envelope::{self, RowsShape, V1Meta};
use super::paging::{self, V1Paging};
use super::{QueryErrors, paging::fetch};
use crate::http::curve_repr::{CurveRow, DiffRow};
use crate::http::params::{Format, Params};
use crate::http::problem::{ApiError, kinds};
use crate::http::representation::CachePolicy;
use crate::http::v2::curves::{CurveFilterParams, DiffParams, StripParams};
use crate::state::AppState;

/// Default page size of v1 curve lists.
pub const DEFAULT_LIMIT: usize = 200;
/// Largest page size of v1 curve lists.
pub const MAX_LIMIT: usize = 500;
/// Rows fetched per step while skipping an `offset`.
const SKIP_CHUNK: usize = 500;

/// v1 paging and format parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct V1PageParams {
    /// Page size (1..500, default 200).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// Opaque cursor from `meta.next_cursor` or `meta.prev_cursor`.
    #[param(max_length = 1000)]
    pub cursor: Option<String>,
    /// Alias of `cursor`.
    #[param(max_length = 1000)]
    pub since_cursor: Option<String>,
    /// A `meta.prev_cursor`, to go back one page.
    #[param(max_length = 1000)]
    pub prev_cursor: Option<String>,
    /// Deprecated: rows to skip from the start of the result (0..10000; not with a cursor).
    #[param(minimum = 0, maximum = 10000)]
    pub offset: Option<u32>,
    /// json (default) or csv.
    #[param(inline, value_type = Option<crate::http::v2::curves::FormatParam>)]
    pub format: Option<String>,
}

/// A v1 page of curve rows.
#[derive(Serialize, ToSchema)]
pub struct V1CurveList {
    /// Request and paging information.
    pub meta: V1Meta,
    /// Rows.
    pub data: Vec<CurveRow<'static>>,
}

/// A v1 page of diff rows.
#[derive(Serialize, ToSchema)]
pub struct V1DiffList {
    /// Request and paging information.
    pub meta: V1Meta,
    /// Rows.
    pub data: Vec<DiffRow<'static>>,
}

/// The v1 curve operations.
#[derive(OpenApi)]
#[openapi(
    paths(list_curves, diff_curves, list_strips),
    components(schemas(V1CurveList, V1DiffList, V1Meta)),
    modifiers(&DeprecateAll)
)]
pub struct Doc;

/// Registers the v1 curve routes.
pub fn register(cfg: &mut web::ServiceConfig) {
    cfg.service(diff_curves)
        .service(list_strips)
        .service(list_curves);
}

/// The list part shared by the three routes.
fn list_request(p: &mut Params) -> (ListRequest, V1Paging) {
    let filters = p.curve_filters();
    let asof = p.date("asof");
    let limit = p.integer("limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
    let paging = paging::read(p);
    let request = ListRequest {
        filters,
        asof,
        limit,
        cursor: None,
    };
    (request, paging)
}

fn shape<'a>(format: Format, limit: usize, paging: &V1Paging, filename: &'a str) -> RowsShape<'a> {
    RowsShape {
        format,
        limit,
        offset: paging.offset,
        filename,
        cache: CachePolicy::CURVES,
    }
}

/// List curve observations (deprecated: use `GET /v2/curves`).
#[utoipa::path(
    get, path = "/v1/curves", tag = "v1", operation_id = "v1ListCurves",
    params(CurveFilterParams, V1PageParams),
    responses(
        (status = 200, description = "A page of curve rows", content((V1CurveList = "application/json"), (String = "text/csv"))),
        (status = 304, description = "Not modified"),
        QueryErrors,
    )
)]
#[get("/v1/curves")]
pub async fn list_curves(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let started = Instant::now();
    let mut p = Params::of(&req)?;
    let format = Format::negotiate(&req, &mut p);
    let (base, paging) = list_request(&mut p);
    p.finish()?;
    let page = fetch(&paging, base.limit, SKIP_CHUNK, async |limit, cursor| {
        let request = ListRequest {
            limit,
            cursor,
            ..base.clone()
        };
        Ok(state.curves.list(&request).await?)
    })
    .await?;
    let shape = shape(format, base.limit, &paging, "curves.csv");
    Ok(envelope::rows(&req, started, &page, shape))
}

/// Curve strips (deprecated: use `GET /v2/curves/strips`).
#[utoipa::path(
    get, path = "/v1/curves/strips", tag = "v1", operation_id = "v1ListCurveStrips",
    params(StripParams, CurveFilterParams, V1PageParams),
    responses(
        (status = 200, description = "A page of strip rows", content((V1CurveList = "application/json"), (String = "text/csv"))),
        (status = 304, description = "Not modified"),
        QueryErrors,
    )
)]
#[get("/v1/curves/strips")]
pub async fn list_strips(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let started = Instant::now();
    let mut p = Params::of(&req)?;
    let format = Format::negotiate(&req, &mut p);
    let strip_type = if p.raw("type").is_none() {
        p.problems.push(ParameterProblem::new(
            "type",
            "type is required: CALENDAR, QUARTER or SEASON",
        ));
        None
    } else {
        p.enumeration::<TenorType>("type", "CALENDAR, QUARTER, SEASON")
    };
    let (base, paging) = list_request(&mut p);
    p.finish()?;
    let strip_type = strip_type.unwrap_or(TenorType::Calendar);
    let page = fetch(&paging, base.limit, SKIP_CHUNK, async |limit, cursor| {
        let request = StripsRequest {
            strip_type,
            list: ListRequest {
                limit,
                cursor,
                ..base.clone()
            },
        };
        Ok(state.curves.strips(&request).await?)
    })
    .await?;
    let shape = shape(format, base.limit, &paging, "strips.csv");
    Ok(envelope::rows(&req, started, &page, shape))
}

/// Curve diff between two pricing dates (deprecated: use `GET /v2/curves/diff`).
///
/// Needs a dimension filter; the dates must differ and be at most 365 days apart.
#[utoipa::path(
    get, path = "/v1/curves/diff", tag = "v1", operation_id = "v1DiffCurves",
    params(DiffParams, CurveFilterParams, V1PageParams),
    responses(
        (status = 200, description = "A page of diff rows", content((V1DiffList = "application/json"), (String = "text/csv"))),
        (status = 304, description = "Not modified"),
        QueryErrors,
    )
)]
#[get("/v1/curves/diff")]
pub async fn diff_curves(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let started = Instant::now();
    let mut p = Params::of(&req)?;
    let format = Format::negotiate(&req, &mut p);
    let asof_a = p.required_date("asof_a");
    let asof_b = p.required_date("asof_b");
    let (base, paging) = list_request(&mut p);
    p.finish()?;
    let (Some(asof_a), Some(asof_b)) = (asof_a, asof_b) else {
        return Err(ApiError::new(
            kinds::INVALID_PARAMETER,
            "asof_a and asof_b are required",
        ));
    };
    let page = fetch(&paging, base.limit, SKIP_CHUNK, async |limit, cursor| {
        let request = DiffRequest {
            filters: base.filters.clone(),
            asof_a,
            asof_b,
            limit,
            cursor,
        };
        Ok(state.curves.diff(&request).await?)
    })
    .await?;
    let shape = shape(format, base.limit, &paging, "curve-diff.csv");
    Ok(envelope::rows(&req, started, &page, shape))
}
