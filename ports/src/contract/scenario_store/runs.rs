//! Runs through the store: deduplicated submission (run key and idempotency key), get and
//! list with status filter and paging, cancellation.

use super::super::ScenarioBackend;
use super::super::scenario_fixtures::{run, run_id, scenario, tenant, ts};
use super::super::scenario_support::{check_walks, claim, create, ok, secs, stored_run, submit};
use crate::page::PageRequest;
use crate::scenario::{IdempotencyKey, Priority, Run, RunStatus};
use crate::scenario_store::{CreatedKeyset, RunSubmission};

fn keyset(r: &Run) -> CreatedKeyset {
    CreatedKeyset {
        at: r.queued_at,
        id: r.id.to_string(),
    }
}

fn key(raw: &str) -> IdempotencyKey {
    IdempotencyKey::parse(raw).expect("suite keys are valid")
}

pub(super) async fn submit_run_deduplicates(b: &ScenarioBackend) {
    let (a, other) = (tenant("acme"), tenant("globex"));
    let s = scenario(&a, "Runs", ts(1));
    create(b, &s, "create").await;
    let first = run(&s, Priority::Normal, ts(10));
    submit(b, &first, Some("req-1"), "submit_run MUST queue a new run").await;
    assert_eq!(
        stored_run(b, &first, "get_run").await,
        first,
        "get_run MUST return the run as submitted"
    );

    let clause = "submit_run MUST return the existing run for the same run_key";
    let again = Run {
        id: run_id(),
        queued_at: ts(20),
        ..first.clone()
    };
    let result = ok(clause, b.scenarios.submit_run(&again, None).await);
    assert_eq!(result, RunSubmission::Existing(first.clone()), "{clause}");
    assert_eq!(
        ok(clause, b.scenarios.get_run(&a, s.id, again.id).await),
        None,
        "{clause}: the duplicate MUST not be stored"
    );

    let clause = "submit_run MUST return the run recorded with a seen idempotency key";
    let other_inputs = run(&s, Priority::Normal, ts(30));
    let result = ok(
        clause,
        b.scenarios
            .submit_run(&other_inputs, Some(key("req-1")))
            .await,
    );
    assert_eq!(result, RunSubmission::Existing(first.clone()), "{clause}");

    let clause = "idempotency keys MUST be scoped to the tenant";
    let foreign = scenario(&other, "Runs", ts(1));
    create(b, &foreign, "create").await;
    let foreign_run = run(&foreign, Priority::Normal, ts(40));
    let result = ok(
        clause,
        b.scenarios
            .submit_run(&foreign_run, Some(key("req-1")))
            .await,
    );
    assert_eq!(result, RunSubmission::Created(foreign_run), "{clause}");

    let clause = "a new key with new inputs MUST queue a new run";
    let result = ok(
        clause,
        b.scenarios
            .submit_run(&other_inputs, Some(key("req-2")))
            .await,
    );
    assert_eq!(result, RunSubmission::Created(other_inputs), "{clause}");
}

pub(super) async fn get_and_list_runs(b: &ScenarioBackend) {
    let (a, other) = (tenant("acme"), tenant("globex"));
    let s = scenario(&a, "Listed", ts(1));
    let sibling = scenario(&a, "Sibling", ts(1));
    let foreign = scenario(&other, "Listed", ts(1));
    for x in [&s, &sibling, &foreign] {
        create(b, x, "create").await;
    }
    let mut mine = Vec::new();
    for t in [10, 20, 20, 30, 40, 40, 40, 50] {
        let r = run(&s, Priority::Normal, ts(t));
        submit(b, &r, None, "submit").await;
        mine.push(r);
    }
    submit(b, &run(&sibling, Priority::Normal, ts(25)), None, "submit").await;
    submit(b, &run(&foreign, Priority::Normal, ts(25)), None, "submit").await;
    // Cancel two so that the status filter has something to separate.
    for r in [&mine[1], &mine[5]] {
        let done = ok(
            "cancel",
            b.scenarios.cancel_run(&a, s.id, r.id, ts(60)).await,
        );
        assert!(done.is_some(), "cancel_run MUST find a queued run");
    }
    let mut stored = Vec::new();
    for r in &mine {
        stored.push(stored_run(b, r, "get_run").await);
    }
    stored.sort_by_key(|r| std::cmp::Reverse((r.queued_at, r.id.to_string())));

    check_walks(
        "list_runs MUST page newest first, each run of the scenario once",
        &stored,
        keyset,
        |r| r.id.to_string(),
        async |req| {
            ok(
                "list_runs",
                b.scenarios.list_runs(&a, s.id, None, &req).await,
            )
        },
    )
    .await;
    let cancelled: Vec<Run> = stored
        .iter()
        .filter(|r| r.status == RunStatus::Cancelled)
        .cloned()
        .collect();
    assert_eq!(cancelled.len(), 2, "cancel_run MUST cancel queued runs");
    check_walks(
        "list_runs MUST filter by status",
        &cancelled,
        keyset,
        |r| r.id.to_string(),
        async |req| {
            ok(
                "list_runs",
                b.scenarios
                    .list_runs(&a, s.id, Some(RunStatus::Cancelled), &req)
                    .await,
            )
        },
    )
    .await;
    let none = ok(
        "list_runs",
        b.scenarios
            .list_runs(&a, s.id, Some(RunStatus::Running), &PageRequest::first(10))
            .await,
    );
    assert!(
        none.items.is_empty(),
        "list_runs MUST return no run of an absent status"
    );

    let clause = "another tenant's runs MUST look unknown";
    let r = &mine[0];
    assert_eq!(
        ok(clause, b.scenarios.get_run(&other, s.id, r.id).await),
        None,
        "{clause}"
    );
    let page = ok(
        clause,
        b.scenarios
            .list_runs(&other, s.id, None, &PageRequest::first(10))
            .await,
    );
    assert!(page.items.is_empty(), "{clause}");
    let clause = "get_run MUST return None for a run of another scenario";
    assert_eq!(
        ok(clause, b.scenarios.get_run(&a, sibling.id, r.id).await),
        None,
        "{clause}"
    );
    assert_eq!(
        ok(clause, b.scenarios.get_run(&a, s.id, run_id()).await),
        None,
        "get_run MUST return None for an unknown run"
    );
}

