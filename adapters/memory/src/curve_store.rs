//! [`MemoryCurveStore`]: the embedded `CurveStore`. Readers clone an `Arc` to the current
//! immutable [`Snapshot`] and answer from it without locks; writers are serialised and swap in
//! a rebuilt snapshot.

mod chunk;
mod diff;
mod dimensions;
mod history;
mod interner;
mod list;
mod plan;
mod row;
mod snapshot;
mod write;

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use async_trait::async_trait;
use aurum_ports::{
    CurveFilters, CurveObservation, CurveStore, DiffPair, DiffQuery, Dimensions, DimensionsQuery,
    HistoryQuery, ListQuery, ObservationStream, Page, StoreError, UpsertReport,
};
use chrono::NaiveDate;

use self::plan::{Matcher, Plan};
use self::snapshot::Snapshot;

/// Below this many rows (stored + incoming) an upsert runs inline; above, on tokio's blocking
/// pool when a tokio runtime is current, so a large rebuild never stalls an async worker.
const INLINE_WRITE_ROWS: usize = 16_384;

/// In-memory curve store: compact interned rows in canonical order with posting-list indexes,
/// published as immutable snapshots. Cloning the store clones a handle to the same data.
#[derive(Clone, Default)]
pub struct MemoryCurveStore {
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    current: RwLock<Arc<Snapshot>>,
    writer: Mutex<()>,
}

impl MemoryCurveStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of stored rows.
    pub fn len(&self) -> usize {
        self.snapshot().len()
    }

    /// True when no row is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The synchronous core of [`CurveStore::upsert`], for blocking contexts (startup loads,
    /// benches). Same contract; CPU time is linear in the number of stored rows.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store would exceed `u32::MAX` rows or distinct
    /// strings per field family.
    pub fn upsert_blocking(&self, rows: &[CurveObservation]) -> Result<UpsertReport, StoreError> {
        let _writer = self
            .shared
            .writer
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let base = self.snapshot();
        let (report, next) = write::apply(&base, rows)?;
        if let Some(next) = next {
            *self
                .shared
                .current
                .write()
                .unwrap_or_else(PoisonError::into_inner) = Arc::new(next);
        }
        Ok(report)
    }

    /// The current snapshot (the lock is held only to clone the `Arc`).
    fn snapshot(&self) -> Arc<Snapshot> {
        Arc::clone(
            &self
                .shared
                .current
                .read()
                .unwrap_or_else(PoisonError::into_inner),
        )
    }
}

impl fmt::Debug for MemoryCurveStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryCurveStore")
            .field("rows", &self.len())
            .finish()
    }
}

#[async_trait]
impl CurveStore for MemoryCurveStore {
    async fn upsert(&self, rows: Vec<CurveObservation>) -> Result<UpsertReport, StoreError> {
        if rows.len() + self.len() <= INLINE_WRITE_ROWS {
            return self.upsert_blocking(&rows);
        }
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                let store = self.clone();
                runtime
                    .spawn_blocking(move || store.upsert_blocking(&rows))
                    .await
                    .map_err(|e| StoreError::Unexpected(Box::new(e)))?
            }
            Err(_) => self.upsert_blocking(&rows),
        }
    }

    async fn list(&self, query: &ListQuery) -> Result<Page<CurveObservation>, StoreError> {
        Ok(list::list(&self.snapshot(), query))
    }

    async fn diff(&self, query: &DiffQuery) -> Result<Page<DiffPair>, StoreError> {
        Ok(diff::diff(&self.snapshot(), query))
    }

    async fn history(&self, query: &HistoryQuery) -> Result<Page<CurveObservation>, StoreError> {
        Ok(history::history(&self.snapshot(), query))
    }

    async fn dimensions(&self, query: &DimensionsQuery) -> Result<Dimensions, StoreError> {
        Ok(dimensions::dimensions(&self.snapshot(), query))
    }

    async fn scan(
        &self,
        filters: &CurveFilters,
        asof: Option<NaiveDate>,
    ) -> Result<ObservationStream, StoreError> {
        let snap = self.snapshot();
        let plan = Plan::new(&snap, Matcher::new(&snap, filters), asof);
        Ok(list::scan(snap, plan))
    }

    async fn ping(&self) -> Result<(), StoreError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aurum_ports::contract::curve_store as contract;

    #[tokio::test]
    async fn the_contract_holds_when_every_date_spans_many_tiny_chunks() {
        contract::run(|| async { Arc::new(MemoryCurveStore::new()) as Arc<dyn CurveStore> }).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_large_upsert_runs_on_the_blocking_pool_with_the_same_outcome() {
        let asof = contract::fixture::date(2025, 1, 2);
        let rows: Vec<CurveObservation> = (0..INLINE_WRITE_ROWS + 100)
            .map(|i| {
                contract::fixture::observation(
                    asof,
                    &format!("k{}", i / 20),
                    &format!("T{:02}", i % 20),
                    1.0,
                )
            })
            .collect();
        let store = MemoryCurveStore::new();
        let report = store.upsert(rows.clone()).await.unwrap();
        let n = rows.len() as u64;
        assert_eq!(
            report,
            UpsertReport {
                inserted: n,
                updated: 0,
                skipped: 0
            }
        );
        let report = store.upsert(rows).await.unwrap();
        assert_eq!(
            report,
            UpsertReport {
                inserted: 0,
                updated: n,
                skipped: 0
            }
        );
        assert_eq!(store.len(), INLINE_WRITE_ROWS + 100);
    }

    #[test]
    fn a_cloned_store_shares_its_rows_and_debug_shows_the_count() {
        let store = MemoryCurveStore::new();
        let copy = store.clone();
        store
            .upsert_blocking(&contract::fixture::dataset())
            .unwrap();
        assert_eq!(copy.len(), 369);
        assert_eq!(format!("{copy:?}"), "MemoryCurveStore { rows: 369 }");
    }
}
