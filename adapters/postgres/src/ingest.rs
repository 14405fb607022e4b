//! [`PgCurveIngestor`]: atomic whole-input ingestion into `curve_observation`. A session holds
//! one pooled connection inside one transaction. Batches stream by binary `COPY`, straight
//! into `curve_observation` while the input's keys are all new, else into a temporary staging
//! table (nothing is kept in the process between batches); `commit` applies the staged rows
//! with one set-based upsert, logs the input in `curve_ingest_log`, moves the quarantined
//! records to `curve_quarantine` and commits. Until then nothing is visible to
//! other connections, and a session that ends any other way (error, panic, cancellation, a
//! killed process or backend) never commits: its connection is closed, not pooled, and the
//! server rolls back.

mod copy;
mod counts;
mod session;
mod sql;

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use aurum_ports::{CurveIngestor, IngestFile, IngestRecord, IngestSession, StoreError};
use deadpool_postgres::Pool;
use tokio_postgres::Row;

pub use session::PgIngestSession;
use session::SessionOptions;

use crate::error::{from_pg, from_pool};

/// Default limit, per statement and idle in the transaction, of an ingestion session.
pub const DEFAULT_INGEST_TIMEOUT: Duration = Duration::from_mins(10);

/// `CurveIngestor` over PostgreSQL (see the module docs). Cloning clones a handle to the pool.
#[derive(Clone)]
pub struct PgCurveIngestor {
    pool: Pool,
    options: SessionOptions,
}

impl PgCurveIngestor {
    /// An ingestor over `pool`, with [`DEFAULT_INGEST_TIMEOUT`] and the direct path on.
    pub fn new(pool: Pool) -> Self {
        Self {
            pool,
            options: SessionOptions {
                timeout: DEFAULT_INGEST_TIMEOUT,
                direct: true,
            },
        }
    }

    /// Sets the session limit: each statement of a session (the final upsert grows with the
    /// input, so the pool's statement timeout does not apply) and each pause between the
    /// caller's batches must finish within `timeout`, or the server aborts the session.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.options.timeout = timeout;
        self
    }

    /// Turns the direct path (batches of new keys copied straight into `curve_observation`,
    /// see [`PgIngestSession`]) on or off; off, every batch is staged. Same results either
    /// way; on is faster for new keys, off for inputs known to rewrite stored keys (it saves
    /// the one rolled-back batch that discovers them).
    #[must_use]
    pub fn with_direct_copy(mut self, direct: bool) -> Self {
        self.options.direct = direct;
        self
    }

    /// [`CurveIngestor::begin`] with the concrete session type.
    ///
    /// # Errors
    /// `Unavailable` when no connection can be had; other backend errors.
    pub async fn begin_session(&self, file: IngestFile) -> Result<PgIngestSession, StoreError> {
        PgIngestSession::begin(&self.pool, file, self.options).await
    }
}

impl fmt::Debug for PgCurveIngestor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgCurveIngestor")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl CurveIngestor for PgCurveIngestor {
    async fn completed(&self, checksum: &str) -> Result<Option<IngestRecord>, StoreError> {
        let client = self.pool.get().await.map_err(from_pool)?;
        let statement = client
            .prepare_cached(sql::LATEST_COMPLETED)
            .await
            .map_err(from_pg)?;
        let row = client
            .query_opt(&statement, &[&checksum])
            .await
            .map_err(from_pg)?;
        row.as_ref().map(record).transpose()
    }

    async fn begin(&self, file: IngestFile) -> Result<Box<dyn IngestSession>, StoreError> {
        Ok(Box::new(self.begin_session(file).await?))
    }
}

/// A `curve_ingest_log` row of [`sql::LATEST_COMPLETED`].
fn record(row: &Row) -> Result<IngestRecord, StoreError> {
    let count = |idx: usize| -> Result<u64, StoreError> {
        let n: i64 = row.try_get(idx).map_err(from_pg)?;
        Ok(u64::try_from(n).unwrap_or(0))
    };
    Ok(IngestRecord {
        file_name: row.try_get(0).map_err(from_pg)?,
        checksum: row.try_get(1).map_err(from_pg)?,
        rows_read: count(2)?,
        rows_stored: count(3)?,
        rows_quarantined: count(4)?,
        derived_strips: count(5)?,
        started_at: row.try_get(6).map_err(from_pg)?,
        finished_at: row.try_get(7).map_err(from_pg)?,
    })
}
