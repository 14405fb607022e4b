#![doc = include_str!("../README.md")]

pub mod curve_store;
pub mod error;
pub mod ingest;
pub mod migrations;
pub mod policies;
pub mod pool;
pub mod scenario;

pub use curve_store::PgCurveStore;
pub use ingest::{PgCurveIngestor, PgIngestSession};
pub use migrations::{Migration, MigrationError, MigrationState, MigrationStatus, Migrator};
pub use policies::PgPolicyStore;
pub use pool::{PgSettings, connect};
pub use scenario::PgScenarioBackend;
