//! The scenario use cases over a [`ScenarioStore`]: create, list, get, patch and delete
//! scenarios, and submit, list, get and cancel their runs and read their outputs. Every
//! operation takes the tenant explicitly; another tenant's ids are `NotFound`. Lists page by
//! signed keyset cursors bound to the tenant and the filters.

mod paging;
mod patch;
mod runs;

use std::sync::Arc;

use aurum_ports::outbox::IdGenerator;
use aurum_ports::scenario::{FieldProblem, NewScenario, Scenario, ScenarioId, ScenarioStatus};
use aurum_ports::scenario_store::{CreatedKeyset, ScenarioFilter, ScenarioStore};
use aurum_ports::{Clock, PageRequest, StoreError, TenantId};

pub use patch::ScenarioPatch;
pub use runs::{ListOutputs, ListRuns, run_request_fingerprint};

use super::curves::{CursorPage, ParameterProblem};
use crate::cursor::{CursorCodec, CursorError, QueryBinding};

/// Largest page of scenarios or runs.
pub const MAX_LIST_LIMIT: usize = 200;
/// Largest page of outputs.
pub const MAX_OUTPUT_LIMIT: usize = 500;

/// One bad input: a query parameter or a JSON pointer into the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A query parameter (`limit`, `created_after`).
    Parameter(ParameterProblem),
    /// A body field (`/assumptions/2/payload/capacity_mw`).
    Pointer(FieldProblem),
}

impl Problem {
    /// What is wrong and what to do.
    pub fn detail(&self) -> &str {
        match self {
            Self::Parameter(p) => &p.detail,
            Self::Pointer(p) => &p.detail,
        }
    }
}

fn pointers(found: Vec<FieldProblem>) -> ScenarioError {
    ScenarioError::Invalid(found.into_iter().map(Problem::Pointer).collect())
}

/// Why a scenario operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The input breaks a rule; every problem is listed.
    #[error("invalid input")]
    Invalid(Vec<Problem>),
    /// No such scenario or run for this tenant (`"scenario"` or `"run"`).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The name is taken, the version moved on, or the run cannot change state.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The cursor was refused.
    #[error(transparent)]
    Cursor(#[from] CursorError),
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for ScenarioError {
    /// A store conflict (unique key, version) is a domain conflict; the rest pass through.
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(why) => Self::Conflict(why),
            other => Self::Store(other),
        }
    }
}

/// A page of the tenant's scenarios.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListScenarios {
    /// Filters.
    pub filter: ScenarioFilter,
    /// Page size, 1..=200.
    pub limit: usize,
    /// Cursor from a previous page.
    pub cursor: Option<String>,
}

/// The scenario use cases.
#[derive(Clone)]
pub struct ScenarioService {
    store: Arc<dyn ScenarioStore>,
    ids: Arc<dyn IdGenerator>,
    clock: Arc<dyn Clock>,
    cursors: CursorCodec,
}

impl ScenarioService {
    /// A service over its ports, signing cursors with `cursors`.
    pub fn new(
        store: Arc<dyn ScenarioStore>,
        ids: Arc<dyn IdGenerator>,
        clock: Arc<dyn Clock>,
        cursors: CursorCodec,
    ) -> Self {
        Self {
            store,
            ids,
            clock,
            cursors,
        }
    }

    /// Validates and stores a new scenario (status `created`, version 1).
    ///
    /// # Errors
    /// `Invalid` with every problem, `Conflict` when the tenant has a scenario with the same
    /// name slug, or a store failure.
    pub async fn create(
        &self,
        tenant: &TenantId,
        input: NewScenario,
    ) -> Result<Scenario, ScenarioError> {
        let draft = input.validate().map_err(pointers)?;
        let id = ScenarioId::from_uuid(self.ids.new_id());
        let scenario = Scenario::new(id, tenant.clone(), draft, self.clock.now());
        self.store.create(&scenario).await.map_err(|e| match e {
            StoreError::Conflict(_) => ScenarioError::Conflict(format!(
                "a scenario named like '{}' already exists (unique key {}); choose another name",
                scenario.name(),
                scenario.unique_key()
            )),
            other => ScenarioError::Store(other),
        })?;
        Ok(scenario)
    }

