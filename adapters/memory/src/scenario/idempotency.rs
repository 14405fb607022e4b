//! Idempotency keys per tenant: the first request's fingerprint, when it started, and its
//! response once completed. Started claims older than `stale_after` are taken over.

use aurum_ports::TenantId;
use aurum_ports::idempotency::{IdempotencyClaim, StoredResponse};
use chrono::{DateTime, Utc};

use super::state::{State, plus};

/// One key's record.
#[derive(Debug, Clone)]
pub(super) struct KeyRow {
    fingerprint: String,
    started_at: DateTime<Utc>,
    response: Option<StoredResponse>,
}

impl State {
    pub(super) fn begin(
        &mut self,
        tenant: &TenantId,
        key: &str,
        fingerprint: &str,
        now: DateTime<Utc>,
        stale_after: std::time::Duration,
    ) -> IdempotencyClaim {
        let fresh = KeyRow {
            fingerprint: fingerprint.to_owned(),
            started_at: now,
            response: None,
        };
        let slot = (tenant.clone(), key.to_owned());
        let Some(row) = self.keys.get(&slot) else {
            self.keys.insert(slot, fresh);
            return IdempotencyClaim::Started;
        };
        if let Some(response) = &row.response {
            return if row.fingerprint == fingerprint {
                IdempotencyClaim::Completed(response.clone())
            } else {
                IdempotencyClaim::Mismatch
            };
        }
        if plus(row.started_at, stale_after) < now {
            self.keys.insert(slot, fresh);
            return IdempotencyClaim::Started;
        }
        if row.fingerprint == fingerprint {
            IdempotencyClaim::InFlight
        } else {
            IdempotencyClaim::Mismatch
        }
    }

    pub(super) fn complete_key(&mut self, tenant: &TenantId, key: &str, response: StoredResponse) {
        if let Some(row) = self.keys.get_mut(&(tenant.clone(), key.to_owned())) {
            row.response = Some(response);
        }
    }

    pub(super) fn abandon(&mut self, tenant: &TenantId, key: &str) {
        let slot = (tenant.clone(), key.to_owned());
        if self.keys.get(&slot).is_some_and(|r| r.response.is_none()) {
            self.keys.remove(&slot);
        }
    }
}
