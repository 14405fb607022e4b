//! Run use cases: submission deduplication and validation, cancellation rules, output filters.

use super::*;

#[test]
fn submitting_the_same_fingerprint_returns_the_existing_run() {
    let mut store = MockScenarioStore::new();
    store
        .expect_get()
        .returning(|_, _| Ok(Some(scenario(json!({})))));
    let expected_key = fingerprint(
        &scenario(json!({})),
        &RunOptions::default().validate().unwrap(),
    )
    .run_key;
    store
        .expect_submit_run()
        .withf(move |r, key| {
            r.run_key == expected_key && r.status == RunStatus::Queued && key.is_none()
        })
        .returning(|_, _| Ok(RunSubmission::Existing(run(RunStatus::Succeeded))));
    let submitted =
        block_on(service(store).submit_run(&tenant(), scenario_id(), RunOptions::default()))
            .unwrap();
    assert!(
        matches!(submitted, RunSubmission::Existing(ref r) if r.status == RunStatus::Succeeded)
    );
}

#[test]
fn run_options_problems_are_all_listed_before_the_store_is_touched() {
    let mut store = MockScenarioStore::new();
    store.expect_get().never();
    store.expect_submit_run().never();
    let options = RunOptions {
        timeout_minutes: 0,
        max_retries: 11,
        idempotency_key: Some("bad key!".into()),
        ..RunOptions::default()
    };
    let err = block_on(service(store).submit_run(&tenant(), scenario_id(), options)).unwrap_err();
    assert_eq!(
        pointers_of(&err),
        ["/timeout_minutes", "/max_retries", "/idempotency_key"]
    );
}

#[test]
fn cancelling_a_run_that_already_succeeded_is_a_conflict() {
    let mut store = MockScenarioStore::new();
    store
        .expect_cancel_run()
        .withf(|_, _, _, when| *when == at(5))
        .returning(|_, _, _, _| Ok(Some(run(RunStatus::Succeeded))));
    let r = run(RunStatus::Queued).id;
    let err = block_on(service(store).cancel_run(&tenant(), scenario_id(), r)).unwrap_err();
    assert!(matches!(err, ScenarioError::Conflict(_)));
}

#[test]
fn an_unknown_tenor_type_filter_on_outputs_is_a_parameter_problem() {
    let mut store = MockScenarioStore::new();
    store.expect_outputs().never();
    let req = ListOutputs {
        filter: aurum_ports::scenario_store::OutputFilter {
            tenor_type: Some("fortnightly".into()),
            ..Default::default()
        },
        limit: 10,
        cursor: None,
    };
    let err = block_on(service(store).outputs(&tenant(), scenario_id(), &req)).unwrap_err();
    assert_eq!(pointers_of(&err), ["tenor_type"]);
}

#[test]
fn the_request_fingerprint_changes_with_the_body_only() {
    let a = RunOptions::default();
    let b = RunOptions {
        seed: Some(7),
        ..RunOptions::default()
    };
    assert_eq!(
        run_request_fingerprint(scenario_id(), &a),
        run_request_fingerprint(scenario_id(), &a.clone())
    );
    assert_ne!(
        run_request_fingerprint(scenario_id(), &a),
        run_request_fingerprint(scenario_id(), &b)
    );
}
