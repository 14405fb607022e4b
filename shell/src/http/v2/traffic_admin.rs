//! `/v2/admin/cache…` and `/v2/admin/rate-limits…`: what operators see and control of the one
//! cache and the one rate-limit engine. With `AURUM_ADMIN_TOKEN` set, every route needs
//! `Authorization: Bearer <token>`.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoResponses, OpenApi, ToSchema};

use crate::http::openapi::Problem;

use aurum_core::cache::{self, NamespaceReport};
use aurum_ports::{Policy, PolicyMatch, TenantId};

use crate::http::envelope::{self, ObjectMeta};
use crate::http::params::Params;
use crate::http::problem::{ApiError, ProblemItem, kinds};
use crate::http::representation::{CachePolicy, Representation};
use crate::http::v1::admin::authorize;
use crate::settings::ApiSettings;
use crate::state::AppState;

/// The cache and rate-limit admin operations.
#[derive(OpenApi)]
#[openapi(
    paths(
        cache_stats,
        invalidate_namespace,
        list_policies,
        create_policy,
        put_policy,
        delete_policy,
        usage,
        dry_run
    ),
    components(schemas(
        CacheReport,
        NamespaceView,
        PolicyView,
        PolicyBody,
        PolicyList,
        UsageReport,
        UsageView,
        DryRunBody,
        DryRunView,
        Invalidation
    ))
)]
pub struct Doc;

/// Registers the routes.
pub fn register(cfg: &mut web::ServiceConfig) {
    cfg.service(cache_stats)
        .service(invalidate_namespace)
        .service(list_policies)
        .service(create_policy)
        .service(put_policy)
        .service(delete_policy)
        .service(usage)
        .service(dry_run);
}

fn respond(req: &HttpRequest, status: StatusCode, data: &impl Serialize) -> HttpResponse {
    let data = serde_json::to_vec(data).unwrap_or_else(|_| b"null".to_vec());
    let meta = ObjectMeta {
        request_id: envelope::request_id(req),
        tenant_id: None,
    };
    let mut rep = Representation::json(
        envelope::body(&data, &meta, None),
        &data,
        CachePolicy::NoStore,
    );
    rep.status = status;
    rep.respond(req)
}

/// Problems every cache and rate-limit admin route may answer.
#[derive(IntoResponses)]
pub enum AdminProblems {
    /// Missing or wrong bearer token.
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    /// The cache, the policy store or the rate-limit store cannot be reached.
    #[response(status = 503, content_type = "application/problem+json")]
    Unavailable(Problem),
}

/// Problems of the routes that take a JSON body.
#[derive(IntoResponses)]
pub enum BodyProblems {
    /// The body is not well-formed JSON of the expected shape, or names a malformed tenant.
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(Problem),
    /// The body is not JSON.
    #[response(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Problem),
    /// The body breaks a rule (each item has a JSON pointer).
    #[response(status = 422, content_type = "application/problem+json")]
    Unprocessable(Problem),
}

/// `{data, meta}` documents of the answers below (the v2 object envelope).
macro_rules! enveloped {
    ($($name:ident => $inner:ty),+ $(,)?) => {$(
        #[doc = concat!("`{data, meta}` around [`", stringify!($inner), "`].")]
        #[derive(ToSchema)]
        pub struct $name {
            /// The answer.
            pub data: $inner,
            /// Request information.
            pub meta: ObjectMeta,
        }
    )+};
}

enveloped! {
    CacheReportAnswer => CacheReport,
    InvalidationAnswer => Invalidation,
    PolicyListAnswer => PolicyList,
    PolicyAnswer => PolicyView,
    UsageAnswer => UsageReport,
    DryRunAnswer => DryRunView,
}

/// The cache as a whole.
#[derive(Serialize, ToSchema)]
pub struct CacheReport {
    /// `disabled`, `memory` (per instance) or `memory+redis` (shared).
    pub backend: &'static str,
    /// The Redis tier is being skipped after a failure.
    pub shared_tier_paused: bool,
    /// Every governed namespace.
    pub namespaces: Vec<NamespaceView>,
}

