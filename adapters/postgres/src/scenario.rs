//! `PgScenarioBackend`: the scenario ports over PostgreSQL (migration 0004): the
//! [`ScenarioStore`](aurum_ports::scenario_store::ScenarioStore), the
//! [`RunQueue`](aurum_ports::run_queue::RunQueue), the
//! [`Outbox`](aurum_ports::outbox::Outbox) and the
//! [`IdempotencyStore`](aurum_ports::idempotency::IdempotencyStore). One struct implements all
//! four because they share transactions: finishing a run writes its outputs, its new state and
//! its outbox event in one transaction.
//!
//! Every operation is one transaction that first takes a *scope*: `SET LOCAL ROLE` to a
//! non-superuser role and, for tenant work, `app.current_tenant` (both with `set_config(…, true)`,
//! so they end with the transaction and never leak into the pool). Row-level security then
//! confines tenant work to the tenant's rows whatever the login role is (a superuser login
//! would otherwise bypass every policy); the queue's cross-tenant work runs as the worker role,
//! which a separate policy admits to every tenant's runs. See `migrations/0004_scenarios.sql`.
//!
//! Statements are unnamed (`query_typed`), planned for their actual arguments.

mod definitions;
mod idempotency;
mod outbox;
mod outputs;
mod queue;
mod rows;
mod runs;
mod sql;
mod store;

use aurum_ports::{StoreError, TenantId};
use deadpool_postgres::{Object, Pool, Transaction};
use tokio_postgres::types::Type;

use crate::error::{from_pg, from_pool};

/// The role of tenant-scoped work; the `tenant_isolation` policy applies to it.
pub const APP_ROLE: &str = "aurum_app";
/// The role of the queue's cross-tenant work (claims, leases, outbox relay).
pub const WORKER_ROLE: &str = "aurum_worker";

/// Scenarios, runs, outputs, outbox and idempotency keys in PostgreSQL. Cloning shares the
/// pool. The login role must be a superuser or a member of [`APP_ROLE`] and [`WORKER_ROLE`].
#[derive(Clone)]
pub struct PgScenarioBackend {
    pool: Pool,
}

impl PgScenarioBackend {
    /// A backend over `pool` (whose schema has been migrated, see [`crate::Migrator`]).
    pub fn new(pool: Pool) -> Self {
        Self { pool }
    }

    /// A pooled connection.
    async fn client(&self) -> Result<Object, StoreError> {
        self.pool.get().await.map_err(from_pool)
    }
}

/// Begins a transaction confined by row-level security to `tenant`'s rows.
///
/// # Errors
/// When the database fails (including a login role that may not `SET ROLE aurum_app`).
pub(crate) async fn tenant_tx<'a>(
    client: &'a mut Object,
    tenant: &TenantId,
) -> Result<Transaction<'a>, StoreError> {
    let tx = client.transaction().await.map_err(from_pg)?;
    tx.query_typed(
        "SELECT set_config('role', $1::text, true), \
                set_config('app.current_tenant', $2::text, true)",
        &[(&APP_ROLE, Type::TEXT), (&tenant.as_str(), Type::TEXT)],
    )
    .await
    .map_err(from_pg)?;
    Ok(tx)
}

/// Begins a transaction of the queue worker, which sees every tenant's runs and the outbox.
///
/// # Errors
/// When the database fails.
pub(crate) async fn worker_tx(client: &mut Object) -> Result<Transaction<'_>, StoreError> {
    let tx = client.transaction().await.map_err(from_pg)?;
    tx.query_typed(
        "SELECT set_config('role', $1::text, true)",
        &[(&WORKER_ROLE, Type::TEXT)],
    )
    .await
    .map_err(from_pg)?;
    Ok(tx)
}
