//! Scenario definitions: the client's input (`NewScenario`), its validated form
//! (`ScenarioDraft`) and the stored scenario (`Scenario`), whose unique key always matches its
//! tenant and name.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{
    Assumption, AssumptionInput, FieldProblem, ScenarioId, ScenarioStatus, UniqueKey, tenant_serde,
};
use crate::TenantId;

/// Longest scenario name, in characters (after trimming).
pub const MAX_NAME_CHARS: usize = 200;
/// Longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 2000;
/// Most tags on one scenario.
pub const MAX_TAGS: usize = 50;
/// Longest tag, in characters (after trimming).
pub const MAX_TAG_CHARS: usize = 64;

/// A scenario name: trimmed, 1 to 200 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct ScenarioName(String);

/// The raw value is not a scenario name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("name must be 1 to 200 characters after trimming")]
pub struct InvalidName;

impl ScenarioName {
    /// Trims and validates a name.
    ///
    /// # Errors
    /// [`InvalidName`] when the trimmed name is empty or longer than 200 characters.
    pub fn parse(raw: &str) -> Result<Self, InvalidName> {
        let t = raw.trim();
        if t.is_empty() || t.chars().count() > MAX_NAME_CHARS {
            Err(InvalidName)
        } else {
            Ok(Self(t.to_owned()))
        }
    }

    /// The name's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ScenarioName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A scenario as a client submits it (`POST /scenarios`), before validation.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct NewScenario {
    /// Display name; unique per tenant by its slug.
    #[serde(default)]
    pub name: String,
    /// Free text.
    #[serde(default)]
    pub description: Option<String>,
    /// Driver assumptions, each validated by [`Assumption::parse`].
    #[serde(default)]
    pub assumptions: Vec<AssumptionInput>,
    /// Free-form parameters.
    #[serde(default)]
    pub parameters: Map<String, Value>,
    /// Labels for filtering.
    #[serde(default)]
    pub tags: Vec<String>,
}

impl NewScenario {
    /// Validates every field: name (trimmed, 1..=200 characters), description (≤ 2000
    /// characters), each assumption, and tags (≤ 50, each trimmed to 1..=64 characters;
    /// repeated tags are kept once, in first-seen order).
    ///
    /// # Errors
    /// Every problem, with pointers into the request body (`/name`,
    /// `/assumptions/2/payload/capacity_mw`, `/tags/3`).
    pub fn validate(self) -> Result<ScenarioDraft, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let name = ScenarioName::parse(&self.name)
            .map_err(|e| problems.push(FieldProblem::new("/name", e.to_string())))
            .ok();
        if let Some(d) = &self.description
            && d.chars().count() > MAX_DESCRIPTION_CHARS
        {
            problems.push(FieldProblem::new(
                "/description",
                format!("must be at most {MAX_DESCRIPTION_CHARS} characters"),
            ));
        }
        let mut assumptions = Vec::with_capacity(self.assumptions.len());
        for (i, a) in self.assumptions.iter().enumerate() {
            match Assumption::parse(&a.driver_type, &a.payload, a.version.as_deref()) {
                Ok(parsed) => assumptions.push(parsed),
                Err(found) => problems.extend(
                    found
                        .into_iter()
                        .map(|p| p.under(&format!("/assumptions/{i}"))),
                ),
            }
        }
        let tags = validate_tags(&self.tags, &mut problems);
        match name {
            Some(name) if problems.is_empty() => Ok(ScenarioDraft {
                name,
                description: self.description,
                assumptions,
                parameters: self.parameters,
                tags,
            }),
            _ => Err(problems),
        }
    }
}

fn validate_tags(raw: &[String], problems: &mut Vec<FieldProblem>) -> Vec<String> {
    if raw.len() > MAX_TAGS {
        problems.push(FieldProblem::new(
            "/tags",
            format!("must hold at most {MAX_TAGS} tags"),
        ));
    }
    let mut tags: Vec<String> = Vec::with_capacity(raw.len());
    for (i, tag) in raw.iter().enumerate() {
        let t = tag.trim();
        if t.is_empty() || t.chars().count() > MAX_TAG_CHARS {
            problems.push(FieldProblem::new(
                format!("/tags/{i}"),
                format!("each tag must be 1 to {MAX_TAG_CHARS} characters after trimming"),
            ));
        } else if !tags.iter().any(|seen| seen == t) {
            tags.push(t.to_owned());
        }
    }
    tags
}