/// One namespace: its rules and this instance's counters.
#[derive(Serialize, ToSchema)]
pub struct NamespaceView {
    /// Name.
    pub name: &'static str,
    /// Shared-tier TTL in seconds.
    pub ttl_seconds: u64,
    /// Larger values are served but not cached.
    pub max_entry_bytes: usize,
    /// Keys include the tenant.
    pub tenant_private: bool,
    /// Invalidated by curve ingestion.
    pub curve_data: bool,
    /// Reads served from the cache.
    pub hits: u64,
    /// Reads computed by the origin.
    pub misses: u64,
    /// `hits / (hits + misses)`; null before the first read.
    pub hit_ratio: Option<f64>,
    /// Cache failures (the origin answered).
    pub errors: u64,
    /// Values too large to keep.
    pub oversize: u64,
    /// Reachable entries in this instance's tier (null when unknown).
    pub entries: Option<u64>,
    /// Their bytes.
    pub bytes: Option<u64>,
}

impl From<NamespaceReport> for NamespaceView {
    fn from(r: NamespaceReport) -> Self {
        Self {
            name: r.policy.name,
            ttl_seconds: r.policy.ttl.as_secs(),
            max_entry_bytes: r.policy.max_entry_bytes,
            tenant_private: r.policy.tenant_private,
            curve_data: r.policy.curve_data,
            hits: r.counters.hits,
            misses: r.counters.misses,
            hit_ratio: r.hit_ratio,
            errors: r.counters.errors,
            oversize: r.counters.oversize,
            entries: r.size.map(|s| s.entries),
            bytes: r.size.map(|s| s.bytes),
        }
    }
}

/// Cache statistics per namespace (this instance's counters).
#[utoipa::path(get, path = "/v2/admin/cache", tag = "admin", operation_id = "cacheStats",
    params(("Authorization" = Option<String>, Header, description = "Bearer <admin token> (when one is configured)")),
    responses(
        (status = 200, description = "Per-namespace statistics", body = CacheReportAnswer),
        AdminProblems,
    ))]
#[get("/v2/admin/cache")]
pub async fn cache_stats(
    req: HttpRequest,
    state: web::Data<AppState>,
    api: web::Data<ApiSettings>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &api)?;
    Params::of(&req)?.finish()?;
    let traffic = &state.traffic;
    let report = CacheReport {
        backend: match (traffic.reads.enabled(), traffic.redis.is_some()) {
            (false, _) => "disabled",
            (true, false) => "memory",
            (true, true) => "memory+redis",
        },
        shared_tier_paused: traffic.shared_tier_paused(),
        namespaces: traffic.reads.report().into_iter().map(Into::into).collect(),
    };
    Ok(respond(&req, StatusCode::OK, &report))
}

/// What an invalidation did.
#[derive(Serialize, ToSchema)]
pub struct Invalidation {
    /// The namespace.
    pub namespace: String,
    /// Its new version (null when caching is off).
    pub version: Option<u64>,
    /// Entries this instance's tier held for it (now unreachable everywhere).
    pub purged: u64,
}

/// Invalidates `ns` and reports what this instance's tier held for it.
///
/// # Errors
/// 503 when the shared tier cannot be reached (the invalidation may not have reached every
/// instance).
pub async fn invalidate(
    state: &AppState,
    ns: &'static cache::NamespacePolicy,
) -> Result<Invalidation, ApiError> {
    let purged = state
        .traffic
        .reads
        .report()
        .into_iter()
        .find(|r| r.policy.name == ns.name)
        .and_then(|r| r.size)
        .map_or(0, |s| s.entries);
    let version = state.traffic.reads.invalidate(ns).await?;
    Ok(Invalidation {
        namespace: ns.name.to_owned(),
        version,
        purged,
    })
}

