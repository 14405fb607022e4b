//! [`MemoryScenarioBackend`]: the embedded scenario store, run queue, outbox and idempotency
//! store in one. All state sits behind one mutex, so a finishing call that writes a run's
//! status, its outputs and its outbox event does so in one critical section — the memory
//! equivalent of one transaction. The lock is never held across an `.await`: every trait
//! method runs a synchronous operation on the state.

mod definitions;
mod idempotency;
mod outbox;
mod outputs;
mod paging;
mod ports;
mod queue;
mod runs;
mod state;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use self::state::State;

/// In-memory scenarios, runs, outputs, outbox events and idempotency keys. It implements
/// `ScenarioStore`, `RunQueue`, `Outbox` and `IdempotencyStore` over the same state; cloning
/// clones a handle to that state.
#[derive(Clone, Default)]
pub struct MemoryScenarioBackend {
    state: Arc<Mutex<State>>,
}

impl MemoryScenarioBackend {
    /// An empty backend.
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs `op` on the locked state (a poisoned lock is recovered: every operation leaves the
    /// state consistent before anything can panic).
    fn with<T>(&self, op: impl FnOnce(&mut State) -> T) -> T {
        let mut guard: MutexGuard<'_, State> =
            self.state.lock().unwrap_or_else(PoisonError::into_inner);
        op(&mut guard)
    }
}

impl std::fmt::Debug for MemoryScenarioBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryScenarioBackend")
            .finish_non_exhaustive()
    }
}
