//! Contract suite for [`RunQueue`](crate::run_queue::RunQueue): claim order and fields,
//! exclusive concurrent claims, leases (heartbeat, release, reclaim), and the atomic
//! finishing writes (outputs + status + outbox event, or nothing).
//!
//! The factory returns a fresh, **empty** [`ScenarioBackend`] whose ports share one storage:
//! runs are submitted through `scenarios`, and events appended by `complete`/`fail` are read
//! back through `outbox.claim_due`. Semantics the suite pins down beyond the trait docs:
//! - a queued run carries the attempt its next claim runs (1 at first); a claim keeps it, a
//!   `Retry` failure adds one to `attempt` and `retry_count`, `release` adds nothing;
//! - "holding a lease" means the run is `running` and claimed by that worker (the queue takes
//!   no clock in `heartbeat`/`complete`/`fail`/`release`); a lease is lost by
//!   `reclaim_expired`, `release` or a cancel;
//! - `reclaim_expired(now)` requeues runs whose lease ends strictly before `now`;
//! - appended events get `created_at = next_attempt_at = at` of the finishing call, so the
//!   outbox sees them due from then on.

mod claims;
mod finish;

use super::ScenarioBackend;

/// Runs every clause, each on a fresh backend from `factory`.
pub async fn run<F, Fut>(factory: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = ScenarioBackend>,
{
    claims::claim_on_an_empty_queue(&factory().await).await;
    claims::claim_order(&factory().await).await;
    claims::claim_fields(&factory().await).await;
    claims::concurrent_claims_are_exclusive(&factory().await).await;
    claims::heartbeat(&factory().await).await;
    claims::release(&factory().await).await;
    claims::reclaim_expired(&factory().await).await;
    finish::complete(&factory().await).await;
    finish::complete_without_the_lease(&factory().await).await;
    finish::fail_with_retry(&factory().await).await;
    finish::fail_terminally(&factory().await).await;
}
