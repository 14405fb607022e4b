//! `TrinoCurveStore`: the read side of the [`CurveStore`] port over a Trino table with the
//! columns of the PostgreSQL adapter's `curve_observation` (an Iceberg table in the lake,
//! loaded by its own pipelines). Each call is one statement from [`statements`] run through
//! [`TrinoClient`]; pages are fetched with one look-ahead row so that `has_more` is exact, and a
//! Backward page is selected in reverse order and put back here. Writes answer
//! [`StoreError::Unsupported`]. See `docs/adr/0008-trino-adapter-sql-subset.md`.

mod dimensions;
mod statements;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use aurum_ports::{
    CurveFilters, CurveObservation, CurveStore, DiffPair, DiffQuery, Dimensions, DimensionsQuery,
    Direction, HistoryQuery, ListQuery, ObservationStream, Page, StoreError, UpsertReport,
};
use chrono::NaiveDate;
use futures::StreamExt as _;
use futures::stream;

use crate::client::TrinoClient;
use crate::decode::{CurvePairs, CurveRows};
use crate::metrics::TrinoMetrics;
use crate::settings::{InvalidSettings, TrinoSettings};
use crate::sql::{Ident, LiteralError, qualified};

/// Rows per export chunk (as the PostgreSQL adapter's cursor fetches).
pub const CHUNK_ROWS: usize = 1000;

/// Curve observations in a Trino table. Cloning shares the client.
#[derive(Clone)]
pub struct TrinoCurveStore {
    client: TrinoClient,
    table: Arc<str>,
}

fn invalid(e: &LiteralError) -> StoreError {
    StoreError::InvalidQuery(format!("a value cannot be queried: {e}"))
}

impl TrinoCurveStore {
    /// A store over `settings.catalog`.`settings.schema`.`settings.table`, with its own client.
    ///
    /// # Errors
    /// [`InvalidSettings`] for a setting that cannot work.
    pub fn new(settings: &TrinoSettings) -> Result<Self, InvalidSettings> {
        Self::with_client(TrinoClient::new(settings)?, settings)
    }

    /// A store that shares `client` (and its slots and metrics).
    ///
    /// # Errors
    /// [`InvalidSettings`] when a table name is not an identifier.
    pub fn with_client(
        client: TrinoClient,
        settings: &TrinoSettings,
    ) -> Result<Self, InvalidSettings> {
        let ident = |setting: &'static str, raw: &str| {
            Ident::parse(raw).map_err(|e| InvalidSettings {
                setting,
                reason: e.to_string(),
            })
        };
        let table = qualified(
            &ident("catalog", &settings.catalog)?,
            &ident("schema", &settings.schema)?,
            &ident("table", &settings.table)?,
        );
        Ok(Self {
            client,
            table: Arc::from(table),
        })
    }

    /// The client (for its metrics, or other queries).
    pub fn client(&self) -> &TrinoClient {
        &self.client
    }

    /// The client's counters.
    pub fn metrics(&self) -> Arc<TrinoMetrics> {
        self.client.metrics()
    }

    /// `SELECT 1` with its round-trip time, for readiness reports.
    ///
    /// # Errors
    /// As [`CurveStore::ping`].
    pub async fn ping_latency(&self) -> Result<Duration, StoreError> {
        self.client.ping().await
    }
}

/// The page from `items` fetched with `limit + 1` rows in the direction of travel.
fn page<T>(mut items: Vec<T>, limit: usize, direction: Direction) -> Page<T> {
    let has_more = items.len() > limit;
    items.truncate(limit);
    if direction == Direction::Backward {
        items.reverse();
    }
    Page { items, has_more }
}

/// `rows` in chunks of at most [`CHUNK_ROWS`].
fn chunks(rows: Vec<CurveObservation>) -> Vec<Vec<CurveObservation>> {
    if rows.len() <= CHUNK_ROWS {
        return vec![rows];
    }
    let mut out = Vec::with_capacity(rows.len().div_ceil(CHUNK_ROWS));
    let mut rows = rows.into_iter();
    loop {
        let chunk: Vec<_> = rows.by_ref().take(CHUNK_ROWS).collect();
        if chunk.is_empty() {
            return out;
        }
        out.push(chunk);
    }
}

#[async_trait]
impl CurveStore for TrinoCurveStore {
    async fn upsert(&self, _rows: Vec<CurveObservation>) -> Result<UpsertReport, StoreError> {
        Err(StoreError::Unsupported(
            "the Trino curve store is read-only: the lake is loaded by its own pipelines",
        ))
    }

    async fn list(&self, query: &ListQuery) -> Result<Page<CurveObservation>, StoreError> {
        let sql = statements::list(&self.table, query).map_err(|e| invalid(&e))?;
        let rows = self.client.fetch_all(&sql, CurveRows::new()).await?;
        Ok(page(rows, query.page.limit, query.page.direction()))
    }

    async fn diff(&self, query: &DiffQuery) -> Result<Page<DiffPair>, StoreError> {
        let sql = statements::diff(&self.table, query).map_err(|e| invalid(&e))?;
        let rows = self.client.fetch_all(&sql, CurvePairs::new()).await?;
        Ok(page(rows, query.page.limit, query.page.direction()))
    }

    async fn history(&self, query: &HistoryQuery) -> Result<Page<CurveObservation>, StoreError> {
        let sql = statements::history(&self.table, query).map_err(|e| invalid(&e))?;
        let rows = self.client.fetch_all(&sql, CurveRows::new()).await?;
        Ok(page(rows, query.page.limit, query.page.direction()))
    }

    async fn dimensions(&self, query: &DimensionsQuery) -> Result<Dimensions, StoreError> {
        let sql = dimensions::statement(&self.table, query).map_err(|e| invalid(&e))?;
        let out = self.client.query(&sql).await?;
        dimensions::collect(&out.rows, query)
    }

    async fn scan(
        &self,
        filters: &CurveFilters,
        asof: Option<NaiveDate>,
    ) -> Result<ObservationStream, StoreError> {
        let sql = statements::scan(&self.table, filters, asof).map_err(|e| invalid(&e))?;
        let mut pages = self
            .client
            .stream(&sql, CurveRows::new())
            .await?
            .flat_map(|page| match page {
                Ok(rows) => stream::iter(chunks(rows).into_iter().map(Ok).collect::<Vec<_>>()),
                Err(e) => stream::iter(vec![Err(e)]),
            })
            .boxed();
        // Errors before the first chunk are the caller's answer, not a stream item.
        match pages.next().await {
            None => Ok(stream::empty().boxed()),
            Some(Err(e)) => Err(e),
            Some(Ok(first)) => Ok(stream::once(async move { Ok(first) }).chain(pages).boxed()),
        }
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.client.ping().await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_backward_page_is_returned_in_canonical_order() {
        let p = page(vec![5, 4, 3], 2, Direction::Backward);
        assert_eq!((p.items, p.has_more), (vec![4, 5], true));
        let p = page(vec![1, 2], 2, Direction::Forward);
        assert_eq!((p.items, p.has_more), (vec![1, 2], false));
    }

    #[test]
    fn exports_are_cut_into_chunks_of_at_most_a_thousand() {
        let row = aurum_ports::contract::curve_store::fixture::dataset().remove(0);
        let sizes: Vec<usize> = chunks(vec![row; 2500]).iter().map(Vec::len).collect();
        assert_eq!(sizes, [1000, 1000, 500]);
    }
}
