//! Tenant resolution: the authenticated principal (none yet), else `X-Tenant-ID`, else
//! `X-Aurum-Tenant`, else the `tenant_id` query parameter; normalised and validated.

use std::future::{Ready, ready};

use actix_web::{FromRequest, HttpRequest, dev::Payload};

use aurum_ports::TenantId;

use super::problem::{ApiError, ProblemItem, kinds};

/// The request's tenant, if it named one. A malformed tenant is a 400 `invalid-tenant`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant(pub Option<TenantId>);

impl Tenant {
    /// Resolves the tenant of `req` (the extractor and the rate-limit middleware share it).
    pub fn resolve(req: &HttpRequest) -> Result<Self, ApiError> {
        let header = |name: &str| {
            req.headers()
                .get(name)
                .map(|v| (name.to_owned(), v.to_str().unwrap_or("\u{fffd}").to_owned()))
        };
        let raw = header("x-tenant-id")
            .or_else(|| header("x-aurum-tenant"))
            .or_else(|| {
                serde_urlencoded::from_str::<Vec<(String, String)>>(req.query_string())
                    .ok()
                    .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "tenant_id"))
                    .map(|(_, v)| ("tenant_id".to_owned(), v))
            });
        match raw {
            None => Ok(Self(None)),
            Some((source, value)) => TenantId::parse(&value).map(|t| Self(Some(t))).map_err(|e| {
                let mut err = ApiError::new(kinds::INVALID_TENANT, e.to_string());
                err.errors.push(ProblemItem {
                    parameter: Some(source),
                    pointer: None,
                    detail: e.to_string(),
                });
                err
            }),
        }
    }
}

impl FromRequest for Tenant {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Self::resolve(req))
    }
}
