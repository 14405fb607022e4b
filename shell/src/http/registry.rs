//! The router registry: one table of (version, domain, flag, register fn, `OpenAPI` part).
//! [`configure_routes`] and [`document`] read it for given [`ApiSettings`] — pure functions, no
//! global state — so the routes served, the `OpenAPI` document and the 404/405 route table
//! always agree: a switched-off route is absent from all three (404, never 405).

use actix_web::web;
use utoipa::OpenApi as _;

use super::{deprecation, ops, v1, v2};
use crate::settings::ApiSettings;

/// API version of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// The deprecated /v1.
    V1,
    /// The canonical /v2.
    V2,
    /// Unversioned operational routes.
    Ops,
}

/// Domain of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Domain {
    /// Curve observations.
    Curves,
    /// Dimensions and reference data.
    Metadata,
    /// Scenarios, runs and outputs.
    Scenarios,
    /// Administration.
    Admin,
    /// Health, readiness, metrics and documentation.
    Operations,
}

/// One row of the registry.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    /// Version.
    pub version: Version,
    /// Domain.
    pub domain: Domain,
    /// Whether the entry is served under the given settings.
    pub flag: fn(&ApiSettings) -> bool,
    /// Registers the entry's routes.
    pub register: fn(&mut web::ServiceConfig),
    /// The entry's operations, merged into the `OpenAPI` document when enabled.
    pub doc: fn() -> utoipa::openapi::OpenApi,
}

fn always(_: &ApiSettings) -> bool {
    true
}

fn v1_curves(s: &ApiSettings) -> bool {
    s.v1_enabled && s.v1_curves
}

fn v1_metadata(s: &ApiSettings) -> bool {
    s.v1_enabled && s.v1_metadata
}

fn v1_scenarios(s: &ApiSettings) -> bool {
    s.v1_enabled && s.v1_scenarios
}

fn v1_admin(s: &ApiSettings) -> bool {
    s.v1_enabled && s.v1_admin
}

/// The v2 and operational operations are described by [`super::openapi::ApiDoc`] itself.
fn in_base_doc() -> utoipa::openapi::OpenApi {
    utoipa::openapi::OpenApiBuilder::new().build()
}

fn v2_curves(cfg: &mut web::ServiceConfig) {
    cfg.service(v2::curves::list_curves)
        .service(v2::curves::diff_curves)
        .service(v2::curves::list_strips)
        .service(v2::curves::export_curves)
        .service(v2::curves::curve_history);
}

fn v2_metadata(cfg: &mut web::ServiceConfig) {
    cfg.service(v2::metadata::dimensions);
}

fn v2_scenarios(cfg: &mut web::ServiceConfig) {
    cfg.service(v2::scenarios::create)
        .service(v2::scenarios::list_scenarios)
        .service(v2::scenarios::get_scenario)
        .service(v2::scenarios::patch_scenario)
        .service(v2::scenarios::delete_scenario)
        .service(v2::scenarios::submit_run)
        .service(v2::scenarios::list_runs)
        .service(v2::scenarios::cancel_run)
        .service(v2::scenarios::get_run)
        .service(v2::scenarios::outputs)
        .service(v2::scenarios::latest_metrics);
}

fn operations(cfg: &mut web::ServiceConfig) {
    cfg.service(ops::health)
        .service(ops::ready)
        .service(ops::metrics)
        .service(ops::problem_page)
        .service(deprecation::migration_guide)
        .route("/healthz", web::get().to(ops::health_alias))
        .route("/livez", web::get().to(ops::health_alias))
        .route(
            "/readyz",
            web::get().to(|state: web::Data<crate::state::AppState>| async move {
                ops::ready_response(&state).await
            }),
        );
}

/// Every route of the service.
pub const ENTRIES: &[Entry] = &[
    Entry {
        version: Version::V2,
        domain: Domain::Curves,
        flag: always,
        register: v2_curves,
        doc: in_base_doc,
    },
    Entry {
        version: Version::V2,
        domain: Domain::Metadata,
        flag: always,
        register: v2_metadata,
        doc: in_base_doc,
    },
    Entry {
        version: Version::V2,
        domain: Domain::Scenarios,
        flag: always,
        register: v2_scenarios,
        doc: in_base_doc,
    },
    Entry {
        version: Version::V2,
        domain: Domain::Admin,
        flag: always,
        register: v2::admin::register,
        doc: v2::admin::Doc::openapi,
    },
    Entry {
        version: Version::V2,
        domain: Domain::Admin,
        flag: always,
        register: v2::traffic_admin::register,
        doc: v2::traffic_admin::Doc::openapi,
    },
    Entry {
        version: Version::V1,
        domain: Domain::Curves,
        flag: v1_curves,
        register: v1::curves::register,
        doc: v1::curves::Doc::openapi,
    },
    Entry {
        version: Version::V1,
        domain: Domain::Metadata,
        flag: v1_metadata,
        register: v1::metadata::register,
        doc: v1::metadata::Doc::openapi,
    },
    Entry {
        version: Version::V1,
        domain: Domain::Scenarios,
        flag: v1_scenarios,
        register: v1::scenarios::register,
        doc: v1::scenarios::Doc::openapi,
    },
    Entry {
        version: Version::V1,
        domain: Domain::Admin,
        flag: v1_admin,
        register: v1::admin::register,
        doc: v1::admin::Doc::openapi,
    },
    Entry {
        version: Version::Ops,
        domain: Domain::Operations,
        flag: always,
        register: operations,
        doc: in_base_doc,
    },
];

