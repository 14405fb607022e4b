//! Choosing and opening the backend: the embedded memory store by default, PostgreSQL when
//! `AURUM_DATABASE_URL` is set (with its migration check or automatic migration).

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;

use aurum_adapter_memory::{MemoryCurveIngestor, MemoryCurveStore};
use aurum_adapter_postgres::{Migrator, PgCurveIngestor, PgCurveStore, PgSettings};
use aurum_ports::{CurveIngestor, CurveStore};

use crate::settings::{DatabaseSettings, MigrateMode};

/// The stores the application runs on.
#[derive(Clone)]
pub struct Backend {
    /// Curve reads and batch writes.
    pub curves: Arc<dyn CurveStore>,
    /// Whole-file ingestion.
    pub ingestor: Arc<dyn CurveIngestor>,
    /// `memory` or `postgres`, for readiness output and logs.
    pub kind: &'static str,
    /// The PostgreSQL pool, when there is one.
    pub pool: Option<deadpool_postgres::Pool>,
}

impl Backend {
    /// The embedded default.
    pub fn memory() -> Self {
        let store = MemoryCurveStore::new();
        Self {
            ingestor: Arc::new(MemoryCurveIngestor::new(store.clone())),
            curves: Arc::new(store),
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
        Ok(Self {
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
