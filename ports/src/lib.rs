#![doc = include_str!("../README.md")]

pub mod cache;
pub mod clock;
pub mod curve;
pub mod curve_ingest;
pub mod curve_store;
pub mod error;
pub mod idempotency;
pub mod outbox;
pub mod page;
pub mod rate_limit;
pub mod run_queue;
pub mod scenario;
pub mod scenario_store;
pub mod telemetry;
pub mod tenant;

#[cfg(feature = "contract")]
pub mod contract;

pub use cache::{Cache, CacheStats, NamespaceSize, NamespaceStats};
pub use clock::Clock;
pub use curve::{
    AssetClass, CurveFilters, CurveKey, CurveObservation, DimValue, Dimension, PriceType,
    RowOrigin, TenorType,
};
pub use curve_ingest::{
    CurveIngestor, IngestFile, IngestRecord, IngestSession, IngestTotals, QuarantinedRow,
};
pub use curve_store::{
    CurveStore, DiffPair, DiffQuery, DimensionCount, Dimensions, DimensionsQuery, HistoryQuery,
    ListQuery, ObservationStream, UpsertReport,
};
pub use error::StoreError;
pub use page::{DiffKeyset, Direction, HistoryKeyset, ListKeyset, Page, PageRequest};
pub use rate_limit::{
    Decision, GcraOutcome, GcraParams, InvalidPolicy, Policy, PolicyMatch, PolicyStore,
    RateLimitStore, gcra_step,
};
pub use telemetry::{
    Counter, Gauge, Histogram, InstrumentSpec, Meter, NoopMeter, RecordingMeter, UpDownCounter,
};
pub use tenant::{InvalidTenant, TenantId};
