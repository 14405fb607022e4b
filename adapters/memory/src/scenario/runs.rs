//! Runs through the store: deduplicated submission, get, list and cancel.

use std::collections::hash_map::Entry;

use aurum_ports::scenario::{IdempotencyKey, Run, RunId, RunStatus, ScenarioId};
use aurum_ports::scenario_store::{CreatedKeyset, RunSubmission};
use aurum_ports::{Page, PageRequest, StoreError, TenantId};
use chrono::{DateTime, Utc};

use super::definitions::newest_page;
use super::state::{RunRow, State, newest_key, queue_key};

/// Moves `run` to a terminal `status` at `at`: `completed_at` set once, the duration from
/// `started_at`, `cancelled_at` for a cancel, progress 100 on success.
pub(super) fn finish(run: &mut Run, status: RunStatus, at: DateTime<Utc>) {
    run.status = status;
    let completed = *run.completed_at.get_or_insert(at);
    if let Some(started) = run.started_at {
        let seconds = (completed - started).as_seconds_f64().max(0.0);
        run.duration_seconds.get_or_insert(seconds);
    }
    match status {
        RunStatus::Cancelled => {
            run.cancelled_at.get_or_insert(at);
        }
        RunStatus::Succeeded => run.progress_percent = 100.0,
        _ => {}
    }
}

impl State {
    pub(super) fn submit_run(
        &mut self,
        run: &Run,
        key: Option<IdempotencyKey>,
    ) -> Result<RunSubmission, StoreError> {
        let by_key = key.as_ref().and_then(|k| {
            self.run_idempotency
                .get(&(run.tenant_id.clone(), k.clone()))
        });
        if let Some(existing) = self.run_keys.get(&run.run_key).or(by_key).copied()
            && let Some(row) = self.runs.get_mut(&existing)
        {
            let found = row.run.clone();
            if let Some(k) = key
                && let Entry::Vacant(slot) = self
                    .run_idempotency
                    .entry((found.tenant_id.clone(), k.clone()))
            {
                slot.insert(found.id);
                row.idempotency_keys.push(k);
            }
            return Ok(RunSubmission::Existing(found));
        }
        if self.scenario_of(&run.tenant_id, run.scenario_id).is_none() {
            return Err(StoreError::Conflict(format!(
                "scenario {} does not exist for the run's tenant",
                run.scenario_id
            )));
        }
        if self.runs.contains_key(&run.id) {
            return Err(StoreError::Conflict(format!(
                "run {} already exists",
                run.id
            )));
        }
        self.run_keys.insert(run.run_key.clone(), run.id);
        if let Some(k) = &key {
            self.run_idempotency
                .insert((run.tenant_id.clone(), k.clone()), run.id);
        }
        self.run_order
            .entry(run.scenario_id)
            .or_default()
            .insert(newest_key(run.queued_at, &run.id.to_string()), run.id);
        if run.status == RunStatus::Queued {
            self.queue.insert(queue_key(run));
        }
        self.runs.insert(
            run.id,
            RunRow {
                run: run.clone(),
                not_before: run.queued_at,
                lease: None,
                idempotency_keys: key.into_iter().collect(),
            },
        );
        Ok(RunSubmission::Created(run.clone()))
    }

    /// The run row of `run` when it belongs to `scenario` of `tenant`.
    fn run_of(&self, tenant: &TenantId, scenario: ScenarioId, run: RunId) -> Option<&RunRow> {
        self.scenario_of(tenant, scenario)?;
        self.runs
            .get(&run)
            .filter(|r| r.run.scenario_id == scenario && r.run.tenant_id == *tenant)
    }

    pub(super) fn get_run(
        &self,
        tenant: &TenantId,
        scenario: ScenarioId,
        run: RunId,
    ) -> Option<Run> {
        self.run_of(tenant, scenario, run).map(|r| r.run.clone())
    }

    pub(super) fn get_run_by_id(&self, tenant: &TenantId, run: RunId) -> Option<Run> {
        let row = self.runs.get(&run)?;
        self.run_of(tenant, row.run.scenario_id, run)
            .map(|r| r.run.clone())
    }

    pub(super) fn list_runs(
        &self,
        tenant: &TenantId,
        scenario: ScenarioId,
        status: Option<RunStatus>,
        page: &PageRequest<CreatedKeyset>,
    ) -> Page<Run> {
        if self.scenario_of(tenant, scenario).is_none() {
            return Page::empty();
        }
        newest_page(self.run_order.get(&scenario), page, |id| {
            self.runs
                .get(id)
                .filter(|r| status.is_none_or(|s| r.run.status == s))
                .map(|r| r.run.clone())
        })
    }

    pub(super) fn cancel_run(
        &mut self,
        tenant: &TenantId,
        scenario: ScenarioId,
        run: RunId,
        at: DateTime<Utc>,
    ) -> Option<Run> {
        let current = self.run_of(tenant, scenario, run)?.run.clone();
        if current.status.is_terminal() {
            return Some(current);
        }
        self.queue.remove(&queue_key(&current));
        self.drop_lease(run);
        let row = self.runs.get_mut(&run)?;
        finish(&mut row.run, RunStatus::Cancelled, at);
        Some(row.run.clone())
    }
}
