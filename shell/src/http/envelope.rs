//! The v2 envelopes: `{data, meta, links}` for lists and `{data, meta}` for single objects.
//! `data` is serialised first so the `ETag` can be computed over it alone.

use actix_web::{HttpMessage as _, HttpRequest};
use serde::Serialize;
use utoipa::ToSchema;

use super::request_id::RequestId;

/// `meta` of a v2 list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListMeta {
    /// The request id (also in `X-Request-Id`).
    pub request_id: String,
    /// Page size used.
    pub limit: usize,
    /// Rows on this page.
    pub returned_count: usize,
    /// More rows follow this page.
    pub has_more: bool,
    /// Cursor of the next page (present iff `has_more`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// Cursor of the previous page (present on every page after the first).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prev_cursor: Option<String>,
    /// The tenant the request named, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
}

/// `meta` of a single v2 object.
#[derive(Debug, Serialize, ToSchema)]
pub struct ObjectMeta {
    /// The request id.
    pub request_id: String,
    /// The tenant the request named, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
}

/// `links` of a v2 list: full URLs with `cursor` replaced.
#[derive(Debug, Serialize, ToSchema)]
pub struct Links {
    /// This page.
    #[serde(rename = "self")]
    pub self_: String,
    /// The next page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// The previous page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prev: Option<String>,
}

/// The request id assigned by the middleware.
pub fn request_id(req: &HttpRequest) -> String {
    req.extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default()
}

/// This request's URL with the `cursor` parameter replaced (or removed).
pub fn url_with_cursor(req: &HttpRequest, cursor: Option<&str>) -> String {
    let info = req.connection_info();
    let mut pairs: Vec<(String, String)> =
        serde_urlencoded::from_str::<Vec<(String, String)>>(req.query_string())
            .unwrap_or_default()
            .into_iter()
            .filter(|(k, _)| k != "cursor")
            .collect();
    if let Some(c) = cursor {
        pairs.push(("cursor".to_owned(), c.to_owned()));
    }
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    let sep = if query.is_empty() { "" } else { "?" };
    format!(
        "{}://{}{}{sep}{query}",
        info.scheme(),
        info.host(),
        req.path()
    )
}

/// Links of a page.
pub fn links(req: &HttpRequest, next: Option<&str>, prev: Option<&str>) -> Links {
    Links {
        self_: url_with_cursor(req, current_cursor(req).as_deref()),
        next: next.map(|c| url_with_cursor(req, Some(c))),
        prev: prev.map(|c| url_with_cursor(req, Some(c))),
    }
}

fn current_cursor(req: &HttpRequest) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(req.query_string())
        .ok()?
        .into_iter()
        .rev()
        .find(|(k, _)| k == "cursor")
        .map(|(_, v)| v)
}

/// Joins pre-serialised `data` with `meta` (and `links`) into one JSON document.
pub fn body(data: &[u8], meta: &impl Serialize, links: Option<&Links>) -> Vec<u8> {
    let meta = serde_json::to_vec(meta).unwrap_or_else(|_| b"{}".to_vec());
    let links = links.and_then(|l| serde_json::to_vec(l).ok());
    let mut out = Vec::with_capacity(data.len() + meta.len() + 256);
    out.extend_from_slice(b"{\"data\":");
    out.extend_from_slice(data);
    out.extend_from_slice(b",\"meta\":");
    out.extend_from_slice(&meta);
    if let Some(l) = links {
        out.extend_from_slice(b",\"links\":");
        out.extend_from_slice(&l);
    }
    out.push(b'}');
    out
}
