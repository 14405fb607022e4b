//! The `OpenAPI` 3.1 document, generated from the handlers' annotations, and the schemas that
//! exist only to document shapes (envelopes, problems).

use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use super::curve_repr::{CurveRow, DiffRow};
use super::envelope::{Links, ListMeta, ObjectMeta};
use super::v2::metadata::DimensionValue;
use super::{ops, v2};

/// An RFC 9457 problem document.
#[derive(Serialize, ToSchema)]
pub struct Problem {
    /// `/problems/{slug}`; documented at that path.
    pub r#type: String,
    /// Fixed per type.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What to fix.
    pub detail: String,
    /// The request path.
    pub instance: Option<String>,
    /// The request id.
    pub request_id: Option<String>,
    /// Each offending input.
    pub errors: Option<Vec<ProblemItemDoc>>,
}

/// One offending input.
#[derive(Serialize, ToSchema)]
pub struct ProblemItemDoc {
    /// Query parameter.
    pub parameter: Option<String>,
    /// JSON pointer into the body.
    pub pointer: Option<String>,
    /// What is wrong.
    pub detail: String,
}

/// A page of curve rows.
#[derive(Serialize, ToSchema)]
pub struct CurveListDoc {
    /// Rows.
    pub data: Vec<CurveRow<'static>>,
    /// Paging and request information.
    pub meta: ListMeta,
    /// Links to this, the next and the previous page.
    pub links: Links,
}

/// A page of diff rows.
#[derive(Serialize, ToSchema)]
pub struct DiffListDoc {
    /// Rows.
    pub data: Vec<DiffRow<'static>>,
    /// Paging and request information.
    pub meta: ListMeta,
    /// Links.
    pub links: Links,
}

/// Values per dimension.
#[derive(Serialize, ToSchema)]
pub struct DimensionsDoc {
    /// `{dimension: [{value, count}]}` for each dimension.
    pub data: std::collections::BTreeMap<String, Vec<DimensionValue>>,
    /// Request information.
    pub meta: ObjectMeta,
}

/// The API description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Aurum API",
        description = "Market intelligence for energy: forward curves, metadata and scenarios. \
            /v2 is canonical; errors are RFC 9457 problems documented under /problems/{slug}.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    paths(
        v2::curves::list_curves,
        v2::curves::diff_curves,
        v2::curves::list_strips,
        v2::curves::curve_history,
        v2::curves::export_curves,
        v2::metadata::dimensions,
        v2::scenarios::create,
        v2::scenarios::list_scenarios,
        v2::scenarios::get_scenario,
        v2::scenarios::patch_scenario,
        v2::scenarios::delete_scenario,
        v2::scenarios::submit_run,
        v2::scenarios::list_runs,
        v2::scenarios::get_run,
        v2::scenarios::cancel_run,
        v2::scenarios::outputs,
        v2::scenarios::latest_metrics,
        ops::health,
        ops::ready,
        ops::metrics,
        ops::problem_page,
        super::deprecation::migration_guide,
    ),
    components(schemas(Problem, ProblemItemDoc, ops::ProblemSlug)),
    tags(
        (name = "curves", description = "Forward curve observations"),
        (name = "metadata", description = "Dimensions and reference data"),
        (name = "scenarios", description = "Scenarios, runs, outputs (tenant-scoped: send X-Tenant-ID)"),
        (name = "operations", description = "Health, readiness, metrics and documentation"),
        (name = "v1", description = "The deprecated /v1 API (Deprecation and Sunset headers on every answer; 410 after sunset). See /docs/migration-v1-to-v2"),
    )
)]
pub struct ApiDoc;

/// The generated document of every route (all flags on); see
/// [`super::registry::document`] for the document of given settings.
pub fn document() -> utoipa::openapi::OpenApi {
    super::registry::document(&crate::settings::ApiSettings::defaults())
}

/// `(path template, methods)` for every documented operation, for 404/405 decisions.
pub fn route_table(doc: &utoipa::openapi::OpenApi) -> Vec<(String, Vec<&'static str>)> {
    use utoipa::openapi::HttpMethod;
    doc.paths
        .paths
        .iter()
        .map(|(path, item)| {
            let mut methods = Vec::new();
            for (m, op) in [
                (HttpMethod::Get, &item.get),
                (HttpMethod::Post, &item.post),
                (HttpMethod::Put, &item.put),
                (HttpMethod::Patch, &item.patch),
                (HttpMethod::Delete, &item.delete),
            ] {
                if op.is_some() {
                    methods.push(match m {
                        HttpMethod::Get => "GET",
                        HttpMethod::Post => "POST",
                        HttpMethod::Put => "PUT",
                        HttpMethod::Patch => "PATCH",
                        _ => "DELETE",
                    });
                }
            }
            (path.clone(), methods)
        })
        .collect()
}
