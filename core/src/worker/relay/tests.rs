//! Relay tests over mocked ports: each delivery outcome leads to exactly one outbox call.

use std::sync::Arc;

use aurum_ports::clock::MockClock;
use aurum_ports::outbox::{MockEventSink, MockOutbox, NewEvent};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use futures::executor::block_on;
use serde_json::json;

use super::*;
use crate::worker::fixed_jitter;

macro_rules! id {
    ($n:literal) => {
        aurum_ports::scenario::RunId::parse(concat!("00000000-0000-4000-8000-0000000000", $n))
            .unwrap()
            .as_uuid()
    };
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 15, 12, 0, 0).unwrap()
}

fn event(attempts: u32) -> OutboxEvent {
    OutboxEvent {
        event: NewEvent {
            id: id!("01"),
            topic: "scenario.run.succeeded".into(),
            key: "run-1".into(),
            payload: json!({"run_id": "run-1"}),
            traceparent: None,
        },
        attempts,
        created_at: now(),
        next_attempt_at: now(),
        last_error: None,
    }
}

fn config() -> RelayConfig {
    RelayConfig {
        batch: 10,
        lease: Duration::from_secs(30),
        max_attempts: 5,
        retry_base: Duration::from_secs(1),
        retry_cap: Duration::from_mins(10),
    }
}

fn relay(outbox: MockOutbox, sink: MockEventSink, jitter: f64) -> OutboxRelay {
    let mut clock = MockClock::new();
    clock.expect_now().returning(now);
    OutboxRelay::new(
        Arc::new(outbox),
        Arc::new(sink),
        Arc::new(clock),
        fixed_jitter(jitter),
        config(),
    )
}

fn outbox_with(claimed: Vec<OutboxEvent>) -> MockOutbox {
    let mut outbox = MockOutbox::new();
    outbox
        .expect_claim_due()
        .withf(|at, limit, lease| *at == now() && *limit == 10 && *lease == Duration::from_secs(30))
        .times(1)
        .returning(move |_, _, _| Ok(claimed.clone()));
    outbox
}

fn sink(result: Result<(), DeliveryError>) -> MockEventSink {
    let mut sink = MockEventSink::new();
    sink.expect_deliver().returning(move |_| result.clone());
    sink
}

#[test]
fn a_delivered_event_is_marked_delivered() {
    let mut outbox = outbox_with(vec![event(0)]);
    outbox
        .expect_mark_delivered()
        .withf(|id, at| *id == id!("01") && *at == now())
        .times(1)
        .returning(|_, _| Ok(()));
    let report = block_on(relay(outbox, sink(Ok(())), 0.5).deliver_due()).unwrap();
    assert_eq!(
        report,
        RelayReport {
            claimed: 1,
            delivered: 1,
            ..RelayReport::default()
        }
    );
}

#[test]
fn a_retryable_failure_is_rescheduled_after_the_jittered_backoff() {
    // Two earlier failures: ceiling min(10 min, 1 s × 2²) = 4 s; jitter 0.25 → 1 s.
    let mut outbox = outbox_with(vec![event(2)]);
    outbox
        .expect_reschedule()
        .withf(|id, at, error| {
            *id == id!("01") && *at == now() + TimeDelta::seconds(1) && error == "503 from broker"
        })
        .times(1)
        .returning(|_, _, _| Ok(()));
    outbox.expect_dead_letter().never();
    let failing = sink(Err(DeliveryError::Retryable("503 from broker".into())));
    let report = block_on(relay(outbox, failing, 0.25).deliver_due()).unwrap();
    assert_eq!((report.rescheduled, report.dead_lettered), (1, 0));
}

#[test]
fn a_retryable_failure_on_the_last_allowed_attempt_is_dead_lettered() {
    let mut outbox = outbox_with(vec![event(4)]);
    outbox.expect_reschedule().never();
    outbox
        .expect_dead_letter()
        .withf(|id, error| *id == id!("01") && error == "timeout")
        .times(1)
        .returning(|_, _| Ok(()));
    let failing = sink(Err(DeliveryError::Retryable("timeout".into())));
    let report = block_on(relay(outbox, failing, 0.5).deliver_due()).unwrap();
    assert_eq!((report.rescheduled, report.dead_lettered), (0, 1));
}

#[test]
fn a_permanent_failure_is_dead_lettered_at_once() {
    let mut outbox = outbox_with(vec![event(0)]);
    outbox.expect_reschedule().never();
    outbox
        .expect_dead_letter()
        .times(1)
        .returning(|_, _| Ok(()));
    let refusing = sink(Err(DeliveryError::Permanent("400 bad schema".into())));
    let report = block_on(relay(outbox, refusing, 0.5).deliver_due()).unwrap();
    assert_eq!((report.claimed, report.dead_lettered), (1, 1));
}