    /// The tenant's scenarios, newest first.
    ///
    /// # Errors
    /// `Invalid` (limit, date range), a refused cursor, or a store failure.
    pub async fn list(
        &self,
        tenant: &TenantId,
        req: &ListScenarios,
    ) -> Result<CursorPage<Scenario>, ScenarioError> {
        let mut problems = Vec::new();
        paging::check_limit(req.limit, MAX_LIST_LIMIT, &mut problems);
        let f = &req.filter;
        if let (Some(after), Some(before)) = (f.created_after, f.created_before)
            && after >= before
        {
            problems.push(Problem::Parameter(ParameterProblem::new(
                "created_after",
                "created_after must be before created_before",
            )));
        }
        if !problems.is_empty() {
            return Err(ScenarioError::Invalid(problems));
        }
        let (after, before) = (
            f.created_after.map(|t| t.to_rfc3339()),
            f.created_before.map(|t| t.to_rfc3339()),
        );
        let binding = QueryBinding::new("scenarios.list")
            .with("tenant", Some(tenant.as_str()))
            .with("status", f.status.map(ScenarioStatus::as_str))
            .with("name", f.name.as_deref())
            .with("tag", f.tag.as_deref())
            .with("created_after", after.as_deref())
            .with("created_before", before.as_deref());
        let position = paging::open(&self.cursors, &binding, req.cursor.as_deref())?;
        let direction = position.as_ref().map(|(d, _)| *d);
        let page = PageRequest {
            limit: req.limit,
            position,
        };
        let found = self.store.list(tenant, f, &page).await?;
        Ok(paging::cursor_page(
            &self.cursors,
            &binding,
            direction,
            found,
            |s: &Scenario| CreatedKeyset {
                at: s.created_at,
                id: s.id.to_string(),
            },
        ))
    }

    /// One scenario of the tenant.
    ///
    /// # Errors
    /// `NotFound` for an unknown, deleted or foreign id; a store failure.
    pub async fn get(&self, tenant: &TenantId, id: ScenarioId) -> Result<Scenario, ScenarioError> {
        self.store
            .get(tenant, id)
            .await?
            .ok_or(ScenarioError::NotFound("scenario"))
    }

    /// Applies `patch`; with `expected_version` (from `If-Match`) only if the scenario is still
    /// at that version. An empty patch returns the scenario unchanged.
    ///
    /// # Errors
    /// `Invalid`, `NotFound`, `Conflict` (version moved on, or the new name is taken), or a
    /// store failure.
    pub async fn patch(
        &self,
        tenant: &TenantId,
        id: ScenarioId,
        patch: ScenarioPatch,
        expected_version: Option<i64>,
    ) -> Result<Scenario, ScenarioError> {
        let current = self.get(tenant, id).await?;
        if let Some(expected) = expected_version
            && expected != current.version
        {
            return Err(stale(expected, current.version));
        }
        if patch.is_empty() {
            return Ok(current);
        }
        let next = patch.apply(&current, self.clock.now()).map_err(pointers)?;
        if self.store.update(&next, current.version).await? {
            Ok(next)
        } else {
            Err(ScenarioError::NotFound("scenario"))
        }
    }

    /// Deletes a scenario with its runs and outputs.
    ///
    /// # Errors
    /// `NotFound`, or a store failure.
    pub async fn delete(&self, tenant: &TenantId, id: ScenarioId) -> Result<(), ScenarioError> {
        if self.store.delete(tenant, id).await? {
            Ok(())
        } else {
            Err(ScenarioError::NotFound("scenario"))
        }
    }
}

fn stale(expected: i64, actual: i64) -> ScenarioError {
    ScenarioError::Conflict(format!(
        "the scenario is at version {actual}, not {expected}; read it again and reapply the change"
    ))
}

#[cfg(test)]
mod tests;
