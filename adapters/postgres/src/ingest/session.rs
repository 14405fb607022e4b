//! [`PgIngestSession`]: one input inside one transaction on one dedicated pooled connection.
//! The connection goes back to the pool only after `COMMIT` succeeded; in every other case
//! (an error, a panic, a cancelled future, a session dropped without commit) it is detached
//! from the pool and closed, so the server rolls the transaction back and no pooled connection
//! is ever handed out mid-transaction.
//!
//! Batches take one of two paths. *Direct*: while every key of the input is new, each batch is
//! copied straight into `curve_observation` inside a savepoint (the bulk-insert path of
//! `COPY`, as fast as loading the file with `psql \copy`). The first batch that meets a stored
//! key, or repeats a key of the input, fails with a unique violation; it is rolled back to its
//! savepoint and the session turns *staged* for good: that batch and every later one are
//! copied into a temporary table and applied at commit by one set-based upsert. Both paths
//! stay inside the one transaction, so nothing is visible before `COMMIT`.
//!
//! Concurrency: like any insert, a direct batch that writes a key another open session has
//! written waits until that session ends; two sessions writing each other's new keys directly
//! can deadlock, and PostgreSQL then aborts one of them (an error; nothing of it is visible).
//! The staged upsert writes in primary-key order and only during `commit`.

use std::time::Duration;

use async_trait::async_trait;
use aurum_ports::{
    CurveObservation, IngestFile, IngestSession, IngestTotals, QuarantinedRow, StoreError,
    UpsertReport,
};
use chrono::{DateTime, Utc};
use deadpool_postgres::{Object, Pool};
use tokio_postgres::Statement;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;

use super::counts::{StagedCounts, bigint, count, report};
use super::{copy, sql};
use crate::error::{from_pg, from_pool};

/// A pooled connection inside an open transaction. Dropping it without [`TxConn::release`]
/// takes the connection out of the pool and closes it (the server then rolls back).
struct TxConn(Option<Object>);

impl TxConn {
    fn client(&self) -> Result<&Object, StoreError> {
        self.0
            .as_ref()
            .ok_or_else(|| StoreError::Unexpected("the ingestion session has no connection".into()))
    }

    /// Returns the connection to the pool (after `COMMIT`).
    fn release(mut self) {
        drop(self.0.take());
    }
}

impl Drop for TxConn {
    fn drop(&mut self) {
        if let Some(object) = self.0.take() {
            tracing::debug!("ingestion session abandoned; closing its connection to roll back");
            // Detached: the pool forgets it and may open another; dropping the client aborts
            // the connection task, which closes the socket.
            drop(Object::take(object));
        }
    }
}

/// At most this many direct batches per session. Each is a subtransaction whose id stays
/// cached in the session's process entry, which holds 64; past that, every other session's
/// snapshots overflow to `pg_subtrans` and get slower. Later batches are staged.
const DIRECT_BATCH_LIMIT: usize = 48;

/// Rows written by one ingestion above which the table is analyzed after commit.
const ANALYZE_AFTER_ROWS: u64 = 10_000;

/// How a session runs (from the ingestor's settings).
#[derive(Debug, Clone, Copy)]
pub(super) struct SessionOptions {
    /// Statement and idle-in-transaction limit.
    pub(super) timeout: Duration,
    /// Whether batches may take the direct path.
    pub(super) direct: bool,
}

/// The session's prepared `COPY` statements.
struct Statements {
    direct: Statement,
    staged: Statement,
    quarantine: Statement,
}

/// The direct path's progress.
#[derive(Debug, Default)]
struct Direct {
    /// Batches still go direct.
    enabled: bool,
    /// Rows written directly (all inserted: distinct keys that were not stored).
    rows: u64,
    /// The xid of each direct batch's savepoint (at most [`DIRECT_BATCH_LIMIT`]).
    xids: Vec<i64>,
}

/// An ingestion session over PostgreSQL (see the module docs). Rows written are not visible
/// to anyone until [`IngestSession::commit`] returns `Ok`.
pub struct PgIngestSession {
    conn: TxConn,
    file: IngestFile,
    statements: Statements,
    backend_pid: i32,
    direct: Direct,
    /// The next staged row's input position (= staged rows so far).
    next_seq: i64,
    next_quarantine_seq: i64,
    /// Set while an operation runs and left set when it fails or is cancelled: the transaction
    /// is then unusable and every later call fails fast.
    broken: bool,
}

