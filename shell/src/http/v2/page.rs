//! Rendering a cursor page as a v2 list (JSON envelope or CSV with cursor headers).

use actix_web::http::header::{CONTENT_DISPOSITION, HeaderName};
use actix_web::{HttpRequest, HttpResponse};

use aurum_core::cache::NamespacePolicy;
use aurum_core::service::CursorPage;
use bytes::Bytes;

use crate::http::csv_out::CsvBuffer;
use crate::http::envelope::{self, ListMeta};
use crate::http::params::Format;
use crate::http::problem::{ApiError, kinds};
use crate::http::representation::{CachePolicy, Representation, etag_of};
use crate::http::tenant::Tenant;
use crate::state::AppState;

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

/// The cacheable part of a rendered page: the data (a JSON array, or the whole CSV document),
/// its `ETag`, the cursors and the row count. Everything request-specific (request id, tenant,
/// links) is added by [`render_body`], so one entry serves every request for the same page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageBody {
    /// The representation the data is in.
    pub format: Format,
    /// JSON array of rows, or the CSV document with its header.
    pub data: Bytes,
    /// Strong `ETag` over `data`.
    pub etag: String,
    /// Cursor of the next page.
    pub next: Option<String>,
    /// Cursor of the previous page.
    pub prev: Option<String>,
    /// Rows on the page.
    pub returned: usize,
}

const PAGE_BODY_TAG: u8 = 1;

impl PageBody {
    /// The body of `page` in `format`.
    pub fn of<T: WireRow>(format: Format, page: &CursorPage<T>) -> Self {
        let data = match format {
            Format::Csv => {
                let mut c = CsvBuffer::new();
                c.header(T::CSV_COLUMNS);
                for item in &page.items {
                    item.write_csv(&mut c);
                }
                c.take()
            }
            Format::Json => json_array(&page.items),
        };
        Self {
            format,
            etag: etag_of(&data),
            data: Bytes::from(data),
            next: page.next_cursor.clone(),
            prev: page.prev_cursor.clone(),
            returned: page.items.len(),
        }
    }

    /// The cache encoding: a tag, the format, the count, three length-prefixed strings, then
    /// the data.
    pub fn encode(&self) -> Bytes {
        let strings = [
            self.etag.as_str(),
            self.next.as_deref().unwrap_or(""),
            self.prev.as_deref().unwrap_or(""),
        ];
        let mut out = Vec::with_capacity(
            self.data.len() + 64 + strings.iter().map(|s| s.len()).sum::<usize>(),
        );
        out.push(PAGE_BODY_TAG);
        out.push(u8::from(self.format == Format::Csv));
        out.extend_from_slice(
            &u64::try_from(self.returned)
                .unwrap_or(u64::MAX)
                .to_le_bytes(),
        );
        for s in strings {
            out.extend_from_slice(&u32::try_from(s.len()).unwrap_or(u32::MAX).to_le_bytes());
            out.extend_from_slice(s.as_bytes());
        }
        out.extend_from_slice(&self.data);
        Bytes::from(out)
    }

    /// Decodes [`Self::encode`]'s output (the data is shared, not copied); `None` for anything
    /// else.
    pub fn decode(bytes: &Bytes) -> Option<Self> {
        let (&tag, rest) = bytes.split_first()?;
        let (&format, rest) = rest.split_first()?;
        if tag != PAGE_BODY_TAG || format > 1 {
            return None;
        }
        let returned = usize::try_from(u64::from_le_bytes(rest.get(..8)?.try_into().ok()?)).ok()?;
        let mut at = 2 + 8;
        let mut strings = Vec::with_capacity(3);
        for _ in 0..3 {
            let len = u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?) as usize;
            at += 4;
            let s = std::str::from_utf8(bytes.get(at..at.checked_add(len)?)?).ok()?;
            strings.push(s.to_owned());
            at += len;
        }
        let mut strings = strings.into_iter();
        let etag = strings.next()?;
        let next = strings.next().filter(|s| !s.is_empty());
        let prev = strings.next().filter(|s| !s.is_empty());
        Some(Self {
            format: if format == 1 {
                Format::Csv
            } else {
                Format::Json
            },
            data: bytes.slice(at..),
            etag,
            next,
            prev,
            returned,
        })
    }
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
    render_body(
        req,
        &PageBody::of(format, page),
        limit,
        tenant,
        filename,
        cache,
    )
}

/// Renders a page body for `req`: the v2 envelope around JSON data (request id, tenant, links
/// are this request's), or the CSV document, with the cursor headers.
pub fn render_body(
    req: &HttpRequest,
    page: &PageBody,
    limit: usize,
    tenant: &Tenant,
    filename: &str,
    cache: CachePolicy,
) -> HttpResponse {
    let next = page.next.as_deref();
    let prev = page.prev.as_deref();
    let rep = match page.format {
        Format::Csv => Representation {
            etag: Some(page.etag.clone()),
            content_type: "text/csv; charset=utf-8",
            ..Representation::json(Vec::new(), &[], cache)
        }
        .with_header(
            CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        )
        .with_body(page.data.to_vec()),
        Format::Json => {
            let meta = ListMeta {
                request_id: envelope::request_id(req),
                limit,
                returned_count: page.returned,
                has_more: next.is_some(),
                next_cursor: next.map(str::to_owned),
                prev_cursor: prev.map(str::to_owned),
                tenant_id: tenant.0.as_ref().map(ToString::to_string),
            };
            let links = envelope::links(req, next, prev);
            let body = envelope::body(&page.data, &meta, Some(&links));
            Representation {
                etag: Some(page.etag.clone()),
                ..Representation::json(body, &[], cache)
            }
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

/// The canonical description of a read for the cache: the route template, the query pairs
/// sorted (so parameter order does not matter) and the representation.
pub fn cache_request(req: &HttpRequest, format: Format) -> String {
    let mut pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    pairs.sort();
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    let route = req.match_pattern().unwrap_or_else(|| req.path().to_owned());
    // `p1`: the version of the `PageBody` encoding, so a release that changes it never reads
    // entries an older release wrote to a shared cache.
    format!(
        "p1|{}|{route}|{}|{query}",
        req.path(),
        if format == Format::Csv { "csv" } else { "json" }
    )
}

/// A page through the cached read layer: the cached body of this exact read, or `load`'s page
/// (then cached in `ns`).
///
/// # Errors
/// `load`'s errors.
pub async fn cached_page<T, F, Fut>(
    state: &AppState,
    ns: &'static NamespacePolicy,
    req: &HttpRequest,
    tenant: &Tenant,
    format: Format,
    load: F,
) -> Result<PageBody, ApiError>
where
    T: WireRow,
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<CursorPage<T>, ApiError>>,
{
    let key = cache_request(req, format);
    let bytes = state
        .traffic
        .reads
        .get_or_load(ns, tenant.0.as_ref(), &key, || async move {
            Ok::<_, ApiError>(PageBody::of(format, &load().await?).encode())
        })
        .await?;
    match PageBody::decode(&bytes) {
        Some(body) if body.format == format => Ok(body),
        _ => Err(ApiError::new(
            kinds::INTERNAL,
            "a cached page could not be decoded",
        )),
    }
}
