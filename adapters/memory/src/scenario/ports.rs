//! The port trait implementations: each locks the state once and runs one synchronous
//! operation, so every call is atomic and no lock is held across an `.await`.

use std::time::Duration;

use async_trait::async_trait;
use aurum_ports::idempotency::{IdempotencyClaim, IdempotencyStore, StoredResponse};
use aurum_ports::outbox::{NewEvent, Outbox, OutboxEvent, OutboxStats};
use aurum_ports::run_queue::{ClaimedRun, FailOutcome, RunQueue};
use aurum_ports::scenario::{
    IdempotencyKey, Run, RunId, RunStatus, Scenario, ScenarioId, ScenarioOutput,
};
use aurum_ports::scenario_store::{
    CreatedKeyset, OutputFilter, OutputKeyset, RunSubmission, ScenarioFilter, ScenarioStore,
};
use aurum_ports::{Page, PageRequest, StoreError, TenantId};
use chrono::{DateTime, NaiveDate, Utc};

use super::MemoryScenarioBackend;

#[async_trait]
impl ScenarioStore for MemoryScenarioBackend {
    async fn create(&self, scenario: &Scenario) -> Result<(), StoreError> {
        self.with(|s| s.create(scenario))
    }

    async fn get(&self, tenant: &TenantId, id: ScenarioId) -> Result<Option<Scenario>, StoreError> {
        Ok(self.with(|s| s.scenario_of(tenant, id).cloned()))
    }

    async fn list(
        &self,
        tenant: &TenantId,
        filter: &ScenarioFilter,
        page: &PageRequest<CreatedKeyset>,
    ) -> Result<Page<Scenario>, StoreError> {
        Ok(self.with(|s| s.list(tenant, filter, page)))
    }

    async fn update(&self, scenario: &Scenario, expected_version: i64) -> Result<bool, StoreError> {
        self.with(|s| s.update(scenario, expected_version))
    }

    async fn delete(&self, tenant: &TenantId, id: ScenarioId) -> Result<bool, StoreError> {
        Ok(self.with(|s| s.delete(tenant, id)))
    }

    async fn submit_run(
        &self,
        run: &Run,
        idempotency_key: Option<IdempotencyKey>,
    ) -> Result<RunSubmission, StoreError> {
        self.with(|s| s.submit_run(run, idempotency_key))
    }

    async fn get_run(
        &self,
        tenant: &TenantId,
        scenario: ScenarioId,
        run: RunId,
    ) -> Result<Option<Run>, StoreError> {
        Ok(self.with(|s| s.get_run(tenant, scenario, run)))
    }

    async fn get_run_by_id(
        &self,
        tenant: &TenantId,
        run: RunId,
    ) -> Result<Option<Run>, StoreError> {
        Ok(self.with(|s| s.get_run_by_id(tenant, run)))
    }

    async fn list_runs(
        &self,
        tenant: &TenantId,
        scenario: ScenarioId,
        status: Option<RunStatus>,
        page: &PageRequest<CreatedKeyset>,
    ) -> Result<Page<Run>, StoreError> {
        Ok(self.with(|s| s.list_runs(tenant, scenario, status, page)))
    }

    async fn cancel_run(
        &self,
        tenant: &TenantId,
        scenario: ScenarioId,
        run: RunId,
        at: DateTime<Utc>,
    ) -> Result<Option<Run>, StoreError> {
        Ok(self.with(|s| s.cancel_run(tenant, scenario, run, at)))
    }

    async fn outputs(
        &self,
        tenant: &TenantId,
        scenario: ScenarioId,
        filter: &OutputFilter,
        page: &PageRequest<OutputKeyset>,
    ) -> Result<Page<ScenarioOutput>, StoreError> {
        Ok(self.with(|s| s.outputs(tenant, scenario, filter, page)))
    }