impl PgIngestSession {
    /// Takes a connection from `pool`, opens the transaction and the staging tables.
    pub(super) async fn begin(
        pool: &Pool,
        file: IngestFile,
        options: SessionOptions,
    ) -> Result<Self, StoreError> {
        let conn = TxConn(Some(pool.get().await.map_err(from_pool)?));
        let client = conn.client()?;
        client.batch_execute(sql::BEGIN).await.map_err(from_pg)?;
        let millis = options.timeout.as_millis().max(1).to_string();
        let params: [&(dyn ToSql + Sync); 1] = [&millis];
        let (setup, direct, staged, quarantine) = futures::try_join!(
            client.query_one(sql::SETUP, &params),
            client.prepare(sql::COPY_DIRECT),
            client.prepare(sql::COPY_ROWS),
            client.prepare(sql::COPY_QUARANTINE),
        )
        .map_err(from_pg)?;
        let backend_pid = setup.try_get(0).map_err(from_pg)?;
        Ok(Self {
            conn,
            file,
            statements: Statements {
                direct,
                staged,
                quarantine,
            },
            backend_pid,
            direct: Direct {
                enabled: options.direct,
                ..Direct::default()
            },
            next_seq: 0,
            next_quarantine_seq: 0,
            broken: false,
        })
    }

    /// The server process of the session's connection (`pg_backend_pid()`), for diagnostics
    /// and tests.
    pub fn backend_pid(&self) -> i32 {
        self.backend_pid
    }

    /// The input being ingested.
    pub fn file(&self) -> &IngestFile {
        &self.file
    }

    /// True while batches still take the direct path.
    pub fn is_direct(&self) -> bool {
        self.direct.enabled && self.direct.xids.len() < DIRECT_BATCH_LIMIT
    }

    /// Fails fast once an earlier step failed or was cancelled.
    fn ensure_usable(&self) -> Result<(), StoreError> {
        if self.broken {
            return Err(StoreError::Unexpected(
                "an earlier step of this ingestion session failed; it can only be dropped".into(),
            ));
        }
        Ok(())
    }

    /// Copies non-empty `rows` straight into `curve_observation` under a savepoint; `false`
    /// (with the batch undone and the session staged from now on) when a key is stored
    /// already or repeats.
    async fn write_direct(&mut self, rows: &[CurveObservation]) -> Result<bool, StoreError> {
        let client = self.conn.client()?;
        client
            .batch_execute(sql::SAVEPOINT)
            .await
            .map_err(from_pg)?;
        match copy::observations(client, &self.statements.direct, rows, None).await {
            Ok(_) => {}
            Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                client
                    .batch_execute(sql::ROLLBACK_TO)
                    .await
                    .map_err(from_pg)?;
                self.direct.enabled = false;
                return Ok(false);
            }
            Err(e) => return Err(from_pg(e)),
        }
        if let Some(first) = rows.first() {
            let (key, label) = (first.curve_key.as_str(), &*first.tenor_label);
            let row = client
                .query_one(sql::DIRECT_XID, &[&key, &label, &first.asof_date])
                .await
                .map_err(from_pg)?;
            self.direct.xids.push(row.try_get(0).map_err(from_pg)?);
        }
        client.batch_execute(sql::RELEASE).await.map_err(from_pg)?;
        self.direct.rows += u64::try_from(rows.len()).unwrap_or(u64::MAX);
        Ok(true)
    }

    /// Steps 1–3 of [`IngestSession::commit`]; `COMMIT` and the release are the caller's.
    async fn apply(
        &self,
        totals: IngestTotals,
        finished_at: DateTime<Utc>,
    ) -> Result<UpsertReport, StoreError> {
        self.ensure_usable()?;
        let client = self.conn.client()?;
        let staged = if self.next_seq == 0 {
            StagedCounts::default()
        } else if self.direct.xids.is_empty() {
            let row = client.query_one(sql::APPLY, &[]).await.map_err(from_pg)?;
            StagedCounts {
                keys: count(&row, 0)?,
                inserted: count(&row, 1)?,
                updated: count(&row, 2)?,
                ..StagedCounts::default()
            }
        } else {
            let row = client
                .query_one(sql::APPLY_AFTER_DIRECT, &[&self.direct.xids])
                .await
                .map_err(from_pg)?;
            StagedCounts {
                keys: count(&row, 0)?,
                inserted: count(&row, 1)?,
                updated: count(&row, 2)?,
                own_keys: count(&row, 3)?,
                own_replaced: count(&row, 4)?,
            }
        };
        let report = report(self.direct.rows, staged);
        let file = &self.file;
        let log = client
            .query_one(
                sql::LOG,
                &[
                    &file.name,
                    &file.checksum,
                    &bigint(totals.read),
                    &bigint(report.inserted + report.updated),
                    &bigint(totals.quarantined),
                    &bigint(totals.derived_strips),
                    &file.started_at,
                    &finished_at,
                ],
            )
            .await
            .map_err(from_pg)?;
        let ingest_id: i64 = log.try_get(0).map_err(from_pg)?;
        if self.next_quarantine_seq > 0 {
            client
                .execute(sql::MOVE_QUARANTINE, &[&ingest_id])
                .await
                .map_err(from_pg)?;
        }
        Ok(report)
    }
}

