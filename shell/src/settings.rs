//! One typed `Settings` struct, built once from the command line and `AURUM_*` environment
//! variables, and passed down. Every setting is documented in docs/configuration.md.

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::{ArgAction, Args, ValueEnum};

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum LogFormat {
    /// JSON when stdout is not a terminal, pretty otherwise.
    #[default]
    Auto,
    /// Human-readable lines.
    Pretty,
    /// One JSON object per line.
    Json,
}

/// What to do about pending migrations at startup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum MigrateMode {
    /// Refuse to start while migrations are pending (run `aurum migrate`).
    #[default]
    Check,
    /// Apply pending migrations at startup.
    Auto,
}

/// Which store serves curve reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CurveBackend {
    /// The embedded in-memory store.
    Memory,
    /// PostgreSQL (`AURUM_DATABASE_URL`).
    Postgres,
    /// A Trino coordinator over the lake (`AURUM_TRINO_*`); read-only.
    Trino,
}

/// PostgreSQL settings (all optional: without a URL the embedded memory store is used).
#[derive(Debug, Clone, Args)]
pub struct DatabaseSettings {
    /// Curve store: `memory`, `postgres` or `trino` (default: `postgres` when
    /// `AURUM_DATABASE_URL` is set, else `memory`). Scenarios and every other write stay in
    /// PostgreSQL (or memory without a URL).
    #[arg(long, env = "AURUM_CURVE_BACKEND", value_enum)]
    pub curve_backend: Option<CurveBackend>,
    /// Trino, for `AURUM_CURVE_BACKEND=trino`.
    #[command(flatten)]
    pub trino: crate::trino::TrinoArgs,
    /// `postgres://user[:password]@host:port/database`; switches stores to PostgreSQL.
    #[arg(long, env = "AURUM_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Schema to use (`search_path`), e.g. one per environment.
    #[arg(long, env = "AURUM_DB_SCHEMA")]
    pub db_schema: Option<String>,
    /// Largest number of pooled connections.
    #[arg(long, env = "AURUM_DB_POOL_SIZE", default_value_t = 16)]
    pub db_pool_size: usize,
    /// Milliseconds to establish a connection.
    #[arg(long, env = "AURUM_DB_CONNECT_TIMEOUT_MS", default_value_t = 5_000)]
    pub db_connect_timeout_ms: u64,
    /// Milliseconds to wait for a free pooled connection (then 503).
    #[arg(long, env = "AURUM_DB_WAIT_TIMEOUT_MS", default_value_t = 2_000)]
    pub db_wait_timeout_ms: u64,
    /// Server-side statement timeout in milliseconds (then 504).
    #[arg(long, env = "AURUM_DB_STATEMENT_TIMEOUT_MS", default_value_t = 30_000)]
    pub db_statement_timeout_ms: u64,
    /// `application_name` reported to PostgreSQL.
    #[arg(long, env = "AURUM_DB_APPLICATION_NAME", default_value = "aurum")]
    pub db_application_name: String,
    /// Seconds to keep retrying an unreachable PostgreSQL at startup (with backoff) before
    /// failing.
    #[arg(long, env = "AURUM_DB_STARTUP_TIMEOUT_SECS", default_value_t = 30)]
    pub db_startup_timeout_secs: u64,
    /// `check` (refuse to start with pending migrations) or `auto` (apply them).
    #[arg(long, env = "AURUM_DB_MIGRATE", value_enum, default_value_t = MigrateMode::Check)]
    pub db_migrate: MigrateMode,
}

impl DatabaseSettings {
    /// No database: the embedded default.
    pub fn none() -> Self {
        Self {
            curve_backend: None,
            trino: crate::trino::TrinoArgs::none(),
            database_url: None,
            db_schema: None,
            db_pool_size: 16,
            db_connect_timeout_ms: 5_000,
            db_wait_timeout_ms: 2_000,
            db_statement_timeout_ms: 30_000,
            db_application_name: "aurum".to_owned(),
            db_startup_timeout_secs: 30,
            db_migrate: MigrateMode::Check,
        }
    }
}