/// A validated [`NewScenario`]; only [`NewScenario::validate`] makes one.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioDraft {
    name: ScenarioName,
    description: Option<String>,
    assumptions: Vec<Assumption>,
    parameters: Map<String, Value>,
    tags: Vec<String>,
}

impl ScenarioDraft {
    /// The validated name.
    pub fn name(&self) -> &ScenarioName {
        &self.name
    }

    /// The description.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The free-form parameters.
    pub fn parameters(&self) -> &Map<String, Value> {
        &self.parameters
    }

    /// The validated assumptions, in the client's order.
    pub fn assumptions(&self) -> &[Assumption] {
        &self.assumptions
    }

    /// The trimmed, de-duplicated tags.
    pub fn tags(&self) -> &[String] {
        &self.tags
    }
}

/// A stored scenario (DOMAIN.md §2). Tenant, name and unique key are private so that the
/// unique key is always `<tenant>:<slug(name)>`; change the name with [`Scenario::rename`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scenario {
    /// Identity.
    pub id: ScenarioId,
    #[serde(with = "tenant_serde")]
    tenant_id: TenantId,
    name: ScenarioName,
    /// Free text.
    pub description: Option<String>,
    /// Lifecycle status.
    pub status: ScenarioStatus,
    unique_key: UniqueKey,
    /// Driver assumptions, in order.
    pub assumptions: Vec<Assumption>,
    /// Free-form parameters.
    pub parameters: Map<String, Value>,
    /// Labels.
    pub tags: Vec<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Optimistic-concurrency version, 1 on creation, +1 per change.
    pub version: i64,
}

impl Scenario {
    /// A new scenario from a validated draft: status `created`, version 1, created and
    /// updated `at`.
    pub fn new(
        id: ScenarioId,
        tenant_id: TenantId,
        draft: ScenarioDraft,
        at: DateTime<Utc>,
    ) -> Self {
        let unique_key = UniqueKey::new(&tenant_id, draft.name.as_str());
        Self {
            id,
            tenant_id,
            name: draft.name,
            description: draft.description,
            status: ScenarioStatus::Created,
            unique_key,
            assumptions: draft.assumptions,
            parameters: draft.parameters,
            tags: draft.tags,
            created_at: at,
            updated_at: at,
            version: 1,
        }
    }

    /// Rebuilds a stored scenario from its parts (for adapters reading their backend); the
    /// unique key is re-derived from `tenant_id` and `name`, so it always matches them.
    #[expect(
        clippy::too_many_arguments,
        reason = "one argument per stored column; adapters rebuild rows field by field"
    )]
    pub fn restore(
        id: ScenarioId,
        tenant_id: TenantId,
        name: ScenarioName,
        description: Option<String>,
        status: ScenarioStatus,
        assumptions: Vec<Assumption>,
        parameters: Map<String, Value>,
        tags: Vec<String>,
        created_at: DateTime<Utc>,
        updated_at: DateTime<Utc>,
        version: i64,
    ) -> Self {
        let unique_key = UniqueKey::new(&tenant_id, name.as_str());
        Self {
            id,
            tenant_id,
            name,
            description,
            status,
            unique_key,
            assumptions,
            parameters,
            tags,
            created_at,
            updated_at,
            version,
        }
    }

    /// Renames the scenario and re-derives its unique key (timestamps and version are the
    /// caller's to bump).
    pub fn rename(&mut self, name: ScenarioName) {
        self.unique_key = UniqueKey::new(&self.tenant_id, name.as_str());
        self.name = name;
    }

    /// The owning tenant.
    pub fn tenant_id(&self) -> &TenantId {
        &self.tenant_id
    }

    /// The name.
    pub fn name(&self) -> &ScenarioName {
        &self.name
    }

    /// `<tenant>:<slug(name)>`.
    pub fn unique_key(&self) -> &UniqueKey {
        &self.unique_key
    }
}

#[cfg(test)]
mod tests;