#[async_trait]
impl IngestSession for PgIngestSession {
    /// Copies `rows` directly or into the staging table (see the module docs); nothing becomes
    /// visible.
    async fn write(&mut self, rows: Vec<CurveObservation>) -> Result<(), StoreError> {
        self.ensure_usable()?;
        if rows.is_empty() {
            return Ok(());
        }
        self.broken = true;
        if !(self.is_direct() && self.write_direct(&rows).await?) {
            let client = self.conn.client()?;
            self.next_seq =
                copy::observations(client, &self.statements.staged, &rows, Some(self.next_seq))
                    .await
                    .map_err(from_pg)?;
        }
        self.broken = false;
        Ok(())
    }

    /// Copies `rows` into the quarantine staging table; they reach `curve_quarantine`, linked
    /// to this ingestion's log row, at commit.
    async fn quarantine(&mut self, rows: Vec<QuarantinedRow>) -> Result<(), StoreError> {
        self.ensure_usable()?;
        if rows.is_empty() {
            return Ok(());
        }
        self.broken = true;
        let client = self.conn.client()?;
        let statement = &self.statements.quarantine;
        self.next_quarantine_seq =
            copy::quarantined(client, statement, &rows, self.next_quarantine_seq)
                .await
                .map_err(from_pg)?;
        self.broken = false;
        Ok(())
    }

    /// In the session's transaction: (1) one set-based upsert of the staged rows into
    /// `curve_observation` (none when every batch went direct), (2) the `curve_ingest_log`
    /// row, (3) the staged quarantine records into `curve_quarantine` with that log row's id,
    /// (4) `COMMIT`. Everything becomes visible at once, or (on any error) nothing does.
    ///
    /// Counts are per distinct `(curve_key, tenor_label, asof_date)` of the input, after the
    /// input's own duplicates are resolved (ingested before derived, then the newest
    /// `ingest_ts`, then the latest row): `inserted` = keys that were not stored before this
    /// input, `updated` = keys whose stored row the input's winner replaced
    /// (`RowOrigin::replaces`), `skipped` = the other keys, whose stored row wins. So
    /// `inserted + updated + skipped` = the number of distinct keys written (a key written n
    /// times counts once), and the log's `rows_stored` = `inserted + updated`. For inputs
    /// whose rows share one `ingest_ts` (every pipeline input) the stored result is exactly
    /// that of applying the rows in order with `CurveStore::upsert`; with mixed timestamps a
    /// derived row newer than every ingested row of its key still loses to them.
    async fn commit(
        self: Box<Self>,
        totals: IngestTotals,
        finished_at: DateTime<Utc>,
    ) -> Result<UpsertReport, StoreError> {
        let session = *self;
        let report = session.apply(totals, finished_at).await?;
        let client = session.conn.client()?;
        client.batch_execute("COMMIT").await.map_err(from_pg)?;
        // A large load changes the table's statistics enough for the planner to pick bad plans
        // (a sort of every matching row instead of reading an index in order) until autovacuum
        // analyzes it; refresh them now. Best effort: the ingestion is already committed.
        if report.inserted + report.updated >= ANALYZE_AFTER_ROWS
            && let Err(e) = client.batch_execute("ANALYZE curve_observation").await
        {
            tracing::warn!(error = %e, "ANALYZE after ingestion failed; autovacuum will do it");
        }
        session.conn.release();
        tracing::debug!(
            file = %session.file.name,
            inserted = report.inserted,
            updated = report.updated,
            skipped = report.skipped,
            direct_rows = session.direct.rows,
            "ingestion committed"
        );
        Ok(report)
    }
}
