//! Scenario definitions: create, get, list (newest first, keyset paged), optimistic update and
//! delete (runs and outputs go with it by `ON DELETE CASCADE`). Soft-deleted scenarios (status
//! `deleted`) are invisible to every read and free their unique key.

use aurum_ports::page::{Page, PageRequest};
use aurum_ports::scenario::{Scenario, ScenarioId};
use aurum_ports::scenario_store::{CreatedKeyset, ScenarioFilter};
use aurum_ports::{StoreError, TenantId};
use deadpool_postgres::Transaction;
use tokio_postgres::types::Type;

use super::rows::{self, SCENARIO_COLUMNS, to_json};
use super::sql::{Conditions, Params, descending, keyset_uuid, look_ahead, page};
use super::{PgScenarioBackend, tenant_tx};
use crate::error::from_pg;

const INSERT: &str = "INSERT INTO scenario (id, tenant_id, name, unique_key, description, \
     status, assumptions, parameters, tags, created_at, updated_at, version) \
     VALUES ($1::uuid, $2::text, $3::text, $4::text, $5::text, $6::text, $7::jsonb, $8::jsonb, \
             $9::text[], $10::timestamptz, $11::timestamptz, $12::int8)";

const UPDATE: &str = "UPDATE scenario SET name = $3::text, unique_key = $4::text, \
     description = $5::text, status = $6::text, assumptions = $7::jsonb, \
     parameters = $8::jsonb, tags = $9::text[], updated_at = $11::timestamptz, \
     version = $12::int8 \
     WHERE id = $1::uuid AND tenant_id = $2::text AND status <> 'deleted' \
       AND version = $13::int8";

/// Runs `sql` with the 12 columns of `scenario` as `$1 … $12` (plus `extra` as `$13`); an
/// update leaves `created_at` (`$10`) unused.
async fn write(
    tx: &Transaction<'_>,
    sql: &str,
    scenario: &Scenario,
    extra: Option<i64>,
) -> Result<u64, StoreError> {
    let id = scenario.id.as_uuid();
    let assumptions = to_json("assumptions", &scenario.assumptions)?;
    let parameters = serde_json::Value::Object(scenario.parameters.clone());
    let (tenant, name) = (scenario.tenant_id().as_str(), scenario.name().as_str());
    let (unique_key, status) = (scenario.unique_key().as_str(), scenario.status.as_str());
    let mut params: Vec<(&(dyn tokio_postgres::types::ToSql + Sync), Type)> = vec![
        (&id, Type::UUID),
        (&tenant, Type::TEXT),
        (&name, Type::TEXT),
        (&unique_key, Type::TEXT),
        (&scenario.description, Type::TEXT),
        (&status, Type::TEXT),
        (&assumptions, Type::JSONB),
        (&parameters, Type::JSONB),
        (&scenario.tags, Type::TEXT_ARRAY),
        (&scenario.created_at, Type::TIMESTAMPTZ),
        (&scenario.updated_at, Type::TIMESTAMPTZ),
        (&scenario.version, Type::INT8),
    ];
    if let Some(v) = extra.as_ref() {
        params.push((v, Type::INT8));
    }
    tx.execute_typed(sql, &params).await.map_err(from_pg)
}

