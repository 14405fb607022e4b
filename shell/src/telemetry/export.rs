//! The HTTP client of the OTLP exporters: a blocking reqwest client (the SDK's batch span
//! processor and periodic metric reader export from their own threads, outside any async
//! runtime) whose every call is bounded by the export timeout, and which keeps the health of
//! the collector: failures counted per signal, one warning when exports start failing and one
//! line when they recover. An unreachable collector never reaches a request or startup.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use opentelemetry_http::{Bytes, HttpClient, HttpError, Request, Response};

/// The telemetry signals exported over OTLP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// `/v1/traces`.
    Traces,
    /// `/v1/metrics`.
    Metrics,
}

impl Signal {
    /// Attribute value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Traces => "traces",
            Self::Metrics => "metrics",
        }
    }

    fn of_path(path: &str) -> Self {
        if path.ends_with("/v1/metrics") {
            Self::Metrics
        } else {
            Self::Traces
        }
    }
}

/// Whether the OTLP collector accepts exports.
#[derive(Debug, Default)]
pub struct ExportHealth {
    failed_traces: AtomicU64,
    failed_metrics: AtomicU64,
    failing: AtomicBool,
    last_error: Mutex<Option<String>>,
}

impl ExportHealth {
    /// Failed export calls so far for `signal`.
    pub fn failures(&self, signal: Signal) -> u64 {
        match signal {
            Signal::Traces => self.failed_traces.load(Ordering::Relaxed),
            Signal::Metrics => self.failed_metrics.load(Ordering::Relaxed),
        }
    }

    /// `Some(last error)` while the latest export failed.
    pub fn failing(&self) -> Option<String> {
        if self.failing.load(Ordering::Relaxed) {
            Some(
                self.last_error
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .clone()
                    .unwrap_or_default(),
            )
        } else {
            None
        }
    }

    fn succeeded(&self) {
        if self.failing.swap(false, Ordering::Relaxed) {
            tracing::info!("OTLP export recovered");
        }
    }

    fn failed(&self, signal: Signal, error: String) {
        match signal {
            Signal::Traces => self.failed_traces.fetch_add(1, Ordering::Relaxed),
            Signal::Metrics => self.failed_metrics.fetch_add(1, Ordering::Relaxed),
        };
        if !self.failing.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                signal = signal.as_str(),
                error = %error,
                "OTLP export failed; telemetry is not reaching the collector (the service keeps running)"
            );
        }
        *self
            .last_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(error);
    }
}

/// The exporters' HTTP client.
#[derive(Debug, Clone)]
pub struct ExportClient {
    client: reqwest::blocking::Client,
    health: std::sync::Arc<ExportHealth>,
}

impl ExportClient {
    /// A client whose calls take at most `timeout`. Built on its own thread: reqwest's
    /// blocking client must not be created inside an async runtime.
    ///
    /// # Errors
    /// When the client cannot be built.
    pub fn new(timeout: Duration, health: std::sync::Arc<ExportHealth>) -> anyhow::Result<Self> {
        let client = std::thread::spawn(move || {
            reqwest::blocking::Client::builder()
                .timeout(timeout)
                .connect_timeout(timeout)
                .user_agent(concat!("aurum/", env!("CARGO_PKG_VERSION")))
                .build()
        })
        .join()
        .map_err(|_| anyhow::anyhow!("the thread building the OTLP client panicked"))??;
        Ok(Self { client, health })
    }

    fn send(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        let (parts, body) = request.into_parts();
        let response = self
            .client
            .request(parts.method, parts.uri.to_string())
            .headers(parts.headers)
            .body(body.to_vec())
            .send()?;
        let mut out = Response::builder().status(response.status());
        for (name, value) in response.headers() {
            out = out.header(name, value);
        }
        let bytes = response.bytes()?;
        Ok(out.body(bytes)?)
    }
}

#[async_trait]
impl HttpClient for ExportClient {
    async fn send_bytes(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        let signal = Signal::of_path(request.uri().path());
        let result = self.send(request);
        match &result {
            Ok(r) if r.status().is_success() => self.health.succeeded(),
            Ok(r) => self
                .health
                .failed(signal, format!("the collector answered {}", r.status())),
            Err(e) => self.health.failed(signal, e.to_string()),
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_follow_the_otlp_paths() {
        assert_eq!(Signal::of_path("/v1/metrics"), Signal::Metrics);
        assert_eq!(Signal::of_path("/otlp/v1/traces"), Signal::Traces);
    }

    #[test]
    fn health_counts_failures_and_recovers() {
        let health = ExportHealth::default();
        assert!(health.failing().is_none());
        health.failed(Signal::Metrics, "refused".to_owned());
        health.failed(Signal::Metrics, "refused again".to_owned());
        assert_eq!(health.failures(Signal::Metrics), 2);
        assert_eq!(health.failures(Signal::Traces), 0);
        assert_eq!(health.failing().as_deref(), Some("refused again"));
        health.succeeded();
        assert!(health.failing().is_none());
    }
}
