//! `/v2/curves…`: list, diff, strips, history and export. Handlers parse, call the curve
//! service and shape the answer; rules live in `aurum-core`.

use actix_web::http::header::CONTENT_DISPOSITION;
use actix_web::{HttpRequest, HttpResponse, get, web};
use bytes::Bytes;
use futures::StreamExt as _;
use serde::Deserialize;
use utoipa::IntoParams;

use aurum_core::service::{DiffRequest, HistoryRequest, ListRequest, StripsRequest};
use aurum_ports::TenorType;

use super::page::{cached_page, render_body};
use crate::http::csv_out::CsvBuffer;
use crate::http::curve_repr::{self, CurveRow};
use crate::http::openapi::{CurveListDoc, DiffListDoc};
use crate::http::params::{Format, Params};
use crate::http::problem::{ApiError, ProblemItem, kinds};
use crate::http::representation::CachePolicy;
use crate::http::tenant::Tenant;
use crate::state::AppState;
use aurum_core::cache;

/// Default page size of v2 curve lists.
pub const DEFAULT_LIMIT: usize = 100;

/// Filters shared by the curve routes.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CurveFilterParams {
    /// Exact pricing date.
    #[param(value_type = Option<String>, format = Date)]
    pub asof: Option<String>,
    /// Curve key.
    #[param(pattern = r"^[A-Za-z0-9_.:-]{1,128}$")]
    pub curve_key: Option<String>,
    /// Asset class.
    #[param(inline, value_type = Option<AssetClassParam>)]
    pub asset_class: Option<String>,
    /// ISO or exchange (exact).
    #[param(min_length = 1, max_length = 200)]
    pub iso: Option<String>,
    /// Location (exact).
    #[param(min_length = 1, max_length = 200)]
    pub location: Option<String>,
    /// Market (exact).
    #[param(min_length = 1, max_length = 200)]
    pub market: Option<String>,
    /// Product (exact).
    #[param(min_length = 1, max_length = 200)]
    pub product: Option<String>,
    /// Block (exact).
    #[param(min_length = 1, max_length = 200)]
    pub block: Option<String>,
    /// Tenor type.
    #[param(inline, value_type = Option<TenorTypeParam>)]
    pub tenor_type: Option<String>,
}

/// Paging and format parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page size (1..1000; above 500 needs a dimension filter). Default 100.
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
    /// Opaque cursor from `next_cursor` or `prev_cursor`.
    #[param(max_length = 1000)]
    pub cursor: Option<String>,
    /// Response format (default JSON; `Accept: text/csv` also selects CSV).
    #[param(inline, value_type = Option<FormatParam>)]
    pub format: Option<String>,
}

/// Asset classes.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum AssetClassParam {
    /// power
    Power,
    /// renewable
    Renewable,
    /// gas
    Gas,
    /// carbon
    Carbon,
    /// storage
    Storage,
    /// other
    Other,
}

/// Tenor types.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "UPPERCASE")]
pub enum TenorTypeParam {
    /// MONTHLY
    Monthly,
    /// QUARTER
    Quarter,
    /// SEASON
    Season,
    /// CALENDAR
    Calendar,
    /// STRIP
    Strip,
    /// CUSTOM
    Custom,
}

/// Strip types.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "UPPERCASE")]
pub enum StripTypeParam {
    /// CALENDAR
    Calendar,
    /// QUARTER
    Quarter,
    /// SEASON
    Season,
}

/// Formats.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum FormatParam {
    /// JSON envelope
    Json,
    /// CSV download
    Csv,
}

/// Export formats.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum ExportFormatParam {
    /// CSV
    Csv,
    /// Newline-delimited JSON
    Ndjson,
}

/// Diff dates.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DiffParams {
    /// Reference date.
    #[param(value_type = String, format = Date)]
    pub asof_a: String,
    /// Compared date (not equal to `asof_a`, at most 365 days apart).
    #[param(value_type = String, format = Date)]
    pub asof_b: String,
}

/// Strip type.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StripParams {
    /// CALENDAR, QUARTER or SEASON.
    #[param(rename = "type", inline, value_type = StripTypeParam)]
    pub strip_type: String,
}

/// History parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryParams {
    /// Tenor label (`2027-01`, `Q1 2027`, `Calendar 2027`, …).
    #[param(min_length = 1, max_length = 64)]
    pub tenor_label: String,
    /// Earliest pricing date, inclusive.
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<String>,
    /// Latest pricing date, inclusive.
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<String>,
}

/// Export format.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// csv (default) or ndjson.
    #[param(inline, value_type = Option<ExportFormatParam>)]
    pub format: Option<String>,
}

fn list_request(params: &mut Params) -> ListRequest {
    let filters = params.curve_filters();
    ListRequest {
        filters,
        asof: params.date("asof"),
        limit: params.integer("limit", DEFAULT_LIMIT, 1, 1000),
        cursor: params.cursor(),
    }
}

