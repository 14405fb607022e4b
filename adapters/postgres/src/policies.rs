//! [`PgPolicyStore`]: rate-limit policies in table `rate_limit_policy` (migration 0005).

use std::time::Duration;

use async_trait::async_trait;
use aurum_ports::{Policy, PolicyMatch, PolicyStore, StoreError, TenantId};
use deadpool_postgres::Pool;
use tokio_postgres::Row;
use tokio_postgres::types::Type;

use crate::error::{from_pg, from_pool};

/// Policies in PostgreSQL, shared by every instance.
#[derive(Clone)]
pub struct PgPolicyStore {
    pool: Pool,
}

impl PgPolicyStore {
    /// A store over `pool` (whose schema has been migrated).
    pub fn new(pool: Pool) -> Self {
        Self { pool }
    }
}

fn policy(row: &Row) -> Result<Policy, StoreError> {
    let name: String = row.get(0);
    let tenant: Option<String> = row.get(1);
    let invalid = |what: String| {
        StoreError::Unexpected(format!("stored rate-limit policy {name:?}: {what}").into())
    };
    let tenant = tenant
        .map(|t| TenantId::parse(&t))
        .transpose()
        .map_err(|e| invalid(e.to_string()))?;
    let quota = u32::try_from(row.get::<_, i64>(3)).map_err(|e| invalid(e.to_string()))?;
    let window = u64::try_from(row.get::<_, i64>(4)).map_err(|e| invalid(e.to_string()))?;
    let burst = u32::try_from(row.get::<_, i64>(5)).map_err(|e| invalid(e.to_string()))?;
    let matcher = PolicyMatch {
        tenant,
        route_group: row.get(2),
    };
    Policy::new(&name, matcher, quota, Duration::from_millis(window), burst)
        .map_err(|e| invalid(e.to_string()))
}

#[async_trait]
impl PolicyStore for PgPolicyStore {
    async fn list(&self) -> Result<Vec<Policy>, StoreError> {
        let client = self.pool.get().await.map_err(from_pool)?;
        let rows = client
            .query_typed(
                "SELECT name, tenant_id, route_group, quota, window_ms, burst \
                 FROM rate_limit_policy ORDER BY name COLLATE \"C\"",
                &[],
            )
            .await
            .map_err(from_pg)?;
        rows.iter().map(policy).collect()
    }

    async fn put(&self, policy: &Policy) -> Result<bool, StoreError> {
        let client = self.pool.get().await.map_err(from_pool)?;
        let window_ms = i64::try_from(policy.window().as_millis()).unwrap_or(i64::MAX);
        let m = policy.matcher();
        let row = client
            .query_one(
                "INSERT INTO rate_limit_policy AS p \
                     (name, tenant_id, route_group, quota, window_ms, burst) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (name) DO UPDATE SET tenant_id = EXCLUDED.tenant_id, \
                     route_group = EXCLUDED.route_group, quota = EXCLUDED.quota, \
                     window_ms = EXCLUDED.window_ms, burst = EXCLUDED.burst, updated_at = now() \
                 RETURNING (xmax = 0) AS inserted",
                &[
                    &policy.name(),
                    &m.tenant.as_ref().map(TenantId::as_str),
                    &m.route_group.as_deref(),
                    &i64::from(policy.quota()),
                    &window_ms,
                    &i64::from(policy.burst()),
                ],
            )
            .await
            .map_err(from_pg)?;
        Ok(row.get(0))
    }

    async fn delete(&self, name: &str) -> Result<bool, StoreError> {
        let client = self.pool.get().await.map_err(from_pool)?;
        let n = client
            .execute_typed(
                "DELETE FROM rate_limit_policy WHERE name = $1",
                &[(&name, Type::TEXT)],
            )
            .await
            .map_err(from_pg)?;
        Ok(n > 0)
    }
}
