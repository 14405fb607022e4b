//! Pool settings and construction: size, connect / wait / statement timeouts and
//! `application_name` from settings; an optional schema (tests use one per test).

use std::str::FromStr as _;
use std::time::Duration;

use aurum_ports::StoreError;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio_postgres::NoTls;

/// How to reach PostgreSQL.
#[derive(Debug, Clone)]
pub struct PgSettings {
    /// `postgres://user@host:port/db`
    pub url: String,
    /// Largest number of pooled connections.
    pub pool_size: usize,
    /// Time to establish a connection.
    pub connect_timeout: Duration,
    /// Time to wait for a free pooled connection.
    pub wait_timeout: Duration,
    /// Server-side `statement_timeout`.
    pub statement_timeout: Duration,
    /// `application_name` reported to the server.
    pub application_name: String,
    /// Schema to use (`search_path`); `None` = the server default (`public`).
    pub schema: Option<String>,
}

impl PgSettings {
    /// Defaults for `url`: 16 connections, 5 s connect, 2 s wait, 30 s statements.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            pool_size: 16,
            connect_timeout: Duration::from_secs(5),
            wait_timeout: Duration::from_secs(2),
            statement_timeout: Duration::from_secs(30),
            application_name: "aurum".to_owned(),
            schema: None,
        }
    }
}

/// Builds the pool (connections open lazily).
///
/// # Errors
/// `InvalidQuery` when the URL does not parse or the schema name is not a plain identifier.
pub fn connect(settings: &PgSettings) -> Result<Pool, StoreError> {
    let mut config = tokio_postgres::Config::from_str(&settings.url)
        .map_err(|e| StoreError::InvalidQuery(format!("AURUM_DATABASE_URL does not parse: {e}")))?;
    config.connect_timeout(settings.connect_timeout);
    config.application_name(&settings.application_name);
    let mut options = format!(
        "-c statement_timeout={}",
        settings.statement_timeout.as_millis()
    );
    if let Some(schema) = &settings.schema {
        if !schema
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            || schema.is_empty()
        {
            return Err(StoreError::InvalidQuery(format!(
                "schema name '{schema}' must match [a-z0-9_]+"
            )));
        }
        options.push_str(" -c search_path=");
        options.push_str(schema);
    }
    config.options(&options);
    let manager = Manager::from_config(
        config,
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(manager)
        .max_size(settings.pool_size.max(1))
        .runtime(Runtime::Tokio1)
        .wait_timeout(Some(settings.wait_timeout))
        .create_timeout(Some(settings.connect_timeout))
        .recycle_timeout(Some(settings.connect_timeout))
        .build()
        .map_err(|e| StoreError::Unavailable(format!("cannot build the database pool: {e}")))
}
