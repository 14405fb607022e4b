//! Scenario definitions: create, get, list (filters + keyset paging), optimistic update and
//! cascading delete.

use std::collections::BTreeMap;
use std::ops::Bound;

use aurum_ports::scenario::{Scenario, ScenarioId, ScenarioStatus};
use aurum_ports::scenario_store::{CreatedKeyset, ScenarioFilter};
use aurum_ports::{Direction, Page, PageRequest, StoreError, TenantId};

use super::paging::take_page;
use super::state::{NewestKey, State, newest_key};

fn matches(s: &Scenario, f: &ScenarioFilter, needle: Option<&str>) -> bool {
    s.status != ScenarioStatus::Deleted
        && f.status.is_none_or(|st| s.status == st)
        && needle.is_none_or(|n| s.name().as_str().to_lowercase().contains(n))
        && f.tag.as_ref().is_none_or(|t| s.tags.iter().any(|x| x == t))
        && f.created_after.is_none_or(|at| s.created_at >= at)
        && f.created_before.is_none_or(|at| s.created_at < at)
}

/// The page of `order` (a newest-first index) that `page` asks for, keeping rows `pick` maps.
pub(super) fn newest_page<V: Copy, T>(
    order: Option<&BTreeMap<NewestKey, V>>,
    page: &PageRequest<CreatedKeyset>,
    pick: impl FnMut(&V) -> Option<T>,
) -> Page<T> {
    let Some(order) = order else {
        return Page::empty();
    };
    let mut pick = pick;
    match &page.position {
        None => take_page(order.values().filter_map(&mut pick), page.limit, false),
        Some((Direction::Forward, k)) => {
            let from = (Bound::Excluded(newest_key(k.at, &k.id)), Bound::Unbounded);
            take_page(
                order.range(from).filter_map(|(_, v)| pick(v)),
                page.limit,
                false,
            )
        }
        Some((Direction::Backward, k)) => {
            let to = ..newest_key(k.at, &k.id);
            take_page(
                order.range(to).rev().filter_map(|(_, v)| pick(v)),
                page.limit,
                true,
            )
        }
    }
}

impl State {
    pub(super) fn create(&mut self, scenario: &Scenario) -> Result<(), StoreError> {
        if self.unique_keys.contains_key(scenario.unique_key()) {
            return Err(StoreError::Conflict(format!(
                "a scenario named like '{}' already exists",
                scenario.name()
            )));
        }
        if self.scenarios.contains_key(&scenario.id) {
            return Err(StoreError::Conflict(format!(
                "scenario {} already exists",
                scenario.id
            )));
        }
        if scenario.status != ScenarioStatus::Deleted {
            self.unique_keys
                .insert(scenario.unique_key().clone(), scenario.id);
        }
        self.scenario_order
            .entry(scenario.tenant_id().clone())
            .or_default()
            .insert(
                newest_key(scenario.created_at, &scenario.id.to_string()),
                scenario.id,
            );
        self.scenarios.insert(scenario.id, scenario.clone());
        Ok(())
    }

    pub(super) fn list(
        &self,
        tenant: &TenantId,
        filter: &ScenarioFilter,
        page: &PageRequest<CreatedKeyset>,
    ) -> Page<Scenario> {
        let needle = filter.name.as_deref().map(str::to_lowercase);
        newest_page(self.scenario_order.get(tenant), page, |id| {
            self.scenarios
                .get(id)
                .filter(|s| matches(s, filter, needle.as_deref()))
                .cloned()
        })
    }

    pub(super) fn update(&mut self, next: &Scenario, expected: i64) -> Result<bool, StoreError> {
        let Some(current) = self.scenario_of(next.tenant_id(), next.id) else {
            return Ok(false);
        };
        if current.version != expected {
            return Err(StoreError::Conflict(format!(
                "scenario {} is at version {}, not {expected}",
                next.id, current.version
            )));
        }
        if let Some(&holder) = self.unique_keys.get(next.unique_key())
            && holder != next.id
            && next.status != ScenarioStatus::Deleted
        {
            return Err(StoreError::Conflict(format!(
                "a scenario named like '{}' already exists",
                next.name()
            )));
        }
        let (old_key, old_order) = (
            current.unique_key().clone(),
            newest_key(current.created_at, &current.id.to_string()),
        );
        self.unique_keys.remove(&old_key);
        if next.status != ScenarioStatus::Deleted {
            self.unique_keys.insert(next.unique_key().clone(), next.id);
        }
        let order = self
            .scenario_order
            .entry(next.tenant_id().clone())
            .or_default();
        order.remove(&old_order);
        order.insert(newest_key(next.created_at, &next.id.to_string()), next.id);
        self.scenarios.insert(next.id, next.clone());
        Ok(true)
    }

    pub(super) fn delete(&mut self, tenant: &TenantId, id: ScenarioId) -> bool {
        let Some(s) = self.scenario_of(tenant, id) else {
            return false;
        };
        let (key, order) = (
            s.unique_key().clone(),
            newest_key(s.created_at, &id.to_string()),
        );
        if self.unique_keys.get(&key) == Some(&id) {
            self.unique_keys.remove(&key);
        }
        if let Some(index) = self.scenario_order.get_mut(tenant) {
            index.remove(&order);
        }
        self.scenarios.remove(&id);
        let runs: Vec<_> = self
            .run_order
            .remove(&id)
            .map(|index| index.into_values().collect())
            .unwrap_or_default();
        for run in runs {
            self.forget_run(run);
        }
        true
    }
}
