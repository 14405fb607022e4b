//! Claiming runs and holding leases.

use futures::future::join_all;

use super::super::ScenarioBackend;
use super::super::scenario_fixtures::{run, run_id, scenario, tenant, ts};
use super::super::scenario_support::{claim, create, ok, secs, stored_run, submit};
use crate::scenario::{Priority, Run, RunStatus, Scenario};

async fn seeded(b: &ScenarioBackend, runs: &[(Priority, i64)]) -> (Scenario, Vec<Run>) {
    let s = scenario(&tenant("acme"), "Queue", ts(1));
    create(b, &s, "create").await;
    let mut out = Vec::new();
    for &(priority, at) in runs {
        let r = run(&s, priority, ts(at));
        submit(b, &r, None, "submit").await;
        out.push(r);
    }
    (s, out)
}

pub(super) async fn claim_on_an_empty_queue(b: &ScenarioBackend) {
    let clause = "claim MUST return None when nothing is queued";
    assert!(
        ok(clause, b.queue.claim("w", ts(0), secs(60)).await).is_none(),
        "{clause}"
    );
    assert_eq!(
        ok(clause, b.queue.status(run_id()).await),
        None,
        "status MUST return None for an unknown run"
    );
}

pub(super) async fn claim_order(b: &ScenarioBackend) {
    use Priority::{Critical, High, Low, Normal};
    let (_, runs) = seeded(
        b,
        &[
            (Low, 11),
            (High, 13),
            (Normal, 10),
            (High, 12),
            (Critical, 14),
        ],
    )
    .await;
    let clause = "claim MUST take the highest priority first, then the oldest";
    let mut order = Vec::new();
    for _ in 0..runs.len() {
        order.push(claim(b, "w", ts(100), secs(60), clause).await.run.id);
    }
    let expected = [runs[4].id, runs[3].id, runs[1].id, runs[2].id, runs[0].id];
    assert_eq!(order, expected, "{clause}");
    assert!(
        ok(clause, b.queue.claim("w", ts(100), secs(60)).await).is_none(),
        "{clause}: then None"
    );
}

pub(super) async fn claim_fields(b: &ScenarioBackend) {
    let (s, runs) = seeded(b, &[(Priority::Normal, 10)]).await;
    let r = &runs[0];
    let clause =
        "claim MUST return the run running, attempt 1, started now, with its scenario and lease";
    let claimed = claim(b, "w1", ts(50), secs(90), clause).await;
    let expected = Run {
        status: RunStatus::Running,
        started_at: Some(ts(50)),
        ..r.clone()
    };
    assert_eq!(claimed.run, expected, "{clause}");
    assert_eq!(claimed.scenario, s, "{clause}: scenario");
    assert_eq!(
        claimed.traceparent, r.traceparent,
        "claim MUST carry the traceparent the run was submitted with"
    );
    assert_eq!(
        claimed.lease_until,
        ts(140),
        "{clause}: lease_until = now + lease"
    );
    assert_eq!(
        stored_run(b, r, clause).await,
        expected,
        "{clause}: as stored"
    );
    assert_eq!(
        ok(clause, b.queue.status(r.id).await),
        Some(RunStatus::Running),
        "{clause}: status"
    );

    let clause = "started_at MUST be set once, by the first claim";
    assert!(
        ok(clause, b.queue.release(r.id, "w1").await),
        "{clause}: release"
    );
    let again = claim(b, "w2", ts(70), secs(90), clause).await;
    assert_eq!(again.run.started_at, Some(ts(50)), "{clause}");
    assert_eq!(
        (again.run.attempt, again.run.retry_count),
        (1, 0),
        "release MUST not count an attempt"
    );
}

pub(super) async fn concurrent_claims_are_exclusive(b: &ScenarioBackend) {
    let spec: Vec<(Priority, i64)> = (0..6).map(|i| (Priority::Normal, 10 + i)).collect();
    let (_, runs) = seeded(b, &spec).await;
    let clause = "two concurrent claims MUST never return the same run";
    let workers: Vec<String> = (0..10).map(|i| format!("w{i}")).collect();
    let results = join_all(workers.iter().map(|w| b.queue.claim(w, ts(100), secs(60)))).await;
    let mut got: Vec<String> = results
        .into_iter()
        .filter_map(|r| ok(clause, r))
        .map(|c| c.run.id.to_string())
        .collect();
    got.sort();
    let mut expected: Vec<String> = runs.iter().map(|r| r.id.to_string()).collect();
    expected.sort();
    assert_eq!(got, expected, "{clause}: every run claimed exactly once");
}