/// Invalidates one namespace on every instance (O(1): its version is bumped).
#[utoipa::path(post, path = "/v2/admin/cache/{namespace}/invalidate", tag = "admin", operation_id = "invalidateCacheNamespace",
    params(("namespace" = String, Path, description = "Namespace (see GET /v2/admin/cache)", pattern = r"^[a-z-]{1,64}$"),
        ("Authorization" = Option<String>, Header, description = "Bearer <admin token> (when one is configured)")),
    responses(
        (status = 200, description = "Invalidated", body = InvalidationAnswer),
        (status = 404, description = "Unknown namespace", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
        AdminProblems,
    ))]
#[post("/v2/admin/cache/{namespace}/invalidate")]
pub async fn invalidate_namespace(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
    api: web::Data<ApiSettings>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &api)?;
    let ns = cache::namespace(&path).ok_or_else(|| {
        ApiError::new(
            kinds::NOT_FOUND,
            format!(
                "no cache namespace is called {:?}; see GET /v2/admin/cache",
                path.chars().take(64).collect::<String>()
            ),
        )
    })?;
    let done = invalidate(&state, ns).await?;
    Ok(respond(&req, StatusCode::OK, &done))
}

/// A rate-limit policy.
#[derive(Serialize, ToSchema)]
pub struct PolicyView {
    /// Unique name (the `RateLimit-Policy` item).
    pub name: String,
    /// Only this tenant (null: any).
    pub tenant: Option<String>,
    /// Only this route group: `curves`, `metadata`, `scenarios`, `admin` (null: any).
    pub route_group: Option<String>,
    /// Requests per window.
    pub quota: u32,
    /// Window in seconds.
    pub window_seconds: u64,
    /// Extra requests tolerated at once.
    pub burst: u32,
}

impl From<&Policy> for PolicyView {
    fn from(p: &Policy) -> Self {
        Self {
            name: p.name().to_owned(),
            tenant: p.matcher().tenant.as_ref().map(ToString::to_string),
            route_group: p.matcher().route_group.clone(),
            quota: p.quota(),
            window_seconds: p.window().as_secs(),
            burst: p.burst(),
        }
    }
}

/// The stored policies.
#[derive(Serialize, ToSchema)]
pub struct PolicyList {
    /// `memory` (this instance) or `postgres` (every instance).
    pub store: &'static str,
    /// Whether limits are enforced (`AURUM_RATE_LIMIT_ENABLED`).
    pub enforced: bool,
    /// Policies, by name.
    pub policies: Vec<PolicyView>,
}

/// A policy to create or replace.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyBody {
    /// Unique name (printable ASCII); on PUT it must equal the path's name, or be absent.
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    /// Only this tenant.
    pub tenant: Option<String>,
    /// Only this route group.
    #[schema(min_length = 1, max_length = 64)]
    pub route_group: Option<String>,
    /// Requests per window (≥ 1).
    #[schema(minimum = 1)]
    pub quota: u32,
    /// Window in seconds (≥ 1).
    #[schema(minimum = 1, maximum = 31_536_000)]
    pub window_seconds: u64,
    /// Extra requests tolerated at once.
    #[serde(default)]
    pub burst: u32,
}

fn unprocessable(pointer: &str, detail: impl Into<String>) -> ApiError {
    let detail = detail.into();
    let mut e = ApiError::new(kinds::UNPROCESSABLE, detail.clone());
    e.errors.push(ProblemItem {
        parameter: None,
        pointer: Some(pointer.to_owned()),
        detail,
    });
    e
}

