#![doc = include_str!("../README.md")]

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use aurum_adapter_memory::MemoryCurveStore;
use aurum_core::cursor::QueryBinding;
use aurum_core::curves::{IngestContext, Normaliser, QuarantineReason, UnitsMapError};
use aurum_core::demo::{self, DemoConfig};
use aurum_core::ingest::RawCurveRow;
use aurum_core::service::curves::list_keyset;
use aurum_ports::{
    AssetClass, CurveFilters, CurveKey, CurveObservation, CurveStore, DimValue, DimensionsQuery,
    Direction, ListKeyset, ListQuery, PageRequest, StoreError, TenorType,
};
use chrono::{DateTime, NaiveDate, Utc};

/// Seed of every demo dataset the benches use (the server's default).
pub const SEED: u64 = 42;
/// Rows normalised per iteration of the normalisation benches.
pub const NORMALISE_ROWS: usize = 100_000;
/// Rows loaded into the memory store of the query benches.
pub const STORE_ROWS: usize = 1_000_000;
/// Rows per `upsert_blocking` call while loading the store.
pub const LOAD_BATCH: usize = 100_000;
/// Page size of the list benches (the API's typical page).
pub const PAGE_LIMIT: usize = 100;
/// Values per dimension in the dimensions benches (the API's default and maximum).
pub const PER_DIM_LIMIT: usize = 500;

/// Fixed ingestion time stamped on every benched row (2025-11-24T16:00:00Z); never the clock.
pub const INGEST_TS: DateTime<Utc> = match DateTime::from_timestamp(1_764_000_000, 0) {
    Some(ts) => ts,
    None => DateTime::<Utc>::MIN_UTC,
};

