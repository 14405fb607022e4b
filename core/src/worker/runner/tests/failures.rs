//! Failed attempts: transient errors retried with backoff, then failed with an event;
//! permanent errors failed at once; runs past their time budget timed out.

use super::*;

#[test]
fn a_transient_failure_is_retried_after_the_exact_jittered_delay() {
    // Retry number 1 (one used): ceiling min(5 min, 1 s × 2¹) = 2 s; jitter 0.5 → 1 s.
    let mut ports = Ports::new(Some(claimed(&clean_policy(), 1))).status_always(RunStatus::Running);
    ports
        .curves
        .expect_list()
        .returning(|_| Err(StoreError::Unavailable("pool exhausted".into())));
    let not_before = ports.now + TimeDelta::seconds(1);
    ports
        .queue
        .expect_fail()
        .times(1)
        .withf(move |_, _, _, error, outcome, event| {
            *outcome == FailOutcome::Retry { not_before }
                && event.is_none()
                && error.contains("pool exhausted")
        })
        .returning(|_, _, _, _, _, _| Ok(true));
    ports.queue.expect_complete().never();
    let runner = ports.runner();
    assert_eq!(
        block_on(runner.run_next()).unwrap(),
        StepOutcome::Retrying(run_id(), not_before)
    );
}

#[test]
fn a_transient_failure_after_the_last_retry_fails_the_run_with_an_event() {
    let mut ports = Ports::new(Some(claimed(&clean_policy(), 3))).status_always(RunStatus::Running);
    ports
        .curves
        .expect_list()
        .returning(|_| Err(StoreError::Timeout("statement timeout".into())));
    ports
        .queue
        .expect_fail()
        .times(1)
        .withf(|_, _, _, _, outcome, event| {
            *outcome == FailOutcome::Failed
                && event.as_ref().is_some_and(|e| {
                    e.topic == TOPIC_FAILED
                        && e.payload["status"] == json!("failed")
                        && e.traceparent.as_deref() == Some(TRACEPARENT)
                })
        })
        .returning(|_, _, _, _, _, _| Ok(true));
    let runner = ports.runner();
    assert_eq!(
        block_on(runner.run_next()).unwrap(),
        StepOutcome::Failed(run_id())
    );
}

#[test]
fn a_permanent_failure_fails_the_run_without_retrying() {
    let mut ports = Ports::new(Some(claimed(&clean_policy(), 0))).status_always(RunStatus::Running);
    ports
        .curves
        .expect_list()
        .returning(|_| Err(StoreError::InvalidQuery("bad keyset".into())));
    ports
        .queue
        .expect_fail()
        .times(1)
        .withf(|_, _, _, _, outcome, _| *outcome == FailOutcome::Failed)
        .returning(|_, _, _, _, _, _| Ok(true));
    let runner = ports.runner();
    assert_eq!(
        block_on(runner.run_next()).unwrap(),
        StepOutcome::Failed(run_id())
    );
}

#[test]
fn a_run_past_its_time_budget_times_out_with_an_event_and_no_outputs() {
    let mut ports = Ports::new(Some(claimed(&clean_policy(), 0))).status_always(RunStatus::Running);
    ports.now = started() + TimeDelta::minutes(61);
    ports.curves.expect_list().never();
    ports.queue.expect_complete().never();
    ports
        .queue
        .expect_fail()
        .times(1)
        .withf(|_, _, _, _, outcome, event| {
            *outcome == FailOutcome::TimedOut
                && event.as_ref().is_some_and(|e| {
                    e.topic == TOPIC_TIMEOUT && e.payload["status"] == json!("timeout")
                })
        })
        .returning(|_, _, _, _, _, _| Ok(true));
    let runner = ports.runner();
    assert_eq!(
        block_on(runner.run_next()).unwrap(),
        StepOutcome::TimedOut(run_id())
    );
}
