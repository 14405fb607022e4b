//! One typed `Settings` struct, built once from the command line and `AURUM_*` environment
//! variables, and passed down. Every setting is documented in docs/configuration.md.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};

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

/// PostgreSQL settings (all optional: without a URL the embedded memory store is used).
#[derive(Debug, Clone, Args)]
pub struct DatabaseSettings {
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
    /// `check` (refuse to start with pending migrations) or `auto` (apply them).
    #[arg(long, env = "AURUM_DB_MIGRATE", value_enum, default_value_t = MigrateMode::Check)]
    pub db_migrate: MigrateMode,
}

impl DatabaseSettings {
    /// No database: the embedded default.
    pub fn none() -> Self {
        Self {
            database_url: None,
            db_schema: None,
            db_pool_size: 16,
            db_connect_timeout_ms: 5_000,
            db_wait_timeout_ms: 2_000,
            db_statement_timeout_ms: 30_000,
            db_application_name: "aurum".to_owned(),
            db_migrate: MigrateMode::Check,
        }
    }
}

/// Settings of `aurum serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeSettings {
    /// Database.
    #[command(flatten)]
    pub database: DatabaseSettings,
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
    /// Seconds in-flight requests get to finish on shutdown.
    #[arg(long, env = "AURUM_SHUTDOWN_TIMEOUT", default_value_t = 30)]
    pub shutdown_timeout_secs: u64,
}

impl ServeSettings {
    /// Settings for tests and embedding: port 0, a small demo dataset, fixed secret.
    pub fn for_tests() -> Self {
        Self {
            database: DatabaseSettings::none(),
            in_process_worker: None,
            worker: crate::worker::WorkerSettings::defaults(),
            host: "127.0.0.1".to_owned(),
            port: 0,
            workers: Some(2),
            cursor_secret: Some("test-secret".to_owned()),
            demo_rows: 20_000,
            demo_seed: 42,
            load: Vec::new(),
            max_body_bytes: 1_048_576,
            shutdown_timeout_secs: 5,
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
