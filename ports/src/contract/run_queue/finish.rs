//! Finishing runs: `complete` and `fail` write the run's new state, its outputs and its outbox
//! event together, or nothing at all when the worker does not hold the lease.

use super::super::ScenarioBackend;
use super::super::scenario_fixtures::{date, event, outputs, run, scenario, tenant, ts};
use super::super::scenario_support::{claim, create, ok, secs, stored_run, submit};
use crate::outbox::{NewEvent, OutboxEvent};
use crate::page::PageRequest;
use crate::run_queue::FailOutcome;
use crate::scenario::{Priority, Run, RunStatus, Scenario, ScenarioOutput};
use crate::scenario_store::OutputFilter;

async fn one_claimed(b: &ScenarioBackend, name: &str) -> (Scenario, Run) {
    let s = scenario(&tenant("acme"), name, ts(1));
    create(b, &s, "create").await;
    let r = run(&s, Priority::Normal, ts(10));
    submit(b, &r, None, "submit").await;
    claim(b, "w1", ts(20), secs(600), "claim").await;
    (s, r)
}

async fn run_outputs(b: &ScenarioBackend, r: &Run, clause: &str) -> Vec<ScenarioOutput> {
    let filter = OutputFilter {
        run_id: Some(r.id),
        ..OutputFilter::default()
    };
    let page = PageRequest::first(1000);
    let rows = b
        .scenarios
        .outputs(&r.tenant_id, r.scenario_id, &filter, &page);
    ok(clause, rows.await).items
}

/// Every event in the outbox (claimed far in the future with a short lease).
async fn events(b: &ScenarioBackend, clause: &str) -> Vec<OutboxEvent> {
    ok(
        clause,
        b.outbox.claim_due(ts(1_000_000), 1000, secs(1)).await,
    )
}

fn sorted(mut rows: Vec<ScenarioOutput>) -> Vec<ScenarioOutput> {
    rows.sort_by(|x, y| {
        (
            x.curve_key.as_str(),
            x.tenor_type.as_str(),
            &x.tenor_label,
            &x.metric,
        )
            .cmp(&(
                y.curve_key.as_str(),
                y.tenor_type.as_str(),
                &y.tenor_label,
                &y.metric,
            ))
    });
    rows
}

pub(super) async fn complete(b: &ScenarioBackend) {
    let (_, r) = one_claimed(b, "Finish").await;
    let rows = outputs(&r, date(2025, 1, 15), "C1", 42.0, ts(30));
    let ev = event("scenario.run.succeeded", &r.id.to_string());
    let clause = "complete MUST write outputs, succeeded and the event together";
    assert!(
        ok(
            clause,
            b.queue
                .complete(r.id, "w1", ts(30), rows.clone(), ev.clone())
                .await
        ),
        "{clause}"
    );
    let stored = stored_run(b, &r, clause).await;
    assert_eq!(stored.status, RunStatus::Succeeded, "{clause}: status");
    assert_eq!(
        (stored.started_at, stored.completed_at),
        (Some(ts(20)), Some(ts(30))),
        "{clause}: timestamps"
    );
    assert_eq!(
        run_outputs(b, &r, clause).await,
        sorted(rows.clone()),
        "{clause}: outputs"
    );
    let got = events(b, clause).await;
    let expected = OutboxEvent {
        event: ev,
        attempts: 0,
        created_at: ts(30),
        next_attempt_at: ts(30),
        last_error: None,
    };
    assert_eq!(got, vec![expected], "{clause}: the event");

    let clause = "completing again MUST never leave two sets of outputs";
    let other_rows = outputs(&r, date(2025, 1, 15), "C1", 99.0, ts(40));
    let again = ok(
        clause,
        b.queue
            .complete(r.id, "w1", ts(40), other_rows, event("x", "y"))
            .await,
    );
    assert!(!again, "{clause}: a succeeded run is no longer held");
    assert_eq!(run_outputs(b, &r, clause).await, sorted(rows), "{clause}");
    assert_eq!(
        stored_run(b, &r, clause).await,
        stored,
        "{clause}: run unchanged"
    );
    assert!(events(b, clause).await.is_empty(), "{clause}: no new event");
}

