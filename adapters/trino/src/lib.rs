#![doc = include_str!("../README.md")]

pub mod client;
pub mod curve_store;
pub mod decode;
#[cfg(feature = "fake")]
pub mod fake;
pub mod metrics;
pub mod settings;
pub mod sql;
pub mod types;

pub use client::{Column, Query, QueryError, QueryOutput, RowStream, TrinoClient, map_query_error};
pub use curve_store::TrinoCurveStore;
pub use metrics::{QueryOutcome, TrinoMetrics, TrinoMetricsSnapshot};
pub use settings::{InvalidSettings, RetryPolicy, TrinoAuth, TrinoSettings};
pub use types::{DecodeError, TrinoType, TrinoValue};
