//! The background work of Aurum, as step functions the shell drives: the scenario [`Runner`]
//! (claim one run, value it with the engine, finish it under its lease) and the
//! [`OutboxRelay`] (deliver due outbox events at least once, with bounded jittered retries).
//! Nothing here sleeps or spawns: the shell owns the loop, the timers and shutdown.

pub mod baselines;
pub mod relay;
pub mod runner;
pub mod telemetry;

use std::sync::Arc;

use aurum_ports::StoreError;

pub use baselines::{BaselineSet, fetch_baselines};
pub use relay::{OutboxRelay, RelayConfig, RelayReport};
pub use runner::{Runner, RunnerConfig, StepOutcome};
pub use telemetry::{NoLinker, RelayMetrics, RunMetrics, SpanLinker};

/// A draw from `[0, 1]` for full-jitter backoff, injected so tests are deterministic.
pub type Jitter = Arc<dyn Fn() -> f64 + Send + Sync>;

/// Jitter from the thread-local random generator (the production choice).
pub fn random_jitter() -> Jitter {
    Arc::new(rand::random::<f64>)
}

/// A fixed jitter draw (tests, or to disable randomness).
pub fn fixed_jitter(unit: f64) -> Jitter {
    Arc::new(move || unit)
}

/// Why a worker step could not finish its bookkeeping. The claimed run (if any) keeps its
/// lease until it expires, after which `reclaim_expired` queues it again.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    /// The queue, store or outbox failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Whether retrying later may help (the backend was unreachable or slow).
pub const fn is_transient(error: &StoreError) -> bool {
    matches!(error, StoreError::Unavailable(_) | StoreError::Timeout(_))
}

#[cfg(test)]
mod test_support;