#[test]
fn each_event_of_a_batch_is_settled_by_its_own_answer() {
    let with_id = |mut e: OutboxEvent, id| {
        e.event.id = id;
        e
    };
    let batch = vec![
        with_id(event(0), id!("01")),
        with_id(event(0), id!("02")),
        with_id(event(0), id!("03")),
    ];
    let mut outbox = outbox_with(batch);
    outbox
        .expect_mark_delivered()
        .withf(|id, _| *id == id!("01"))
        .times(1)
        .returning(|_, _| Ok(()));
    outbox
        .expect_reschedule()
        .withf(|id, _, _| *id == id!("02"))
        .times(1)
        .returning(|_, _, _| Ok(()));
    outbox
        .expect_dead_letter()
        .withf(|id, _| *id == id!("03"))
        .times(1)
        .returning(|_, _| Ok(()));
    let mut sink = MockEventSink::new();
    sink.expect_deliver().times(3).returning(|e| {
        if e.event.id == id!("01") {
            Ok(())
        } else if e.event.id == id!("02") {
            Err(DeliveryError::Retryable("503".into()))
        } else {
            Err(DeliveryError::Permanent("400".into()))
        }
    });
    let report = block_on(relay(outbox, sink, 0.5).deliver_due()).unwrap();
    assert_eq!(
        report,
        RelayReport {
            claimed: 3,
            delivered: 1,
            rescheduled: 1,
            dead_lettered: 1,
        }
    );
}

#[test]
fn an_outbox_failure_while_claiming_is_reported() {
    let mut outbox = MockOutbox::new();
    outbox
        .expect_claim_due()
        .returning(|_, _, _| Err(StoreError::Unavailable("down".into())));
    let mut quiet = MockEventSink::new();
    quiet.expect_deliver().never();
    let err = block_on(relay(outbox, quiet, 0.5).deliver_due()).unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)));
}

#[test]
fn redriving_passes_the_id_and_time_and_ignores_ids_that_are_not_uuids() {
    let mut outbox = MockOutbox::new();
    outbox
        .expect_redrive()
        .withf(|id, at| *id == id!("01") && *at == now())
        .times(1)
        .returning(|_, _| Ok(true));
    let relay = relay(outbox, MockEventSink::new(), 0.5);
    assert!(block_on(relay.redrive("00000000-0000-4000-8000-000000000001")).unwrap());
    assert!(!block_on(relay.redrive("not-a-uuid")).unwrap());
}

#[test]
fn the_lag_and_dead_letter_gauges_are_sampled_at_most_once_per_interval() {
    let mut outbox = MockOutbox::new();
    outbox
        .expect_claim_due()
        .times(2)
        .returning(|_, _, _| Ok(Vec::new()));
    outbox.expect_stats().times(1).returning(|| {
        Ok(aurum_ports::outbox::OutboxStats {
            pending: 3,
            oldest_pending: Some(now() - TimeDelta::seconds(30)),
            dead_letters: 2,
        })
    });
    let meter = aurum_ports::RecordingMeter::new();
    let relay =
        relay(outbox, MockEventSink::new(), 0.5).with_meter(&meter, Duration::from_secs(10));
    block_on(relay.deliver_due()).unwrap();
    block_on(relay.deliver_due()).unwrap();
    assert_eq!(meter.value("aurum.outbox.lag", &[]), Some(30.0));
    assert_eq!(meter.value("aurum.outbox.dead_letters", &[]), Some(2.0));
}

#[test]
fn without_a_meter_the_relay_never_counts_the_outbox() {
    let mut outbox = outbox_with(Vec::new());
    outbox.expect_stats().never();
    block_on(relay(outbox, MockEventSink::new(), 0.5).deliver_due()).unwrap();
}

#[test]
fn each_delivery_runs_in_a_span_that_adopts_the_events_traceparent() {
    let tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    let mut e = event(0);
    e.event.traceparent = Some(tp.to_owned());
    let mut outbox = outbox_with(vec![e]);
    outbox.expect_mark_delivered().returning(|_, _| Ok(()));
    let linker = Arc::new(crate::worker::test_support::RecordingLinker::default());
    let relay = relay(outbox, sink(Ok(())), 0.5).with_span_linker(linker.clone());
    block_on(relay.deliver_due()).unwrap();
    assert_eq!(linker.adopted(), vec![tp.to_owned()]);
}
