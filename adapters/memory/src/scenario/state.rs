//! The state behind the backend's mutex, with its indexes. Each index is a `BTreeMap`/`BTreeSet`
//! keyed so that iterating it yields the order a port method answers in.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use aurum_ports::TenantId;
use aurum_ports::outbox::OutboxEvent;
use aurum_ports::scenario::{
    IdempotencyKey, Priority, Run, RunId, Scenario, ScenarioId, ScenarioOutput, UniqueKey,
};
use chrono::{DateTime, TimeDelta, Utc};

use super::idempotency::KeyRow;

/// Newest first, id text descending: the order of scenario and run lists.
pub(super) type NewestKey = (Reverse<DateTime<Utc>>, Reverse<String>);

/// Output order within one run: `(curve_key, tenor_type, tenor_label, metric)`.
pub(super) type OutputKey = (String, String, String, String);

/// Claim order: highest priority, then oldest, then id.
pub(super) type QueueKey = (Reverse<Priority>, DateTime<Utc>, RunId);

/// A worker's hold on a running run.
#[derive(Debug, Clone)]
pub(super) struct Lease {
    pub(super) worker: String,
    pub(super) until: DateTime<Utc>,
}

/// A stored run with its queue bookkeeping.
#[derive(Debug, Clone)]
pub(super) struct RunRow {
    pub(super) run: Run,
    /// Earliest claim (a retry's `not_before`).
    pub(super) not_before: DateTime<Utc>,
    pub(super) lease: Option<Lease>,
    /// Idempotency keys recorded with the run (forgotten with it).
    pub(super) idempotency_keys: Vec<IdempotencyKey>,
}

/// An outbox event with its relay bookkeeping.
#[derive(Debug, Clone)]
pub(super) struct EventRow {
    pub(super) stored: OutboxEvent,
    pub(super) seq: u64,
    pub(super) lease_until: Option<DateTime<Utc>>,
    pub(super) dead: bool,
}

#[derive(Debug, Default)]
pub(super) struct State {
    pub(super) scenarios: HashMap<ScenarioId, Scenario>,
    /// Per tenant, scenarios newest first.
    pub(super) scenario_order: HashMap<TenantId, BTreeMap<NewestKey, ScenarioId>>,
    /// Unique keys of live (not deleted) scenarios.
    pub(super) unique_keys: HashMap<UniqueKey, ScenarioId>,
    pub(super) runs: HashMap<RunId, RunRow>,
    /// Per scenario, runs newest first.
    pub(super) run_order: HashMap<ScenarioId, BTreeMap<NewestKey, RunId>>,
    pub(super) run_keys: HashMap<String, RunId>,
    pub(super) run_idempotency: HashMap<(TenantId, IdempotencyKey), RunId>,
    /// Queued runs in claim order.
    pub(super) queue: BTreeSet<QueueKey>,
    /// Running runs by lease end.
    pub(super) leases: BTreeSet<(DateTime<Utc>, RunId)>,
    pub(super) outputs: HashMap<RunId, BTreeMap<OutputKey, ScenarioOutput>>,
    pub(super) events: HashMap<uuid::Uuid, EventRow>,
    /// Undelivered, live events by `(created_at, seq)`.
    pub(super) pending: BTreeMap<(DateTime<Utc>, u64), uuid::Uuid>,
    /// Dead letters by `(created_at, seq)`.
    pub(super) dead: BTreeMap<(DateTime<Utc>, u64), uuid::Uuid>,
    pub(super) next_seq: u64,
    pub(super) keys: HashMap<(TenantId, String), KeyRow>,
}

pub(super) fn newest_key(at: DateTime<Utc>, id: &str) -> NewestKey {
    (Reverse(at), Reverse(id.to_owned()))
}

pub(super) fn queue_key(run: &Run) -> QueueKey {
    (Reverse(run.priority), run.queued_at, run.id)
}

/// `at + d`, saturating.
pub(super) fn plus(at: DateTime<Utc>, d: std::time::Duration) -> DateTime<Utc> {
    TimeDelta::from_std(d)
        .ok()
        .and_then(|delta| at.checked_add_signed(delta))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

impl State {
    /// The live scenario `id` of `tenant`.
    pub(super) fn scenario_of(&self, tenant: &TenantId, id: ScenarioId) -> Option<&Scenario> {
        self.scenarios.get(&id).filter(|s| {
            s.tenant_id() == tenant && s.status != aurum_ports::scenario::ScenarioStatus::Deleted
        })
    }

    /// Removes a run and everything hanging off it from every index.
    pub(super) fn forget_run(&mut self, id: RunId) {
        let Some(row) = self.runs.remove(&id) else {
            return;
        };
        self.queue.remove(&queue_key(&row.run));
        if let Some(lease) = &row.lease {
            self.leases.remove(&(lease.until, id));
        }
        if self.run_keys.get(&row.run.run_key) == Some(&id) {
            self.run_keys.remove(&row.run.run_key);
        }
        for key in row.idempotency_keys {
            self.run_idempotency
                .remove(&(row.run.tenant_id.clone(), key));
        }
        self.outputs.remove(&id);
    }

    /// Drops the lease of a run (if any) from the row and the lease index.
    pub(super) fn drop_lease(&mut self, id: RunId) {
        if let Some(row) = self.runs.get_mut(&id)
            && let Some(lease) = row.lease.take()
        {
            self.leases.remove(&(lease.until, id));
        }
    }

    /// Appends an event at `at` (inside the caller's critical section).
    pub(super) fn append_event(&mut self, event: aurum_ports::outbox::NewEvent, at: DateTime<Utc>) {
        let seq = self.next_seq;
        self.next_seq += 1;
        let id = event.id;
        let stored = OutboxEvent {
            event,
            attempts: 0,
            created_at: at,
            next_attempt_at: at,
            last_error: None,
        };
        self.pending.insert((at, seq), id);
        self.events.insert(
            id,
            EventRow {
                stored,
                seq,
                lease_until: None,
                dead: false,
            },
        );
    }
}
