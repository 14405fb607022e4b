//! The [`Outbox`] port: events appended inside the transaction of the state change that caused
//! them ([`append`]), claimed by relays with `FOR UPDATE SKIP LOCKED` under a lease
//! (`lease_until`), then delivered, rescheduled or dead-lettered. The table has no tenant
//! column and no row-level security; relays work as the worker role.

use std::time::Duration;

use async_trait::async_trait;
use aurum_ports::StoreError;
use aurum_ports::outbox::{NewEvent, Outbox, OutboxEvent, OutboxStats};
use chrono::{DateTime, Utc};
use deadpool_postgres::Transaction;
use tokio_postgres::types::Type;
use uuid::Uuid;

use super::rows::{self, OUTBOX_COLUMNS};
use super::sql::duration;
use super::{PgScenarioBackend, worker_tx};
use crate::error::from_pg;

/// Appends `event`, due at once, inside `tx` (created and first due `at`).
pub(super) async fn append(
    tx: &Transaction<'_>,
    event: &NewEvent,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    tx.execute_typed(
        "INSERT INTO outbox (id, topic, key, payload, traceparent, created_at, next_attempt_at) \
         VALUES ($1::uuid, $2::text, $3::text, $4::jsonb, $5::text, $6::timestamptz, \
                 $6::timestamptz)",
        &[
            (&event.id, Type::UUID),
            (&event.topic, Type::TEXT),
            (&event.key, Type::TEXT),
            (&event.payload, Type::JSONB),
            (&event.traceparent, Type::TEXT),
            (&at, Type::TIMESTAMPTZ),
        ],
    )
    .await
    .map_err(from_pg)?;
    Ok(())
}

fn claim_sql() -> String {
    let returned = OUTBOX_COLUMNS
        .split(", ")
        .map(|c| format!("o.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "UPDATE outbox o SET lease_until = $2::timestamptz \
         FROM (SELECT id FROM outbox \
               WHERE delivered_at IS NULL AND dead_at IS NULL \
                 AND next_attempt_at <= $1::timestamptz \
                 AND (lease_until IS NULL OR lease_until <= $1::timestamptz) \
               ORDER BY created_at, seq LIMIT $3::int8 FOR UPDATE SKIP LOCKED) due \
         WHERE o.id = due.id RETURNING {returned}"
    )
}

fn limit(n: usize) -> Result<i64, StoreError> {
    i64::try_from(n).map_err(|_| StoreError::InvalidQuery("limit is too large".to_owned()))
}

impl PgScenarioBackend {
    /// Runs one outbox statement as the worker; returns the affected row count.
    async fn outbox_execute(
        &self,
        sql: &str,
        params: &[(&(dyn tokio_postgres::types::ToSql + Sync), Type)],
    ) -> Result<u64, StoreError> {
        let mut client = self.client().await?;
        let tx = worker_tx(&mut client).await?;
        let n = tx.execute_typed(sql, params).await.map_err(from_pg)?;
        tx.commit().await.map_err(from_pg)?;
        Ok(n)
    }

    /// Runs one outbox query as the worker; returns the events oldest first.
    async fn outbox_query(
        &self,
        sql: &str,
        params: &[(&(dyn tokio_postgres::types::ToSql + Sync), Type)],
    ) -> Result<Vec<OutboxEvent>, StoreError> {
        let mut client = self.client().await?;
        let tx = worker_tx(&mut client).await?;
        let found = tx.query_typed(sql, params).await.map_err(from_pg)?;
        tx.commit().await.map_err(from_pg)?;
        rows::events(&found)
    }
}

#[async_trait]
impl Outbox for PgScenarioBackend {
    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        limit_to: usize,
        lease: Duration,
    ) -> Result<Vec<OutboxEvent>, StoreError> {
        if limit_to == 0 {
            return Ok(Vec::new());
        }
        let until = now + duration(lease)?;
        let n = limit(limit_to)?;
        self.outbox_query(
            &claim_sql(),
            &[
                (&now, Type::TIMESTAMPTZ),
                (&until, Type::TIMESTAMPTZ),
                (&n, Type::INT8),
            ],
        )
        .await
    }

    async fn mark_delivered(&self, id: Uuid, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.outbox_execute(
            "UPDATE outbox SET delivered_at = COALESCE(delivered_at, $2::timestamptz), \
                 lease_until = NULL WHERE id = $1::uuid",
            &[(&id, Type::UUID), (&at, Type::TIMESTAMPTZ)],
        )
        .await
        .map(drop)
    }

    async fn reschedule(&self, id: Uuid, at: DateTime<Utc>, error: &str) -> Result<(), StoreError> {
        self.outbox_execute(
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $2::timestamptz, \
                 last_error = $3::text, lease_until = NULL \
             WHERE id = $1::uuid AND delivered_at IS NULL AND dead_at IS NULL",
            &[
                (&id, Type::UUID),
                (&at, Type::TIMESTAMPTZ),
                (&error, Type::TEXT),
            ],
        )
        .await
        .map(drop)
    }

    async fn dead_letter(&self, id: Uuid, error: &str) -> Result<(), StoreError> {
        self.outbox_execute(
            "UPDATE outbox SET dead_at = now(), last_error = $2::text, lease_until = NULL \
             WHERE id = $1::uuid AND delivered_at IS NULL AND dead_at IS NULL",
            &[(&id, Type::UUID), (&error, Type::TEXT)],
        )
        .await
        .map(drop)
    }

    async fn dead_letters(&self, limit_to: usize) -> Result<Vec<OutboxEvent>, StoreError> {
        let n = limit(limit_to)?;
        self.outbox_query(
            &format!(
                "SELECT {OUTBOX_COLUMNS} FROM outbox WHERE dead_at IS NOT NULL \
                 ORDER BY created_at, seq LIMIT $1::int8"
            ),
            &[(&n, Type::INT8)],
        )
        .await
    }

    async fn redrive(&self, id: Uuid, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let n = self
            .outbox_execute(
                "UPDATE outbox SET dead_at = NULL, attempts = 0, \
                     next_attempt_at = $2::timestamptz, lease_until = NULL \
                 WHERE id = $1::uuid AND dead_at IS NOT NULL",
                &[(&id, Type::UUID), (&now, Type::TIMESTAMPTZ)],
            )
            .await?;
        Ok(n == 1)
    }

    async fn stats(&self) -> Result<OutboxStats, StoreError> {
        let mut client = self.client().await?;
        let tx = worker_tx(&mut client).await?;
        let row = tx
            .query_one(
                "SELECT \
                   (SELECT count(*) FROM outbox \
                     WHERE delivered_at IS NULL AND dead_at IS NULL) AS pending, \
                   (SELECT min(created_at) FROM outbox \
                     WHERE delivered_at IS NULL AND dead_at IS NULL) AS oldest, \
                   (SELECT count(*) FROM outbox WHERE dead_at IS NOT NULL) AS dead",
                &[],
            )
            .await
            .map_err(from_pg)?;
        tx.commit().await.map_err(from_pg)?;
        let count = |column: &str| -> Result<u64, StoreError> {
            let n: i64 = row.try_get(column).map_err(from_pg)?;
            Ok(u64::try_from(n).unwrap_or_default())
        };
        Ok(OutboxStats {
            pending: count("pending")?,
            oldest_pending: row.try_get("oldest").map_err(from_pg)?,
            dead_letters: count("dead")?,
        })
    }
}
