//! The v1 envelope `{"meta": {request_id, query_time_ms, next_cursor?, prev_cursor?, count?,
//! total?, offset?, limit?}, "data": …}`. `data` is serialised first so the `ETag` covers it
//! alone (never the request id or the timing in `meta`).

use std::time::Instant;

use actix_web::http::StatusCode;
use actix_web::http::header::CONTENT_DISPOSITION;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use aurum_core::service::CursorPage;

use crate::http::csv_out::CsvBuffer;
use crate::http::envelope::request_id;
use crate::http::params::Format;
use crate::http::representation::{CachePolicy, Representation, etag_of};
use crate::http::v2::page::{WireRow, X_NEXT_CURSOR, X_PREV_CURSOR, json_array};

/// `meta` of every v1 answer.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct V1Meta {
    /// The request id (also in `X-Request-Id`).
    pub request_id: String,
    /// Milliseconds the service spent on the request.
    pub query_time_ms: f64,
    /// Cursor of the next page (present iff more rows follow).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// Cursor of the previous page (present on every page after the first).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prev_cursor: Option<String>,
    /// Rows in `data`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<usize>,
    /// Rows matching the query, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    /// Rows skipped by the deprecated `offset`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<usize>,
    /// Page size used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
}

impl V1Meta {
    /// The meta of `req`, timed from `started`.
    pub fn of(req: &HttpRequest, started: Instant) -> Self {
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        Self {
            request_id: request_id(req),
            query_time_ms: (ms * 1000.0).round() / 1000.0,
            ..Self::default()
        }
    }

    /// Adds the paging members of `page`.
    #[must_use]
    pub fn paged<T>(mut self, page: &CursorPage<T>, limit: usize, offset: Option<usize>) -> Self {
        self.next_cursor.clone_from(&page.next_cursor);
        self.prev_cursor.clone_from(&page.prev_cursor);
        self.count = Some(page.items.len());
        self.limit = Some(limit);
        self.offset = offset;
        self
    }
}

/// Joins `meta`, pre-serialised `data` and further top-level members into one document.
pub fn body(meta: &V1Meta, data: &[u8], extra: &[(&str, &[u8])]) -> Vec<u8> {
    let meta = serde_json::to_vec(meta).unwrap_or_else(|_| b"{}".to_vec());
    let mut out = Vec::with_capacity(data.len() + meta.len() + 64);
    out.extend_from_slice(b"{\"meta\":");
    out.extend_from_slice(&meta);
    out.extend_from_slice(b",\"data\":");
    out.extend_from_slice(data);
    for (name, value) in extra {
        out.extend_from_slice(b",\"");
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b"\":");
        out.extend_from_slice(value);
    }
    out.push(b'}');
    out
}

/// A single object (or any JSON value) in the v1 envelope.
pub fn object(
    req: &HttpRequest,
    started: Instant,
    data: &impl Serialize,
    status: StatusCode,
    cache: CachePolicy,
) -> Representation {
    let data = serde_json::to_vec(data).unwrap_or_else(|_| b"null".to_vec());
    let mut rep = Representation::json(body(&V1Meta::of(req, started), &data, &[]), &data, cache);
    rep.status = status;
    rep
}

/// A page of serde-serialisable items in the v1 envelope.
pub fn list<T: Serialize>(
    req: &HttpRequest,
    started: Instant,
    page: &CursorPage<T>,
    limit: usize,
    offset: Option<usize>,
    cache: CachePolicy,
) -> HttpResponse {
    let data = serde_json::to_vec(&page.items).unwrap_or_else(|_| b"[]".to_vec());
    let meta = V1Meta::of(req, started).paged(page, limit, offset);
    Representation::json(body(&meta, &data, &[]), &data, cache).respond(req)
}

/// How to shape a page of rows.
#[derive(Debug, Clone, Copy)]
pub struct RowsShape<'a> {
    /// JSON envelope or CSV.
    pub format: Format,
    /// Page size used.
    pub limit: usize,
    /// Rows skipped by `offset`, if given.
    pub offset: Option<usize>,
    /// File name of the CSV download.
    pub filename: &'a str,
    /// Cache policy.
    pub cache: CachePolicy,
}

/// A page of rows with a JSON and a CSV shape: the v1 envelope, or CSV with the cursors in
/// `X-Next-Cursor` / `X-Prev-Cursor`.
pub fn rows<T: WireRow>(
    req: &HttpRequest,
    started: Instant,
    page: &CursorPage<T>,
    shape: RowsShape<'_>,
) -> HttpResponse {
    let RowsShape {
        format,
        limit,
        offset,
        filename,
        cache,
    } = shape;
    let mut rep = match format {
        Format::Csv => {
            let mut c = CsvBuffer::new();
            c.header(T::CSV_COLUMNS);
            for item in &page.items {
                item.write_csv(&mut c);
            }
            let body = c.take();
            let mut rep = Representation::json(Vec::new(), &[], cache)
                .with_header(
                    CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{filename}\""),
                )
                .with_body(Vec::new());
            rep.etag = Some(etag_of(&body));
            rep.content_type = "text/csv; charset=utf-8";
            rep.with_body(body)
        }
        Format::Json => {
            let data = json_array(&page.items);
            let meta = V1Meta::of(req, started).paged(page, limit, offset);
            Representation::json(body(&meta, &data, &[]), &data, cache)
        }
    };
    if let Some(n) = &page.next_cursor {
        rep = rep.with_header(X_NEXT_CURSOR, n.clone());
    }
    if let Some(p) = &page.prev_cursor {
        rep = rep.with_header(X_PREV_CURSOR, p.clone());
    }
    rep.respond(req)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_envelope_puts_meta_first_and_keeps_extra_members() {
        let meta = V1Meta {
            request_id: "r".into(),
            ..V1Meta::default()
        };
        let out = body(&meta, b"[1]", &[("counts", b"null")]);
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["data"], serde_json::json!([1]));
        assert_eq!(v["meta"]["request_id"], "r");
        assert!(v["counts"].is_null());
        assert!(v["meta"].get("next_cursor").is_none());
    }
}