/// Why a bench's setup failed.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The embedded units map did not load.
    #[error("while loading the embedded units map")]
    Units(#[from] UnitsMapError),
    /// A demo row was quarantined where every row must normalise.
    #[error("while normalising a demo row")]
    Quarantined(#[from] QuarantineReason),
    /// The memory store refused a batch.
    #[error("while loading the memory store")]
    Store(#[from] StoreError),
    /// A hard-coded filter value was refused.
    #[error("filter value {0:?} is not a valid dimension value")]
    InvalidDimValue(&'static str),
    /// A query that must match rows matched none.
    #[error("the query for the {0} keyset matched no row")]
    NoRows(&'static str),
}

/// The ingestion context of every bench run.
pub fn ingest_context() -> IngestContext {
    IngestContext::new("bench", INGEST_TS)
}

/// The first `rows` demo rows of [`SEED`].
pub fn demo_rows(rows: usize) -> Vec<RawCurveRow> {
    demo::generate(&DemoConfig { rows, seed: SEED }).collect()
}

/// Normalises `rows` with `normaliser` and returns how many were accepted; quarantined rows
/// are counted out, as ingestion does.
pub fn normalise_count(
    normaliser: &mut Normaliser,
    rows: &[RawCurveRow],
    ctx: &IngestContext,
) -> usize {
    rows.iter()
        .filter(|raw| std::hint::black_box(normaliser.normalise(raw, ctx)).is_ok())
        .count()
}

/// A memory store holding the first `rows` demo rows, and facts the query benches need.
#[derive(Debug)]
pub struct LoadedStore {
    /// The loaded store.
    pub store: MemoryCurveStore,
    /// Pricing date of the middle demo row (row `rows / 2`): a date in the middle of the store.
    pub middle_asof: NaiveDate,
}

/// Generates, normalises and upserts the first `rows` demo rows in batches of `batch` rows,
/// keeping at most one batch of observations in memory.
///
/// # Errors
/// [`SetupError`] if the units map does not load, a demo row is quarantined (the demo data is
/// valid by construction) or the store refuses a batch.
pub fn load_store(rows: usize, batch: usize) -> Result<LoadedStore, SetupError> {
    let store = MemoryCurveStore::new();
    let mut normaliser = Normaliser::embedded()?;
    let ctx = ingest_context();
    let mut pending = Vec::with_capacity(batch);
    let mut middle_asof = None;
    for (i, raw) in demo::generate(&DemoConfig { rows, seed: SEED }).enumerate() {
        let obs = normaliser.normalise(&raw, &ctx)?;
        if i == rows / 2 {
            middle_asof = Some(obs.asof_date);
        }
        pending.push(obs);
        if pending.len() == batch {
            store.upsert_blocking(&pending)?;
            pending.clear();
        }
    }
    if !pending.is_empty() {
        store.upsert_blocking(&pending)?;
    }
    let middle_asof = middle_asof.ok_or(SetupError::NoRows("middle"))?;
    Ok(LoadedStore { store, middle_asof })
}

/// The keyset of the last row of the first `filters` page on the middle pricing date: a cursor
/// position half-way through the store, as a client paging through it would send.
///
/// # Errors
/// [`SetupError`] if the store fails or no row matches `filters` on that date.
pub fn middle_keyset(
    loaded: &LoadedStore,
    filters: &CurveFilters,
) -> Result<ListKeyset, SetupError> {
    let query = list_query(filters.clone(), Some(loaded.middle_asof), None);
    let page = block_on(loaded.store.list(&query))?;
    page.items
        .last()
        .map(list_keyset)
        .ok_or(SetupError::NoRows("middle"))
}

/// A dimension filter value from a literal.
///
/// # Errors
/// [`SetupError::InvalidDimValue`] for an empty or control-character literal.
pub fn dim(raw: &'static str) -> Result<DimValue, SetupError> {
    DimValue::parse(raw).map_err(|_| SetupError::InvalidDimValue(raw))
}

/// The typical power query: `iso=PJM&market=DA&block=ON_PEAK`.
///
/// # Errors
/// See [`dim`].
pub fn pjm_da_on_peak() -> Result<CurveFilters, SetupError> {
    Ok(CurveFilters {
        iso: Some(dim("PJM")?),
        market: Some(dim("DA")?),
        block: Some(dim("ON_PEAK")?),
        ..CurveFilters::default()
    })
}

/// Every curve of one ISO: `iso=PJM`.
///
/// # Errors
/// See [`dim`].
pub fn pjm() -> Result<CurveFilters, SetupError> {
    Ok(CurveFilters {
        iso: Some(dim("PJM")?),
        ..CurveFilters::default()
    })
}

/// Every gas curve: `asset_class=gas`.
pub fn gas() -> CurveFilters {
    CurveFilters {
        asset_class: Some(AssetClass::Gas),
        ..CurveFilters::default()
    }
}

/// A list query for one page of [`PAGE_LIMIT`] rows.
pub fn list_query(
    filters: CurveFilters,
    asof: Option<NaiveDate>,
    position: Option<(Direction, ListKeyset)>,
) -> ListQuery {
    ListQuery {
        filters,
        asof,
        page: PageRequest {
            limit: PAGE_LIMIT,
            position,
        },
    }
}

/// A dimensions query with counts, [`PER_DIM_LIMIT`] values per dimension, no prefix.
pub fn dimensions_query(filters: CurveFilters, asof: Option<NaiveDate>) -> DimensionsQuery {
    DimensionsQuery {
        filters,
        asof,
        per_dim_limit: PER_DIM_LIMIT,
        prefix: None,
    }
}

/// The cursor binding of a `curves.list` query, spelled as the curve service spells it.
pub fn list_binding(filters: &CurveFilters, asof: Option<NaiveDate>) -> QueryBinding {
    fn text(value: Option<&DimValue>) -> Option<&str> {
        value.map(DimValue::as_str)
    }
    let asof = asof.map(|d| d.to_string());
    QueryBinding::new("curves.list")
        .with(
            "curve_key",
            filters.curve_key.as_ref().map(CurveKey::as_str),
        )
        .with("asset_class", filters.asset_class.map(AssetClass::as_str))
        .with("iso", text(filters.iso.as_ref()))
        .with("location", text(filters.location.as_ref()))
        .with("market", text(filters.market.as_ref()))
        .with("product", text(filters.product.as_ref()))
        .with("block", text(filters.block.as_ref()))
        .with("tenor_type", filters.tenor_type.map(TenorType::as_str))
        .with("asof", asof.as_deref())
}

/// The keyset of the first demo row: a realistic cursor position (64-hex curve key).
///
/// # Errors
/// [`SetupError`] if the units map does not load or the row is quarantined.
pub fn sample_keyset() -> Result<ListKeyset, SetupError> {
    let raw = demo_rows(1)
        .into_iter()
        .next()
        .ok_or(SetupError::NoRows("sample"))?;
    let obs: CurveObservation = Normaliser::embedded()?.normalise(&raw, &ingest_context())?;
    Ok(list_keyset(&obs))
}

/// Runs `future` to completion on the current thread. The memory store's futures are ready on
/// the first poll, so this costs one poll and no allocation; a pending future is polled again
/// after yielding the thread (spurious polls are allowed), so any future completes.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        std::thread::yield_now();
    }
}
