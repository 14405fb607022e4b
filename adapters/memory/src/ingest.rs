//! [`MemoryCurveIngestor`]: the `CurveIngestor` of the embedded store. The memory store is not
//! durable, so a session does not stage: each `write` upserts straight into the
//! [`MemoryCurveStore`] and its rows are visible at once. A session dropped without commit
//! (a failed ingestion) therefore leaves the rows written so far in the store, and is not
//! logged, so the same input is not reported as completed and can simply be ingested again.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use aurum_ports::{
    CurveIngestor, CurveObservation, CurveStore, IngestFile, IngestRecord, IngestSession,
    IngestTotals, QuarantinedRow, StoreError, UpsertReport,
};
use chrono::{DateTime, Utc};

use crate::MemoryCurveStore;

/// Completed ingestions remembered; older ones are forgotten (such an input is then ingested
/// again, which the replacement rule makes harmless).
const LOG_CAPACITY: usize = 10_000;

/// `CurveIngestor` over a [`MemoryCurveStore`] (see the module docs). Cloning clones a handle
/// to the same store and log.
#[derive(Clone)]
pub struct MemoryCurveIngestor {
    store: MemoryCurveStore,
    log: Arc<Mutex<VecDeque<IngestRecord>>>,
}

impl MemoryCurveIngestor {
    /// An ingestor writing into `store`, with an empty log.
    pub fn new(store: MemoryCurveStore) -> Self {
        Self {
            store,
            log: Arc::default(),
        }
    }

    /// The remembered completed ingestions, oldest first.
    pub fn records(&self) -> Vec<IngestRecord> {
        lock(&self.log).iter().cloned().collect()
    }
}

impl fmt::Debug for MemoryCurveIngestor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryCurveIngestor")
            .field("store", &self.store)
            .field("records", &lock(&self.log).len())
            .finish()
    }
}

#[async_trait]
impl CurveIngestor for MemoryCurveIngestor {
    async fn completed(&self, checksum: &str) -> Result<Option<IngestRecord>, StoreError> {
        Ok(lock(&self.log)
            .iter()
            .rev()
            .find(|r| r.checksum == checksum)
            .cloned())
    }

    async fn begin(&self, file: IngestFile) -> Result<Box<dyn IngestSession>, StoreError> {
        Ok(Box::new(MemoryIngestSession {
            store: self.store.clone(),
            log: Arc::clone(&self.log),
            file,
            report: UpsertReport::default(),
        }))
    }
}

/// One input being ingested into memory.
struct MemoryIngestSession {
    store: MemoryCurveStore,
    log: Arc<Mutex<VecDeque<IngestRecord>>>,
    file: IngestFile,
    report: UpsertReport,
}

#[async_trait]
impl IngestSession for MemoryIngestSession {
    /// Upserts `rows` into the store at once (visible immediately, see the module docs).
    async fn write(&mut self, rows: Vec<CurveObservation>) -> Result<(), StoreError> {
        let r = self.store.upsert(rows).await?;
        self.report.inserted += r.inserted;
        self.report.updated += r.updated;
        self.report.skipped += r.skipped;
        Ok(())
    }

    /// Accepted and dropped: the memory backend keeps no quarantine table (the reader's report
    /// carries the records, and the log keeps `totals.quarantined`).
    async fn quarantine(&mut self, rows: Vec<QuarantinedRow>) -> Result<(), StoreError> {
        drop(rows);
        Ok(())
    }

    /// Logs the ingestion and returns the sum of the batches' reports: every written row
    /// counts once, as `CurveStore::upsert` counts it, so a key written twice in one input
    /// counts twice (its second row as updated or skipped).
    async fn commit(
        self: Box<Self>,
        totals: IngestTotals,
        finished_at: DateTime<Utc>,
    ) -> Result<UpsertReport, StoreError> {
        let record = IngestRecord {
            file_name: self.file.name,
            checksum: self.file.checksum,
            rows_read: totals.read,
            rows_stored: self.report.inserted + self.report.updated,
            rows_quarantined: totals.quarantined,
            derived_strips: totals.derived_strips,
            started_at: self.file.started_at,
            finished_at,
        };
        let mut log = lock(&self.log);
        if log.len() == LOG_CAPACITY {
            log.pop_front();
        }
        log.push_back(record);
        Ok(self.report)
    }
}

