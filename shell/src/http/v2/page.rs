//! Rendering a cursor page as a v2 list (JSON envelope or CSV with cursor headers).

use actix_web::http::header::{CONTENT_DISPOSITION, HeaderName};
use actix_web::{HttpRequest, HttpResponse};

use aurum_core::service::CursorPage;

use crate::http::csv_out::CsvBuffer;
use crate::http::envelope::{self, ListMeta};
use crate::http::params::Format;
use crate::http::representation::{CachePolicy, Representation, etag_of};
use crate::http::tenant::Tenant;

/// `X-Next-Cursor`.
pub const X_NEXT_CURSOR: HeaderName = HeaderName::from_static("x-next-cursor");
/// `X-Prev-Cursor`.
pub const X_PREV_CURSOR: HeaderName = HeaderName::from_static("x-prev-cursor");

/// A domain row that has a JSON and a CSV wire shape.
pub trait WireRow {
    /// CSV header.
    const CSV_COLUMNS: &'static [&'static str];
    /// Appends the row's JSON object to `out`.
    fn write_json(&self, out: &mut Vec<u8>);
    /// Appends the row to a CSV buffer.
    fn write_csv(&self, c: &mut CsvBuffer);
}

/// A JSON array of rows.
pub fn json_array<T: WireRow>(items: &[T]) -> Vec<u8> {
    let mut out = Vec::with_capacity(items.len() * 512 + 2);
    out.push(b'[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        item.write_json(&mut out);
    }
    out.push(b']');
    out
}

/// Renders `page` for `req`.
pub fn render<T: WireRow>(
    req: &HttpRequest,
    format: Format,
    page: &CursorPage<T>,
    limit: usize,
    tenant: &Tenant,
    filename: &str,
    cache: CachePolicy,
) -> HttpResponse {
    let next = page.next_cursor.as_deref();
    let prev = page.prev_cursor.as_deref();
    let rep = match format {
        Format::Csv => {
            let mut c = CsvBuffer::new();
            c.header(T::CSV_COLUMNS);
            for item in &page.items {
                item.write_csv(&mut c);
            }
            let body = c.take();
            Representation {
                etag: Some(etag_of(&body)),
                content_type: "text/csv; charset=utf-8",
                ..Representation::json(Vec::new(), &[], cache)
            }
            .with_header(
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            )
            .with_body(body)
        }
        Format::Json => {
            let data = json_array(&page.items);
            let meta = ListMeta {
                request_id: envelope::request_id(req),
                limit,
                returned_count: page.items.len(),
                has_more: next.is_some(),
                next_cursor: next.map(str::to_owned),
                prev_cursor: prev.map(str::to_owned),
                tenant_id: tenant.0.as_ref().map(ToString::to_string),
            };
            let links = envelope::links(req, next, prev);
            let body = envelope::body(&data, &meta, Some(&links));
            Representation::json(body, &data, cache)
        }
    };
    let mut rep = rep;
    if let Some(n) = next {
        rep = rep.with_header(X_NEXT_CURSOR, n);
    }
    if let Some(p) = prev {
        rep = rep.with_header(X_PREV_CURSOR, p);
    }
    rep.respond(req)
}
