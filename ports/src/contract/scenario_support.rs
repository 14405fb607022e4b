//! Helpers shared by the scenario suites: port calls that panic with the clause they check,
//! the common "submit, claim, complete" sequence, and keyset walks compared with an expected
//! ordered list.

use std::fmt::{Debug, Display};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::ScenarioBackend;
use super::scenario_fixtures::event;
use crate::page::{Direction, Page, PageRequest};
use crate::run_queue::ClaimedRun;
use crate::scenario::{IdempotencyKey, Run, Scenario, ScenarioOutput};
use crate::scenario_store::RunSubmission;

/// The value of `result`, or a panic naming the clause.
pub(super) fn ok<T, E: Display>(clause: &str, result: Result<T, E>) -> T {
    match result {
        Ok(value) => value,
        Err(e) => panic!("{clause}: unexpected error: {e}"),
    }
}

/// `seconds` as a lease length.
pub(super) const fn secs(seconds: u64) -> Duration {
    Duration::from_secs(seconds)
}

/// Stores `scenario`, which must succeed.
pub(super) async fn create(b: &ScenarioBackend, scenario: &Scenario, clause: &str) {
    ok(clause, b.scenarios.create(scenario).await);
}

/// Submits `run` (optionally with an idempotency key), which must queue it.
pub(super) async fn submit(b: &ScenarioBackend, run: &Run, key: Option<&str>, clause: &str) {
    let key = key.map(|k| IdempotencyKey::parse(k).expect("suite idempotency keys are valid"));
    match ok(clause, b.scenarios.submit_run(run, key).await) {
        RunSubmission::Created(stored) => assert_eq!(
            &stored, run,
            "{clause}: submit_run MUST return the queued run as given"
        ),
        RunSubmission::Existing(other) => {
            panic!("{clause}: submit_run MUST queue a new run_key, got Existing({other:?})")
        }
    }
}

/// Claims as `worker` at `now`; a run must be claimable.
pub(super) async fn claim(
    b: &ScenarioBackend,
    worker: &str,
    now: DateTime<Utc>,
    lease: Duration,
    clause: &str,
) -> ClaimedRun {
    ok(clause, b.queue.claim(worker, now, lease).await)
        .unwrap_or_else(|| panic!("{clause}: claim MUST return a due queued run"))
}

/// The stored run, which must exist.
pub(super) async fn stored_run(b: &ScenarioBackend, run: &Run, clause: &str) -> Run {
    ok(
        clause,
        b.scenarios
            .get_run(&run.tenant_id, run.scenario_id, run.id)
            .await,
    )
    .unwrap_or_else(|| panic!("{clause}: get_run MUST find run {}", run.id))
}

/// Submits `run`, claims it at its `queued_at` as `worker-done` and completes it at the same
/// instant with `outputs` and a `scenario.run.succeeded` event; returns the run as stored.
pub(super) async fn succeed(
    b: &ScenarioBackend,
    run: &Run,
    outputs: Vec<ScenarioOutput>,
    clause: &str,
) -> Run {
    submit(b, run, None, clause).await;
    let claimed = claim(b, "worker-done", run.queued_at, secs(600), clause).await;
    assert_eq!(
        claimed.run.id, run.id,
        "{clause}: the only queued run MUST be the one claimed"
    );
    let done = ok(
        clause,
        b.queue
            .complete(
                run.id,
                "worker-done",
                run.queued_at,
                outputs,
                event("scenario.run.succeeded", &run.id.to_string()),
            )
            .await,
    );
    assert!(done, "{clause}: complete MUST succeed for the lease holder");
    stored_run(b, run, clause).await
}

/// Checks keyset paging over `expected` (the whole result in canonical order): forward walks
/// from the first page and backward walks from the last row, for several limits, visit every
/// row exactly once in order with exact `has_more`.
pub(super) async fn check_walks<T, K>(
    clause: &str,
    expected: &[T],
    key: impl Fn(&T) -> K,
    id: impl Fn(&T) -> String,
    fetch: impl AsyncFn(PageRequest<K>) -> Page<T>,
) where
    T: Clone + PartialEq + Debug,
    K: Clone + Debug,
{
    let ids = |rows: &[T]| rows.iter().map(&id).collect::<Vec<_>>();
    for limit in [1, 2, 3, 100] {
        let mut request = PageRequest::first(limit);
        let mut seen: Vec<T> = Vec::new();
        loop {
            let page = fetch(request.clone()).await;
            let start = seen.len();
            let end = (start + limit).min(expected.len());
            assert_eq!(
                ids(&page.items),
                ids(&expected[start..end]),
                "{clause}: forward page MUST hold the next rows in order ({request:?})"
            );
            assert!(
                page.items == expected[start..end],
                "{clause}: forward page rows MUST equal the stored rows ({request:?})"
            );
            assert_eq!(
                page.has_more,
                end < expected.len(),
                "{clause}: forward has_more MUST be exact ({request:?})"
            );
            seen.extend(page.items);
            match (page.has_more, seen.last()) {
                (true, Some(last)) => {
                    request = PageRequest {
                        limit,
                        position: Some((Direction::Forward, key(last))),
                    };
                }
                _ => break,
            }
        }
        assert_eq!(
            seen.len(),
            expected.len(),
            "{clause}: a forward walk MUST visit every row"
        );

        let Some(last) = expected.last() else {
            continue;
        };
        let mut request = PageRequest {
            limit,
            position: Some((Direction::Backward, key(last))),
        };
        let mut before = expected.len() - 1;
        loop {
            let page = fetch(request.clone()).await;
            let start = before.saturating_sub(limit);
            assert_eq!(
                ids(&page.items),
                ids(&expected[start..before]),
                "{clause}: backward page MUST hold the rows just before the boundary, in \
                 canonical order ({request:?})"
            );
            assert_eq!(
                page.has_more,
                start > 0,
                "{clause}: backward has_more MUST be exact ({request:?})"
            );
            before = start;
            match (page.has_more, page.items.first()) {
                (true, Some(first)) => {
                    request = PageRequest {
                        limit,
                        position: Some((Direction::Backward, key(first))),
                    };
                }
                _ => break,
            }
        }
        assert_eq!(
            before, 0,
            "{clause}: a backward walk MUST reach the first row"
        );
    }
}
