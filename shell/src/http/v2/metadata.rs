//! `/v2/metadata/dimensions`: distinct values per dimension with counts.

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use aurum_core::cache;
use aurum_core::service::DimensionsRequest;
use bytes::Bytes;

use super::curves::CurveFilterParams;
use super::page::cache_request;
use crate::http::envelope::{self, ObjectMeta};
use crate::http::params::{Format, Params};
use crate::http::problem::ApiError;
use crate::http::representation::{CachePolicy, Representation};
use crate::http::tenant::Tenant;
use crate::state::AppState;

/// Dimension listing options.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DimensionParams {
    /// Values per dimension, most frequent first (1..500, default 500).
    #[param(minimum = 1, maximum = 500)]
    pub per_dim_limit: Option<u32>,
    /// Only values starting with this text (case-insensitive).
    #[param(max_length = 200)]
    pub prefix: Option<String>,
}

/// One value with its row count.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct DimensionValue {
    /// The value.
    pub value: String,
    /// Matching rows.
    pub count: u64,
}

/// Distinct values of the curve dimensions.
///
/// Each dimension is counted under the filters on the *other* dimensions (facets), and the
/// optional `asof`; values are ordered by count desc, then value.
#[utoipa::path(
    get, path = "/v2/metadata/dimensions", tag = "metadata", operation_id = "curveDimensions",
    params(CurveFilterParams, DimensionParams),
    responses(
        (status = 200, description = "Values per dimension", body = crate::http::openapi::DimensionsDoc,
            headers(("ETag" = String), ("Cache-Control" = String), ("X-Request-Id" = String))),
        (status = 304, description = "Not modified"),
        (status = 400, description = "Invalid parameter", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Store unavailable", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v2/metadata/dimensions")]
pub async fn dimensions(
    req: HttpRequest,
    state: web::Data<AppState>,
    tenant: Tenant,
) -> Result<HttpResponse, ApiError> {
    let mut params = Params::of(&req)?;
    let request = DimensionsRequest {
        filters: params.curve_filters(),
        asof: params.date("asof"),
        per_dim_limit: params.integer("per_dim_limit", 500, 1, 500),
        prefix: params.text("prefix", 0, 200).filter(|p| !p.is_empty()),
    };
    params.finish()?;
    let key = cache_request(&req, Format::Json);
    let data = state
        .traffic
        .reads
        .get_or_load(&cache::DIMENSIONS, tenant.0.as_ref(), &key, || async {
            let dims = state.curves.dimensions(&request).await?;
            let data: serde_json::Map<String, serde_json::Value> = dims
                .values
                .into_iter()
                .map(|(dim, values)| {
                    let values: Vec<DimensionValue> = values
                        .into_iter()
                        .map(|v| DimensionValue {
                            value: v.value,
                            count: v.count,
                        })
                        .collect();
                    (
                        dim.as_str().to_owned(),
                        serde_json::to_value(values).unwrap_or_default(),
                    )
                })
                .collect();
            Ok::<_, ApiError>(Bytes::from(
                serde_json::to_vec(&data).unwrap_or_else(|_| b"{}".to_vec()),
            ))
        })
        .await?;
    let meta = ObjectMeta {
        request_id: envelope::request_id(&req),
        tenant_id: tenant.0.as_ref().map(ToString::to_string),
    };
    let body = envelope::body(&data, &meta, None);
    Ok(Representation::json(body, &data, CachePolicy::METADATA).respond(&req))
}
