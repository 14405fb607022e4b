//! Run use cases of [`ScenarioService`]: submit (deduplicated by fingerprint), list, get,
//! cancel, and the outputs and latest metrics of a scenario.

use chrono::NaiveDate;
use serde_json::json;
use sha2::{Digest, Sha256};

use aurum_ports::scenario::{Run, RunId, RunOptions, RunStatus, ScenarioId, ScenarioOutput};
use aurum_ports::scenario_store::{CreatedKeyset, OutputFilter, OutputKeyset, RunSubmission};
use aurum_ports::{PageRequest, TenantId, TenorType};

use super::{
    MAX_LIST_LIMIT, MAX_OUTPUT_LIMIT, Problem, ScenarioError, ScenarioService, paging, pointers,
};
use crate::cursor::QueryBinding;
use crate::scenarios::{canonical_json, queued_run};
use crate::service::curves::{CursorPage, ParameterProblem};

/// A page of a scenario's runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListRuns {
    /// Only runs in this status.
    pub status: Option<RunStatus>,
    /// Page size, 1..=200.
    pub limit: usize,
    /// Cursor from a previous page.
    pub cursor: Option<String>,
}

/// A page of a scenario's outputs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListOutputs {
    /// Filters (`tenor_type` is validated and normalised).
    pub filter: OutputFilter,
    /// Page size, 1..=500.
    pub limit: usize,
    /// Cursor from a previous page.
    pub cursor: Option<String>,
}

/// The fingerprint of a run submission request (for `Idempotency-Key` reuse checks): the
/// sha256 hex of the canonical JSON of the scenario id and the options as sent.
pub fn run_request_fingerprint(scenario: ScenarioId, options: &RunOptions) -> String {
    let body = json!({ "scenario_id": scenario, "options": options });
    hex::encode(Sha256::digest(canonical_json(&body).as_bytes()))
}

impl ScenarioService {
    /// Queues a run of the scenario, unless a run with the same fingerprint exists:
    /// `Created` for a new run, `Existing` with the earlier one.
    ///
    /// # Errors
    /// `Invalid` with every option problem, `NotFound`, or a store failure.
    pub async fn submit_run(
        &self,
        tenant: &TenantId,
        scenario: ScenarioId,
        options: RunOptions,
    ) -> Result<RunSubmission, ScenarioError> {
        self.submit_run_traced(tenant, scenario, options, None)
            .await
    }

    /// [`Self::submit_run`] remembering the W3C `traceparent` of the submitting request with
    /// a new run, so the worker's span of it continues that trace (an existing run keeps the
    /// context it was first submitted with).
    ///
    /// # Errors
    /// As [`Self::submit_run`].
    pub async fn submit_run_traced(
        &self,
        tenant: &TenantId,
        scenario: ScenarioId,
        options: RunOptions,
        traceparent: Option<String>,
    ) -> Result<RunSubmission, ScenarioError> {
        let settings = options.validate().map_err(pointers)?;
        let scenario = self.get(tenant, scenario).await?;
        let id = RunId::from_uuid(self.ids.new_id());
        let mut run = queued_run(id, &scenario, &settings, self.clock.now());
        run.traceparent = traceparent;
        let key = settings.idempotency_key().cloned();
        Ok(self.store.submit_run(&run, key).await?)
    }

    /// A scenario's runs, newest first.
    ///
    /// # Errors
    /// `Invalid` (limit), `NotFound`, a refused cursor, or a store failure.
    pub async fn list_runs(
        &self,
        tenant: &TenantId,
        scenario: ScenarioId,
        req: &ListRuns,
    ) -> Result<CursorPage<Run>, ScenarioError> {
        let mut problems = Vec::new();
        paging::check_limit(req.limit, MAX_LIST_LIMIT, &mut problems);
        if !problems.is_empty() {
            return Err(ScenarioError::Invalid(problems));
        }
        let scenario_text = scenario.to_string();
        let binding = QueryBinding::new("scenarios.runs")
            .with("tenant", Some(tenant.as_str()))
            .with("scenario", Some(&scenario_text))
            .with("status", req.status.map(RunStatus::as_str));
        let position = paging::open(&self.cursors, &binding, req.cursor.as_deref())?;
        self.get(tenant, scenario).await?;
        let direction = position.as_ref().map(|(d, _)| *d);
        let page = PageRequest {
            limit: req.limit,
            position,
        };
        let found = self
            .store
            .list_runs(tenant, scenario, req.status, &page)
            .await?;
        Ok(paging::cursor_page(
            &self.cursors,
            &binding,
            direction,
            found,
            |r: &Run| CreatedKeyset {
                at: r.queued_at,
                id: r.id.to_string(),
            },
        ))
    }

