//! Output rows: written by the queue when a run succeeds (replacing any earlier set of the
//! run), read per scenario in the primary-key order and as "latest metrics".

use aurum_ports::page::{Page, PageRequest};
use aurum_ports::scenario::{ScenarioId, ScenarioOutput};
use aurum_ports::scenario_store::{OutputFilter, OutputKeyset};
use aurum_ports::{StoreError, TenantId};
use chrono::NaiveDate;
use deadpool_postgres::Transaction;
use tokio_postgres::types::Type;
use uuid::Uuid;

use super::rows::{self, OUTPUT_COLUMNS, to_json};
use super::sql::{Conditions, Params, ascending, keyset_uuid, look_ahead, page};
use super::{PgScenarioBackend, tenant_tx};
use crate::error::from_pg;

/// The run whose outputs a filter without a run id shows: the latest succeeded one.
const LATEST_RUN: &str = "(SELECT r.id FROM scenario_run r \
     WHERE r.scenario_id = o.scenario_id AND r.status = 'succeeded' \
     ORDER BY r.completed_at DESC NULLS LAST, r.queued_at DESC, r.id DESC LIMIT 1)";

const INSERT: &str = "INSERT INTO scenario_output (run_id, tenant_id, scenario_id, asof_date, \
     curve_key, tenor_type, contract_month, tenor_label, metric, value, band_lower, band_upper, \
     attribution, version_hash, computed_at) \
     SELECT $1::uuid, $2::text, $3::uuid, o.* FROM unnest($4::date[], $5::text[], $6::text[], \
         $7::date[], $8::text[], $9::text[], $10::float8[], $11::float8[], $12::float8[], \
         $13::jsonb[], $14::text[], $15::timestamptz[]) AS o";

/// Replaces the outputs of `run` (of `tenant`'s `scenario`) with `outputs`, inside `tx`. The
/// run's ids win over the rows' own, so a run never owns another run's rows.
pub(super) async fn replace(
    tx: &Transaction<'_>,
    (run, tenant, scenario): (Uuid, &str, Uuid),
    outputs: &[ScenarioOutput],
) -> Result<(), StoreError> {
    tx.execute_typed(
        "DELETE FROM scenario_output WHERE run_id = $1::uuid",
        &[(&run, Type::UUID)],
    )
    .await
    .map_err(from_pg)?;
    if outputs.is_empty() {
        return Ok(());
    }
    let col = |f: fn(&ScenarioOutput) -> String| outputs.iter().map(f).collect::<Vec<_>>();
    let asof: Vec<NaiveDate> = outputs.iter().map(|o| o.asof_date).collect();
    let months: Vec<NaiveDate> = outputs.iter().map(|o| o.contract_month).collect();
    let curve = col(|o| o.curve_key.as_str().to_owned());
    let tenor = col(|o| o.tenor_type.as_str().to_owned());
    let label = col(|o| o.tenor_label.clone());
    let metric = col(|o| o.metric.clone());
    let hash = col(|o| o.version_hash.clone());
    let value: Vec<f64> = outputs.iter().map(|o| o.value).collect();
    let lower: Vec<f64> = outputs.iter().map(|o| o.band_lower).collect();
    let upper: Vec<f64> = outputs.iter().map(|o| o.band_upper).collect();
    let attribution = outputs
        .iter()
        .map(|o| to_json("attribution", &o.attribution))
        .collect::<Result<Vec<_>, _>>()?;
    let computed: Vec<_> = outputs.iter().map(|o| o.computed_at).collect();
    tx.execute_typed(
        INSERT,
        &[
            (&run, Type::UUID),
            (&tenant, Type::TEXT),
            (&scenario, Type::UUID),
            (&asof, Type::DATE_ARRAY),
            (&curve, Type::TEXT_ARRAY),
            (&tenor, Type::TEXT_ARRAY),
            (&months, Type::DATE_ARRAY),
            (&label, Type::TEXT_ARRAY),
            (&metric, Type::TEXT_ARRAY),
            (&value, Type::FLOAT8_ARRAY),
            (&lower, Type::FLOAT8_ARRAY),
            (&upper, Type::FLOAT8_ARRAY),
            (&attribution, Type::JSONB_ARRAY),
            (&hash, Type::TEXT_ARRAY),
            (&computed, Type::TIMESTAMPTZ_ARRAY),
        ],
    )
    .await
    .map_err(from_pg)?;
    Ok(())
}

