#![doc = include_str!("../README.md")]

mod cache;
mod curve_store;
mod ingest;
mod policies;
mod rate_limit;
mod scenario;

pub use cache::MemoryCache;
pub use curve_store::MemoryCurveStore;
pub use ingest::MemoryCurveIngestor;
pub use policies::MemoryPolicyStore;
pub use rate_limit::MemoryRateLimitStore;
pub use scenario::MemoryScenarioBackend;