    /// One run of one scenario of the tenant.
    ///
    /// # Errors
    /// `NotFound`, or a store failure.
    pub async fn get_run(
        &self,
        tenant: &TenantId,
        scenario: ScenarioId,
        run: RunId,
    ) -> Result<Run, ScenarioError> {
        self.store
            .get_run(tenant, scenario, run)
            .await?
            .ok_or(ScenarioError::NotFound("run"))
    }

    /// One run of the tenant found by its id alone (v1 routes name no scenario).
    ///
    /// # Errors
    /// `NotFound`, or a store failure.
    pub async fn get_run_by_id(&self, tenant: &TenantId, run: RunId) -> Result<Run, ScenarioError> {
        self.store
            .get_run_by_id(tenant, run)
            .await?
            .ok_or(ScenarioError::NotFound("run"))
    }

    /// Cancels a queued or running run; cancelling a cancelled run again returns it as is.
    ///
    /// # Errors
    /// `NotFound`, `Conflict` when the run already ended otherwise, or a store failure.
    pub async fn cancel_run(
        &self,
        tenant: &TenantId,
        scenario: ScenarioId,
        run: RunId,
    ) -> Result<Run, ScenarioError> {
        let now = self.clock.now();
        let after = self
            .store
            .cancel_run(tenant, scenario, run, now)
            .await?
            .ok_or(ScenarioError::NotFound("run"))?;
        match after.status {
            RunStatus::Succeeded | RunStatus::Failed | RunStatus::Timeout => {
                Err(ScenarioError::Conflict(format!(
                    "the run already ended as {}; only queued or running runs can be cancelled",
                    after.status
                )))
            }
            _ => Ok(after),
        }
    }

    /// Output rows of a scenario (by default those of its latest succeeded run).
    ///
    /// # Errors
    /// `Invalid` (limit, tenor type), `NotFound`, a refused cursor, or a store failure.
    pub async fn outputs(
        &self,
        tenant: &TenantId,
        scenario: ScenarioId,
        req: &ListOutputs,
    ) -> Result<CursorPage<ScenarioOutput>, ScenarioError> {
        let mut problems = Vec::new();
        paging::check_limit(req.limit, MAX_OUTPUT_LIMIT, &mut problems);
        let mut filter = req.filter.clone();
        if let Some(raw) = &req.filter.tenor_type {
            match raw.parse::<TenorType>() {
                Ok(t) => filter.tenor_type = Some(t.as_str().to_owned()),
                Err(e) => problems.push(Problem::Parameter(ParameterProblem::new(
                    "tenor_type",
                    e.to_string(),
                ))),
            }
        }
        if !problems.is_empty() {
            return Err(ScenarioError::Invalid(problems));
        }
        let (scenario_text, run_text) =
            (scenario.to_string(), filter.run_id.map(|r| r.to_string()));
        let binding = QueryBinding::new("scenarios.outputs")
            .with("tenant", Some(tenant.as_str()))
            .with("scenario", Some(&scenario_text))
            .with("run_id", run_text.as_deref())
            .with("metric", filter.metric.as_deref())
            .with("tenor_type", filter.tenor_type.as_deref())
            .with("curve_key", filter.curve_key.as_deref());
        let position = paging::open(&self.cursors, &binding, req.cursor.as_deref())?;
        self.get(tenant, scenario).await?;
        let direction = position.as_ref().map(|(d, _)| *d);
        let page = PageRequest {
            limit: req.limit,
            position,
        };
        let found = self.store.outputs(tenant, scenario, &filter, &page).await?;
        Ok(paging::cursor_page(
            &self.cursors,
            &binding,
            direction,
            found,
            output_keyset,
        ))
    }

    /// Per (metric, tenor label, curve key) the newest value over the scenario's succeeded
    /// runs, optionally at one pricing date.
    ///
    /// # Errors
    /// `NotFound`, or a store failure.
    pub async fn latest_metrics(
        &self,
        tenant: &TenantId,
        scenario: ScenarioId,
        asof: Option<NaiveDate>,
    ) -> Result<Vec<ScenarioOutput>, ScenarioError> {
        self.get(tenant, scenario).await?;
        Ok(self.store.latest_metrics(tenant, scenario, asof).await?)
    }
}

/// The sort key of an output row.
fn output_keyset(o: &ScenarioOutput) -> OutputKeyset {
    OutputKeyset {
        run_id: o.run_id.to_string(),
        curve_key: o.curve_key.as_str().to_owned(),
        tenor_type: o.tenor_type.as_str().to_owned(),
        tenor_label: o.tenor_label.clone(),
        metric: o.metric.clone(),
    }
}
