//! Caching over the [`aurum_ports::Cache`] port: namespace governance, the two-tier
//! arrangement and the cached read layer with single flight (ADR 0008).

mod governance;
mod read_through;
mod tiered;

pub use governance::{
    CURVE_DIFF, CURVE_HISTORY, CURVES, DIMENSIONS, METADATA, NAMESPACES, NamespacePolicy,
    SCENARIO_OUTPUTS, STRIPS, TenantRequired, curve_namespaces, namespace,
};
pub use read_through::{CacheResult, NamespaceReport, REQUESTS, ReadCounters, ReadThrough};
pub use tiered::TieredCache;

#[cfg(test)]
mod tests;
