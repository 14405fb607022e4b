//! [`MemoryPolicyStore`]: rate-limit policies in a map, per process (the embedded default;
//! deployments with several instances keep policies in PostgreSQL).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use aurum_ports::{Policy, PolicyStore, StoreError};

/// Policies in memory. Cloning it clones a handle to the same map.
#[derive(Debug, Clone, Default)]
pub struct MemoryPolicyStore {
    policies: Arc<Mutex<BTreeMap<String, Policy>>>,
}

impl MemoryPolicyStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Policy>> {
        // Every write is one map operation, so a poisoned map is still consistent.
        self.policies.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[async_trait]
impl PolicyStore for MemoryPolicyStore {
    async fn list(&self) -> Result<Vec<Policy>, StoreError> {
        Ok(self.lock().values().cloned().collect())
    }

    async fn put(&self, policy: &Policy) -> Result<bool, StoreError> {
        Ok(self
            .lock()
            .insert(policy.name().to_owned(), policy.clone())
            .is_none())
    }

    async fn delete(&self, name: &str) -> Result<bool, StoreError> {
        Ok(self.lock().remove(name).is_some())
    }
}