pub(super) async fn complete_without_the_lease(b: &ScenarioBackend) {
    let (s, r) = one_claimed(b, "Finish").await;
    let rows = outputs(&r, date(2025, 1, 15), "C1", 42.0, ts(30));
    let clause = "complete MUST return false and write nothing without the lease";
    let done = ok(
        clause,
        b.queue
            .complete(r.id, "w2", ts(30), rows.clone(), event("t", "k"))
            .await,
    );
    assert!(!done, "{clause}: another worker");
    assert_eq!(
        stored_run(b, &r, clause).await.status,
        RunStatus::Running,
        "{clause}: status"
    );
    assert!(
        run_outputs(b, &r, clause).await.is_empty(),
        "{clause}: outputs"
    );
    assert!(events(b, clause).await.is_empty(), "{clause}: event");

    let clause = "complete MUST return false and write nothing after a cancel";
    assert!(
        ok(
            clause,
            b.scenarios
                .cancel_run(s.tenant_id(), s.id, r.id, ts(31))
                .await
        )
        .is_some()
    );
    let done = ok(
        clause,
        b.queue
            .complete(r.id, "w1", ts(32), rows.clone(), event("t", "k"))
            .await,
    );
    assert!(!done, "{clause}");
    assert_eq!(
        stored_run(b, &r, clause).await.status,
        RunStatus::Cancelled,
        "a cancelled run MUST stay cancelled"
    );
    assert!(
        run_outputs(b, &r, clause).await.is_empty(),
        "{clause}: outputs"
    );
    assert!(events(b, clause).await.is_empty(), "{clause}: event");
    let failed = ok(
        clause,
        b.queue
            .fail(r.id, "w1", ts(33), "late", FailOutcome::Failed, None)
            .await,
    );
    assert!(!failed, "fail MUST return false after a cancel");
}

pub(super) async fn fail_with_retry(b: &ScenarioBackend) {
    let (_, r) = one_claimed(b, "Finish").await;
    let clause = "fail with Retry MUST requeue the run, counting the attempt";
    let retry = FailOutcome::Retry {
        not_before: ts(100),
    };
    assert!(
        !ok(
            clause,
            b.queue.fail(r.id, "w2", ts(30), "boom", retry, None).await
        ),
        "fail MUST return false for another worker"
    );
    assert!(
        ok(
            clause,
            b.queue.fail(r.id, "w1", ts(30), "boom", retry, None).await
        ),
        "{clause}"
    );
    let stored = stored_run(b, &r, clause).await;
    assert_eq!(
        (stored.status, stored.attempt, stored.retry_count),
        (RunStatus::Queued, 2, 1),
        "{clause}"
    );
    assert_eq!(stored.completed_at, None, "{clause}: not terminal");
    assert!(
        !ok(clause, b.queue.heartbeat(r.id, "w1", ts(40)).await),
        "{clause}: lease cleared"
    );
    assert!(
        events(b, clause).await.is_empty(),
        "{clause}: no event without one"
    );
    let clause = "a retried run MUST not be claimable before not_before";
    assert!(
        ok(clause, b.queue.claim("w3", ts(99), secs(60)).await).is_none(),
        "{clause}"
    );
    let again = claim(b, "w3", ts(100), secs(60), clause).await.run;
    assert_eq!(
        (again.id, again.attempt, again.retry_count),
        (r.id, 2, 1),
        "{clause}: then claimable"
    );
    assert_eq!(
        again.started_at,
        Some(ts(20)),
        "started_at MUST be set once"
    );
}

pub(super) async fn fail_terminally(b: &ScenarioBackend) {
    for (outcome, status) in [
        (FailOutcome::Failed, RunStatus::Failed),
        (FailOutcome::TimedOut, RunStatus::Timeout),
    ] {
        let (_, r) = one_claimed(b, status.as_str()).await;
        let clause =
            format!("fail {outcome:?} MUST end the run {status} with the error and the event");
        let ev: NewEvent = event(&format!("scenario.run.{status}"), &r.id.to_string());
        assert!(
            ok(
                &clause,
                b.queue
                    .fail(
                        r.id,
                        "w1",
                        ts(50),
                        "engine exploded",
                        outcome,
                        Some(ev.clone())
                    )
                    .await
            ),
            "{clause}"
        );
        let stored = stored_run(b, &r, &clause).await;
        assert_eq!(stored.status, status, "{clause}");
        assert_eq!(
            stored.error_message.as_deref(),
            Some("engine exploded"),
            "{clause}: error"
        );
        assert_eq!(stored.completed_at, Some(ts(50)), "{clause}: completed_at");
        let got = events(b, &clause).await;
        assert_eq!(
            got.iter().map(|e| &e.event).collect::<Vec<_>>(),
            vec![&ev],
            "{clause}: event"
        );
        assert_eq!(got[0].created_at, ts(50), "{clause}: appended at");
        assert!(
            ok(&clause, b.queue.claim("w9", ts(60), secs(60)).await).is_none(),
            "{clause}: not claimable"
        );
    }
}
