//! The run queue: claims in priority-then-age order, leases, and the finishing writes (run
//! status, outputs and outbox event in one critical section).

use std::collections::BTreeMap;

use aurum_ports::outbox::NewEvent;
use aurum_ports::run_queue::{ClaimedRun, FailOutcome};
use aurum_ports::scenario::{RunId, RunStatus, ScenarioOutput};
use chrono::{DateTime, Utc};

use super::runs::finish;
use super::state::{Lease, State, queue_key};

impl State {
    pub(super) fn claim(
        &mut self,
        worker: &str,
        now: DateTime<Utc>,
        lease: std::time::Duration,
    ) -> Option<ClaimedRun> {
        let key = *self.queue.iter().find(|(_, _, id)| {
            self.runs
                .get(id)
                .is_some_and(|r| r.not_before <= now && r.run.status == RunStatus::Queued)
        })?;
        self.queue.remove(&key);
        let id = key.2;
        let until = super::state::plus(now, lease);
        let row = self.runs.get_mut(&id)?;
        row.run.status = RunStatus::Running;
        row.run.started_at.get_or_insert(now);
        row.lease = Some(Lease {
            worker: worker.to_owned(),
            until,
        });
        let run = row.run.clone();
        self.leases.insert((until, id));
        let scenario = self.scenarios.get(&run.scenario_id)?.clone();
        Some(ClaimedRun {
            traceparent: run.traceparent.clone(),
            run,
            scenario,
            lease_until: until,
        })
    }

    /// Whether `worker` holds a running lease on `run`.
    fn holds(&self, run: RunId, worker: &str) -> bool {
        self.runs.get(&run).is_some_and(|r| {
            r.run.status == RunStatus::Running
                && r.lease.as_ref().is_some_and(|l| l.worker == worker)
        })
    }

    pub(super) fn heartbeat(&mut self, run: RunId, worker: &str, until: DateTime<Utc>) -> bool {
        if !self.holds(run, worker) {
            return false;
        }
        self.drop_lease(run);
        if let Some(row) = self.runs.get_mut(&run) {
            row.lease = Some(Lease {
                worker: worker.to_owned(),
                until,
            });
        }
        self.leases.insert((until, run));
        true
    }

    pub(super) fn complete(
        &mut self,
        run: RunId,
        worker: &str,
        at: DateTime<Utc>,
        outputs: Vec<ScenarioOutput>,
        event: NewEvent,
    ) -> bool {
        if !self.holds(run, worker) {
            return false;
        }
        self.drop_lease(run);
        if let Some(row) = self.runs.get_mut(&run) {
            finish(&mut row.run, RunStatus::Succeeded, at);
        }
        let rows: BTreeMap<_, _> = outputs
            .into_iter()
            .map(|o| {
                let key = (
                    o.curve_key.as_str().to_owned(),
                    o.tenor_type.as_str().to_owned(),
                    o.tenor_label.clone(),
                    o.metric.clone(),
                );
                (key, o)
            })
            .collect();
        self.outputs.insert(run, rows);
        self.append_event(event, at);
        true
    }

    pub(super) fn fail(
        &mut self,
        run: RunId,
        worker: &str,
        at: DateTime<Utc>,
        error: &str,
        outcome: FailOutcome,
        event: Option<NewEvent>,
    ) -> bool {
        if !self.holds(run, worker) {
            return false;
        }
        self.drop_lease(run);
        let Some(row) = self.runs.get_mut(&run) else {
            return false;
        };
        row.run.error_message = Some(error.to_owned());
        match outcome {
            FailOutcome::Retry { not_before } => {
                row.run.status = RunStatus::Queued;
                row.run.attempt += 1;
                row.run.retry_count += 1;
                row.not_before = not_before;
                let key = queue_key(&row.run);
                self.queue.insert(key);
            }
            FailOutcome::Failed => finish(&mut row.run, RunStatus::Failed, at),
            FailOutcome::TimedOut => finish(&mut row.run, RunStatus::Timeout, at),
        }
        if let Some(event) = event {
            self.append_event(event, at);
        }
        true
    }

    /// Queues a running run again without counting an attempt.
    fn requeue(&mut self, run: RunId) {
        self.drop_lease(run);
        if let Some(row) = self.runs.get_mut(&run) {
            row.run.status = RunStatus::Queued;
            let key = queue_key(&row.run);
            self.queue.insert(key);
        }
    }

    pub(super) fn release(&mut self, run: RunId, worker: &str) -> bool {
        if !self.holds(run, worker) {
            return false;
        }
        self.requeue(run);
        true
    }

    pub(super) fn reclaim_expired(&mut self, now: DateTime<Utc>) -> u64 {
        let floor = RunId::from_uuid(uuid::Uuid::nil());
        let expired: Vec<RunId> = self
            .leases
            .range(..(now, floor))
            .map(|(_, id)| *id)
            .collect();
        for &id in &expired {
            self.requeue(id);
        }
        expired.len() as u64
    }
}
