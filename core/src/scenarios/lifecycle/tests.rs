use aurum_ports::scenario::{Priority, RunStatus};
use serde_json::json;

use super::*;
use crate::scenarios::fixtures::{at, date, run, scenario, settings};

use RunStatus::{Cancelled, Failed, Queued, Running, Succeeded, Timeout};

/// Every edge of the state machine, written out independently of `is_allowed`.
const EDGES: &[(RunStatus, RunStatus)] = &[
    (Queued, Running),
    (Queued, Cancelled),
    (Running, Succeeded),
    (Running, Failed),
    (Running, Timeout),
    (Running, Cancelled),
];

/// A run in `status` as the state machine would have left it.
fn run_in(status: RunStatus) -> Run {
    let mut r = run(status);
    if status != Queued {
        r.started_at = Some(at(2));
    }
    if status.is_terminal() {
        r.completed_at = Some(at(2));
        r.duration_seconds = Some(0.0);
    }
    r
}

#[test]
fn every_status_pair_follows_the_table() {
    for &from in RunStatus::ALL {
        for &to in RunStatus::ALL {
            let mut r = run_in(from);
            let before = r.clone();
            let result = transition(&mut r, to, at(3));
            let expected = if from.is_terminal() {
                Err(TransitionError::Final { from, to })
            } else if EDGES.contains(&(from, to)) {
                Ok(())
            } else {
                Err(TransitionError::NotAllowed { from, to })
            };
            assert_eq!(result, expected, "{from} -> {to}");
            assert_eq!(
                is_allowed(from, to),
                EDGES.contains(&(from, to)),
                "{from} -> {to}"
            );
            if result.is_err() {
                assert_eq!(
                    r, before,
                    "a refused {from} -> {to} leaves the run unchanged"
                );
                continue;
            }
            assert_eq!(r.status, to);
            assert_eq!(r.queued_at, before.queued_at);
            let started = match (from, to) {
                (Queued, Running) => Some(at(3)),
                (Queued, _) => None,
                _ => Some(at(2)),
            };
            assert_eq!(r.started_at, started, "{from} -> {to}");
            if to.is_terminal() {
                assert_eq!(r.completed_at, Some(at(3)));
                let duration = started.map(|_| 3600.0);
                assert_eq!(r.duration_seconds, duration, "{from} -> {to}");
            } else {
                assert_eq!((r.completed_at, r.duration_seconds), (None, None));
            }
            let cancelled = (to == Cancelled).then(|| at(3));
            assert_eq!(r.cancelled_at, cancelled, "{from} -> {to}");
        }
    }
}

#[test]
fn cancelling_a_queued_run_completes_it_without_a_duration() {
    let mut r = run_in(Queued);
    transition(&mut r, Cancelled, at(4)).unwrap();
    assert_eq!(r.status, Cancelled);
    assert_eq!(r.cancelled_at, Some(at(4)));
    assert_eq!(r.completed_at, Some(at(4)));
    assert_eq!((r.started_at, r.duration_seconds), (None, None));
}

#[test]
fn a_cancelled_run_is_never_overwritten_by_a_late_worker() {
    let mut r = run_in(Running);
    transition(&mut r, Cancelled, at(3)).unwrap();
    for late in [Succeeded, Failed, Timeout, Running] {
        assert_eq!(
            transition(&mut r, late, at(5)),
            Err(TransitionError::Final {
                from: Cancelled,
                to: late
            })
        );
    }
    assert_eq!((r.status, r.completed_at), (Cancelled, Some(at(3))));
}

#[test]
fn timestamps_already_set_are_kept() {
    let mut r = run_in(Queued);
    r.started_at = Some(at(1));
    transition(&mut r, Running, at(2)).unwrap();
    assert_eq!(r.started_at, Some(at(1)), "started_at is set once");
    r.completed_at = Some(at(4));
    transition(&mut r, Failed, at(9)).unwrap();
    assert_eq!(r.completed_at, Some(at(4)), "completed_at is set once");
    assert_eq!(r.duration_seconds, Some(3.0 * 3600.0));
}

#[test]
fn a_clock_that_went_backwards_gives_a_zero_duration() {
    let mut r = run_in(Running);
    transition(&mut r, Succeeded, at(1)).unwrap();
    assert_eq!(r.duration_seconds, Some(0.0));
    assert!((r.progress_percent - 100.0).abs() < f64::EPSILON);
}

#[test]
fn a_queued_run_carries_its_settings_and_fingerprint() {
    let s = scenario(json!({}));
    let opts = settings(
        json!({"priority": "high", "timeout_minutes": 5, "max_retries": 2,
        "asof_date": "2025-01-31", "curve_keys": ["PJM_WEST"]}),
    );
    let r = queued_run(
        RunId::parse(crate::scenarios::fixtures::RUN_ID).unwrap(),
        &s,
        &opts,
        at(7),
    );
    let print = fingerprint(&s, &opts);
    assert_eq!((r.status, r.priority), (Queued, Priority::High));
    assert_eq!(
        (r.attempt, r.retry_count, r.max_retries, r.timeout_minutes),
        (1, 0, 2, 5)
    );
    assert_eq!(r.input_hash, print.input_hash);
    assert_eq!(r.run_key, format!("{}:{}", s.id, print.input_hash));
    assert_eq!((r.queued_at, r.asof_date), (at(7), Some(date(2025, 1, 31))));
    assert_eq!(r.curve_keys[0].as_str(), "PJM_WEST");
    assert_eq!(r.tenant_id.as_str(), "acme");
}