impl PolicyBody {
    fn into_policy(self, name: &str) -> Result<Policy, ApiError> {
        let tenant = self
            .tenant
            .map(|t| TenantId::parse(&t))
            .transpose()
            .map_err(|e| unprocessable("/tenant", e.to_string()))?;
        if let Some(group) = &self.route_group
            && (group.is_empty()
                || group.len() > 64
                || !group.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'))
        {
            return Err(unprocessable(
                "/route_group",
                "route_group must be 1 to 64 lowercase letters or '-' (curves, metadata, scenarios, admin)",
            ));
        }
        if self.window_seconds > 31_536_000 {
            return Err(unprocessable(
                "/window_seconds",
                "window_seconds must be at most one year",
            ));
        }
        if name.len() > 200 {
            return Err(unprocessable(
                "/name",
                "name must be at most 200 characters",
            ));
        }
        Policy::new(
            name,
            PolicyMatch {
                tenant,
                route_group: self.route_group,
            },
            self.quota,
            Duration::from_secs(self.window_seconds),
            self.burst,
        )
        .map_err(|e| unprocessable("", e.to_string()))
    }
}

/// Applies a change to this instance at once (others pick it up within the refresh period).
async fn apply(state: &AppState) {
    if let Err(e) = state.traffic.reload_policies(None).await {
        tracing::warn!(
            error = format!("{e:#}"),
            "policy change stored but not yet applied here"
        );
    }
}

/// Lists the stored rate-limit policies.
#[utoipa::path(get, path = "/v2/admin/rate-limits/policies", tag = "admin", operation_id = "listRateLimitPolicies",
    params(("Authorization" = Option<String>, Header, description = "Bearer <admin token> (when one is configured)")),
    responses(
        (status = 200, description = "Policies", body = PolicyListAnswer),
        AdminProblems,
    ))]
#[get("/v2/admin/rate-limits/policies")]
pub async fn list_policies(
    req: HttpRequest,
    state: web::Data<AppState>,
    api: web::Data<ApiSettings>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &api)?;
    Params::of(&req)?.finish()?;
    let policies = state.traffic.policies.list().await?;
    let list = PolicyList {
        store: state.traffic.policy_store_kind,
        enforced: state.traffic.rate_limit_enabled,
        policies: policies.iter().map(PolicyView::from).collect(),
    };
    Ok(respond(&req, StatusCode::OK, &list))
}

/// Creates a policy (409 when the name is taken).
#[utoipa::path(post, path = "/v2/admin/rate-limits/policies", tag = "admin", operation_id = "createRateLimitPolicy",
    params(("Authorization" = Option<String>, Header, description = "Bearer <admin token> (when one is configured)")),
    request_body = PolicyBody,
    responses(
        (status = 201, description = "Created", body = PolicyAnswer),
        (status = 409, description = "A policy has this name", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
        AdminProblems,
        BodyProblems,
    ))]
#[post("/v2/admin/rate-limits/policies")]
pub async fn create_policy(
    req: HttpRequest,
    state: web::Data<AppState>,
    api: web::Data<ApiSettings>,
    body: web::Json<PolicyBody>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &api)?;
    let body = body.into_inner();
    let name = body
        .name
        .clone()
        .ok_or_else(|| unprocessable("/name", "name is required"))?;
    let policy = body.into_policy(&name)?;
    let existing = state.traffic.policies.list().await?;
    if existing.iter().any(|p| p.name() == policy.name()) {
        return Err(ApiError::new(
            kinds::CONFLICT,
            format!(
                "a policy is called {:?}; use PUT to replace it",
                policy.name()
            ),
        ));
    }
    state.traffic.policies.put(&policy).await?;
    apply(&state).await;
    Ok(respond(
        &req,
        StatusCode::CREATED,
        &PolicyView::from(&policy),
    ))
}

/// Creates or replaces the policy called `name`.
#[utoipa::path(put, path = "/v2/admin/rate-limits/policies/{name}", tag = "admin", operation_id = "putRateLimitPolicy",
    params(("name" = String, Path, description = "Policy name"),
        ("Authorization" = Option<String>, Header, description = "Bearer <admin token> (when one is configured)")),
    request_body = PolicyBody,
    responses(
        (status = 200, description = "Replaced", body = PolicyAnswer),
        (status = 201, description = "Created", body = PolicyAnswer),
        AdminProblems,
        BodyProblems,
    ))]
