//! Partial updates of a scenario: every given field is validated like on creation (same
//! pointers), then applied to the stored scenario; the version and `updated_at` are bumped
//! only when something was given.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use aurum_ports::scenario::{AssumptionInput, FieldProblem, NewScenario, Scenario, ScenarioStatus};

/// The fields of a scenario a client may change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScenarioPatch {
    /// New name (re-derives the unique key).
    pub name: Option<String>,
    /// New description; `Some(None)` clears it.
    pub description: Option<Option<String>>,
    /// New status (`created`, `active` or `archived`; deleting is its own operation).
    pub status: Option<ScenarioStatus>,
    /// Replaces every assumption.
    pub assumptions: Option<Vec<AssumptionInput>>,
    /// Replaces the parameters.
    pub parameters: Option<Map<String, Value>>,
    /// Replaces the tags.
    pub tags: Option<Vec<String>>,
}

impl ScenarioPatch {
    /// Whether the patch changes nothing.
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.description.is_none()
            && self.status.is_none()
            && self.assumptions.is_none()
            && self.parameters.is_none()
            && self.tags.is_none()
    }

    /// `current` with the patch applied at `at` (version + 1).
    ///
    /// # Errors
    /// Every problem of the given fields, with pointers into the patch body.
    pub fn apply(
        self,
        current: &Scenario,
        at: DateTime<Utc>,
    ) -> Result<Scenario, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        if self.status == Some(ScenarioStatus::Deleted) {
            problems.push(FieldProblem::new(
                "/status",
                "a scenario is deleted with DELETE, not by setting its status; use created, active or archived",
            ));
        }
        // Validate the given fields as a new scenario would be; absent ones take neutral values.
        let probe = NewScenario {
            name: self
                .name
                .clone()
                .unwrap_or_else(|| current.name().to_string()),
            description: self.description.clone().flatten(),
            assumptions: self.assumptions.clone().unwrap_or_default(),
            parameters: Map::new(),
            tags: self.tags.clone().unwrap_or_default(),
        };
        let draft = match probe.validate() {
            Ok(draft) if problems.is_empty() => draft,
            Ok(_) => return Err(problems),
            Err(mut found) => {
                found.append(&mut problems);
                return Err(found);
            }
        };
        let mut next = current.clone();
        if self.name.is_some() {
            next.rename(draft.name().clone());
        }
        if self.description.is_some() {
            next.description = draft.description().map(str::to_owned);
        }
        if let Some(status) = self.status {
            next.status = status;
        }
        if self.assumptions.is_some() {
            next.assumptions = draft.assumptions().to_vec();
        }
        if let Some(parameters) = self.parameters {
            next.parameters = parameters;
        }
        if self.tags.is_some() {
            next.tags = draft.tags().to_vec();
        }
        next.version += 1;
        next.updated_at = at;
        Ok(next)
    }
}
