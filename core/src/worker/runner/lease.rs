//! Lease bookkeeping of a [`Runner`]: which run it holds, heartbeats that extend the lease,
//! giving the run back on shutdown, and requeueing runs whose lease expired.

use std::sync::PoisonError;

use chrono::TimeDelta;

use aurum_ports::scenario::RunId;

use super::Runner;
use crate::worker::WorkerError;

impl Runner {
    pub(super) fn set_current(&self, run: Option<RunId>) {
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) = run;
    }

    /// The run this runner is working on, if any.
    pub fn current_run(&self) -> Option<RunId> {
        *self.current.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Extends the lease on `run` by the configured lease from now; `false` when the run was
    /// lost (cancelled or claimed by another worker), so the caller should stop working on it.
    ///
    /// # Errors
    /// [`WorkerError::Store`] when the queue fails.
    pub async fn heartbeat(&self, run: RunId) -> Result<bool, WorkerError> {
        let until =
            self.clock.now() + TimeDelta::from_std(self.config.lease).unwrap_or(TimeDelta::MAX);
        Ok(self
            .queue
            .heartbeat(run, &self.config.worker_id, until)
            .await?)
    }

    /// Gives back the run this runner holds (graceful shutdown at a safe point, e.g. after a
    /// step was abandoned): queued again, the attempt not counted. Returns the released run.
    ///
    /// # Errors
    /// [`WorkerError::Store`] when the queue fails.
    pub async fn release_claimed(&self) -> Result<Option<RunId>, WorkerError> {
        let Some(run) = self.current_run() else {
            return Ok(None);
        };
        let released = self.queue.release(run, &self.config.worker_id).await?;
        self.set_current(None);
        Ok(released.then_some(run))
    }

    /// Requeues runs whose lease expired (crashed workers); returns how many.
    ///
    /// # Errors
    /// [`WorkerError::Store`] when the queue fails.
    pub async fn reclaim_expired(&self) -> Result<u64, WorkerError> {
        Ok(self.queue.reclaim_expired(self.clock.now()).await?)
    }
}
