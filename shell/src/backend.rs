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

use crate::settings::{CurveBackend, DatabaseSettings, MigrateMode};
use aurum_adapter_trino::TrinoCurveStore;

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
    /// The Trino client's counters, when curves come from Trino.
    pub trino_metrics: Option<Arc<aurum_adapter_trino::TrinoMetrics>>,
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
            trino_metrics: None,
        }
    }

    /// Opens the backend `settings` describe, checking (or applying) migrations for PostgreSQL.
    ///
    /// # Errors
    /// When PostgreSQL cannot be reached, migrations are pending in `check` mode, or an applied
    /// migration differs from this release's.
    pub async fn open(settings: &DatabaseSettings) -> anyhow::Result<Self> {
        let mut backend = Self::open_base(settings).await?;
        match settings.curve_backend {
            Some(CurveBackend::Postgres) if backend.pool.is_none() => {
                anyhow::bail!("AURUM_CURVE_BACKEND=postgres needs AURUM_DATABASE_URL")
            }
            Some(CurveBackend::Memory) if backend.pool.is_some() => {
                let store = MemoryCurveStore::new();
                backend.ingestor = Arc::new(MemoryCurveIngestor::new(store.clone()));
                backend.curves = Arc::new(store);
                backend.kind = "memory";
            }
            Some(CurveBackend::Trino) => {
                let trino = TrinoCurveStore::new(&settings.trino.settings()?)
                    .context("invalid AURUM_TRINO_* settings")?;
                backend.trino_metrics = Some(trino.metrics());
                backend.curves = Arc::new(trino);
                backend.ingestor = Arc::new(crate::trino::ReadOnlyIngestor);
                backend.kind = "trino";
            }
            _ => {}
        }
        Ok(backend)
    }

    /// Memory, or PostgreSQL for everything when a URL is set.
    async fn open_base(settings: &DatabaseSettings) -> anyhow::Result<Self> {
        let Some(pool) = pg_pool(settings)? else {
            return Ok(Self::memory());
        };
        wait_for_database(&pool, Duration::from_secs(settings.db_startup_timeout_secs)).await?;
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
            trino_metrics: None,
        })
    }
}

/// Waits until PostgreSQL hands out a connection, retrying with exponential backoff (100 ms to
/// 2 s) for at most `budget`; then fails with the last error.
///
/// # Errors
/// When no connection could be made within `budget`.
pub async fn wait_for_database(
    pool: &deadpool_postgres::Pool,
    budget: Duration,
) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let mut delay = Duration::from_millis(100);
    let mut attempt = 1_u32;
    loop {
        match pool.get().await {
            Ok(_) => {
                if attempt > 1 {
                    tracing::info!(attempt, "PostgreSQL is reachable");
                }
                return Ok(());
            }
            Err(e) if started.elapsed() + delay < budget => {
                tracing::warn!(
                    attempt,
                    error = %e,
                    retry_in_ms = delay.as_millis(),
                    "PostgreSQL is not reachable yet"
                );
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(2));
                attempt += 1;
            }
            Err(e) => {
                anyhow::bail!(
                    "PostgreSQL is not reachable after {attempt} attempts over {:.1} s \
                     (AURUM_DB_STARTUP_TIMEOUT_SECS={}): {e}",
                    started.elapsed().as_secs_f64(),
                    budget.as_secs()
                );
            }
        }
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
