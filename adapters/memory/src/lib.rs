#![doc = include_str!("../README.md")]

mod curve_store;
mod ingest;
mod scenario;

pub use curve_store::MemoryCurveStore;
pub use ingest::MemoryCurveIngestor;
pub use scenario::MemoryScenarioBackend;