#[put("/v2/admin/rate-limits/policies/{name}")]
pub async fn put_policy(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
    api: web::Data<ApiSettings>,
    body: web::Json<PolicyBody>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &api)?;
    let body = body.into_inner();
    if body
        .name
        .as_deref()
        .is_some_and(|n| n.trim() != path.trim())
    {
        return Err(unprocessable(
            "/name",
            "name must equal the name in the path",
        ));
    }
    let policy = body.into_policy(&path)?;
    let created = state.traffic.policies.put(&policy).await?;
    apply(&state).await;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(respond(&req, status, &PolicyView::from(&policy)))
}

/// Deletes the policy called `name`.
#[utoipa::path(delete, path = "/v2/admin/rate-limits/policies/{name}", tag = "admin", operation_id = "deleteRateLimitPolicy",
    params(("name" = String, Path, description = "Policy name"),
        ("Authorization" = Option<String>, Header, description = "Bearer <admin token> (when one is configured)")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such policy", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
        AdminProblems,
    ))]
#[delete("/v2/admin/rate-limits/policies/{name}")]
pub async fn delete_policy(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
    api: web::Data<ApiSettings>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &api)?;
    if !state.traffic.policies.delete(path.trim()).await? {
        return Err(ApiError::new(kinds::NOT_FOUND, "no policy has this name"));
    }
    apply(&state).await;
    Ok(HttpResponse::NoContent()
        .insert_header(("Cache-Control", "no-store"))
        .finish())
}

/// A tenant's standing under every policy that can apply to it.
#[derive(Serialize, ToSchema)]
pub struct UsageReport {
    /// The tenant (null: anonymous requests).
    pub tenant: Option<String>,
    /// One entry per route group.
    pub groups: Vec<UsageView>,
}

/// The standing for one route group.
#[derive(Serialize, ToSchema)]
pub struct UsageView {
    /// The route group.
    pub route_group: &'static str,
    /// The policy that applies (null: unlimited).
    pub policy: Option<String>,
    /// Its quota.
    pub limit: Option<u32>,
    /// Requests admissible right now.
    pub remaining: Option<u32>,
    /// Seconds until the full burst is back.
    pub reset_seconds: Option<u64>,
}

/// The route groups requests are limited under.
pub const ROUTE_GROUPS: [&str; 4] = ["curves", "metadata", "scenarios", "admin"];

fn parse_tenant(raw: Option<String>, pointer: &str) -> Result<Option<TenantId>, ApiError> {
    raw.map(|t| TenantId::parse(&t)).transpose().map_err(|e| {
        let mut err = ApiError::new(kinds::INVALID_TENANT, e.to_string());
        err.errors.push(ProblemItem {
            parameter: (!pointer.starts_with('/')).then(|| pointer.to_owned()),
            pointer: pointer.starts_with('/').then(|| pointer.to_owned()),
            detail: e.to_string(),
        });
        err
    })
}

/// Usage of one tenant (shared counters when Redis is configured), without charging anything.
#[utoipa::path(get, path = "/v2/admin/rate-limits/usage", tag = "admin", operation_id = "rateLimitUsage",
    params(("tenant" = Option<String>, Query, description = "Tenant (absent: anonymous requests)", max_length = 64),
        ("Authorization" = Option<String>, Header, description = "Bearer <admin token> (when one is configured)")),
    responses(
        (status = 200, description = "Usage per route group", body = UsageAnswer),
        (status = 400, description = "Bad tenant", body = crate::http::openapi::Problem, content_type = "application/problem+json"),
        AdminProblems,
    ))]
#[get("/v2/admin/rate-limits/usage")]
pub async fn usage(
    req: HttpRequest,
    state: web::Data<AppState>,
    api: web::Data<ApiSettings>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &api)?;
    let mut p = Params::of(&req)?;
    let raw = p.raw("tenant").map(str::to_owned);
    p.finish()?;
    let tenant = parse_tenant(raw, "tenant")?;
    let now = state.clock.now();
    let mut groups = Vec::with_capacity(ROUTE_GROUPS.len());
    for group in ROUTE_GROUPS {
        let verdict = state
            .traffic
            .limiter
            .peek(tenant.as_ref(), Some(group), now)
            .await?;
        groups.push(match verdict {
            Some(v) => UsageView {
                route_group: group,
                policy: Some(v.policy().name().to_owned()),
                limit: Some(v.decision.limit),
                remaining: Some(v.decision.remaining),
                reset_seconds: Some(aurum_core::rate_limit::delay_seconds(
                    v.decision.reset_after,
                )),
            },
            None => UsageView {
                route_group: group,
                policy: None,
                limit: None,
                remaining: None,
                reset_seconds: None,
            },
        });
    }
    let report = UsageReport {
        tenant: tenant.map(|t| t.to_string()),
        groups,
    };
    Ok(respond(&req, StatusCode::OK, &report))
}

