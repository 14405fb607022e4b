//! Runner tests over mocked ports. Expected values are computed by hand from DOMAIN.md §2:
//! a curve with mids 59 and 61 has base 60; policy "Clean" adds 5 × 0.1 = 0.5, so the value is
//! 60.5 and the rows (weights 1.0 / 1.05 / 1.08) are 60.5, 63.525 and 65.34.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use aurum_ports::clock::MockClock;
use aurum_ports::curve_store::MockCurveStore;
use aurum_ports::outbox::MockIdGenerator;
use aurum_ports::run_queue::MockRunQueue;
use aurum_ports::{CurveKey, Page, TenorType};
use chrono::{DateTime, TimeDelta, Utc};
use futures::executor::block_on;
use serde_json::json;

use super::*;
use crate::scenarios::fixtures::{SCENARIO_ID, at, date, run, scenario};
use crate::worker::fixed_jitter;
use crate::worker::test_support::observation;

const TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

/// The id every event gets (the uuid type is named only through `RunId`).
macro_rules! event_id {
    () => {
        aurum_ports::scenario::RunId::parse("00000000-0000-4000-8000-000000000007")
            .unwrap()
            .as_uuid()
    };
}

fn started() -> DateTime<Utc> {
    at(1)
}

fn claimed(assumptions: &serde_json::Value, retry_count: u32) -> ClaimedRun {
    let mut r = run(RunStatus::Running);
    r.started_at = Some(started());
    r.retry_count = retry_count;
    r.asof_date = Some(date(2025, 8, 20));
    r.curve_keys = vec![CurveKey::parse("PJM_WEST").unwrap()];
    ClaimedRun {
        run: r,
        scenario: scenario(json!({ "assumptions": assumptions })),
        lease_until: at(2),
        traceparent: Some(TRACEPARENT.to_owned()),
    }
}

fn clean_policy() -> serde_json::Value {
    json!([{"driver_type": "policy", "payload": {"policy_name": "Clean"}}])
}

struct Ports {
    queue: MockRunQueue,
    curves: MockCurveStore,
    now: DateTime<Utc>,
}

impl Ports {
    fn new(claim: Option<ClaimedRun>) -> Self {
        let mut queue = MockRunQueue::new();
        queue
            .expect_claim()
            .times(1)
            .returning(move |_, _, _| Ok(claim.clone()));
        Self {
            queue,
            curves: MockCurveStore::new(),
            now: started() + TimeDelta::minutes(10),
        }
    }

    fn status_always(mut self, status: RunStatus) -> Self {
        self.queue
            .expect_status()
            .returning(move |_| Ok(Some(status)));
        self
    }

    fn curve_at_60(mut self) -> Self {
        self.curves
            .expect_list()
            .withf(|q| q.asof == Some(date(2025, 8, 20)))
            .returning(|_| {
                Ok(Page {
                    items: vec![observation(20, 59.0), observation(20, 61.0)],
                    has_more: false,
                })
            });
        self
    }

    fn runner(self) -> Runner {
        let mut clock = MockClock::new();
        let now = self.now;
        clock.expect_now().returning(move || now);
        let mut ids = MockIdGenerator::new();
        ids.expect_new_id().returning(|| event_id!());
        let mut config = RunnerConfig::new("w1");
        config.retry_base = Duration::from_secs(1);
        config.retry_cap = Duration::from_mins(5);
        Runner::new(
            Arc::new(self.queue),
            Arc::new(self.curves),
            Arc::new(ids),
            Arc::new(clock),
            fixed_jitter(0.5),
            config,
        )
    }
}

fn run_id() -> RunId {
    run(RunStatus::Queued).id
}

#[test]
fn nothing_due_is_idle() {
    let runner = Ports::new(None).runner();
    assert_eq!(block_on(runner.run_next()).unwrap(), StepOutcome::Idle);
}

#[test]
fn a_success_writes_outputs_that_reproduce_the_engine_values_for_a_known_baseline() {
    let mut ports = Ports::new(Some(claimed(&clean_policy(), 0)))
        .status_always(RunStatus::Running)
        .curve_at_60();
    let now = ports.now;
    ports
        .queue
        .expect_complete()
        .times(1)
        .withf(move |id, worker, when, outputs, event| {
            let values: Vec<(TenorType, &str, f64, f64, f64)> = outputs
                .iter()
                .map(|o| {
                    (
                        o.tenor_type,
                        o.tenor_label.as_str(),
                        o.value,
                        o.band_lower,
                        o.band_upper,
                    )
                })
                .collect();
            let expected = [
                (TenorType::Monthly, "2025-08", 60.5, 59.29, 61.71),
                (TenorType::Quarter, "Q3 2025", 63.525, 62.2545, 64.7955),
                (
                    TenorType::Calendar,
                    "Calendar 2025",
                    65.34,
                    64.0332,
                    66.6468,
                ),
            ];
            let close = values.len() == 3
                && values.iter().zip(expected).all(|(a, e)| {
                    a.0 == e.0
                        && a.1 == e.1
                        && (a.2 - e.2).abs() < 1e-9
                        && (a.3 - e.3).abs() < 1e-9
                        && (a.4 - e.4).abs() < 1e-9
                });
            *id == run_id()
                && worker == "w1"
                && *when == now
                && close
                && outputs.iter().all(|o| o.curve_key.as_str() == "PJM_WEST")
                && event.topic == TOPIC_SUCCEEDED
                && event.key == run_id().to_string()
                && event.id == event_id!()
                && event.traceparent.as_deref() == Some(TRACEPARENT)
                && event.payload["outputs"] == json!(3)
                && event.payload["status"] == json!("succeeded")
                && event.payload["scenario_id"] == json!(SCENARIO_ID)
                && event.payload["tenant_id"] == json!("acme")
        })
        .returning(|_, _, _, _, _| Ok(true));
    let runner = ports.runner();
    assert_eq!(
        block_on(runner.run_next()).unwrap(),
        StepOutcome::Succeeded(run_id())
    );
    assert_eq!(runner.current_run(), None, "a finished step holds no run");
}

