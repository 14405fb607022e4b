//! Contract suite for [`CurveStore`]: every MUST clause of the trait, checked against a naive
//! reference (filter and sort a `Vec`) over the deterministic [`fixture::dataset`].
//!
//! Adapters call [`run`] with a factory of fresh, empty stores; read-only adapters (or adapters
//! that seed their backend once, out of band) call [`run_read_clauses`] or [`run_read_only`]
//! with a factory of stores already holding exactly [`fixture::dataset`]. Each check panics
//! with a message naming the clause it checks.
//!
//! ```ignore
//! #[tokio::test]
//! async fn memory_curve_store_keeps_the_curve_store_contract() {
//!     aurum_ports::contract::curve_store::run(|| async {
//!         Arc::new(MemoryCurveStore::new()) as Arc<dyn CurveStore>
//!     })
//!     .await;
//! }
//! ```

mod cases;
mod diff;
mod dimensions;
pub mod fixture;
mod history;
mod list;
mod paging;
mod reference;
mod scan;
mod support;
mod upsert;
mod visibility;

use std::sync::Arc;

use crate::curve_store::CurveStore;
use crate::error::StoreError;

/// Runs every clause: the write clauses on fresh stores from `factory`, then the read clauses on
/// fresh stores seeded through [`CurveStore::upsert`] with [`fixture::dataset`].
pub async fn run<F, Fut>(factory: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<dyn CurveStore>>,
{
    upsert::check_counts_on_an_empty_store(&*factory().await).await;
    upsert::check_an_empty_batch_changes_nothing(&*factory().await).await;
    upsert::check_latest_ingest_wins(&*factory().await).await;
    upsert::check_later_row_of_a_batch_wins(&*factory().await).await;
    upsert::check_origin_rule(&*factory().await).await;
    upsert::check_origin_rule_within_a_batch(&*factory().await).await;
    visibility::check_rows_are_visible_to_every_query(&*factory().await).await;
    visibility::check_updates_move_rows_between_filters(&*factory().await).await;
    visibility::check_an_empty_store_answers_every_query(&*factory().await).await;
    list::check_paging_is_stable_across_inserts_before_the_boundary(&*factory().await).await;

    run_read_clauses(|| {
        let store = factory();
        async move {
            let store = store.await;
            upsert::seed(&*store).await;
            store
        }
    })
    .await;
}

/// Runs the read clauses. `seeded_factory` returns a store holding exactly
/// [`fixture::dataset`]; since these clauses never write, it may return the same store each
/// time.
pub async fn run_read_clauses<F, Fut>(seeded_factory: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<dyn CurveStore>>,
{
    let data = fixture::dataset();

    ping_answers(&*seeded_factory().await).await;

    list::check_canonical_order(&*seeded_factory().await, &data).await;
    list::check_each_filter_alone(&*seeded_factory().await, &data).await;
    list::check_combined_filters(&*seeded_factory().await, &data).await;
    list::check_limit_and_has_more(&*seeded_factory().await, &data).await;
    list::check_paging(&*seeded_factory().await, &data).await;
    list::check_keysets_between_rows(&*seeded_factory().await, &data).await;

    diff::check_pairs(&*seeded_factory().await, &data).await;
    diff::check_filters(&*seeded_factory().await, &data).await;
    diff::check_paging(&*seeded_factory().await, &data).await;

    history::check_rows(&*seeded_factory().await, &data).await;
    history::check_bounds(&*seeded_factory().await, &data).await;
    history::check_paging(&*seeded_factory().await, &data).await;

    dimensions::check_shape(&*seeded_factory().await, &data).await;
    dimensions::check_faceted_counts(&*seeded_factory().await, &data).await;
    dimensions::check_per_dim_limit(&*seeded_factory().await, &data).await;
    dimensions::check_prefix(&*seeded_factory().await, &data).await;
    dimensions::check_nulls_are_excluded(&*seeded_factory().await, &data).await;

    scan::check_matching_rows(&*seeded_factory().await, &data).await;
    scan::check_no_match_yields_no_chunk(&*seeded_factory().await).await;
}

/// Runs the read clauses on a read-only store seeded with [`fixture::dataset`], then checks
/// that it refuses writes with [`StoreError::Unsupported`].
pub async fn run_read_only<F, Fut>(seeded_factory: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<dyn CurveStore>>,
{
    let store = seeded_factory().await;
    let row = fixture::observation(fixture::date(2025, 1, 6), "read-only", "2025-02", 1.0);
    let result = store.upsert(vec![row]).await;
    assert!(
        matches!(result, Err(StoreError::Unsupported(_))),
        "upsert MUST return StoreError::Unsupported when the store is read-only, got {result:?}"
    );
    run_read_clauses(seeded_factory).await;
}

async fn ping_answers(store: &dyn CurveStore) {
    if let Err(e) = store.ping().await {
        panic!("ping MUST succeed when the backend answers, got {e}");
    }
}
