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

/// Expands to one `#[tokio::test]` per clause of the suite `$suite` (a module of
/// [`crate::contract`]): each test builds a fresh subject with `$factory().await` and passes it,
/// by value, to `crate::contract::$suite::$clause`. A failing clause therefore fails alone, as
/// its own test, and never hides the others.
///
/// Suites do not call this directly from adapters: each suite exports its own macro that lists
/// its clauses once (for example `aurum_ports::ppa_store_contract!(fresh_store)`), so an adapter
/// cannot forget a clause that is added later. Use it inside a module of the adapter's
/// integration tests:
///
/// ```ignore
/// mod ppa_store_contract {
///     async fn fresh() -> Arc<dyn PpaStore> { Arc::new(MemoryPpaStore::new()) }
///     aurum_ports::ppa_store_contract!(fresh);
/// }
/// ```
#[macro_export]
macro_rules! contract_tests {
    ($factory:path; $suite:ident { $($clause:ident),+ $(,)? }) => {
        $(
            #[tokio::test]
            async fn $clause() {
                $crate::contract::$suite::$clause($factory().await).await;
            }
        )+
    };
}

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