pub(super) async fn cancel_run(b: &ScenarioBackend) {
    let (a, other) = (tenant("acme"), tenant("globex"));
    let s = scenario(&a, "Cancels", ts(1));
    create(b, &s, "create").await;
    let queued = run(&s, Priority::Low, ts(10));
    let running = run(&s, Priority::Critical, ts(11));
    submit(b, &queued, None, "submit").await;
    submit(b, &running, None, "submit").await;
    let claimed = claim(b, "w1", ts(20), secs(300), "claim").await;
    assert_eq!(
        claimed.run.id, running.id,
        "claim MUST take the critical run first"
    );

    let clause = "cancel_run MUST return None for another tenant";
    assert_eq!(
        ok(
            clause,
            b.scenarios
                .cancel_run(&other, s.id, queued.id, ts(30))
                .await
        ),
        None,
        "{clause}"
    );
    assert_eq!(
        stored_run(b, &queued, clause).await.status,
        RunStatus::Queued,
        "{clause}: unchanged"
    );
    let clause = "cancel_run MUST return None for an unknown run";
    assert_eq!(
        ok(
            clause,
            b.scenarios.cancel_run(&a, s.id, run_id(), ts(30)).await
        ),
        None,
        "{clause}"
    );

    let clause = "cancel_run MUST cancel a queued run";
    let got = ok(
        clause,
        b.scenarios.cancel_run(&a, s.id, queued.id, ts(30)).await,
    )
    .expect("found");
    assert_eq!(got.status, RunStatus::Cancelled, "{clause}");
    assert_eq!(got.cancelled_at, Some(ts(30)), "{clause}: cancelled_at");
    assert_eq!(got.completed_at, Some(ts(30)), "{clause}: completed_at");
    assert_eq!(
        stored_run(b, &queued, clause).await,
        got,
        "{clause}: as stored"
    );

    let clause = "cancel_run MUST cancel a running run";
    let got = ok(
        clause,
        b.scenarios.cancel_run(&a, s.id, running.id, ts(40)).await,
    )
    .expect("found");
    assert_eq!(got.status, RunStatus::Cancelled, "{clause}");
    assert_eq!(got.started_at, Some(ts(20)), "{clause}: started_at kept");
    assert_eq!(got.cancelled_at, Some(ts(40)), "{clause}: cancelled_at");
    assert_eq!(
        ok(clause, b.queue.status(running.id).await),
        Some(RunStatus::Cancelled),
        "{clause}: status"
    );

    let clause = "cancel_run MUST leave a terminal run unchanged";
    let again = ok(
        clause,
        b.scenarios.cancel_run(&a, s.id, running.id, ts(50)).await,
    );
    assert_eq!(again, Some(got), "{clause}");
}

pub(super) async fn get_run_by_id_is_tenant_scoped(b: &ScenarioBackend) {
    let (a, other) = (tenant("acme"), tenant("globex"));
    let s = scenario(&a, "By id", ts(1));
    create(b, &s, "create").await;
    let r = run(&s, Priority::Normal, ts(10));
    submit(b, &r, None, "submit").await;
    let clause = "get_run_by_id MUST find the tenant's run without its scenario id";
    let found = ok(clause, b.scenarios.get_run_by_id(&a, r.id).await);
    assert_eq!(found, Some(r.clone()), "{clause}");
    let clause = "get_run_by_id MUST NOT return another tenant's run";
    assert_eq!(
        ok(clause, b.scenarios.get_run_by_id(&other, r.id).await),
        None,
        "{clause}"
    );
    let clause = "get_run_by_id MUST return None for an unknown run";
    assert_eq!(
        ok(clause, b.scenarios.get_run_by_id(&a, run_id()).await),
        None,
        "{clause}"
    );
    let clause = "get_run_by_id MUST NOT return runs of a deleted scenario";
    assert!(ok(clause, b.scenarios.delete(&a, s.id).await), "{clause}");
    assert_eq!(
        ok(clause, b.scenarios.get_run_by_id(&a, r.id).await),
        None,
        "{clause}"
    );
}