/// List curve observations.
///
/// Rows matching the filters in the order `(asof_date DESC, curve_key, contract_month NULLS
/// LAST, tenor_label)`, paginated with keyset cursors.
#[utoipa::path(
    get, path = "/v2/curves", tag = "curves", operation_id = "listCurves",
    params(CurveFilterParams, PageParams),
    responses(
        (status = 200, description = "A page of curve rows", content((CurveListDoc = "application/json"), (String = "text/csv")),
            headers(("ETag" = String), ("Cache-Control" = String), ("X-Request-Id" = String),
                ("X-Next-Cursor" = String), ("X-Prev-Cursor" = String))),
        (status = 304, description = "Not modified"),
        (status = 400, description = "Invalid parameter or cursor", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Store unavailable", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v2/curves")]
pub async fn list_curves(
    req: HttpRequest,
    state: web::Data<AppState>,
    tenant: Tenant,
) -> Result<HttpResponse, ApiError> {
    let mut params = Params::of(&req)?;
    let format = Format::negotiate(&req, &mut params);
    let request = list_request(&mut params);
    params.finish()?;
    let page = cached_page(&state, &cache::CURVES, &req, &tenant, format, || async {
        Ok(state.curves.list(&request).await?)
    })
    .await?;
    Ok(render_body(
        &req,
        &page,
        request.limit,
        &tenant,
        "curves.csv",
        CachePolicy::CURVES,
    ))
}

/// Curve strips.
///
/// The list restricted to one strip tenor type (CALENDAR, QUARTER or SEASON).
#[utoipa::path(
    get, path = "/v2/curves/strips", tag = "curves", operation_id = "listCurveStrips",
    params(StripParams, CurveFilterParams, PageParams),
    responses(
        (status = 200, description = "A page of strip rows", content((CurveListDoc = "application/json"), (String = "text/csv")),
            headers(("ETag" = String), ("Cache-Control" = String), ("X-Request-Id" = String))),
        (status = 304, description = "Not modified"),
        (status = 400, description = "Invalid parameter or cursor", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Store unavailable", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v2/curves/strips")]
pub async fn list_strips(
    req: HttpRequest,
    state: web::Data<AppState>,
    tenant: Tenant,
) -> Result<HttpResponse, ApiError> {
    let mut params = Params::of(&req)?;
    let format = Format::negotiate(&req, &mut params);
    let strip_type = if params.raw("type").is_none() {
        params
            .problems
            .push(aurum_core::service::ParameterProblem::new(
                "type",
                "type is required: CALENDAR, QUARTER or SEASON",
            ));
        None
    } else {
        params.enumeration::<TenorType>("type", "CALENDAR, QUARTER, SEASON")
    };
    let list = list_request(&mut params);
    params.finish()?;
    let request = StripsRequest {
        strip_type: strip_type.unwrap_or(TenorType::Calendar),
        list,
    };
    let page = cached_page(&state, &cache::STRIPS, &req, &tenant, format, || async {
        Ok(state.curves.strips(&request).await?)
    })
    .await?;
    Ok(render_body(
        &req,
        &page,
        request.list.limit,
        &tenant,
        "strips.csv",
        CachePolicy::CURVES,
    ))
}

/// Curve diff between two pricing dates.
///
/// Rows of `asof_a` joined with rows of `asof_b` on (`curve_key`, `tenor_label`), with the change of
/// mid. Needs a dimension filter; the dates must differ and be at most 365 days apart.
#[utoipa::path(
    get, path = "/v2/curves/diff", tag = "curves", operation_id = "diffCurves",
    params(DiffParams, CurveFilterParams, PageParams),
    responses(
        (status = 200, description = "A page of diff rows", content((DiffListDoc = "application/json"), (String = "text/csv")),
            headers(("ETag" = String), ("Cache-Control" = String), ("X-Request-Id" = String))),
        (status = 304, description = "Not modified"),
        (status = 400, description = "Invalid parameter or cursor", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Store unavailable", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v2/curves/diff")]
pub async fn diff_curves(
    req: HttpRequest,
    state: web::Data<AppState>,
    tenant: Tenant,
) -> Result<HttpResponse, ApiError> {
    let mut params = Params::of(&req)?;
    let format = Format::negotiate(&req, &mut params);
    let asof_a = params.required_date("asof_a");
    let asof_b = params.required_date("asof_b");
    let list = list_request(&mut params);
    params.finish()?;
    let (Some(asof_a), Some(asof_b)) = (asof_a, asof_b) else {
        return Err(ApiError::new(
            kinds::INVALID_PARAMETER,
            "asof_a and asof_b are required",
        ));
    };
    let request = DiffRequest {
        filters: list.filters,
        asof_a,
        asof_b,
        limit: list.limit,
        cursor: list.cursor,
    };
    let page = cached_page(
        &state,
        &cache::CURVE_DIFF,
        &req,
        &tenant,
        format,
        || async { Ok(state.curves.diff(&request).await?) },
    )
    .await?;
    Ok(render_body(
        &req,
        &page,
        request.limit,
        &tenant,
        "curve-diff.csv",
        CachePolicy::CURVES,
    ))
}

