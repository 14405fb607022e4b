//! Executable contracts: one async suite per driven port that every adapter runs against
//! itself, so each backend answers the same queries the same way.

pub mod cache;
pub mod curve_store;
pub mod idempotency;
pub mod outbox;
pub mod policy_store;
pub mod rate_limit;
pub mod run_queue;
pub mod scenario_fixtures;
pub mod scenario_store;
mod scenario_support;

use std::sync::Arc;

use crate::idempotency::IdempotencyStore;
use crate::outbox::Outbox;
use crate::run_queue::RunQueue;
use crate::scenario_store::ScenarioStore;

/// One scenario backend as the scenario suites see it: the four ports over the **same**
/// storage, so that a run submitted through `scenarios` is claimed through `queue`, and the
/// events `queue` appends are read back through `outbox`. A factory of the suites returns a
/// fresh, empty one each time (for PostgreSQL: a fresh database or schema).
#[derive(Clone)]
pub struct ScenarioBackend {
    /// Scenarios, runs and outputs.
    pub scenarios: Arc<dyn ScenarioStore>,
    /// The run queue over the same runs.
    pub queue: Arc<dyn RunQueue>,
    /// The outbox the queue appends to.
    pub outbox: Arc<dyn Outbox>,
    /// Idempotency keys.
    pub idempotency: Arc<dyn IdempotencyStore>,
}

/// Runs the four scenario suites ([`scenario_store`], [`run_queue`], [`outbox`],
/// [`idempotency`]) with fresh backends from `factory`.
pub async fn run_all<F, Fut>(factory: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = ScenarioBackend>,
{
    scenario_store::run(&factory).await;
    run_queue::run(&factory).await;
    outbox::run(&factory).await;
    idempotency::run(&factory).await;
}
