//! The [`RunQueue`] port, run as the worker role across tenants. A claim is one `UPDATE` of
//! the first due queued run in claim order (`priority_rank DESC, queued_at, id`, index
//! `scenario_run_claim`) picked with `FOR UPDATE SKIP LOCKED`, so concurrent claims never
//! return the same run and never wait for each other. Every later step is conditional on the
//! worker still holding a running lease (`status = 'running' AND lease_owner = $worker`);
//! finishing writes the outputs, the run's state and the outbox event in one transaction.
//!
//! Attempts: a queued run carries the number of the attempt its next claim executes (1 at
//! first). A retry counts the failed attempt (`attempt + 1`, `retry_count + 1`); a reclaimed
//! expired lease counts the lost attempt (`attempt + 1`); a release counts nothing.

use std::time::Duration;

use async_trait::async_trait;
use aurum_ports::StoreError;
use aurum_ports::outbox::NewEvent;
use aurum_ports::run_queue::{ClaimedRun, FailOutcome, RunQueue};
use aurum_ports::scenario::{RunId, RunStatus, ScenarioOutput};
use chrono::{DateTime, Utc};
use deadpool_postgres::Transaction;
use tokio_postgres::types::Type;
use uuid::Uuid;

use super::outbox::append;
use super::outputs::replace;
use super::rows::{self, RUN_COLUMNS, SCENARIO_COLUMNS};
use super::sql::duration;
use super::{PgScenarioBackend, worker_tx};
use crate::error::from_pg;

/// `$1` worker, `$2` lease end, `$3` now.
fn claim_sql() -> String {
    format!(
        "UPDATE scenario_run SET status = 'running', lease_owner = $1::text, \
             lease_until = $2::timestamptz, started_at = COALESCE(started_at, $3::timestamptz), \
             not_before = NULL \
         WHERE id = (SELECT id FROM scenario_run \
                     WHERE status = 'queued' \
                       AND (not_before IS NULL OR not_before <= $3::timestamptz) \
                     ORDER BY priority_rank DESC, queued_at, id \
                     LIMIT 1 FOR UPDATE SKIP LOCKED) \
         RETURNING {RUN_COLUMNS}, lease_until"
    )
}

/// The lease condition every step after the claim repeats (`$1` run, `$2` worker).
const HELD: &str = "id = $1::uuid AND status = 'running' AND lease_owner = $2::text";

/// Ends a held run in a terminal status `$4` at `$3` (error `$5`).
const FINISH: &str = "UPDATE scenario_run SET status = $4::text, \
     completed_at = COALESCE(completed_at, $3::timestamptz), \
     duration_seconds = COALESCE(duration_seconds, CASE WHEN started_at IS NOT NULL \
         THEN GREATEST(0, EXTRACT(EPOCH FROM \
             (COALESCE(completed_at, $3::timestamptz) - started_at))::float8) END), \
     progress_percent = CASE WHEN $4::text = 'succeeded' THEN 100 ELSE progress_percent END, \
     error_message = COALESCE($5::text, error_message), \
     lease_owner = NULL, lease_until = NULL \
     WHERE id = $1::uuid AND status = 'running' AND lease_owner = $2::text \
     RETURNING tenant_id, scenario_id";

/// Requeues a held run for a retry not before `$3` (error `$4`).
const RETRY: &str = "UPDATE scenario_run SET status = 'queued', not_before = $3::timestamptz, \
     attempt = attempt + 1, retry_count = retry_count + 1, error_message = $4::text, \
     lease_owner = NULL, lease_until = NULL \
     WHERE id = $1::uuid AND status = 'running' AND lease_owner = $2::text";

/// Ends a held run as `status` at `at`; `(tenant, scenario)` when the worker held it.
async fn finish(
    tx: &Transaction<'_>,
    (run, worker): (Uuid, &str),
    at: DateTime<Utc>,
    status: RunStatus,
    error: Option<&str>,
) -> Result<Option<(String, Uuid)>, StoreError> {
    let row = tx
        .query_typed_opt(
            FINISH,
            &[
                (&run, Type::UUID),
                (&worker, Type::TEXT),
                (&at, Type::TIMESTAMPTZ),
                (&status.as_str(), Type::TEXT),
                (&error, Type::TEXT),
            ],
        )
        .await
        .map_err(from_pg)?;
    Ok(row.map(|r| (r.get(0), r.get(1))))
}