impl PgScenarioBackend {
    pub(super) async fn create_scenario(&self, scenario: &Scenario) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = tenant_tx(&mut client, scenario.tenant_id()).await?;
        write(&tx, INSERT, scenario, None).await?;
        tx.commit().await.map_err(from_pg)
    }

    pub(super) async fn get_scenario(
        &self,
        tenant: &TenantId,
        id: ScenarioId,
    ) -> Result<Option<Scenario>, StoreError> {
        let mut client = self.client().await?;
        let tx = tenant_tx(&mut client, tenant).await?;
        let row = tx
            .query_typed_opt(
                &format!(
                    "SELECT {SCENARIO_COLUMNS} FROM scenario \
                     WHERE id = $1::uuid AND tenant_id = $2::text AND status <> 'deleted'"
                ),
                &[(&id.as_uuid(), Type::UUID), (&tenant.as_str(), Type::TEXT)],
            )
            .await
            .map_err(from_pg)?;
        tx.commit().await.map_err(from_pg)?;
        row.as_ref().map(rows::scenario).transpose()
    }

    pub(super) async fn list_scenarios(
        &self,
        tenant: &TenantId,
        filter: &ScenarioFilter,
        request: &PageRequest<CreatedKeyset>,
    ) -> Result<Page<Scenario>, StoreError> {
        let mut params = Params::default();
        let mut conditions = Conditions::tenant(&mut params, "tenant_id", tenant);
        conditions.push("status <> 'deleted'".to_owned());
        if let Some(status) = filter.status {
            let p = params.bind(status.as_str().to_owned(), Type::TEXT);
            conditions.push(format!("status = {p}"));
        }
        if let Some(name) = &filter.name {
            let p = params.bind(name.to_lowercase(), Type::TEXT);
            conditions.push(format!("strpos(lower(name), {p}) > 0"));
        }
        if let Some(tag) = &filter.tag {
            let p = params.bind(tag.clone(), Type::TEXT);
            conditions.push(format!("{p} = ANY (tags)"));
        }
        if let Some(after) = filter.created_after {
            let p = params.bind(after, Type::TIMESTAMPTZ);
            conditions.push(format!("created_at >= {p}"));
        }
        if let Some(before) = filter.created_before {
            let p = params.bind(before, Type::TIMESTAMPTZ);
            conditions.push(format!("created_at < {p}"));
        }
        let (cmp, order) = descending(request.direction());
        if let Some((_, keyset)) = &request.position {
            let at = params.bind(keyset.at, Type::TIMESTAMPTZ);
            let id = params.bind(keyset_uuid(&keyset.id)?, Type::UUID);
            conditions.push(format!("(created_at, id) {cmp} ({at}, {id})"));
        }
        let limit = params.bind(look_ahead(request)?, Type::INT8);
        let sql = format!(
            "SELECT {SCENARIO_COLUMNS} FROM scenario WHERE {} \
             ORDER BY created_at {order}, id {order} LIMIT {limit}",
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
            .map(rows::scenario)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(page(items, request.limit, request.direction()))
    }

    pub(super) async fn update_scenario(
        &self,
        scenario: &Scenario,
        expected_version: i64,
    ) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let tx = tenant_tx(&mut client, scenario.tenant_id()).await?;
        if write(&tx, UPDATE, scenario, Some(expected_version)).await? == 1 {
            tx.commit().await.map_err(from_pg)?;
            return Ok(true);
        }
        let stored: Option<i64> = tx
            .query_typed_opt(
                "SELECT version FROM scenario \
                 WHERE id = $1::uuid AND tenant_id = $2::text AND status <> 'deleted'",
                &[
                    (&scenario.id.as_uuid(), Type::UUID),
                    (&scenario.tenant_id().as_str(), Type::TEXT),
                ],
            )
            .await
            .map_err(from_pg)?
            .map(|r| r.get(0));
        match stored {
            None => Ok(false),
            Some(v) => Err(StoreError::Conflict(format!(
                "scenario {} is at version {v}, not {expected_version}",
                scenario.id
            ))),
        }
    }

    pub(super) async fn delete_scenario(
        &self,
        tenant: &TenantId,
        id: ScenarioId,
    ) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let tx = tenant_tx(&mut client, tenant).await?;
        let deleted = tx
            .execute_typed(
                "DELETE FROM scenario \
                 WHERE id = $1::uuid AND tenant_id = $2::text AND status <> 'deleted'",
                &[(&id.as_uuid(), Type::UUID), (&tenant.as_str(), Type::TEXT)],
            )
            .await
            .map_err(from_pg)?;
        tx.commit().await.map_err(from_pg)?;
        Ok(deleted == 1)
    }
}
