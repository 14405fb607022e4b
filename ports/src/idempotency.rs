//! The `IdempotencyStore` port: remembers, per tenant and `Idempotency-Key`, the request it
//! was first used with and the response that request got, so a retried command replays the
//! stored response instead of running twice.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::StoreError;
use crate::tenant::TenantId;

/// A stored response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// HTTP status.
    pub status: u16,
    /// Headers worth replaying (`Location`, `Content-Type`).
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

/// What beginning a keyed request found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyClaim {
    /// First use of the key: the caller runs the request, then [`IdempotencyStore::complete`]s.
    Started,
    /// The key's first request is still running.
    InFlight,
    /// The key was used with a different request (fingerprint).
    Mismatch,
    /// The key's request completed; replay this.
    Completed(StoredResponse),
}

/// Idempotency keys and their outcomes.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait IdempotencyStore: Send + Sync + 'static {
    /// Claims `key` for a request with `fingerprint` (hash of method, route and body) at `now`.
    /// A started claim older than `now − stale_after` counts as abandoned and is taken over.
    ///
    /// # Errors
    /// Backend errors only. Two concurrent first uses MUST yield one `Started` and one
    /// `InFlight`.
    async fn begin(
        &self,
        tenant: &TenantId,
        key: &str,
        fingerprint: &str,
        now: DateTime<Utc>,
        stale_after: std::time::Duration,
    ) -> Result<IdempotencyClaim, StoreError>;

    /// Stores the response of a started key.
    ///
    /// # Errors
    /// Backend errors only.
    async fn complete(
        &self,
        tenant: &TenantId,
        key: &str,
        response: StoredResponse,
    ) -> Result<(), StoreError>;

    /// Forgets a started key whose request failed before producing a replayable response.
    ///
    /// # Errors
    /// Backend errors only.
    async fn abandon(&self, tenant: &TenantId, key: &str) -> Result<(), StoreError>;
}