#[async_trait]
impl RunQueue for PgScenarioBackend {
    async fn claim(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Option<ClaimedRun>, StoreError> {
        let until = now + duration(lease)?;
        let mut client = self.client().await?;
        let tx = worker_tx(&mut client).await?;
        let Some(row) = tx
            .query_typed_opt(
                &claim_sql(),
                &[
                    (&worker, Type::TEXT),
                    (&until, Type::TIMESTAMPTZ),
                    (&now, Type::TIMESTAMPTZ),
                ],
            )
            .await
            .map_err(from_pg)?
        else {
            return Ok(None);
        };
        let run = rows::run(&row)?;
        let scenario = tx
            .query_typed_one(
                &format!("SELECT {SCENARIO_COLUMNS} FROM scenario WHERE id = $1::uuid"),
                &[(&run.scenario_id.as_uuid(), Type::UUID)],
            )
            .await
            .map_err(from_pg)?;
        let claimed = ClaimedRun {
            scenario: rows::scenario(&scenario)?,
            lease_until: row.try_get("lease_until").map_err(from_pg)?,
            traceparent: row.try_get("traceparent").map_err(from_pg)?,
            run,
        };
        tx.commit().await.map_err(from_pg)?;
        Ok(Some(claimed))
    }

    async fn heartbeat(
        &self,
        run: RunId,
        worker: &str,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let tx = worker_tx(&mut client).await?;
        let n = tx
            .execute_typed(
                &format!("UPDATE scenario_run SET lease_until = $3::timestamptz WHERE {HELD}"),
                &[
                    (&run.as_uuid(), Type::UUID),
                    (&worker, Type::TEXT),
                    (&until, Type::TIMESTAMPTZ),
                ],
            )
            .await
            .map_err(from_pg)?;
        tx.commit().await.map_err(from_pg)?;
        Ok(n == 1)
    }

    async fn status(&self, run: RunId) -> Result<Option<RunStatus>, StoreError> {
        let mut client = self.client().await?;
        let tx = worker_tx(&mut client).await?;
        let row = tx
            .query_typed_opt(
                "SELECT status FROM scenario_run WHERE id = $1::uuid",
                &[(&run.as_uuid(), Type::UUID)],
            )
            .await
            .map_err(from_pg)?;
        tx.commit().await.map_err(from_pg)?;
        row.map(|r| {
            r.get::<_, &str>(0)
                .parse()
                .map_err(|e| rows::corrupt("run status", e))
        })
        .transpose()
    }

    async fn complete(
        &self,
        run: RunId,
        worker: &str,
        at: DateTime<Utc>,
        outputs: Vec<ScenarioOutput>,
        event: NewEvent,
    ) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let tx = worker_tx(&mut client).await?;
        let held = (run.as_uuid(), worker);
        let Some((tenant, scenario)) = finish(&tx, held, at, RunStatus::Succeeded, None).await?
        else {
            return Ok(false); // dropping `tx` rolls back
        };
        replace(&tx, (run.as_uuid(), &tenant, scenario), &outputs).await?;
        append(&tx, &event, at).await?;
        tx.commit().await.map_err(from_pg)?;
        Ok(true)
    }

    async fn fail(
        &self,
        run: RunId,
        worker: &str,
        at: DateTime<Utc>,
        error: &str,
        outcome: FailOutcome,
        event: Option<NewEvent>,
    ) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let tx = worker_tx(&mut client).await?;
        let held = match outcome {
            FailOutcome::Retry { not_before } => {
                let args: [(&(dyn tokio_postgres::types::ToSql + Sync), Type); 4] = [
                    (&run.as_uuid(), Type::UUID),
                    (&worker, Type::TEXT),
                    (&not_before, Type::TIMESTAMPTZ),
                    (&error, Type::TEXT),
                ];
                tx.execute_typed(RETRY, &args).await.map_err(from_pg)? == 1
            }
            FailOutcome::Failed | FailOutcome::TimedOut => {
                let status = if outcome == FailOutcome::Failed {
                    RunStatus::Failed
                } else {
                    RunStatus::Timeout
                };
                finish(&tx, (run.as_uuid(), worker), at, status, Some(error))
                    .await?
                    .is_some()
            }
        };
        if !held {
            return Ok(false);
        }
        if let Some(event) = &event {
            append(&tx, event, at).await?;
        }
        tx.commit().await.map_err(from_pg)?;
        Ok(true)
    }

    async fn release(&self, run: RunId, worker: &str) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let tx = worker_tx(&mut client).await?;
        let n = tx
            .execute_typed(
                &format!(
                    "UPDATE scenario_run SET status = 'queued', lease_owner = NULL, \
                         lease_until = NULL WHERE {HELD}"
                ),
                &[(&run.as_uuid(), Type::UUID), (&worker, Type::TEXT)],
            )
            .await
            .map_err(from_pg)?;
        tx.commit().await.map_err(from_pg)?;
        Ok(n == 1)
    }

    async fn reclaim_expired(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let mut client = self.client().await?;
        let tx = worker_tx(&mut client).await?;
        let n = tx
            .execute_typed(
                "UPDATE scenario_run SET status = 'queued', attempt = attempt + 1, \
                     lease_owner = NULL, lease_until = NULL \
                 WHERE id IN (SELECT id FROM scenario_run \
                              WHERE status = 'running' AND lease_until < $1::timestamptz \
                              FOR UPDATE SKIP LOCKED)",
                &[(&now, Type::TIMESTAMPTZ)],
            )
            .await
            .map_err(from_pg)?;
        tx.commit().await.map_err(from_pg)?;
        Ok(n)
    }
}