/// The entries served under `settings`, in table order.
pub fn enabled(settings: &ApiSettings) -> impl Iterator<Item = &'static Entry> + '_ {
    ENTRIES.iter().filter(move |e| (e.flag)(settings))
}

/// Registers the routes of every enabled entry.
pub fn configure_routes(settings: &ApiSettings) -> impl FnOnce(&mut web::ServiceConfig) + use<> {
    let registers: Vec<fn(&mut web::ServiceConfig)> =
        enabled(settings).map(|e| e.register).collect();
    move |cfg| {
        for register in registers {
            register(cfg);
        }
    }
}

/// The `OpenAPI` document of the routes served under `settings`.
pub fn document(settings: &ApiSettings) -> utoipa::openapi::OpenApi {
    let mut doc = super::openapi::ApiDoc::openapi();
    for entry in enabled(settings) {
        doc.merge((entry.doc)());
    }
    document_rate_limits(&mut doc);
    doc
}

/// Every rate-limited operation (the /v1 and /v2 routes, see
/// [`super::rate_limit::route_group`]) may answer 429 `quota-exceeded` with `Retry-After` and
/// the `RateLimit` headers, and, when the policy store cannot be read and limits fail closed,
/// 503.
fn document_rate_limits(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{
        ContentBuilder, HeaderBuilder, ObjectBuilder, Ref, ResponseBuilder, Type,
    };
    let header = |description: &str| {
        HeaderBuilder::new()
            .schema(ObjectBuilder::new().schema_type(Type::String))
            .description(Some(description))
            .build()
    };
    let problem = || {
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("Problem")))
            .build()
    };
    let too_many = ResponseBuilder::new()
        .description("Quota exceeded (problem type quota-exceeded)")
        .header("Retry-After", header("Seconds to wait before retrying"))
        .header(
            "RateLimit",
            header("Remaining quota (draft-ietf-httpapi-ratelimit-headers)"),
        )
        .header("RateLimit-Policy", header("The policy applied"))
        .content("application/problem+json", problem())
        .build();
    let unavailable = ResponseBuilder::new()
        .description("A backend is unavailable")
        .content("application/problem+json", problem())
        .build();
    for (path, item) in &mut doc.paths.paths {
        if super::rate_limit::route_group(path).is_none() {
            continue;
        }
        for op in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        {
            op.responses
                .responses
                .entry("429".to_owned())
                .or_insert_with(|| too_many.clone().into());
            op.responses
                .responses
                .entry("503".to_owned())
                .or_insert_with(|| unavailable.clone().into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::openapi::route_table;

    fn paths(settings: &ApiSettings) -> Vec<String> {
        route_table(&document(settings))
            .into_iter()
            .map(|(p, _)| p)
            .collect()
    }

    #[test]
    fn by_default_v1_and_v2_are_both_served() {
        let all = paths(&ApiSettings::defaults());
        for p in [
            "/v1/curves",
            "/v1/curves/diff",
            "/v1/metadata/dimensions",
            "/v1/scenarios/{id}/run",
            "/v1/scenarios/runs/{run_id}/cancel",
            "/v1/admin/cache/curves/invalidate",
            "/v2/curves",
            "/health",
            "/docs/migration-v1-to-v2",
        ] {
            assert!(all.iter().any(|x| x == p), "{p} missing");
        }
    }

    #[test]
    fn switching_v1_off_removes_every_v1_route_and_keeps_v2() {
        let settings = ApiSettings {
            v1_enabled: false,
            ..ApiSettings::defaults()
        };
        let served = paths(&settings);
        assert!(served.iter().all(|p| !p.starts_with("/v1/")));
        assert!(served.iter().any(|p| p == "/v2/curves"));
        assert_eq!(
            enabled(&settings)
                .filter(|e| e.version == Version::V1)
                .count(),
            0
        );
    }

    #[test]
    fn one_split_flag_removes_only_its_domain() {
        let settings = ApiSettings {
            v1_scenarios: false,
            ..ApiSettings::defaults()
        };
        let served = paths(&settings);
        assert!(served.iter().all(|p| !p.starts_with("/v1/scenarios")));
        assert!(served.iter().any(|p| p == "/v1/curves"));
        assert!(served.iter().any(|p| p == "/v2/scenarios"));
        let domains: Vec<Domain> = enabled(&settings)
            .filter(|e| e.version == Version::V1)
            .map(|e| e.domain)
            .collect();
        assert_eq!(
            domains,
            vec![Domain::Curves, Domain::Metadata, Domain::Admin]
        );
    }

    #[test]
    fn every_v1_operation_is_deprecated_and_documents_gone() {
        let doc = serde_json::to_value(document(&ApiSettings::defaults())).unwrap();
        let mut seen = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            if !path.starts_with("/v1/") {
                continue;
            }
            for (method, op) in item.as_object().unwrap() {
                seen += 1;
                assert_eq!(op["deprecated"], true, "{method} {path}");
                assert!(
                    op["responses"].get("410").is_some(),
                    "{method} {path} documents 410"
                );
            }
        }
        assert!(seen >= 25, "{seen} v1 operations");
    }

    #[actix_web::test]
    async fn configured_routes_follow_the_flags() {
        use actix_web::{App, test};
        let settings = ApiSettings {
            v1_curves: false,
            ..ApiSettings::defaults()
        };
        let app = test::init_service(App::new().configure(configure_routes(&settings))).await;
        let req = test::TestRequest::get()
            .uri("/docs/migration-v1-to-v2")
            .to_request();
        assert_eq!(test::call_service(&app, req).await.status(), 200);
        let req = test::TestRequest::get().uri("/v1/curves").to_request();
        assert_eq!(test::call_service(&app, req).await.status(), 404);
    }
}