#[test]
fn a_run_cancelled_before_computing_is_never_computed_or_completed() {
    let mut ports =
        Ports::new(Some(claimed(&clean_policy(), 0))).status_always(RunStatus::Cancelled);
    ports.curves.expect_list().never();
    ports.queue.expect_complete().never();
    ports.queue.expect_fail().never();
    let runner = ports.runner();
    assert_eq!(
        block_on(runner.run_next()).unwrap(),
        StepOutcome::Cancelled(run_id())
    );
}

#[test]
fn a_run_cancelled_while_computing_writes_no_outputs() {
    let mut ports = Ports::new(Some(claimed(&clean_policy(), 0))).curve_at_60();
    let calls = AtomicUsize::new(0);
    ports.queue.expect_status().returning(move |_| {
        let first = calls.fetch_add(1, Ordering::SeqCst) == 0;
        Ok(Some(if first {
            RunStatus::Running
        } else {
            RunStatus::Cancelled
        }))
    });
    ports.queue.expect_complete().never();
    let runner = ports.runner();
    assert_eq!(
        block_on(runner.run_next()).unwrap(),
        StepOutcome::Cancelled(run_id())
    );
}

#[test]
fn a_refused_completion_of_a_run_still_running_is_a_lost_lease() {
    let mut ports = Ports::new(Some(claimed(&clean_policy(), 0)))
        .status_always(RunStatus::Running)
        .curve_at_60();
    ports
        .queue
        .expect_complete()
        .times(1)
        .returning(|_, _, _, _, _| Ok(false));
    let runner = ports.runner();
    assert_eq!(
        block_on(runner.run_next()).unwrap(),
        StepOutcome::LeaseLost(run_id())
    );
}

#[test]
fn releasing_with_nothing_claimed_gives_nothing_back() {
    let mut queue = MockRunQueue::new();
    queue.expect_release().never();
    let ports = Ports {
        queue,
        curves: MockCurveStore::new(),
        now: at(1),
    };
    assert_eq!(block_on(ports.runner().release_claimed()).unwrap(), None);
}

#[test]
fn reclaiming_passes_the_clock_time_to_the_queue() {
    let mut queue = MockRunQueue::new();
    queue
        .expect_reclaim_expired()
        .withf(|now| *now == at(3))
        .returning(|_| Ok(2));
    let ports = Ports {
        queue,
        curves: MockCurveStore::new(),
        now: at(3),
    };
    assert_eq!(block_on(ports.runner().reclaim_expired()).unwrap(), 2);
}

mod failures;

mod telemetry {
    use aurum_ports::RecordingMeter;

    use super::*;
    use crate::worker::test_support::{OWN_TRACEPARENT, RecordingLinker};

    fn succeeding(c: ClaimedRun) -> Ports {
        let mut ports = Ports::new(Some(c))
            .status_always(RunStatus::Running)
            .curve_at_60();
        ports
            .queue
            .expect_complete()
            .times(1)
            .withf(|_, _, _, _, event| event.traceparent.as_deref() == Some(OWN_TRACEPARENT))
            .returning(|_, _, _, _, _| Ok(true));
        ports
    }

    #[test]
    fn a_first_claim_records_its_queue_wait_and_a_success_its_state_and_duration() {
        let now = started() + TimeDelta::minutes(10);
        let mut c = claimed(&clean_policy(), 0);
        c.run.queued_at = now - TimeDelta::seconds(90);
        c.run.started_at = Some(now);
        let meter = RecordingMeter::new();
        let linker = Arc::new(RecordingLinker::default());
        let runner = succeeding(c)
            .runner()
            .with_meter(&meter)
            .with_span_linker(linker.clone());
        assert_eq!(
            block_on(runner.run_next()).unwrap(),
            StepOutcome::Succeeded(run_id())
        );
        let ok = [("state", "succeeded")];
        assert_eq!(meter.value("aurum.scenario.runs", &ok), Some(1.0));
        assert_eq!(
            meter.values("aurum.scenario.run.duration", &ok),
            Some(vec![0.0])
        );
        assert_eq!(
            meter.values("aurum.scenario.queue.wait", &[]),
            Some(vec![90.0])
        );
        assert_eq!(linker.adopted(), vec![TRACEPARENT.to_owned()]);
    }

    #[test]
    fn a_reclaimed_run_has_no_queue_wait_and_its_duration_counts_from_its_first_start() {
        let meter = RecordingMeter::new();
        let runner = succeeding(claimed(&clean_policy(), 0))
            .runner()
            .with_meter(&meter)
            .with_span_linker(Arc::new(RecordingLinker::default()));
        block_on(runner.run_next()).unwrap();
        assert_eq!(meter.values("aurum.scenario.queue.wait", &[]), None);
        assert_eq!(
            meter.values("aurum.scenario.run.duration", &[("state", "succeeded")]),
            Some(vec![600.0])
        );
    }

    #[test]
    fn a_cancelled_run_is_not_counted() {
        let meter = RecordingMeter::new();
        let ports =
            Ports::new(Some(claimed(&clean_policy(), 0))).status_always(RunStatus::Cancelled);
        let runner = ports.runner().with_meter(&meter);
        assert_eq!(
            block_on(runner.run_next()).unwrap(),
            StepOutcome::Cancelled(run_id())
        );
        assert!(meter.series().is_empty(), "{:?}", meter.series());
    }
}