impl PgScenarioBackend {
    pub(super) async fn scenario_outputs(
        &self,
        tenant: &TenantId,
        scenario: ScenarioId,
        filter: &OutputFilter,
        request: &PageRequest<OutputKeyset>,
    ) -> Result<Page<ScenarioOutput>, StoreError> {
        let mut params = Params::default();
        let mut conditions = Conditions::tenant(&mut params, "o.tenant_id", tenant);
        let s = params.bind(scenario.as_uuid(), Type::UUID);
        conditions.push(format!("o.scenario_id = {s}"));
        match filter.run_id {
            Some(run) => {
                let r = params.bind(run.as_uuid(), Type::UUID);
                conditions.push(format!("o.run_id = {r}"));
            }
            None => conditions.push(format!("o.run_id = {LATEST_RUN}")),
        }
        for (column, value) in [
            ("o.metric", &filter.metric),
            ("o.tenor_type", &filter.tenor_type),
            ("o.curve_key", &filter.curve_key),
        ] {
            if let Some(v) = value {
                let p = params.bind(v.clone(), Type::TEXT);
                conditions.push(format!("{column} = {p}"));
            }
        }
        let (cmp, order) = ascending(request.direction());
        if let Some((_, k)) = &request.position {
            let run = params.bind(keyset_uuid(&k.run_id)?, Type::UUID);
            let rest: Vec<String> = [&k.curve_key, &k.tenor_type, &k.tenor_label, &k.metric]
                .into_iter()
                .map(|v| params.bind(v.clone(), Type::TEXT))
                .collect();
            conditions.push(format!(
                "(o.run_id, o.curve_key, o.tenor_type, o.tenor_label, o.metric) {cmp} \
                 ({run}, {})",
                rest.join(", ")
            ));
        }
        let limit = params.bind(look_ahead(request)?, Type::INT8);
        let sql = format!(
            "SELECT {} FROM scenario_output o WHERE {} \
             ORDER BY o.run_id {order}, o.curve_key {order}, o.tenor_type {order}, \
                      o.tenor_label {order}, o.metric {order} LIMIT {limit}",
            prefixed(),
            conditions.sql()
        );
        let mut client = self.client().await?;
        let tx = tenant_tx(&mut client, tenant).await?;
        let found = tx
            .query_typed(&sql, &params.typed())
            .await
            .map_err(from_pg)?;
        tx.commit().await.map_err(from_pg)?;
        let items = found
            .iter()
            .map(rows::output)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(page(items, request.limit, request.direction()))
    }

    pub(super) async fn latest(
        &self,
        tenant: &TenantId,
        scenario: ScenarioId,
        asof: Option<NaiveDate>,
    ) -> Result<Vec<ScenarioOutput>, StoreError> {
        let sql = format!(
            "SELECT DISTINCT ON (o.metric, o.tenor_label, o.curve_key) {} \
             FROM scenario_output o JOIN scenario_run r ON r.id = o.run_id \
             WHERE o.tenant_id = $1::text AND o.scenario_id = $2::uuid \
               AND r.status = 'succeeded' \
               AND ($3::date IS NULL OR o.asof_date = $3::date) \
             ORDER BY o.metric, o.tenor_label, o.curve_key, o.computed_at DESC, \
                      r.completed_at DESC NULLS LAST, o.run_id DESC",
            prefixed()
        );
        let mut client = self.client().await?;
        let tx = tenant_tx(&mut client, tenant).await?;
        let found = tx
            .query_typed(
                &sql,
                &[
                    (&tenant.as_str(), Type::TEXT),
                    (&scenario.as_uuid(), Type::UUID),
                    (&asof, Type::DATE),
                ],
            )
            .await
            .map_err(from_pg)?;
        tx.commit().await.map_err(from_pg)?;
        found.iter().map(rows::output).collect()
    }
}

/// [`OUTPUT_COLUMNS`] of alias `o`.
fn prefixed() -> String {
    OUTPUT_COLUMNS
        .split(", ")
        .map(|c| format!("o.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}
