//! The [`IdempotencyStore`] port over `idempotency_key` (primary key `(tenant_id, key)`, row-level
//! security per tenant). `begin` is one `INSERT … ON CONFLICT DO UPDATE … WHERE <abandoned>`:
//! of two concurrent first uses the second waits for the first to commit, then finds its row,
//! so exactly one gets `Started`. Keys are kept until the operator prunes them (retention:
//! at least 24 h, standards §4).

use std::time::Duration;

use async_trait::async_trait;
use aurum_ports::idempotency::{IdempotencyClaim, IdempotencyStore, StoredResponse};
use aurum_ports::{StoreError, TenantId};
use chrono::{DateTime, Utc};
use tokio_postgres::types::Type;

use super::rows::{corrupt, to_json};
use super::sql::duration;
use super::{PgScenarioBackend, tenant_tx};
use crate::error::from_pg;

/// Takes the key, or takes over a started claim older than `$5`.
const BEGIN: &str = "INSERT INTO idempotency_key (tenant_id, key, fingerprint, state, created_at) \
     VALUES ($1::text, $2::text, $3::text, 'started', $4::timestamptz) \
     ON CONFLICT (tenant_id, key) DO UPDATE \
         SET fingerprint = EXCLUDED.fingerprint, created_at = EXCLUDED.created_at \
         WHERE idempotency_key.state = 'started' \
           AND idempotency_key.created_at < $5::timestamptz \
     RETURNING 1";

const FOUND: &str = "SELECT fingerprint, state, status, headers, body FROM idempotency_key \
     WHERE tenant_id = $1::text AND key = $2::text";

#[async_trait]
impl IdempotencyStore for PgScenarioBackend {
    async fn begin(
        &self,
        tenant: &TenantId,
        key: &str,
        fingerprint: &str,
        now: DateTime<Utc>,
        stale_after: Duration,
    ) -> Result<IdempotencyClaim, StoreError> {
        let stale_before = now - duration(stale_after)?;
        let mut client = self.client().await?;
        let tx = tenant_tx(&mut client, tenant).await?;
        let tenant = tenant.as_str();
        let started = tx
            .query_typed_opt(
                BEGIN,
                &[
                    (&tenant, Type::TEXT),
                    (&key, Type::TEXT),
                    (&fingerprint, Type::TEXT),
                    (&now, Type::TIMESTAMPTZ),
                    (&stale_before, Type::TIMESTAMPTZ),
                ],
            )
            .await
            .map_err(from_pg)?;
        let claim = if started.is_some() {
            IdempotencyClaim::Started
        } else {
            // The conflicting row is committed (the insert waited for it) and, in READ
            // COMMITTED, visible to this next statement.
            let found = tx
                .query_typed_opt(FOUND, &[(&tenant, Type::TEXT), (&key, Type::TEXT)])
                .await
                .map_err(from_pg)?;
            let Some(row) = found else {
                // Abandoned in between: the key is free again; the client retries.
                return Ok(IdempotencyClaim::InFlight);
            };
            if row.get::<_, &str>(0) != fingerprint {
                IdempotencyClaim::Mismatch
            } else if row.get::<_, &str>(1) == "started" {
                IdempotencyClaim::InFlight
            } else {
                let status: Option<i32> = row.get(2);
                let headers: Option<serde_json::Value> = row.get(3);
                IdempotencyClaim::Completed(StoredResponse {
                    status: status
                        .and_then(|s| u16::try_from(s).ok())
                        .ok_or_else(|| corrupt("idempotency status", format!("{status:?}")))?,
                    headers: serde_json::from_value(headers.unwrap_or_default())
                        .map_err(|e| corrupt("idempotency headers", e))?,
                    body: row.get::<_, Option<Vec<u8>>>(4).unwrap_or_default(),
                })
            }
        };
        tx.commit().await.map_err(from_pg)?;
        Ok(claim)
    }

    async fn complete(
        &self,
        tenant: &TenantId,
        key: &str,
        response: StoredResponse,
    ) -> Result<(), StoreError> {
        let headers = to_json("idempotency headers", &response.headers)?;
        let status = i32::from(response.status);
        let mut client = self.client().await?;
        let tx = tenant_tx(&mut client, tenant).await?;
        tx.execute_typed(
            "UPDATE idempotency_key SET state = 'completed', status = $3::int4, \
                 headers = $4::jsonb, body = $5::bytea \
             WHERE tenant_id = $1::text AND key = $2::text",
            &[
                (&tenant.as_str(), Type::TEXT),
                (&key, Type::TEXT),
                (&status, Type::INT4),
                (&headers, Type::JSONB),
                (&response.body, Type::BYTEA),
            ],
        )
        .await
        .map_err(from_pg)?;
        tx.commit().await.map_err(from_pg)
    }

    async fn abandon(&self, tenant: &TenantId, key: &str) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = tenant_tx(&mut client, tenant).await?;
        tx.execute_typed(
            "DELETE FROM idempotency_key \
             WHERE tenant_id = $1::text AND key = $2::text AND state = 'started'",
            &[(&tenant.as_str(), Type::TEXT), (&key, Type::TEXT)],
        )
        .await
        .map_err(from_pg)?;
        tx.commit().await.map_err(from_pg)
    }
}