pub(super) async fn heartbeat(b: &ScenarioBackend) {
    let (s, runs) = seeded(b, &[(Priority::Normal, 10), (Priority::Normal, 11)]).await;
    let first = claim(b, "w1", ts(20), secs(60), "claim").await.run;
    let clause = "heartbeat MUST extend the holder's lease";
    assert!(
        ok(clause, b.queue.heartbeat(first.id, "w1", ts(300)).await),
        "{clause}"
    );
    assert_eq!(
        ok(clause, b.queue.reclaim_expired(ts(200)).await),
        0,
        "{clause}: not expired at 200"
    );
    let clause = "heartbeat MUST return false for another worker or an unknown run";
    assert!(
        !ok(clause, b.queue.heartbeat(first.id, "w2", ts(300)).await),
        "{clause}"
    );
    assert!(
        !ok(clause, b.queue.heartbeat(run_id(), "w1", ts(300)).await),
        "{clause}"
    );
    let clause = "heartbeat MUST return false once the lease is lost";
    assert_eq!(
        ok(clause, b.queue.reclaim_expired(ts(301)).await),
        1,
        "{clause}: reclaimed"
    );
    assert!(
        !ok(clause, b.queue.heartbeat(first.id, "w1", ts(400)).await),
        "{clause}"
    );
    let retaken = claim(b, "w2", ts(302), secs(60), clause).await.run;
    assert_eq!(retaken.id, first.id, "{clause}: oldest first again");
    assert!(
        !ok(clause, b.queue.heartbeat(first.id, "w1", ts(400)).await),
        "{clause}: new holder"
    );
    assert!(
        ok(clause, b.queue.heartbeat(first.id, "w2", ts(400)).await),
        "{clause}: new holder keeps it"
    );
    let clause = "heartbeat MUST return false once the run is cancelled";
    let second = claim(b, "w3", ts(303), secs(60), clause).await.run;
    assert_eq!(second.id, runs[1].id, "{clause}");
    let cancelled = ok(
        clause,
        b.scenarios
            .cancel_run(s.tenant_id(), s.id, second.id, ts(304))
            .await,
    );
    assert!(cancelled.is_some(), "{clause}");
    assert!(
        !ok(clause, b.queue.heartbeat(second.id, "w3", ts(400)).await),
        "{clause}"
    );
    assert_eq!(
        ok(clause, b.queue.status(second.id).await),
        Some(RunStatus::Cancelled),
        "{clause}"
    );
}

pub(super) async fn release(b: &ScenarioBackend) {
    let (_, runs) = seeded(b, &[(Priority::Normal, 10)]).await;
    let r = &runs[0];
    claim(b, "w1", ts(20), secs(60), "claim").await;
    let clause = "release MUST return false for a worker without the lease";
    assert!(!ok(clause, b.queue.release(r.id, "w2").await), "{clause}");
    assert_eq!(
        ok(clause, b.queue.status(r.id).await),
        Some(RunStatus::Running),
        "{clause}: unchanged"
    );
    let clause = "release MUST queue the run again";
    assert!(ok(clause, b.queue.release(r.id, "w1").await), "{clause}");
    let stored = stored_run(b, r, clause).await;
    assert_eq!(
        (stored.status, stored.attempt, stored.retry_count),
        (RunStatus::Queued, 1, 0),
        "{clause}"
    );
    assert!(
        !ok(clause, b.queue.heartbeat(r.id, "w1", ts(30)).await),
        "{clause}: lease cleared"
    );
    assert!(
        !ok(clause, b.queue.release(r.id, "w1").await),
        "release MUST return false for a queued run"
    );
    assert_eq!(
        claim(b, "w2", ts(21), secs(60), clause).await.run.id,
        r.id,
        "{clause}: claimable"
    );
}

pub(super) async fn reclaim_expired(b: &ScenarioBackend) {
    let (_, runs) = seeded(
        b,
        &[
            (Priority::Normal, 10),
            (Priority::Normal, 11),
            (Priority::Normal, 12),
        ],
    )
    .await;
    claim(b, "w1", ts(20), secs(60), "claim").await;
    claim(b, "w2", ts(30), secs(60), "claim").await;
    let clause = "reclaim_expired MUST requeue only runs whose lease ended before now";
    assert_eq!(
        ok(clause, b.queue.reclaim_expired(ts(80)).await),
        0,
        "{clause}: lease ends at 80"
    );
    assert_eq!(
        ok(clause, b.queue.reclaim_expired(ts(81)).await),
        1,
        "{clause}"
    );
    assert_eq!(
        stored_run(b, &runs[0], clause).await.status,
        RunStatus::Queued,
        "{clause}"
    );
    assert_eq!(
        stored_run(b, &runs[1], clause).await.status,
        RunStatus::Running,
        "{clause}"
    );
    assert_eq!(
        stored_run(b, &runs[2], clause).await.status,
        RunStatus::Queued,
        "{clause}: never claimed"
    );
    assert_eq!(
        ok(clause, b.queue.reclaim_expired(ts(1000)).await),
        1,
        "{clause}: the second"
    );
    assert_eq!(
        ok(clause, b.queue.reclaim_expired(ts(1000)).await),
        0,
        "{clause}: nothing left"
    );
    let again = claim(b, "w3", ts(1001), secs(60), clause).await.run;
    assert_eq!(
        again.id, runs[0].id,
        "{clause}: a reclaimed run is claimable, oldest first"
    );
}
