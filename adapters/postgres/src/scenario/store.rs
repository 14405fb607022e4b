//! The [`ScenarioStore`] port: each method is one tenant-scoped transaction (see
//! `definitions`, `runs` and `outputs` for the statements).

use async_trait::async_trait;
use aurum_ports::page::{Page, PageRequest};
use aurum_ports::scenario::{
    IdempotencyKey, Run, RunId, RunStatus, Scenario, ScenarioId, ScenarioOutput,
};
use aurum_ports::scenario_store::{
    CreatedKeyset, OutputFilter, OutputKeyset, RunSubmission, ScenarioFilter, ScenarioStore,
};
use aurum_ports::{StoreError, TenantId};
use chrono::{DateTime, NaiveDate, Utc};

use super::PgScenarioBackend;

#[async_trait]
impl ScenarioStore for PgScenarioBackend {
    async fn create(&self, scenario: &Scenario) -> Result<(), StoreError> {
        self.create_scenario(scenario).await
    }

    async fn get(&self, tenant: &TenantId, id: ScenarioId) -> Result<Option<Scenario>, StoreError> {
        self.get_scenario(tenant, id).await
    }

    async fn list(
        &self,
        tenant: &TenantId,
        filter: &ScenarioFilter,
        page: &PageRequest<CreatedKeyset>,
    ) -> Result<Page<Scenario>, StoreError> {
        self.list_scenarios(tenant, filter, page).await
    }

    async fn update(&self, scenario: &Scenario, expected_version: i64) -> Result<bool, StoreError> {
        self.update_scenario(scenario, expected_version).await
    }

    async fn delete(&self, tenant: &TenantId, id: ScenarioId) -> Result<bool, StoreError> {
        self.delete_scenario(tenant, id).await
    }

    async fn submit_run(
        &self,
        run: &Run,
        idempotency_key: Option<IdempotencyKey>,
    ) -> Result<RunSubmission, StoreError> {
        self.submit(run, idempotency_key).await
    }

    async fn get_run(
        &self,
        tenant: &TenantId,
        scenario: ScenarioId,
        run: RunId,
    ) -> Result<Option<Run>, StoreError> {
        self.run(tenant, scenario, run).await
    }

    async fn get_run_by_id(
        &self,
        tenant: &TenantId,
        run: RunId,
    ) -> Result<Option<Run>, StoreError> {
        self.run_by_id(tenant, run).await
    }

    async fn list_runs(
        &self,
        tenant: &TenantId,
        scenario: ScenarioId,
        status: Option<RunStatus>,
        page: &PageRequest<CreatedKeyset>,
    ) -> Result<Page<Run>, StoreError> {
        self.runs(tenant, scenario, status, page).await
    }

    async fn cancel_run(
        &self,
        tenant: &TenantId,
        scenario: ScenarioId,
        run: RunId,
        at: DateTime<Utc>,
    ) -> Result<Option<Run>, StoreError> {
        self.cancel(tenant, scenario, run, at).await
    }

    async fn outputs(
        &self,
        tenant: &TenantId,
        scenario: ScenarioId,
        filter: &OutputFilter,
        page: &PageRequest<OutputKeyset>,
    ) -> Result<Page<ScenarioOutput>, StoreError> {
        self.scenario_outputs(tenant, scenario, filter, page).await
    }

    async fn latest_metrics(
        &self,
        tenant: &TenantId,
        scenario: ScenarioId,
        asof: Option<NaiveDate>,
    ) -> Result<Vec<ScenarioOutput>, StoreError> {
        self.latest(tenant, scenario, asof).await
    }
}