    async fn latest_metrics(
        &self,
        tenant: &TenantId,
        scenario: ScenarioId,
        asof: Option<NaiveDate>,
    ) -> Result<Vec<ScenarioOutput>, StoreError> {
        Ok(self.with(|s| s.latest_metrics(tenant, scenario, asof)))
    }
}

#[async_trait]
impl RunQueue for MemoryScenarioBackend {
    async fn claim(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Option<ClaimedRun>, StoreError> {
        Ok(self.with(|s| s.claim(worker, now, lease)))
    }

    async fn heartbeat(
        &self,
        run: RunId,
        worker: &str,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        Ok(self.with(|s| s.heartbeat(run, worker, until)))
    }

    async fn status(&self, run: RunId) -> Result<Option<RunStatus>, StoreError> {
        Ok(self.with(|s| s.runs.get(&run).map(|r| r.run.status)))
    }

    async fn complete(
        &self,
        run: RunId,
        worker: &str,
        at: DateTime<Utc>,
        outputs: Vec<ScenarioOutput>,
        event: NewEvent,
    ) -> Result<bool, StoreError> {
        Ok(self.with(|s| s.complete(run, worker, at, outputs, event)))
    }

    async fn fail(
        &self,
        run: RunId,
        worker: &str,
        at: DateTime<Utc>,
        error: &str,
        outcome: FailOutcome,
        event: Option<NewEvent>,
    ) -> Result<bool, StoreError> {
        Ok(self.with(|s| s.fail(run, worker, at, error, outcome, event)))
    }

    async fn release(&self, run: RunId, worker: &str) -> Result<bool, StoreError> {
        Ok(self.with(|s| s.release(run, worker)))
    }

    async fn reclaim_expired(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        Ok(self.with(|s| s.reclaim_expired(now)))
    }
}

#[async_trait]
impl Outbox for MemoryScenarioBackend {
    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<OutboxEvent>, StoreError> {
        Ok(self.with(|s| s.claim_due(now, limit, lease)))
    }

    async fn mark_delivered(&self, id: uuid::Uuid, _at: DateTime<Utc>) -> Result<(), StoreError> {
        self.with(|s| s.mark_delivered(id));
        Ok(())
    }

    async fn reschedule(
        &self,
        id: uuid::Uuid,
        at: DateTime<Utc>,
        error: &str,
    ) -> Result<(), StoreError> {
        self.with(|s| s.reschedule(id, at, error));
        Ok(())
    }

    async fn dead_letter(&self, id: uuid::Uuid, error: &str) -> Result<(), StoreError> {
        self.with(|s| s.dead_letter(id, error));
        Ok(())
    }

    async fn dead_letters(&self, limit: usize) -> Result<Vec<OutboxEvent>, StoreError> {
        Ok(self.with(|s| s.dead_letters(limit)))
    }

    async fn redrive(&self, id: uuid::Uuid, now: DateTime<Utc>) -> Result<bool, StoreError> {
        Ok(self.with(|s| s.redrive(id, now)))
    }

    async fn stats(&self) -> Result<OutboxStats, StoreError> {
        Ok(self.with(|s| s.outbox_stats()))
    }
}

#[async_trait]
impl IdempotencyStore for MemoryScenarioBackend {
    async fn begin(
        &self,
        tenant: &TenantId,
        key: &str,
        fingerprint: &str,
        now: DateTime<Utc>,
        stale_after: Duration,
    ) -> Result<IdempotencyClaim, StoreError> {
        Ok(self.with(|s| s.begin(tenant, key, fingerprint, now, stale_after)))
    }

    async fn complete(
        &self,
        tenant: &TenantId,
        key: &str,
        response: StoredResponse,
    ) -> Result<(), StoreError> {
        self.with(|s| s.complete_key(tenant, key, response));
        Ok(())
    }

    async fn abandon(&self, tenant: &TenantId, key: &str) -> Result<(), StoreError> {
        self.with(|s| s.abandon(tenant, key));
        Ok(())
    }
}
