//! Contract suite for [`ScenarioStore`](crate::scenario_store::ScenarioStore): every MUST
//! clause and documented behaviour, each check on a fresh backend.
//!
//! The factory returns a fresh, **empty** [`ScenarioBackend`] whose four ports share one
//! storage (runs submitted through `scenarios` are claimed through `queue`; `complete` writes
//! the outputs read back through `scenarios`). The suite passes every instant explicitly
//! (whole seconds from 2025-01-01), so the backend MUST store the `at`/`now` it is given, never
//! its own clock. Orders the suite relies on:
//! - scenarios: `(created_at DESC, id DESC)`, runs: `(queued_at DESC, id DESC)`, ids compared
//!   as lowercase hyphenated text (the same order as PostgreSQL's `uuid`);
//! - outputs: `(run_id, curve_key, tenor_type, tenor_label, metric)` ascending, as text;
//! - a cancelled run gets `status = cancelled` and `cancelled_at = completed_at = at`.
//!
//! ```ignore
//! #[tokio::test]
//! async fn memory_scenario_backend_keeps_the_scenario_store_contract() {
//!     aurum_ports::contract::scenario_store::run(|| async {
//!         MemoryScenarioBackend::new().bundle()
//!     })
//!     .await;
//! }
//! ```

mod definitions;
mod listing;
mod outputs;
mod runs;

use super::ScenarioBackend;

/// Runs every clause, each on a fresh backend from `factory`.
pub async fn run<F, Fut>(factory: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = ScenarioBackend>,
{
    definitions::create_and_get_round_trip(&factory().await).await;
    definitions::unique_key_is_per_tenant_and_freed_by_delete(&factory().await).await;
    definitions::update_is_optimistic(&factory().await).await;
    definitions::delete_cascades_runs_and_outputs(&factory().await).await;
    listing::list_filters(&factory().await).await;
    listing::list_pages_newest_first(&factory().await).await;
    runs::submit_run_deduplicates(&factory().await).await;
    runs::get_and_list_runs(&factory().await).await;
    runs::cancel_run(&factory().await).await;
    runs::get_run_by_id_is_tenant_scoped(&factory().await).await;
    outputs::outputs_filters_and_paging(&factory().await).await;
    outputs::latest_metrics(&factory().await).await;
}