/// Which API surfaces are served, and the /v1 deprecation schedule.
#[derive(Debug, Clone, Args)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "one independent on/off switch per environment variable"
)]
pub struct ApiSettings {
    /// Serve the deprecated /v1 API at all.
    #[arg(long = "api-v1-enabled", env = "AURUM_API_V1_ENABLED", default_value_t = true, action = ArgAction::Set)]
    pub v1_enabled: bool,
    /// Serve /v1/curves….
    #[arg(long = "api-v1-split-curves", env = "AURUM_API_V1_SPLIT_CURVES", default_value_t = true, action = ArgAction::Set)]
    pub v1_curves: bool,
    /// Serve /v1/metadata….
    #[arg(long = "api-v1-split-metadata", env = "AURUM_API_V1_SPLIT_METADATA", default_value_t = true, action = ArgAction::Set)]
    pub v1_metadata: bool,
    /// Serve /v1/scenarios….
    #[arg(long = "api-v1-split-scenarios", env = "AURUM_API_V1_SPLIT_SCENARIOS", default_value_t = true, action = ArgAction::Set)]
    pub v1_scenarios: bool,
    /// Serve /v1/admin….
    #[arg(long = "api-v1-split-admin", env = "AURUM_API_V1_SPLIT_ADMIN", default_value_t = true, action = ArgAction::Set)]
    pub v1_admin: bool,
    /// When /v1 stops working (410 Gone afterwards); RFC 3339 or HTTP-date.
    #[arg(long = "api-v1-sunset", env = "AURUM_API_V1_SUNSET", default_value = DEFAULT_V1_SUNSET, value_parser = parse_instant)]
    pub v1_sunset: DateTime<Utc>,
    /// When /v1 was deprecated (the `Deprecation` header); RFC 3339 or HTTP-date.
    #[arg(long = "api-v1-deprecated-at", env = "AURUM_API_V1_DEPRECATED_AT", default_value = DEFAULT_V1_DEPRECATED_AT, value_parser = parse_instant)]
    pub v1_deprecated_at: DateTime<Utc>,
    /// Bearer token the admin routes require (unset: admin routes are open).
    #[arg(
        long = "admin-token",
        env = "AURUM_ADMIN_TOKEN",
        hide_env_values = true
    )]
    pub admin_token: Option<String>,
}

/// Default of `AURUM_API_V1_SUNSET`.
pub const DEFAULT_V1_SUNSET: &str = "2027-06-30T23:59:59Z";
/// Default of `AURUM_API_V1_DEPRECATED_AT`.
pub const DEFAULT_V1_DEPRECATED_AT: &str = "2026-01-01T00:00:00Z";

/// Parses an instant given as RFC 3339 (`2027-06-30T23:59:59Z`) or as an HTTP-date
/// (`Wed, 30 Jun 2027 23:59:59 GMT`).
///
/// # Errors
/// When the text is neither.
pub fn parse_instant(raw: &str) -> Result<DateTime<Utc>, String> {
    let raw = raw.trim();
    DateTime::parse_from_rfc3339(raw)
        .or_else(|_| DateTime::parse_from_rfc2822(raw))
        .map(|t| t.to_utc())
        .map_err(|_| {
            format!("'{raw}' is neither RFC 3339 (2027-06-30T23:59:59Z) nor an HTTP-date (Wed, 30 Jun 2027 23:59:59 GMT)")
        })
}

impl ApiSettings {
    /// Every surface on, the default schedule, no admin token.
    pub fn defaults() -> Self {
        let instant = |raw| parse_instant(raw).unwrap_or_default();
        Self {
            v1_enabled: true,
            v1_curves: true,
            v1_metadata: true,
            v1_scenarios: true,
            v1_admin: true,
            v1_sunset: instant(DEFAULT_V1_SUNSET),
            v1_deprecated_at: instant(DEFAULT_V1_DEPRECATED_AT),
            admin_token: None,
        }
    }
}

