//! W3C Trace Context in and out: extracting `traceparent`/`tracestate` from incoming requests
//! (invalid values — all-zero ids, version `ff`, upper-case hex — are ignored), writing the
//! current span's context into outgoing reqwest headers, and the bridge that lets the domain's
//! `tracing` spans adopt a stored `traceparent` as their OpenTelemetry parent. The propagator
//! is passed explicitly; nothing here touches `opentelemetry::global`.

use std::collections::HashMap;

use opentelemetry::Context;
use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator as _};
use opentelemetry::trace::{SpanContext, TraceContextExt as _};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

/// The `traceparent` header.
pub const TRACEPARENT: &str = "traceparent";

struct ActixHeaders<'a>(&'a actix_web::http::header::HeaderMap);

impl Extractor for ActixHeaders<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0
            .keys()
            .map(actix_web::http::header::HeaderName::as_str)
            .collect()
    }
}

struct One<'a>(&'a str);

impl Extractor for One<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        (key == TRACEPARENT).then_some(self.0)
    }

    fn keys(&self) -> Vec<&str> {
        vec![TRACEPARENT]
    }
}

struct ReqwestHeaders<'a>(&'a mut reqwest::header::HeaderMap);

impl Injector for ReqwestHeaders<'_> {
    fn set(&mut self, key: &str, value: String) {
        if let (Ok(name), Ok(value)) = (
            reqwest::header::HeaderName::from_bytes(key.as_bytes()),
            reqwest::header::HeaderValue::from_str(&value),
        ) {
            self.0.insert(name, value);
        }
    }
}

/// The remote span context of an incoming request's `traceparent`/`tracestate`, when valid.
pub fn extract(headers: &actix_web::http::header::HeaderMap) -> Option<SpanContext> {
    let cx = TraceContextPropagator::new().extract(&ActixHeaders(headers));
    let sc = cx.span().span_context().clone();
    sc.is_valid().then_some(sc)
}

/// The span context a `traceparent` value names, when valid.
pub fn parse(traceparent: &str) -> Option<SpanContext> {
    let cx = TraceContextPropagator::new().extract(&One(traceparent));
    let sc = cx.span().span_context().clone();
    sc.is_valid().then_some(sc)
}

/// The `traceparent` value of `sc` (`00-<trace id>-<span id>-<flags>`), when valid.
pub fn format(sc: &SpanContext) -> Option<String> {
    if !sc.is_valid() {
        return None;
    }
    let cx = Context::new().with_remote_span_context(sc.clone());
    let mut map = HashMap::new();
    TraceContextPropagator::new().inject_context(&cx, &mut map);
    map.remove(TRACEPARENT)
}

/// The OpenTelemetry span context of a `tracing` span (invalid when no OpenTelemetry layer is
/// installed or the span is disabled).
pub fn span_context(span: &tracing::Span) -> SpanContext {
    span.context().span().span_context().clone()
}

/// The `traceparent` of a `tracing` span, when it has an OpenTelemetry context.
pub fn traceparent_of(span: &tracing::Span) -> Option<String> {
    format(&span_context(span))
}

/// The trace context a request hands to the work it causes (a run): the current span's own
/// context when spans are bridged to OpenTelemetry, else the request's valid `traceparent`.
pub fn request_traceparent(headers: &actix_web::http::header::HeaderMap) -> Option<String> {
    traceparent_of(&tracing::Span::current())
        .or_else(|| extract(headers).and_then(|sc| format(&sc)))
}

/// Makes the remote context `sc` the OpenTelemetry parent of `span` (before it is entered).
/// Returns whether it took (it does not when no OpenTelemetry layer is installed).
pub fn set_parent(span: &tracing::Span, sc: &SpanContext) -> bool {
    span.set_parent(Context::new().with_remote_span_context(sc.clone()))
        .is_ok()
}

/// Writes the current span's `traceparent` (and `tracestate`) into outgoing headers; nothing
/// when there is no current OpenTelemetry context.
pub fn inject_current(headers: &mut reqwest::header::HeaderMap) {
    let cx = tracing::Span::current().context();
    if cx.span().span_context().is_valid() {
        TraceContextPropagator::new().inject_context(&cx, &mut ReqwestHeaders(headers));
    }
}

/// The domain's span hook: run and delivery spans carrying a stored `traceparent` become
/// children of that remote context, and report their own context for the events they write.
#[derive(Debug, Clone, Copy, Default)]
pub struct OtelSpanLinker;

impl aurum_core::worker::SpanLinker for OtelSpanLinker {
    fn adopt(&self, span: &tracing::Span, traceparent: &str) {
        if let Some(sc) = parse(traceparent) {
            set_parent(span, &sc);
        }
    }

    fn traceparent(&self, span: &tracing::Span) -> Option<String> {
        traceparent_of(span)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    #[test]
    fn valid_traceparents_round_trip() {
        let sc = parse(VALID).unwrap();
        assert_eq!(
            sc.trace_id().to_string(),
            "4bf92f3577b34da6a3ce929d0e0e4736"
        );
        assert!(sc.is_sampled());
        assert_eq!(format(&sc).as_deref(), Some(VALID));
    }

    #[test]
    fn invalid_traceparents_are_ignored() {
        for bad in [
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "garbage",
            "",
        ] {
            assert!(parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn incoming_headers_are_extracted_with_their_tracestate() {
        let mut headers = actix_web::http::header::HeaderMap::new();
        headers.insert(
            actix_web::http::header::HeaderName::from_static("traceparent"),
            actix_web::http::header::HeaderValue::from_static(VALID),
        );
        headers.insert(
            actix_web::http::header::HeaderName::from_static("tracestate"),
            actix_web::http::header::HeaderValue::from_static("vendor=x"),
        );
        let sc = extract(&headers).unwrap();
        assert_eq!(sc.trace_state().get("vendor"), Some("x"));
        assert!(sc.is_remote());
    }

    #[test]
    fn nothing_is_injected_outside_a_span() {
        let mut headers = reqwest::header::HeaderMap::new();
        inject_current(&mut headers);
        assert!(headers.is_empty());
    }
}
