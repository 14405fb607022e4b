//! The `ScenarioStore` port: tenant-scoped scenarios, their runs and outputs. Every method
//! takes the tenant; another tenant's ids behave exactly like unknown ids (`None` / `false`).

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::scenario::{
    IdempotencyKey, Run, RunId, RunStatus, Scenario, ScenarioId, ScenarioOutput, ScenarioStatus,
};
use crate::tenant::TenantId;

/// Keyset of scenario and run lists: newest first, id as the tie-breaker.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct CreatedKeyset {
    /// `created_at` (scenarios) or `queued_at` (runs) of the boundary row.
    pub at: DateTime<Utc>,
    /// Its id (as text).
    pub id: String,
}

/// Scenario list filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScenarioFilter {
    /// Exact status.
    pub status: Option<ScenarioStatus>,
    /// Case-insensitive substring of the name.
    pub name: Option<String>,
    /// Has this tag.
    pub tag: Option<String>,
    /// Created at or after.
    pub created_after: Option<DateTime<Utc>>,
    /// Created before.
    pub created_before: Option<DateTime<Utc>>,
}

/// Output filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutputFilter {
    /// Only this run (default: the latest succeeded run's outputs).
    pub run_id: Option<RunId>,
    /// Metric (`mid`, …).
    pub metric: Option<String>,
    /// Tenor type text (`MONTHLY`, …).
    pub tenor_type: Option<String>,
    /// Curve key.
    pub curve_key: Option<String>,
}

/// Keyset of outputs: `(run_id, curve_key, tenor_type, tenor_label, metric)` ascending.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct OutputKeyset {
    /// Run id text.
    pub run_id: String,
    /// Curve key.
    pub curve_key: String,
    /// Tenor type.
    pub tenor_type: String,
    /// Tenor label.
    pub tenor_label: String,
    /// Metric.
    pub metric: String,
}

/// What submitting a run did.
#[derive(Debug, Clone, PartialEq)]
pub enum RunSubmission {
    /// A new run was queued.
    Created(Run),
    /// A run with the same `run_key` (same fingerprint) exists and is returned instead.
    Existing(Run),
}

/// Persistent scenarios, runs and outputs.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait ScenarioStore: Send + Sync + 'static {
    /// Stores a new scenario.
    ///
    /// # Errors
    /// MUST return [`StoreError::Conflict`] when the tenant already has a non-deleted scenario
    /// with the same unique key (slug of the name).
    async fn create(&self, scenario: &Scenario) -> Result<(), StoreError>;

    /// One scenario of the tenant (deleted ones are not returned).
    ///
    /// # Errors
    /// Backend errors only.
    async fn get(&self, tenant: &TenantId, id: ScenarioId) -> Result<Option<Scenario>, StoreError>;

    /// The tenant's scenarios, newest first, filtered and paged.
    ///
    /// # Errors
    /// Backend errors only.
    async fn list(
        &self,
        tenant: &TenantId,
        filter: &ScenarioFilter,
        page: &PageRequest<CreatedKeyset>,
    ) -> Result<Page<Scenario>, StoreError>;

    /// Replaces a scenario if its stored `version` is `expected_version` (the new value carries
    /// the incremented version). Returns `false` when the scenario does not exist for the tenant.
    ///
    /// # Errors
    /// MUST return [`StoreError::Conflict`] on a version mismatch or a unique-key clash.
    async fn update(&self, scenario: &Scenario, expected_version: i64) -> Result<bool, StoreError>;

    /// Deletes a scenario with its runs and outputs; `false` when it does not exist.
    ///
    /// # Errors
    /// Backend errors only.
    async fn delete(&self, tenant: &TenantId, id: ScenarioId) -> Result<bool, StoreError>;

    /// Queues `run` unless a run with the same `run_key` exists (then returns that one). With an
    /// idempotency key, the key is recorded with the run.
    ///
    /// # Errors
    /// Backend errors only.
    async fn submit_run(
        &self,
        run: &Run,
        idempotency_key: Option<IdempotencyKey>,
    ) -> Result<RunSubmission, StoreError>;

    /// One run of one scenario of the tenant.
    ///
    /// # Errors
    /// Backend errors only.
    async fn get_run(
        &self,
        tenant: &TenantId,
        scenario: ScenarioId,
        run: RunId,
    ) -> Result<Option<Run>, StoreError>;

    /// One run of the tenant found by its id alone (for routes that name no scenario). Runs
    /// of deleted scenarios and of other tenants are not returned.
    ///
    /// # Errors
    /// Backend errors only.
    async fn get_run_by_id(&self, tenant: &TenantId, run: RunId)
    -> Result<Option<Run>, StoreError>;

    /// Runs of a scenario, newest first, optionally of one status.
    ///
    /// # Errors
    /// Backend errors only.
    async fn list_runs(
        &self,
        tenant: &TenantId,
        scenario: ScenarioId,
        status: Option<RunStatus>,
        page: &PageRequest<CreatedKeyset>,
    ) -> Result<Page<Run>, StoreError>;

    /// Cancels a queued or running run at `at`; returns the run as it is afterwards (unchanged
    /// when already terminal), `None` when unknown.
    ///
    /// # Errors
    /// Backend errors only.
    async fn cancel_run(
        &self,
        tenant: &TenantId,
        scenario: ScenarioId,
        run: RunId,
        at: DateTime<Utc>,
    ) -> Result<Option<Run>, StoreError>;

    /// Output rows of a scenario, paged by [`OutputKeyset`].
    ///
    /// # Errors
    /// Backend errors only.
    async fn outputs(
        &self,
        tenant: &TenantId,
        scenario: ScenarioId,
        filter: &OutputFilter,
        page: &PageRequest<OutputKeyset>,
    ) -> Result<Page<ScenarioOutput>, StoreError>;

    /// Per (metric, `tenor_label`, `curve_key`) the newest value over the scenario's succeeded runs.
    ///
    /// # Errors
    /// Backend errors only.
    async fn latest_metrics(
        &self,
        tenant: &TenantId,
        scenario: ScenarioId,
        asof: Option<NaiveDate>,
    ) -> Result<Vec<ScenarioOutput>, StoreError>;
}
