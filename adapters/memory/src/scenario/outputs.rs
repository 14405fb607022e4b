//! Output rows: one run's rows (the latest succeeded run by default) in key order, and the
//! newest value per (metric, tenor label, curve) over the succeeded runs.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::ops::Bound;

use aurum_ports::scenario::{Run, RunStatus, ScenarioId, ScenarioOutput};
use aurum_ports::scenario_store::{OutputFilter, OutputKeyset};
use aurum_ports::{Direction, Page, PageRequest, TenantId};
use chrono::NaiveDate;

use super::paging::take_page;
use super::state::{OutputKey, State};

fn keep(o: &ScenarioOutput, f: &OutputFilter) -> bool {
    f.metric.as_ref().is_none_or(|m| o.metric == *m)
        && f.tenor_type
            .as_ref()
            .is_none_or(|t| o.tenor_type.as_str().eq_ignore_ascii_case(t))
        && f.curve_key
            .as_ref()
            .is_none_or(|c| o.curve_key.as_str() == c)
}

impl State {
    /// The scenario's succeeded runs.
    fn succeeded(&self, scenario: ScenarioId) -> impl Iterator<Item = &Run> {
        self.run_order
            .get(&scenario)
            .into_iter()
            .flat_map(|order| order.values())
            .filter_map(|id| self.runs.get(id))
            .map(|row| &row.run)
            .filter(|run| run.status == RunStatus::Succeeded)
    }

    pub(super) fn outputs(
        &self,
        tenant: &TenantId,
        scenario: ScenarioId,
        filter: &OutputFilter,
        page: &PageRequest<OutputKeyset>,
    ) -> Page<ScenarioOutput> {
        if self.scenario_of(tenant, scenario).is_none() {
            return Page::empty();
        }
        let run = match filter.run_id {
            Some(id) => self
                .runs
                .get(&id)
                .map(|r| &r.run)
                .filter(|r| r.scenario_id == scenario),
            None => self
                .succeeded(scenario)
                .max_by_key(|r| (r.completed_at, r.queued_at, r.id)),
        };
        let Some(rows) = run.and_then(|r| self.outputs.get(&r.id)) else {
            return Page::empty();
        };
        let run_text = run.map(|r| r.id.to_string()).unwrap_or_default();
        let pick = |(_, o): (&OutputKey, &ScenarioOutput)| keep(o, filter).then(|| o.clone());
        match &page.position {
            None => take_page(rows.iter().filter_map(pick), page.limit, false),
            Some((direction, k)) => {
                let inner: OutputKey = (
                    k.curve_key.clone(),
                    k.tenor_type.clone(),
                    k.tenor_label.clone(),
                    k.metric.clone(),
                );
                match (direction, run_text.as_str().cmp(k.run_id.as_str())) {
                    (Direction::Forward, Ordering::Greater) => {
                        take_page(rows.iter().filter_map(pick), page.limit, false)
                    }
                    (Direction::Backward, Ordering::Less) => {
                        take_page(rows.iter().rev().filter_map(pick), page.limit, true)
                    }
                    (Direction::Forward, Ordering::Equal) => {
                        let from = (Bound::Excluded(inner), Bound::Unbounded);
                        take_page(rows.range(from).filter_map(pick), page.limit, false)
                    }
                    (Direction::Backward, Ordering::Equal) => {
                        take_page(rows.range(..inner).rev().filter_map(pick), page.limit, true)
                    }
                    _ => Page::empty(),
                }
            }
        }
    }

    /// Per (metric, tenor label, curve) the newest row (by `computed_at`, then the run's
    /// completion) over succeeded runs; with `asof`, only rows priced at or before it.
    pub(super) fn latest_metrics(
        &self,
        tenant: &TenantId,
        scenario: ScenarioId,
        asof: Option<NaiveDate>,
    ) -> Vec<ScenarioOutput> {
        if self.scenario_of(tenant, scenario).is_none() {
            return Vec::new();
        }
        let mut newest: HashMap<(&str, &str, &str), (&ScenarioOutput, &Run)> = HashMap::new();
        for run in self.succeeded(scenario) {
            let rows = self
                .outputs
                .get(&run.id)
                .into_iter()
                .flat_map(|m| m.values());
            for o in rows.filter(|o| asof.is_none_or(|d| o.asof_date <= d)) {
                let key = (
                    o.metric.as_str(),
                    o.tenor_label.as_str(),
                    o.curve_key.as_str(),
                );
                let rank = |(o, r): (&ScenarioOutput, &Run)| {
                    (o.asof_date, o.computed_at, r.completed_at, r.id)
                };
                let better = newest
                    .get(&key)
                    .is_none_or(|&best| rank((o, run)) > rank(best));
                if better {
                    newest.insert(key, (o, run));
                }
            }
        }
        let mut out: Vec<ScenarioOutput> = newest.into_values().map(|(o, _)| o.clone()).collect();
        out.sort_by(|a, b| {
            (&a.metric, &a.tenor_label, a.curve_key.as_str()).cmp(&(
                &b.metric,
                &b.tenor_label,
                b.curve_key.as_str(),
            ))
        });
        out
    }
}
