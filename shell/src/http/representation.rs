//! Turning response bytes into an HTTP representation: strong `ETag` over the data (not the
//! meta), `304 Not Modified` for a matching `If-None-Match`, `Cache-Control` per namespace,
//! gzip above 1 KiB when accepted, and `Vary`.

use std::io::Write as _;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use flate2::Compression;
use flate2::write::GzEncoder;
use sha2::{Digest, Sha256};

/// Bodies up to this size are sent uncompressed.
pub const GZIP_MIN_BYTES: usize = 1024;

/// How a response may be cached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CachePolicy {
    /// Shared caches may keep it for `max_age` seconds.
    Public {
        /// `max-age` in seconds.
        max_age: u32,
    },
    /// Tenant-private or volatile data: `no-store`.
    NoStore,
}

impl CachePolicy {
    /// Curves namespace: 300 s.
    pub const CURVES: Self = Self::Public { max_age: 300 };
    /// Metadata namespace: 7200 s.
    pub const METADATA: Self = Self::Public { max_age: 7200 };

    /// The `Cache-Control` value (API.md).
    pub fn header_value(self) -> String {
        match self {
            Self::NoStore => "no-store".to_owned(),
            Self::Public { max_age: n } => {
                let swr = (n / 2).clamp(1, 600);
                let sie = (n.saturating_mul(3)).min(86_400);
                format!("public, max-age={n}, stale-while-revalidate={swr}, stale-if-error={sie}")
            }
        }
    }
}

/// A strong entity tag over `data`.
pub fn etag_of(data: &[u8]) -> String {
    let digest = Sha256::digest(data);
    format!("\"{}\"", hex::encode(&digest[..16]))
}

/// True when `If-None-Match` lists `etag` (strong or `W/` form) or `*`.
pub fn if_none_match_hits(req: &HttpRequest, etag: &str) -> bool {
    req.headers().get_all(header::IF_NONE_MATCH).any(|value| {
        value.to_str().is_ok_and(|v| {
            v.split(',').map(str::trim).any(|tag| {
                tag == "*" || tag == etag || tag.strip_prefix("W/").is_some_and(|t| t == etag)
            })
        })
    })
}

/// True when the client accepts gzip (`Accept-Encoding: gzip` with a non-zero q-value).
pub fn accepts_gzip(req: &HttpRequest) -> bool {
    req.headers().get_all(header::ACCEPT_ENCODING).any(|value| {
        value.to_str().is_ok_and(|v| {
            v.split(',').any(|item| {
                let mut parts = item.split(';').map(str::trim);
                let coding = parts.next().unwrap_or_default();
                let q_zero = parts.any(|p| {
                    p.strip_prefix("q=")
                        .is_some_and(|q| q.parse::<f32>().is_ok_and(|q| q <= 0.0))
                });
                (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !q_zero
            })
        })
    })
}

/// A response about to be sent.
pub struct Representation {
    /// Status (200 unless told otherwise).
    pub status: StatusCode,
    /// Full body.
    pub body: Vec<u8>,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// `ETag` (computed over the data part by the caller).
    pub etag: Option<String>,
    /// Cache policy.
    pub cache: CachePolicy,
    /// Further headers (cursors, `Content-Disposition`, `Location`, …).
    pub headers: Vec<(HeaderName, String)>,
}

impl Representation {
    /// A 200 JSON representation with an `ETag` over `data`.
    pub fn json(body: Vec<u8>, data: &[u8], cache: CachePolicy) -> Self {
        Self {
            status: StatusCode::OK,
            body,
            content_type: "application/json",
            etag: Some(etag_of(data)),
            cache,
            headers: Vec::new(),
        }
    }

    /// Replaces the body.
    #[must_use]
    pub fn with_body(mut self, body: Vec<u8>) -> Self {
        self.body = body;
        self
    }

    /// Adds a header.
    #[must_use]
    pub fn with_header(mut self, name: HeaderName, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Builds the response for `req`: 304 on a matching `If-None-Match`, else the body,
    /// gzip-compressed when accepted and larger than [`GZIP_MIN_BYTES`].
    pub fn respond(self, req: &HttpRequest) -> HttpResponse {
        let cache = self.cache.header_value();
        let mut builder;
        if let Some(tag) = self.etag.as_deref().filter(|t| if_none_match_hits(req, t)) {
            builder = HttpResponse::NotModified();
            builder.insert_header((header::ETAG, tag));
            builder.insert_header((header::CACHE_CONTROL, cache));
            builder.insert_header((header::VARY, "Accept, Accept-Encoding"));
            return builder.finish();
        }
        builder = HttpResponse::build(self.status);
        builder.insert_header((header::CONTENT_TYPE, self.content_type));
        builder.insert_header((header::CACHE_CONTROL, cache));
        builder.insert_header((
            header::VARY,
            HeaderValue::from_static("Accept, Accept-Encoding"),
        ));
        if let Some(tag) = self.etag {
            builder.insert_header((header::ETAG, tag));
        }
        for (name, value) in self.headers {
            if let Ok(v) = HeaderValue::from_str(&value) {
                builder.insert_header((name, v));
            }
        }
        if self.body.len() > GZIP_MIN_BYTES
            && accepts_gzip(req)
            && let Some(gz) = gzip(&self.body)
        {
            builder.insert_header((header::CONTENT_ENCODING, "gzip"));
            return builder.body(gz);
        }
        builder.body(self.body)
    }
}

/// Gzip at a fast level (throughput over ratio).
pub fn gzip(body: &[u8]) -> Option<Vec<u8>> {
    let mut enc = GzEncoder::new(Vec::with_capacity(body.len() / 4), Compression::fast());
    enc.write_all(body).ok()?;
    enc.finish().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn cache_control_follows_the_api_formula() {
        assert_eq!(
            CachePolicy::CURVES.header_value(),
            "public, max-age=300, stale-while-revalidate=150, stale-if-error=900"
        );
        assert_eq!(
            CachePolicy::METADATA.header_value(),
            "public, max-age=7200, stale-while-revalidate=600, stale-if-error=21600"
        );
        assert_eq!(
            CachePolicy::Public { max_age: 1 }.header_value(),
            "public, max-age=1, stale-while-revalidate=1, stale-if-error=3"
        );
        assert_eq!(
            CachePolicy::Public { max_age: 40_000 }.header_value(),
            "public, max-age=40000, stale-while-revalidate=600, stale-if-error=86400"
        );
    }

    #[test]
    fn if_none_match_accepts_lists_weak_forms_and_star() {
        let tag = "\"abc\"";
        for v in ["\"abc\"", "\"x\", \"abc\"", "W/\"abc\"", "*"] {
            let req = TestRequest::default()
                .insert_header(("If-None-Match", v))
                .to_http_request();
            assert!(if_none_match_hits(&req, tag), "{v}");
        }
        let req = TestRequest::default()
            .insert_header(("If-None-Match", "\"abd\""))
            .to_http_request();
        assert!(!if_none_match_hits(&req, tag));
    }

    #[test]
    fn gzip_is_refused_with_q_zero() {
        let req = TestRequest::default()
            .insert_header(("Accept-Encoding", "gzip;q=0, br"))
            .to_http_request();
        assert!(!accepts_gzip(&req));
        let req = TestRequest::default()
            .insert_header(("Accept-Encoding", "br, gzip"))
            .to_http_request();
        assert!(accepts_gzip(&req));
    }
}