/// Settings of `aurum serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeSettings {
    /// Database.
    #[command(flatten)]
    pub database: DatabaseSettings,
    /// API surfaces and the /v1 schedule.
    #[command(flatten)]
    pub api: ApiSettings,
    /// Address to bind.
    #[arg(long, env = "AURUM_HOST", default_value = "127.0.0.1")]
    pub host: String,
    /// Port to bind (0 picks a free port).
    #[arg(long, env = "AURUM_PORT", default_value_t = 8080)]
    pub port: u16,
    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "AURUM_WORKERS")]
    pub workers: Option<usize>,
    /// Secret that signs pagination cursors. When unset, a random secret is drawn at startup,
    /// so cursors do not survive a restart and are not valid on other instances.
    #[arg(long, env = "AURUM_CURSOR_SECRET", hide_env_values = true)]
    pub cursor_secret: Option<String>,
    /// Rows of the generated demo dataset served when no file is loaded.
    #[arg(long, env = "AURUM_DEMO_ROWS", default_value_t = 200_000)]
    pub demo_rows: usize,
    /// Seed of the generated demo dataset.
    #[arg(long, env = "AURUM_DEMO_SEED", default_value_t = 42)]
    pub demo_seed: u64,
    /// Curve files (CSV or NDJSON) to serve instead of the demo dataset.
    #[arg(long = "load", value_name = "FILE", num_args = 1..)]
    pub load: Vec<PathBuf>,
    /// Largest accepted request body, in bytes.
    #[arg(long, env = "AURUM_MAX_BODY_BYTES", default_value_t = 1_048_576)]
    pub max_body_bytes: usize,
    /// Run the scenario worker inside the server (default: on for the embedded memory store,
    /// off with PostgreSQL, where `aurum worker` processes do it).
    #[arg(long, env = "AURUM_WORKER_IN_PROCESS")]
    pub in_process_worker: Option<bool>,
    /// Worker settings (used when the worker runs in-process).
    #[command(flatten)]
    pub worker: crate::worker::WorkerSettings,
    /// Redis, cache and rate limits.
    #[command(flatten)]
    pub traffic: crate::traffic::TrafficSettings,
    /// OpenTelemetry export (`OTEL_EXPORTER_OTLP_ENDPOINT`, …).
    #[command(flatten)]
    pub telemetry: crate::telemetry::TelemetrySettings,
    /// Seconds in-flight requests get to finish on shutdown.
    #[arg(long, env = "AURUM_SHUTDOWN_TIMEOUT", default_value_t = 30)]
    pub shutdown_timeout_secs: u64,
    /// Milliseconds between `/ready` turning 503 and the listener closing on shutdown, so load
    /// balancers stop sending new requests first (e.g. 5000 behind Kubernetes without a
    /// `preStop` hook).
    #[arg(long, env = "AURUM_SHUTDOWN_DRAIN_DELAY_MS", default_value_t = 0)]
    pub shutdown_drain_delay_ms: u64,
    /// Routes an embedding program adds to the server (behind the same middleware as the API);
    /// not settable from the command line. The cache benchmark adds a static-buffer handler.
    #[arg(skip)]
    pub extra_routes: Option<fn(&mut actix_web::web::ServiceConfig)>,
}

impl ServeSettings {
    /// Settings for tests and embedding: port 0, a small demo dataset, fixed secret.
    pub fn for_tests() -> Self {
        Self {
            database: DatabaseSettings::none(),
            api: ApiSettings::defaults(),
            in_process_worker: None,
            worker: crate::worker::WorkerSettings::defaults(),
            traffic: crate::traffic::TrafficSettings::for_tests(),
            telemetry: crate::telemetry::TelemetrySettings::none(),
            host: "127.0.0.1".to_owned(),
            port: 0,
            workers: Some(2),
            cursor_secret: Some("test-secret".to_owned()),
            demo_rows: 20_000,
            demo_seed: 42,
            load: Vec::new(),
            max_body_bytes: 1_048_576,
            shutdown_timeout_secs: 5,
            shutdown_drain_delay_ms: 0,
            extra_routes: None,
        }
    }

    /// The shutdown grace period.
    pub fn shutdown_timeout(&self) -> Duration {
        Duration::from_secs(self.shutdown_timeout_secs)
    }
}

/// Logging settings shared by every command.
#[derive(Debug, Clone, Args)]
pub struct LogSettings {
    /// Log format.
    #[arg(long, env = "AURUM_LOG_FORMAT", value_enum, default_value_t = LogFormat::Auto, global = true)]
    pub log_format: LogFormat,
    /// Log filter (tracing `EnvFilter` syntax).
    #[arg(long, env = "AURUM_LOG", default_value = "info", global = true)]
    pub log: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_parse_from_rfc3339_and_http_dates() {
        let a = parse_instant("2027-06-30T23:59:59Z").unwrap();
        let b = parse_instant("Wed, 30 Jun 2027 23:59:59 GMT").unwrap();
        assert_eq!(a, b);
        assert!(parse_instant("next summer").is_err());
    }

    #[test]
    fn the_default_schedule_deprecates_before_it_sunsets() {
        let api = ApiSettings::defaults();
        assert!(api.v1_deprecated_at < api.v1_sunset);
        assert_eq!(api.v1_sunset, parse_instant(DEFAULT_V1_SUNSET).unwrap());
    }
}
