//! The Trino curve backend from the shell's side: its settings (`AURUM_TRINO_*`), a curve
//! ingestor that refuses (the lake is loaded by its own pipelines), and the export of the
//! client's counters as metrics.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use async_trait::async_trait;
use clap::{ArgAction, Args};

use aurum_adapter_trino::{QueryOutcome, TrinoAuth, TrinoMetrics, TrinoSettings};
use aurum_ports::telemetry::{Counter, Gauge, InstrumentSpec, Meter};
use aurum_ports::{CurveIngestor, IngestFile, IngestRecord, IngestSession, StoreError};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Trino settings (used when `AURUM_CURVE_BACKEND=trino`).
#[derive(Debug, Clone, Args)]
pub struct TrinoArgs {
    /// Coordinator URL, `http(s)://host:port`.
    #[arg(long = "trino-url", env = "AURUM_TRINO_URL")]
    pub trino_url: Option<String>,
    /// Catalog of the curve table (`X-Trino-Catalog`).
    #[arg(long = "trino-catalog", env = "AURUM_TRINO_CATALOG")]
    pub trino_catalog: Option<String>,
    /// Schema of the curve table (`X-Trino-Schema`).
    #[arg(long = "trino-schema", env = "AURUM_TRINO_SCHEMA")]
    pub trino_schema: Option<String>,
    /// The curve table.
    #[arg(
        long = "trino-table",
        env = "AURUM_TRINO_TABLE",
        default_value = "curve_observation"
    )]
    pub trino_table: String,
    /// `X-Trino-User`.
    #[arg(long = "trino-user", env = "AURUM_TRINO_USER", default_value = "aurum")]
    pub trino_user: String,
    /// `X-Trino-Source`.
    #[arg(
        long = "trino-source",
        env = "AURUM_TRINO_SOURCE",
        default_value = "aurum"
    )]
    pub trino_source: String,
    /// Bearer token (JWT or `OAuth2` access token).
    #[arg(
        long = "trino-token",
        env = "AURUM_TRINO_TOKEN",
        hide_env_values = true
    )]
    pub trino_token: Option<String>,
    /// Password for HTTP Basic auth as `AURUM_TRINO_USER`.
    #[arg(
        long = "trino-password",
        env = "AURUM_TRINO_PASSWORD",
        hide_env_values = true
    )]
    pub trino_password: Option<String>,
    /// Allow credentials over plain `http://` (test clusters only).
    #[arg(long = "trino-allow-insecure-auth", env = "AURUM_TRINO_ALLOW_INSECURE_AUTH", default_value_t = false, action = ArgAction::Set)]
    pub trino_allow_insecure_auth: bool,
    /// Milliseconds a query may take from submission to its last row (then it is cancelled).
    #[arg(
        long = "trino-query-timeout-ms",
        env = "AURUM_TRINO_QUERY_TIMEOUT_MS",
        default_value_t = 30_000
    )]
    pub trino_query_timeout_ms: u64,
    /// Milliseconds one HTTP request to Trino may take.
    #[arg(
        long = "trino-request-timeout-ms",
        env = "AURUM_TRINO_REQUEST_TIMEOUT_MS",
        default_value_t = 10_000
    )]
    pub trino_request_timeout_ms: u64,
    /// Queries at once; more wait for a slot (1 s, then 503).
    #[arg(
        long = "trino-max-concurrent-queries",
        env = "AURUM_TRINO_MAX_CONCURRENT_QUERIES",
        default_value_t = 8
    )]
    pub trino_max_concurrent_queries: usize,
    /// `X-Trino-Client-Tags`, comma-separated.
    #[arg(
        long = "trino-client-tags",
        env = "AURUM_TRINO_CLIENT_TAGS",
        value_delimiter = ','
    )]
    pub trino_client_tags: Vec<String>,
}

impl TrinoArgs {
    /// Nothing configured.
    pub fn none() -> Self {
        Self {
            trino_url: None,
            trino_catalog: None,
            trino_schema: None,
            trino_table: "curve_observation".to_owned(),
            trino_user: "aurum".to_owned(),
            trino_source: "aurum".to_owned(),
            trino_token: None,
            trino_password: None,
            trino_allow_insecure_auth: false,
            trino_query_timeout_ms: 30_000,
            trino_request_timeout_ms: 10_000,
            trino_max_concurrent_queries: 8,
            trino_client_tags: Vec::new(),
        }
    }