/// The log, even after a panic elsewhere (a record is pushed whole or not at all).
fn lock(log: &Mutex<VecDeque<IngestRecord>>) -> std::sync::MutexGuard<'_, VecDeque<IngestRecord>> {
    log.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use aurum_ports::RowOrigin;
    use aurum_ports::contract::curve_store::fixture;

    use super::*;

    fn file(checksum: &str) -> IngestFile {
        IngestFile {
            name: "curves.csv".to_owned(),
            checksum: checksum.to_owned(),
            started_at: fixture::ingest_ts(0),
        }
    }

    fn totals(read: u64) -> IngestTotals {
        IngestTotals {
            read,
            quarantined: 1,
            derived_strips: 0,
        }
    }

    #[tokio::test]
    async fn a_committed_session_stores_its_rows_and_logs_the_input() {
        let store = MemoryCurveStore::new();
        let ingestor = MemoryCurveIngestor::new(store.clone());
        assert_eq!(ingestor.completed("c1").await.unwrap(), None);

        let asof = fixture::date(2025, 1, 2);
        let mut session = ingestor.begin(file("c1")).await.unwrap();
        session
            .write(vec![
                fixture::observation(asof, "k1", "2025-02", 1.0),
                fixture::observation(asof, "k1", "2025-03", 2.0),
            ])
            .await
            .unwrap();
        let quarantined = QuarantinedRow {
            file: "curves.csv".to_owned(),
            line: 3,
            reason: "no finite price".to_owned(),
            raw: "x".to_owned(),
        };
        session.quarantine(vec![quarantined]).await.unwrap();
        let derived = CurveObservation {
            origin: RowOrigin::Derived,
            ..fixture::observation(asof, "k1", "2025-02", 9.0)
        };
        session.write(vec![derived]).await.unwrap();
        let report = session
            .commit(totals(3), fixture::ingest_ts(5))
            .await
            .unwrap();

        assert_eq!(
            report,
            UpsertReport {
                inserted: 2,
                updated: 0,
                skipped: 1
            }
        );
        assert_eq!(store.len(), 2);
        let record = ingestor.completed("c1").await.unwrap().unwrap();
        assert_eq!(
            (
                record.rows_read,
                record.rows_stored,
                record.rows_quarantined
            ),
            (3, 2, 1)
        );
        assert_eq!(record.finished_at, fixture::ingest_ts(5));
        assert_eq!(ingestor.records().len(), 1);
    }

    #[tokio::test]
    async fn a_dropped_session_keeps_its_rows_but_is_not_logged() {
        let store = MemoryCurveStore::new();
        let ingestor = MemoryCurveIngestor::new(store.clone());
        let mut session = ingestor.begin(file("c2")).await.unwrap();
        let row = fixture::observation(fixture::date(2025, 1, 2), "k1", "2025-02", 1.0);
        session.write(vec![row]).await.unwrap();
        drop(session);

        assert_eq!(store.len(), 1, "the memory store is not transactional");
        assert_eq!(ingestor.completed("c2").await.unwrap(), None);
    }

    #[tokio::test]
    async fn completed_answers_the_latest_ingestion_of_a_checksum() {
        let ingestor = MemoryCurveIngestor::new(MemoryCurveStore::new());
        for read in [1, 2] {
            let session = ingestor.begin(file("same")).await.unwrap();
            session
                .commit(totals(read), fixture::ingest_ts(0))
                .await
                .unwrap();
        }
        let latest = ingestor.completed("same").await.unwrap().unwrap();
        assert_eq!(latest.rows_read, 2);
        assert!(format!("{ingestor:?}").contains("records: 2"));
    }
}
