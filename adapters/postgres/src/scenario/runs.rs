//! Runs seen from the tenant: submit (deduplicated by `run_key` and by idempotency key), get,
//! list (newest first, keyset paged) and cancel.

use aurum_ports::page::{Page, PageRequest};
use aurum_ports::scenario::{IdempotencyKey, Run, RunId, RunStatus, ScenarioId};
use aurum_ports::scenario_store::{CreatedKeyset, RunSubmission};
use aurum_ports::{StoreError, TenantId};
use chrono::{DateTime, Utc};
use tokio_postgres::types::Type;

use super::rows::{self, RUN_COLUMNS, int4};
use super::sql::{Conditions, Params, descending, keyset_uuid, look_ahead, page};
use super::{PgScenarioBackend, tenant_tx};
use crate::error::from_pg;

/// `ON CONFLICT DO NOTHING` without a target: a clash on the run key, the id or the tenant's
/// idempotency key all mean "already submitted".
fn insert_sql() -> String {
    format!(
        "INSERT INTO scenario_run (id, scenario_id, tenant_id, status, priority, input_hash, \
             run_key, attempt, retry_count, max_retries, queued_at, started_at, completed_at, \
             cancelled_at, duration_seconds, error_message, progress_percent, timeout_minutes, \
             asof_date, curve_keys, idempotency_key, traceparent) \
         VALUES ($1::uuid, $2::uuid, $3::text, $4::text, $5::text, $6::text, $7::text, \
             $8::int4, $9::int4, $10::int4, $11::timestamptz, $12::timestamptz, \
             $13::timestamptz, $14::timestamptz, $15::float8, $16::text, $17::float8, \
             $18::int4, $19::date, $20::text[], $21::text, $22::text) \
         ON CONFLICT DO NOTHING RETURNING {RUN_COLUMNS}"
    )
}

/// The run an earlier submission stored: the idempotency key's run first, else the run key's.
fn existing_sql() -> String {
    format!(
        "SELECT {RUN_COLUMNS} FROM scenario_run \
         WHERE tenant_id = $1::text \
           AND (run_key = $2::text OR idempotency_key = $3::text) \
         ORDER BY (idempotency_key IS NOT DISTINCT FROM $3::text) DESC LIMIT 1"
    )
}

/// Cancels a queued or running run; the timestamps are set once, as the state machine says.
fn cancel_sql() -> String {
    format!(
        "UPDATE scenario_run SET status = 'cancelled', \
             completed_at = COALESCE(completed_at, $4::timestamptz), \
             cancelled_at = COALESCE(cancelled_at, $4::timestamptz), \
             duration_seconds = COALESCE(duration_seconds, CASE WHEN started_at IS NOT NULL \
                 THEN GREATEST(0, EXTRACT(EPOCH FROM \
                     (COALESCE(completed_at, $4::timestamptz) - started_at))::float8) END), \
             lease_owner = NULL, lease_until = NULL \
         WHERE id = $1::uuid AND scenario_id = $2::uuid AND tenant_id = $3::text \
           AND status IN ('queued', 'running') \
         RETURNING {RUN_COLUMNS}"
    )
}

fn get_sql() -> String {
    format!(
        "SELECT {RUN_COLUMNS} FROM scenario_run \
         WHERE id = $1::uuid AND scenario_id = $2::uuid AND tenant_id = $3::text"
    )
}

fn get_by_id_sql() -> String {
    format!(
        "SELECT {RUN_COLUMNS} FROM scenario_run \
         WHERE id = $1::uuid AND tenant_id = $2::text \
           AND EXISTS (SELECT 1 FROM scenario s \
               WHERE s.id = scenario_run.scenario_id AND s.status <> 'deleted')"
    )
}

impl PgScenarioBackend {
    pub(super) async fn submit(
        &self,
        run: &Run,
        idempotency_key: Option<IdempotencyKey>,
    ) -> Result<RunSubmission, StoreError> {
        let key = idempotency_key.as_ref().map(IdempotencyKey::as_str);
        let curve_keys: Vec<&str> = run
            .curve_keys
            .iter()
            .map(aurum_ports::CurveKey::as_str)
            .collect();
        let (attempt, retries) = (
            int4("attempt", run.attempt)?,
            int4("retry_count", run.retry_count)?,
        );
        let max_retries = int4("max_retries", run.max_retries)?;
        let timeout = int4("timeout_minutes", run.timeout_minutes)?;
        let mut client = self.client().await?;
        let tx = tenant_tx(&mut client, &run.tenant_id).await?;
        let inserted = tx
            .query_typed_opt(
                &insert_sql(),
                &[
                    (&run.id.as_uuid(), Type::UUID),
                    (&run.scenario_id.as_uuid(), Type::UUID),
                    (&run.tenant_id.as_str(), Type::TEXT),
                    (&run.status.as_str(), Type::TEXT),
                    (&run.priority.as_str(), Type::TEXT),
                    (&run.input_hash, Type::TEXT),
                    (&run.run_key, Type::TEXT),
                    (&attempt, Type::INT4),
                    (&retries, Type::INT4),
                    (&max_retries, Type::INT4),
                    (&run.queued_at, Type::TIMESTAMPTZ),
                    (&run.started_at, Type::TIMESTAMPTZ),
                    (&run.completed_at, Type::TIMESTAMPTZ),
                    (&run.cancelled_at, Type::TIMESTAMPTZ),
                    (&run.duration_seconds, Type::FLOAT8),
                    (&run.error_message, Type::TEXT),
                    (&run.progress_percent, Type::FLOAT8),
                    (&timeout, Type::INT4),
                    (&run.asof_date, Type::DATE),
                    (&curve_keys, Type::TEXT_ARRAY),
                    (&key, Type::TEXT),
                    (&run.traceparent, Type::TEXT),
                ],
            )
            .await
            .map_err(from_pg)?;
        let submission = if let Some(row) = inserted {
            RunSubmission::Created(rows::run(&row)?)
        } else {
            let row = tx
                .query_typed_opt(
                    &existing_sql(),
                    &[
                        (&run.tenant_id.as_str(), Type::TEXT),
                        (&run.run_key, Type::TEXT),
                        (&key, Type::TEXT),
                    ],
                )
                .await
                .map_err(from_pg)?
                .ok_or_else(|| {
                    StoreError::Conflict(format!("run id {} is already taken", run.id))
                })?;
            RunSubmission::Existing(rows::run(&row)?)
        };
        tx.commit().await.map_err(from_pg)?;
        Ok(submission)
    }