    /// The adapter's settings.
    ///
    /// # Errors
    /// When the URL, catalog or schema is missing, or both a token and a password are set.
    pub fn settings(&self) -> anyhow::Result<TrinoSettings> {
        let need = |v: &Option<String>, name: &str| {
            v.clone()
                .filter(|s| !s.trim().is_empty())
                .with_context(|| format!("AURUM_CURVE_BACKEND=trino needs {name}"))
        };
        let mut s = TrinoSettings::new(
            need(&self.trino_url, "AURUM_TRINO_URL")?,
            need(&self.trino_catalog, "AURUM_TRINO_CATALOG")?,
            need(&self.trino_schema, "AURUM_TRINO_SCHEMA")?,
        );
        s.table.clone_from(&self.trino_table);
        s.user.clone_from(&self.trino_user);
        s.source.clone_from(&self.trino_source);
        s.auth = match (&self.trino_token, &self.trino_password) {
            (Some(_), Some(_)) => {
                anyhow::bail!("set AURUM_TRINO_TOKEN or AURUM_TRINO_PASSWORD, not both")
            }
            (Some(token), None) => TrinoAuth::Bearer {
                token: token.clone(),
            },
            (None, Some(password)) => TrinoAuth::Basic {
                user: self.trino_user.clone(),
                password: password.clone(),
            },
            (None, None) => TrinoAuth::None,
        };
        s.allow_insecure_auth = self.trino_allow_insecure_auth;
        s.query_timeout = Duration::from_millis(self.trino_query_timeout_ms.max(1));
        s.request_timeout = Duration::from_millis(self.trino_request_timeout_ms.max(1));
        s.max_concurrent_queries = self.trino_max_concurrent_queries.max(1);
        s.client_tags.clone_from(&self.trino_client_tags);
        Ok(s)
    }
}

/// The ingestor of a read-only curve backend: every file is refused with a clear error.
pub struct ReadOnlyIngestor;

#[async_trait]
impl CurveIngestor for ReadOnlyIngestor {
    async fn completed(&self, _checksum: &str) -> Result<Option<IngestRecord>, StoreError> {
        Ok(None)
    }

    async fn begin(&self, _file: IngestFile) -> Result<Box<dyn IngestSession>, StoreError> {
        Err(StoreError::Unsupported(
            "the Trino curve backend is read-only: the lake is loaded by its own pipelines",
        ))
    }
}

/// `aurum.trino.queries{outcome}` and friends, fed from the client's counters.
struct Instruments {
    queries: Counter,
    duration: Counter,
    rows: Counter,
    bytes: Counter,
    retries: Counter,
    cancellations: Counter,
    in_flight: Gauge,
}

impl Instruments {
    fn new(meter: &dyn Meter) -> Self {
        Self {
            queries: meter.counter(InstrumentSpec::new(
                "aurum.trino.queries",
                "{query}",
                "Trino queries by outcome.",
            )),
            duration: meter.counter(InstrumentSpec::new(
                "aurum.trino.query.duration",
                "us",
                "Total time of finished Trino queries, in microseconds.",
            )),
            rows: meter.counter(InstrumentSpec::new(
                "aurum.trino.rows",
                "{row}",
                "Rows read from Trino.",
            )),
            bytes: meter.counter(InstrumentSpec::new(
                "aurum.trino.read",
                "By",
                "Bytes of Trino result pages read.",
            )),
            retries: meter.counter(InstrumentSpec::new(
                "aurum.trino.retries",
                "{retry}",
                "Trino requests retried (502/503/504, failed connections).",
            )),
            cancellations: meter.counter(InstrumentSpec::new(
                "aurum.trino.cancellations",
                "{query}",
                "Trino queries cancelled with DELETE (timeouts, abandoned reads).",
            )),
            in_flight: meter.gauge(InstrumentSpec::new(
                "aurum.trino.queries.in_flight",
                "{query}",
                "Trino queries running now.",
            )),
        }
    }
}

/// Copies the client's counters into metrics every `every` (as deltas), until `token` fires.
pub fn spawn_metrics_export(
    metrics: Arc<TrinoMetrics>,
    meter: &dyn Meter,
    every: Duration,
    token: &CancellationToken,
    tracker: &TaskTracker,
) {
    let instruments = Instruments::new(meter);
    let token = token.clone();
    tracker.spawn(async move {
        let mut last = aurum_adapter_trino::TrinoMetricsSnapshot::default();
        loop {
            let now = metrics.snapshot();
            for outcome in QueryOutcome::ALL {
                let delta = now.queries_with(outcome)
                    - last.queries_with(outcome).min(now.queries_with(outcome));
                if delta > 0 {
                    instruments
                        .queries
                        .add(delta, &[("outcome", outcome.as_str())]);
                }
            }
            let add = |c: &Counter, new: u64, old: u64| {
                if new > old {
                    c.add(new - old, &[]);
                }
            };
            add(
                &instruments.duration,
                now.query_duration_micros,
                last.query_duration_micros,
            );
            add(&instruments.rows, now.rows_read, last.rows_read);
            add(&instruments.bytes, now.bytes_read, last.bytes_read);
            add(&instruments.retries, now.retries, last.retries);
            add(
                &instruments.cancellations,
                now.cancellations,
                last.cancellations,
            );
            #[expect(clippy::cast_precision_loss, reason = "a small count")]
            instruments.in_flight.record(now.in_flight as f64, &[]);
            last = now;
            tokio::select! {
                () = token.cancelled() => break,
                () = tokio::time::sleep(every) => {}
            }
        }
    });
}
