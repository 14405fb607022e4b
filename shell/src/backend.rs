//! Choosing and opening the backend: the embedded memory store by default, PostgreSQL when
//! `AURUM_DATABASE_URL` is set (with its migration check or automatic migration).

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;

use aurum_adapter_memory::{MemoryCurveIngestor, MemoryCurveStore, MemoryScenarioBackend};
use aurum_adapter_postgres::{
    Migrator, PgCurveIngestor, PgCurveStore, PgScenarioBackend, PgSettings,
};
use aurum_ports::idempotency::IdempotencyStore;
use aurum_ports::outbox::Outbox;
use aurum_ports::run_queue::RunQueue;
use aurum_ports::scenario_store::ScenarioStore;
use aurum_ports::{CurveIngestor, CurveStore};

use crate::settings::{DatabaseSettings, MigrateMode};

/// The stores the application runs on.
#[derive(Clone)]
pub struct Backend {
    /// Curve reads and batch writes.
    pub curves: Arc<dyn CurveStore>,
    /// Whole-file ingestion.
    pub ingestor: Arc<dyn CurveIngestor>,
    /// Scenarios, runs and outputs.
    pub scenarios: Arc<dyn ScenarioStore>,
    /// The run queue (same backend as `scenarios`).
    pub queue: Arc<dyn RunQueue>,
    /// The transactional outbox (same backend).
    pub outbox: Arc<dyn Outbox>,
    /// Idempotency keys of commands.
    pub idempotency: Arc<dyn IdempotencyStore>,
    /// `memory` or `postgres`, for readiness output and logs.
    pub kind: &'static str,
    /// The PostgreSQL pool, when there is one.
    pub pool: Option<deadpool_postgres::Pool>,
}

impl Backend {
    /// The embedded default.
    pub fn memory() -> Self {
        let store = MemoryCurveStore::new();
        let scenarios = Arc::new(MemoryScenarioBackend::new());
        Self {
            ingestor: Arc::new(MemoryCurveIngestor::new(store.clone())),
            curves: Arc::new(store),
            scenarios: scenarios.clone(),
            queue: scenarios.clone(),
            outbox: scenarios.clone(),
            idempotency: scenarios,
            kind: "memory",
            pool: None,
        }
    }

    /// Opens the backend `settings` describe, checking (or applying) migrations for PostgreSQL.
    ///
    /// # Errors
    /// When PostgreSQL cannot be reached, migrations are pending in `check` mode, or an applied
    /// migration differs from this release's.
    pub async fn open(settings: &DatabaseSettings) -> anyhow::Result<Self> {
        let Some(pool) = pg_pool(settings)? else {
            return Ok(Self::memory());
        };
        let migrator = Migrator::new(pool.clone());
        match settings.db_migrate {
            MigrateMode::Auto => {
                let applied = migrator
                    .migrate()
                    .await
                    .context("while applying migrations")?;
                if !applied.is_empty() {
                    tracing::info!(?applied, "applied migrations");
                }
            }
            MigrateMode::Check => migrator
                .check()
                .await
                .context("while checking migrations")?,
        }
        let scenarios = Arc::new(PgScenarioBackend::new(pool.clone()));
        Ok(Self {
            scenarios: scenarios.clone(),
            queue: scenarios.clone(),
            outbox: scenarios.clone(),
            idempotency: scenarios,
            curves: Arc::new(PgCurveStore::new(pool.clone())),
            ingestor: Arc::new(PgCurveIngestor::new(pool.clone())),
            kind: "postgres",
            pool: Some(pool),
        })
    }
}

/// The PostgreSQL pool, when a database URL is configured.
///
/// # Errors
/// When the URL or schema name is invalid.
pub fn pg_pool(settings: &DatabaseSettings) -> anyhow::Result<Option<deadpool_postgres::Pool>> {
    let Some(url) = &settings.database_url else {
        return Ok(None);
    };
    let mut pg = PgSettings::new(url.clone());
    pg.pool_size = settings.db_pool_size;
    pg.connect_timeout = Duration::from_millis(settings.db_connect_timeout_ms);
    pg.wait_timeout = Duration::from_millis(settings.db_wait_timeout_ms);
    pg.statement_timeout = Duration::from_millis(settings.db_statement_timeout_ms);
    pg.application_name
        .clone_from(&settings.db_application_name);
    pg.schema.clone_from(&settings.db_schema);
    Ok(Some(
        aurum_adapter_postgres::connect(&pg).context("invalid database settings")?,
    ))
}