/// History of one curve and tenor across pricing dates.
#[utoipa::path(
    get, path = "/v2/curves/{curve_key}/history", tag = "curves", operation_id = "curveHistory",
    params(
        ("curve_key" = String, Path, description = "Curve key", pattern = r"^[A-Za-z0-9_.:-]{1,128}$"),
        HistoryParams, PageParams,
    ),
    responses(
        (status = 200, description = "A page of rows, newest pricing date first", content((CurveListDoc = "application/json"), (String = "text/csv")),
            headers(("ETag" = String), ("Cache-Control" = String), ("X-Request-Id" = String))),
        (status = 304, description = "Not modified"),
        (status = 400, description = "Invalid parameter or cursor", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Store unavailable", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v2/curves/{curve_key}/history")]
pub async fn curve_history(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
    tenant: Tenant,
) -> Result<HttpResponse, ApiError> {
    let mut params = Params::of(&req)?;
    let format = Format::negotiate(&req, &mut params);
    let curve_key = crate::http::params::strict_curve_key(&path).map_err(|e| {
        let mut err = ApiError::new(kinds::INVALID_PARAMETER, e.to_string());
        err.errors.push(ProblemItem {
            parameter: Some("curve_key".into()),
            pointer: None,
            detail: e.to_string(),
        });
        err
    });
    let tenor_label = params.text("tenor_label", 1, 64);
    if tenor_label.is_none() && params.raw("tenor_label").is_none() {
        params
            .problems
            .push(aurum_core::service::ParameterProblem::new(
                "tenor_label",
                "tenor_label is required",
            ));
    }
    let from = params.date("from");
    let to = params.date("to");
    let limit = params.integer("limit", DEFAULT_LIMIT, 1, 1000);
    let cursor = params.cursor();
    params.finish()?;
    let request = HistoryRequest {
        curve_key: curve_key?,
        tenor_label: tenor_label.unwrap_or_default(),
        from,
        to,
        limit,
        cursor,
    };
    let page = cached_page(
        &state,
        &cache::CURVE_HISTORY,
        &req,
        &tenant,
        format,
        || async { Ok(state.curves.history(&request).await?) },
    )
    .await?;
    Ok(render_body(
        &req,
        &page,
        limit,
        &tenant,
        "curve-history.csv",
        CachePolicy::CURVES,
    ))
}

/// Export every matching row.
///
/// Streams CSV (default) or NDJSON in canonical order without loading all rows in memory.
#[utoipa::path(
    get, path = "/v2/curves/export", tag = "curves", operation_id = "exportCurves",
    params(CurveFilterParams, ExportParams),
    responses(
        (status = 200, description = "Every matching row", content((String = "text/csv"), (String = "application/x-ndjson"))),
        (status = 400, description = "Invalid parameter", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Store unavailable", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v2/curves/export")]
pub async fn export_curves(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let mut params = Params::of(&req)?;
    let ndjson = match params.raw("format").map(str::to_ascii_lowercase).as_deref() {
        None | Some("csv") => false,
        Some("ndjson") => true,
        Some(_) => {
            params
                .problems
                .push(aurum_core::service::ParameterProblem::new(
                    "format",
                    "format must be csv or ndjson",
                ));
            false
        }
    };
    let filters = params.curve_filters();
    let asof = params.date("asof");
    params.finish()?;
    let stream = state.curves.export(&filters, asof).await?;
    let body = stream.map(move |chunk| match chunk {
        Ok(rows) => {
            let mut out = Vec::with_capacity(rows.len() * 400);
            if ndjson {
                for row in &rows {
                    let _ = serde_json::to_writer(&mut out, &CurveRow::from(row));
                    out.push(b'\n');
                }
            } else {
                let mut c = CsvBuffer::new();
                for row in &rows {
                    curve_repr::curve_csv(&mut c, row);
                }
                out = c.take();
            }
            Ok::<Bytes, actix_web::Error>(Bytes::from(out))
        }
        Err(e) => {
            tracing::error!(error = %e, "export stream failed");
            Err(actix_web::error::ErrorServiceUnavailable(
                "export interrupted",
            ))
        }
    });
    let mut res = HttpResponse::Ok();
    res.insert_header(("Cache-Control", "no-store"));
    if ndjson {
        res.content_type("application/x-ndjson");
        Ok(res.streaming(body))
    } else {
        // The header row comes first, so an empty result is still a valid CSV document.
        let mut c = CsvBuffer::new();
        c.header(&curve_repr::CURVE_COLUMNS);
        let header = futures::stream::once(futures::future::ready(Ok::<Bytes, actix_web::Error>(
            Bytes::from(c.take()),
        )));
        res.content_type("text/csv; charset=utf-8");
        res.insert_header((
            CONTENT_DISPOSITION,
            "attachment; filename=\"curves-export.csv\"",
        ));
        Ok(res.streaming(header.chain(body)))
    }
}
