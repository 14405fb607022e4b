//! The `CurveStore` port: persistent curve observations, their queries and batch writes.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::NaiveDate;
use futures::stream::BoxStream;

use crate::curve::{CurveFilters, CurveKey, CurveObservation, Dimension};
use crate::error::StoreError;
use crate::page::{DiffKeyset, HistoryKeyset, ListKeyset, Page, PageRequest};

/// List (and strips) query: filters, optional exact `asof`, keyset page.
#[derive(Debug, Clone, PartialEq)]
pub struct ListQuery {
    /// Exact-match filters.
    pub filters: CurveFilters,
    /// Exact pricing date; `None` = every date.
    pub asof: Option<NaiveDate>,
    /// Page.
    pub page: PageRequest<ListKeyset>,
}

/// Diff query: rows of `asof_a` joined with rows of `asof_b` on (`curve_key`, `tenor_label`).
#[derive(Debug, Clone, PartialEq)]
pub struct DiffQuery {
    /// Exact-match filters (applied to both dates).
    pub filters: CurveFilters,
    /// The earlier (reference) date.
    pub asof_a: NaiveDate,
    /// The later (compared) date.
    pub asof_b: NaiveDate,
    /// Page.
    pub page: PageRequest<DiffKeyset>,
}

/// The same curve and tenor on both dates of a diff.
#[derive(Debug, Clone, PartialEq)]
pub struct DiffPair {
    /// The row at `asof_a`.
    pub a: CurveObservation,
    /// The row at `asof_b`.
    pub b: CurveObservation,
}

/// History query: one curve and tenor across pricing dates, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryQuery {
    /// The curve.
    pub curve_key: CurveKey,
    /// The tenor label (normalised).
    pub tenor_label: Arc<str>,
    /// Earliest pricing date, inclusive.
    pub from: Option<NaiveDate>,
    /// Latest pricing date, inclusive.
    pub to: Option<NaiveDate>,
    /// Page.
    pub page: PageRequest<HistoryKeyset>,
}

/// Dimensions query: distinct values (with counts) per dimension.
#[derive(Debug, Clone, PartialEq)]
pub struct DimensionsQuery {
    /// Filters; each dimension is counted under the filters of the *other* dimensions.
    pub filters: CurveFilters,
    /// Exact pricing date; `None` = every date.
    pub asof: Option<NaiveDate>,
    /// At most this many values per dimension (the most frequent ones).
    pub per_dim_limit: usize,
    /// Only values starting with this text, compared case-insensitively.
    pub prefix: Option<String>,
}

/// One distinct value of a dimension with its row count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DimensionCount {
    /// The value.
    pub value: String,
    /// Matching rows with that value.
    pub count: u64,
}

/// Distinct values per dimension, in [`Dimension::ALL`] order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Dimensions {
    /// `(dimension, values ordered by count desc then value asc)`.
    pub values: Vec<(Dimension, Vec<DimensionCount>)>,
}

/// What a batch upsert did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UpsertReport {
    /// Rows whose key was new.
    pub inserted: u64,
    /// Rows that replaced a stored row of the same key.
    pub updated: u64,
    /// Rows not applied because the stored row wins (newer ingest, or an ingested row over a
    /// derived one).
    pub skipped: u64,
}

/// A stream of row chunks in canonical list order, for export.
pub type ObservationStream = BoxStream<'static, Result<Vec<CurveObservation>, StoreError>>;

/// Persistent store of curve observations. Every adapter runs
/// `aurum_ports::contract::curve_store::run` (feature `contract`) against itself.
///
/// Canonical list order: `(asof_date DESC, curve_key ASC, contract_month ASC NULLS LAST,
/// tenor_label ASC)`, string comparisons bytewise. Unique key: `(curve_key, tenor_label,
/// asof_date)`. Every method MUST return [`StoreError::Unavailable`] when the backend cannot be
/// reached and [`StoreError::Timeout`] when it does not answer in time.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait CurveStore: Send + Sync + 'static {
    /// Inserts or replaces rows by `(curve_key, tenor_label, asof_date)`.
    ///
    /// Contract: a row replaces a stored row of the same key iff its `ingest_ts` is greater than
    /// or equal to the stored one's, except that a [`RowOrigin::Derived`] row never replaces a
    /// [`RowOrigin::Ingested`] one. Within one batch, a later row of the same key wins over an
    /// earlier one under the same rule. Rows are visible to every query once this returns `Ok`.
    /// The report counts every row of the batch once, as if the rows were applied one at a time
    /// in order (`inserted + updated + skipped == rows.len()`).
    ///
    /// [`RowOrigin::Derived`]: crate::curve::RowOrigin::Derived
    /// [`RowOrigin::Ingested`]: crate::curve::RowOrigin::Ingested
    ///
    /// # Errors
    /// - MUST return [`StoreError::Unsupported`] when the store is read-only.
    async fn upsert(&self, rows: Vec<CurveObservation>) -> Result<UpsertReport, StoreError>;

    /// Rows matching `query.filters` and `query.asof`, in canonical order, at most
    /// `query.page.limit`, strictly after (Forward) or strictly before (Backward) the keyset.
    /// `has_more` is exact.
    ///
    /// # Errors
    /// Only the backend errors listed on the trait.
    async fn list(&self, query: &ListQuery) -> Result<Page<CurveObservation>, StoreError>;

    /// Pairs of rows with the same `(curve_key, tenor_label)` on both dates (only keys present on
    /// both), each row matching the filters, ordered by `(curve_key, tenor_label)`, paged like
    /// [`CurveStore::list`].
    ///
    /// # Errors
    /// Only the backend errors listed on the trait.
    async fn diff(&self, query: &DiffQuery) -> Result<Page<DiffPair>, StoreError>;

    /// Rows of one curve and tenor label within the optional date range, newest first, paged.
    ///
    /// # Errors
    /// Only the backend errors listed on the trait.
    async fn history(&self, query: &HistoryQuery) -> Result<Page<CurveObservation>, StoreError>;

    /// Distinct non-null values of each dimension with their row counts, each dimension counted
    /// under the filters on the other dimensions (and `asof`), limited to values starting with
    /// `prefix` (case-insensitive), ordered by count desc then value asc, at most
    /// `per_dim_limit` per dimension. Every dimension of [`Dimension::ALL`] is present, in that
    /// order, possibly with no values.
    ///
    /// # Errors
    /// Only the backend errors listed on the trait.
    async fn dimensions(&self, query: &DimensionsQuery) -> Result<Dimensions, StoreError>;

    /// Every row matching the filters (and `asof`) as a stream of non-empty chunks in canonical
    /// order. Memory use MUST NOT grow with the number of matching rows.
    ///
    /// # Errors
    /// Backend errors before the first chunk are returned here; later ones end the stream with
    /// an `Err` item.
    async fn scan(
        &self,
        filters: &CurveFilters,
        asof: Option<NaiveDate>,
    ) -> Result<ObservationStream, StoreError>;

    /// Checks that the backend answers.
    ///
    /// # Errors
    /// Only the backend errors listed on the trait.
    async fn ping(&self) -> Result<(), StoreError>;
}