    pub(super) async fn run(
        &self,
        tenant: &TenantId,
        scenario: ScenarioId,
        run: RunId,
    ) -> Result<Option<Run>, StoreError> {
        let mut client = self.client().await?;
        let tx = tenant_tx(&mut client, tenant).await?;
        let row = tx
            .query_typed_opt(
                &get_sql(),
                &[
                    (&run.as_uuid(), Type::UUID),
                    (&scenario.as_uuid(), Type::UUID),
                    (&tenant.as_str(), Type::TEXT),
                ],
            )
            .await
            .map_err(from_pg)?;
        tx.commit().await.map_err(from_pg)?;
        row.as_ref().map(rows::run).transpose()
    }

    pub(super) async fn run_by_id(
        &self,
        tenant: &TenantId,
        run: RunId,
    ) -> Result<Option<Run>, StoreError> {
        let mut client = self.client().await?;
        let tx = tenant_tx(&mut client, tenant).await?;
        let row = tx
            .query_typed_opt(
                &get_by_id_sql(),
                &[(&run.as_uuid(), Type::UUID), (&tenant.as_str(), Type::TEXT)],
            )
            .await
            .map_err(from_pg)?;
        tx.commit().await.map_err(from_pg)?;
        row.as_ref().map(rows::run).transpose()
    }

    pub(super) async fn runs(
        &self,
        tenant: &TenantId,
        scenario: ScenarioId,
        status: Option<RunStatus>,
        request: &PageRequest<CreatedKeyset>,
    ) -> Result<Page<Run>, StoreError> {
        let mut params = Params::default();
        let mut conditions = Conditions::tenant(&mut params, "tenant_id", tenant);
        let s = params.bind(scenario.as_uuid(), Type::UUID);
        conditions.push(format!("scenario_id = {s}"));
        if let Some(status) = status {
            let p = params.bind(status.as_str().to_owned(), Type::TEXT);
            conditions.push(format!("status = {p}"));
        }
        let (cmp, order) = descending(request.direction());
        if let Some((_, keyset)) = &request.position {
            let at = params.bind(keyset.at, Type::TIMESTAMPTZ);
            let id = params.bind(keyset_uuid(&keyset.id)?, Type::UUID);
            conditions.push(format!("(queued_at, id) {cmp} ({at}, {id})"));
        }
        let limit = params.bind(look_ahead(request)?, Type::INT8);
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM scenario_run WHERE {} \
             ORDER BY queued_at {order}, id {order} LIMIT {limit}",
            conditions.sql()
        );
        let mut client = self.client().await?;
        let tx = tenant_tx(&mut client, tenant).await?;
        let found = tx
            .query_typed(&sql, &params.typed())
            .await
            .map_err(from_pg)?;
        tx.commit().await.map_err(from_pg)?;
        let items = found.iter().map(rows::run).collect::<Result<Vec<_>, _>>()?;
        Ok(page(items, request.limit, request.direction()))
    }

    pub(super) async fn cancel(
        &self,
        tenant: &TenantId,
        scenario: ScenarioId,
        run: RunId,
        at: DateTime<Utc>,
    ) -> Result<Option<Run>, StoreError> {
        let mut client = self.client().await?;
        let tx = tenant_tx(&mut client, tenant).await?;
        let ids: [(&(dyn tokio_postgres::types::ToSql + Sync), Type); 3] = [
            (&run.as_uuid(), Type::UUID),
            (&scenario.as_uuid(), Type::UUID),
            (&tenant.as_str(), Type::TEXT),
        ];
        let mut args = ids.to_vec();
        args.push((&at, Type::TIMESTAMPTZ));
        let row = match tx
            .query_typed_opt(&cancel_sql(), &args)
            .await
            .map_err(from_pg)?
        {
            Some(row) => Some(row),
            None => tx
                .query_typed_opt(&get_sql(), &ids)
                .await
                .map_err(from_pg)?,
        };
        tx.commit().await.map_err(from_pg)?;
        row.as_ref().map(rows::run).transpose()
    }
}
