//! The `CurveIngestor` port: whole-input ingestion sessions. A durable backend makes one
//! input's rows visible all at once on commit, or not at all, and remembers completed inputs
//! by checksum so that re-ingesting the same file can be skipped.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::curve::CurveObservation;
use crate::curve_store::UpsertReport;
use crate::error::StoreError;

/// The input an ingestion reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestFile {
    /// File name (or another input name).
    pub name: String,
    /// Lowercase hex SHA-256 of the input's bytes.
    pub checksum: String,
    /// When reading started.
    pub started_at: DateTime<Utc>,
}

/// A row that was not stored, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarantinedRow {
    /// Input name.
    pub file: String,
    /// 1-based line where the record starts.
    pub line: u64,
    /// Why (a `QuarantineReason` message).
    pub reason: String,
    /// Raw text of the record (at most about 1 KiB).
    pub raw: String,
}

/// Counts the reader knows at the end of an input.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IngestTotals {
    /// Records read.
    pub read: u64,
    /// Records quarantined.
    pub quarantined: u64,
    /// Derived strip rows written.
    pub derived_strips: u64,
}

/// A completed ingestion, as logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestRecord {
    /// File name.
    pub file_name: String,
    /// Checksum of its bytes.
    pub checksum: String,
    /// Records read.
    pub rows_read: u64,
    /// Rows inserted or updated.
    pub rows_stored: u64,
    /// Records quarantined.
    pub rows_quarantined: u64,
    /// Derived strip rows.
    pub derived_strips: u64,
    /// Start.
    pub started_at: DateTime<Utc>,
    /// End.
    pub finished_at: DateTime<Utc>,
}

/// Starts ingestion sessions and remembers completed ones.
#[async_trait]
pub trait CurveIngestor: Send + Sync + 'static {
    /// The most recent completed ingestion of an input with `checksum`, if any.
    ///
    /// # Errors
    /// Backend errors (`Unavailable`, `Timeout`).
    async fn completed(&self, checksum: &str) -> Result<Option<IngestRecord>, StoreError>;

    /// Starts a session for `file`.
    ///
    /// # Errors
    /// Backend errors; `Unsupported` for read-only stores.
    async fn begin(&self, file: IngestFile) -> Result<Box<dyn IngestSession>, StoreError>;
}

/// One input being ingested. Dropping a session without [`IngestSession::commit`] abandons it:
/// a durable backend MUST then leave no row of it visible.
#[async_trait]
pub trait IngestSession: Send {
    /// Adds rows (applied with the rules of [`CurveStore::upsert`], in order).
    ///
    /// [`CurveStore::upsert`]: crate::curve_store::CurveStore::upsert
    ///
    /// # Errors
    /// Backend errors.
    async fn write(&mut self, rows: Vec<CurveObservation>) -> Result<(), StoreError>;

    /// Records quarantined rows.
    ///
    /// # Errors
    /// Backend errors.
    async fn quarantine(&mut self, rows: Vec<QuarantinedRow>) -> Result<(), StoreError>;

    /// Makes everything written visible at once and logs the ingestion; returns how many rows
    /// were inserted, updated or skipped (a later duplicate of a key within the input counts as
    /// one row).
    ///
    /// # Errors
    /// Backend errors; nothing of the session is visible then.
    async fn commit(
        self: Box<Self>,
        totals: IngestTotals,
        finished_at: DateTime<Utc>,
    ) -> Result<UpsertReport, StoreError>;
}
