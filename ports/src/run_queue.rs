//! The `RunQueue` port: workers claim queued runs under a lease, report progress, and finish
//! them. Finishing writes the outputs, the run's new state and its outbox event in one
//! transaction, so an event exists iff its state change does.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::StoreError;
use crate::outbox::NewEvent;
use crate::scenario::{Run, RunId, RunStatus, Scenario, ScenarioOutput};

/// A run claimed by a worker.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedRun {
    /// The run (status `running`, `attempt` counting this claim).
    pub run: Run,
    /// Its scenario as it is now.
    pub scenario: Scenario,
    /// The lease expires then unless renewed.
    pub lease_until: DateTime<Utc>,
    /// W3C `traceparent` of the request that submitted the run.
    pub traceparent: Option<String>,
}

/// How a failed attempt ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOutcome {
    /// Queue the run again, not before this instant.
    Retry {
        /// Earliest next claim.
        not_before: DateTime<Utc>,
    },
    /// Terminal `failed`.
    Failed,
    /// Terminal `timeout`.
    TimedOut,
}

/// The work queue of scenario runs.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait RunQueue: Send + Sync + 'static {
    /// Claims the next due queued run (highest priority first, then oldest) for `worker`, sets it
    /// `running` (`started_at` only the first time) with a lease until `now + lease`.
    ///
    /// # Errors
    /// Backend errors only. Two concurrent claims MUST never return the same run.
    async fn claim(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Option<ClaimedRun>, StoreError>;

    /// Extends `worker`'s lease to `until`; `false` when it no longer holds the run (lease lost
    /// or run no longer running, e.g. cancelled).
    ///
    /// # Errors
    /// Backend errors only.
    async fn heartbeat(
        &self,
        run: RunId,
        worker: &str,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// The run's current status (workers check it for cancellation).
    ///
    /// # Errors
    /// Backend errors only.
    async fn status(&self, run: RunId) -> Result<Option<RunStatus>, StoreError>;

    /// Success: replaces the run's outputs with `outputs` (never two sets), marks it
    /// `succeeded` at `at` and appends `event`, atomically. `false` (and nothing written) when
    /// `worker` no longer holds a running lease on it.
    ///
    /// # Errors
    /// Backend errors only.
    async fn complete(
        &self,
        run: RunId,
        worker: &str,
        at: DateTime<Utc>,
        outputs: Vec<ScenarioOutput>,
        event: NewEvent,
    ) -> Result<bool, StoreError>;

    /// A failed attempt: requeued for a retry (attempt counted, lease cleared), or terminal
    /// (`failed` / `timeout`, with `error` and `event` appended atomically). `false` when
    /// `worker` no longer holds a running lease on it.
    ///
    /// # Errors
    /// Backend errors only.
    async fn fail(
        &self,
        run: RunId,
        worker: &str,
        at: DateTime<Utc>,
        error: &str,
        outcome: FailOutcome,
        event: Option<NewEvent>,
    ) -> Result<bool, StoreError>;

    /// Gives a claimed run back (graceful shutdown): `queued` again, lease cleared, the attempt
    /// not counted as a retry.
    ///
    /// # Errors
    /// Backend errors only.
    async fn release(&self, run: RunId, worker: &str) -> Result<bool, StoreError>;

    /// Requeues every running run whose lease expired before `now`; returns how many.
    ///
    /// # Errors
    /// Backend errors only.
    async fn reclaim_expired(&self, now: DateTime<Utc>) -> Result<u64, StoreError>;
}