/// A request to evaluate.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DryRunBody {
    /// The tenant (absent: anonymous).
    pub tenant: Option<String>,
    /// The request path (e.g. `/v2/curves`); its route group is used.
    #[schema(min_length = 1, max_length = 2048)]
    pub path: String,
}

/// What the limiter would decide for one more request, without charging it.
#[derive(Serialize, ToSchema)]
pub struct DryRunView {
    /// The route group (null: an operational route, never limited).
    pub route_group: Option<String>,
    /// The policy that would apply (null: unlimited).
    pub policy: Option<String>,
    /// Whether one more request would be admitted now.
    pub allowed: bool,
    /// Requests admissible right now.
    pub remaining: Option<u32>,
    /// Seconds to wait when refused.
    pub retry_after_seconds: Option<u64>,
    /// The `RateLimit-Policy` header value.
    pub rate_limit_policy: Option<String>,
}

/// Evaluates a request against the policies without charging it.
#[utoipa::path(post, path = "/v2/admin/rate-limits/decisions:dry-run", tag = "admin", operation_id = "rateLimitDryRun",
    params(("Authorization" = Option<String>, Header, description = "Bearer <admin token> (when one is configured)")),
    request_body = DryRunBody,
    responses(
        (status = 200, description = "The decision", body = DryRunAnswer),
        AdminProblems,
        BodyProblems,
    ))]
#[post("/v2/admin/rate-limits/decisions:dry-run")]
pub async fn dry_run(
    req: HttpRequest,
    state: web::Data<AppState>,
    api: web::Data<ApiSettings>,
    body: web::Json<DryRunBody>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &api)?;
    let body = body.into_inner();
    if body.path.is_empty() || body.path.len() > 2048 {
        return Err(unprocessable("/path", "path must be 1 to 2048 characters"));
    }
    let tenant = parse_tenant(body.tenant, "/tenant")?;
    let group = crate::http::rate_limit::route_group(&body.path).map(str::to_owned);
    let verdict = match &group {
        Some(g) if state.traffic.rate_limit_enabled => {
            state
                .traffic
                .limiter
                .peek(tenant.as_ref(), Some(g), state.clock.now())
                .await?
        }
        _ => None,
    };
    let view = match verdict {
        None => DryRunView {
            route_group: group,
            policy: None,
            allowed: true,
            remaining: None,
            retry_after_seconds: None,
            rate_limit_policy: None,
        },
        Some(v) => {
            // One more request is admitted iff the key's backlog is within the tolerance τ
            // (ADR 0007: `max(TAT, now) − now ≤ τ`); otherwise it is admitted after the excess.
            let tolerance = Duration::from_micros(
                u64::try_from(v.policy().gcra_params().tolerance_us()).unwrap_or(u64::MAX),
            );
            let allowed = v.decision.reset_after <= tolerance;
            let retry = (!allowed).then(|| {
                aurum_core::rate_limit::delay_seconds(
                    v.decision.reset_after.saturating_sub(tolerance),
                )
            });
            DryRunView {
                route_group: group,
                policy: Some(v.policy().name().to_owned()),
                allowed,
                remaining: Some(v.decision.remaining),
                retry_after_seconds: retry,
                rate_limit_policy: Some(aurum_core::rate_limit::rate_limit_policy(v.policy())),
            }
        }
    };
    Ok(respond(&req, StatusCode::OK, &view))
}
