#![doc = include_str!("../README.md")]

mod curve_store;
mod ingest;

pub use curve_store::MemoryCurveStore;
pub use ingest::MemoryCurveIngestor;
