//! The scenario run worker as a step function: [`Runner::run_next`] claims one due run under
//! a lease, honours cancellation before and after computing, enforces the run's time budget,
//! values it with the engine over prefetched baselines, and finishes it: outputs, status and
//! outbox event in one queue call. Transient store failures are retried with full-jitter
//! backoff up to the run's `max_retries`; anything else fails the run.

mod lease;
mod outcome;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use tracing::Instrument as _;

use aurum_ports::outbox::{IdGenerator, NewEvent};
use aurum_ports::run_queue::{ClaimedRun, FailOutcome, RunQueue};
use aurum_ports::scenario::{Run, RunId, RunStatus};
use aurum_ports::telemetry::Meter;
use aurum_ports::{Clock, CurveStore, StoreError};

use super::baselines::fetch_baselines;
use super::telemetry::{RunMetrics, SpanLinker, no_linker};
use super::{Jitter, WorkerError};
use crate::scenarios::{
    EngineWeights, baseline_keys, evaluate_run, resolve_asof, resolve_curve_key,
};

/// Topic of the event of a succeeded run.
pub const TOPIC_SUCCEEDED: &str = "scenario.run.succeeded";
/// Topic of the event of a run that failed for good.
pub const TOPIC_FAILED: &str = "scenario.run.failed";
/// Topic of the event of a run that exceeded its time budget.
pub const TOPIC_TIMEOUT: &str = "scenario.run.timeout";

/// What one step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepOutcome {
    /// Nothing was due.
    Idle,
    /// The run succeeded and its outputs were written.
    Succeeded(RunId),
    /// The run was cancelled; nothing was written.
    Cancelled(RunId),
    /// A transient failure; the run is queued again, not before the given instant.
    Retrying(RunId, DateTime<Utc>),
    /// The run failed for good.
    Failed(RunId),
    /// The run exceeded its time budget.
    TimedOut(RunId),
    /// The worker no longer held the run's lease; nothing was written.
    LeaseLost(RunId),
}

/// How a runner works.
#[derive(Debug, Clone, PartialEq)]
pub struct RunnerConfig {
    /// This worker's identity in leases.
    pub worker_id: String,
    /// Lease length of a claim (renewed by [`Runner::heartbeat`]).
    pub lease: Duration,
    /// Backoff base of retries.
    pub retry_base: Duration,
    /// Longest backoff between retries.
    pub retry_cap: Duration,
    /// Tenor weights of the engine.
    pub weights: EngineWeights,
    /// Rows per curve-store page when reading baselines.
    pub baseline_page_limit: usize,
}

impl RunnerConfig {
    /// Defaults for `worker_id`: 5 min lease, 1 s–5 min backoff, default weights, 500-row pages.
    pub fn new(worker_id: impl Into<String>) -> Self {
        Self {
            worker_id: worker_id.into(),
            lease: Duration::from_mins(5),
            retry_base: Duration::from_secs(1),
            retry_cap: Duration::from_mins(5),
            weights: EngineWeights::default(),
            baseline_page_limit: 500,
        }
    }
}

/// The scenario run worker.
#[derive(Clone)]
pub struct Runner {
    queue: Arc<dyn RunQueue>,
    curves: Arc<dyn CurveStore>,
    ids: Arc<dyn IdGenerator>,
    clock: Arc<dyn Clock>,
    jitter: Jitter,
    config: RunnerConfig,
    /// The run this runner holds between claim and finish (released on shutdown).
    current: Arc<Mutex<Option<RunId>>>,
    metrics: RunMetrics,
    linker: Arc<dyn SpanLinker>,
}

impl Runner {
    /// A runner over its ports.
    pub fn new(
        queue: Arc<dyn RunQueue>,
        curves: Arc<dyn CurveStore>,
        ids: Arc<dyn IdGenerator>,
        clock: Arc<dyn Clock>,
        jitter: Jitter,
        config: RunnerConfig,
    ) -> Self {
        Self {
            queue,
            curves,
            ids,
            clock,
            jitter,
            config,
            current: Arc::new(Mutex::new(None)),
            metrics: RunMetrics::default(),
            linker: no_linker(),
        }
    }

    /// Records runs by terminal state, run durations and queue waits through `meter` (the
    /// default records nothing).
    #[must_use]
    pub fn with_meter(mut self, meter: &dyn Meter) -> Self {
        self.metrics = RunMetrics::new(meter);
        self
    }

    /// Links each run span to the trace of the request that submitted the run (the default
    /// links nothing).
    #[must_use]
    pub fn with_span_linker(mut self, linker: Arc<dyn SpanLinker>) -> Self {
        self.linker = linker;
        self
    }

    /// The configuration.
    pub fn config(&self) -> &RunnerConfig {
        &self.config
    }

    /// Claims and processes one due run.
    ///
    /// # Errors
    /// [`WorkerError::Store`] when claiming, checking status or recording the outcome failed;
    /// the claimed run then keeps its lease until it expires and is reclaimed.
    pub async fn run_next(&self) -> Result<StepOutcome, WorkerError> {
        let worker = self.config.worker_id.as_str();
        let now = self.clock.now();
        let claimed = self.queue.claim(worker, now, self.config.lease).await?;
        let Some(claimed) = claimed else {
            return Ok(StepOutcome::Idle);
        };
        self.record_queue_wait(&claimed.run, now);
        let span = self.run_span(&claimed);
        self.set_current(Some(claimed.run.id));
        let outcome = self.process(&claimed).instrument(span.clone()).await;
        self.set_current(None);
        if let Ok(o) = &outcome {
            span.record("outcome", tracing::field::debug(o));
            self.record_outcome(&claimed.run, *o);
        }
        outcome
    }

    /// The span of one run execution (ADR 0009): a child of the submitting request's trace
    /// when the run carries its `traceparent` and the shell installed a linker.
    fn run_span(&self, claimed: &ClaimedRun) -> tracing::Span {
        let run = &claimed.run;
        let span = tracing::info_span!(
            target: "aurum_trace",
            "scenario.run",
            otel.name = "scenario.run",
            otel.kind = "consumer",
            run_id = %run.id,
            scenario_id = %run.scenario_id,
            tenant = %run.tenant_id,
            attempt = run.attempt,
            traceparent = claimed.traceparent.as_deref().unwrap_or_default(),
            trace_id = tracing::field::Empty,
            outcome = tracing::field::Empty,
        );
        if let Some(tp) = &claimed.traceparent {
            self.linker.adopt(&span, tp);
        }
        if let Some(own) = self.linker.traceparent(&span)
            && let Some(trace_id) = own.split('-').nth(1)
        {
            span.record("trace_id", trace_id);
        }
        span
    }

    /// Queue wait, on a run's first claim only (when the queue set `started_at` to this
    /// claim's instant; backends keep microseconds).
    fn record_queue_wait(&self, run: &Run, claimed_at: DateTime<Utc>) {
        let first = run
            .started_at
            .is_some_and(|s| s.timestamp_micros() == claimed_at.timestamp_micros());
        if first {
            let wait = (claimed_at - run.queued_at).as_seconds_f64().max(0.0);
            self.metrics.queue_wait.record(wait, &[]);
        }
    }

    /// Runs by terminal state and their durations (retries, cancellations and lost leases
    /// are not terminal here: the API counts cancellations).
    fn record_outcome(&self, run: &Run, outcome: StepOutcome) {
        let state = match outcome {
            StepOutcome::Succeeded(_) => "succeeded",
            StepOutcome::Failed(_) => "failed",
            StepOutcome::TimedOut(_) => "timeout",
            StepOutcome::Idle
            | StepOutcome::Cancelled(_)
            | StepOutcome::Retrying(..)
            | StepOutcome::LeaseLost(_) => return,
        };
        let attrs = [("state", state)];
        self.metrics.runs.add(1, &attrs);
        if let Some(started) = run.started_at {
            let seconds = (self.clock.now() - started).as_seconds_f64().max(0.0);
            self.metrics.duration.record(seconds, &attrs);
        }
    }

    async fn process(&self, claimed: &ClaimedRun) -> Result<StepOutcome, WorkerError> {
        let run = &claimed.run;
        if self.is_cancelled(run.id).await? {
            return Ok(StepOutcome::Cancelled(run.id));
        }
        let now = self.clock.now();
        if over_budget(run, now) {
            return self.time_out(claimed, now).await;
        }
        let outputs = match self.compute(claimed, now).await {
            Ok(outputs) => outputs,
            Err(e) => return self.on_error(claimed, &e).await,
        };
        let done = self.clock.now();
        if self.is_cancelled(run.id).await? {
            return Ok(StepOutcome::Cancelled(run.id));
        }
        if over_budget(run, done) {
            return self.time_out(claimed, done).await;
        }
        let event = self.event(
            claimed,
            TOPIC_SUCCEEDED,
            outcome::succeeded(run, outputs.len()),
        );
        let worker = self.config.worker_id.as_str();
        match self
            .queue
            .complete(run.id, worker, done, outputs, event)
            .await
        {
            Ok(true) => Ok(StepOutcome::Succeeded(run.id)),
            Ok(false) => self.lost(run.id).await,
            Err(e) => self.on_error(claimed, &e).await,
        }
    }

    async fn compute(
        &self,
        claimed: &ClaimedRun,
        now: DateTime<Utc>,
    ) -> Result<Vec<aurum_ports::scenario::ScenarioOutput>, StoreError> {
        let (run, scenario) = (&claimed.run, &claimed.scenario);
        let today = now.date_naive();
        let asof = resolve_asof(run.asof_date, today);
        let curve = resolve_curve_key(&run.curve_keys, &run.tenant_id, run.scenario_id, asof);
        let keys = baseline_keys(&scenario.assumptions, &curve);
        let baselines =
            fetch_baselines(&*self.curves, &keys, asof, self.config.baseline_page_limit).await?;
        Ok(evaluate_run(
            scenario,
            run,
            today,
            now,
            &self.config.weights,
            &baselines,
        ))
    }

    /// A failed attempt: transient errors are retried while retries remain.
    async fn on_error(
        &self,
        claimed: &ClaimedRun,
        error: &StoreError,
    ) -> Result<StepOutcome, WorkerError> {
        let run = &claimed.run;
        let now = self.clock.now();
        let message = error.to_string();
        let worker = self.config.worker_id.as_str();
        if super::is_transient(error) && run.retry_count < run.max_retries {
            let not_before = now + self.retry_delay(run.retry_count);
            let outcome = FailOutcome::Retry { not_before };
            let held = self
                .queue
                .fail(run.id, worker, now, &message, outcome, None)
                .await?;
            return if held {
                Ok(StepOutcome::Retrying(run.id, not_before))
            } else {
                self.lost(run.id).await
            };
        }
        let payload = outcome::ended(run, RunStatus::Failed, &message);
        let event = self.event(claimed, TOPIC_FAILED, payload);
        let outcome = FailOutcome::Failed;
        let held = self
            .queue
            .fail(run.id, worker, now, &message, outcome, Some(event))
            .await?;
        if held {
            Ok(StepOutcome::Failed(run.id))
        } else {
            self.lost(run.id).await
        }
    }

    async fn time_out(
        &self,
        claimed: &ClaimedRun,
        now: DateTime<Utc>,
    ) -> Result<StepOutcome, WorkerError> {
        let run = &claimed.run;
        let message = format!(
            "run exceeded its time budget of {} minutes",
            run.timeout_minutes
        );
        let event = self.event(
            claimed,
            TOPIC_TIMEOUT,
            outcome::ended(run, RunStatus::Timeout, &message),
        );
        let worker = self.config.worker_id.as_str();
        let outcome = FailOutcome::TimedOut;
        let held = self
            .queue
            .fail(run.id, worker, now, &message, outcome, Some(event))
            .await?;
        if held {
            Ok(StepOutcome::TimedOut(run.id))
        } else {
            self.lost(run.id).await
        }
    }

    /// The queue refused a finish: cancelled meanwhile, or the lease went to another worker.
    async fn lost(&self, run: RunId) -> Result<StepOutcome, WorkerError> {
        Ok(if self.is_cancelled(run).await? {
            StepOutcome::Cancelled(run)
        } else {
            StepOutcome::LeaseLost(run)
        })
    }

    async fn is_cancelled(&self, run: RunId) -> Result<bool, WorkerError> {
        Ok(self.queue.status(run).await? == Some(RunStatus::Cancelled))
    }

    /// The delay before retry number `retry` (0 for the first).
    pub fn retry_delay(&self, retry: u32) -> TimeDelta {
        let delay = crate::scenarios::backoff_delay(
            retry,
            self.config.retry_base,
            self.config.retry_cap,
            (self.jitter)(),
        );
        TimeDelta::from_std(delay).unwrap_or(TimeDelta::MAX)
    }

    /// An event of the run: its `traceparent` is the run span's own context when spans are
    /// bridged (so consumers continue the run's trace), else the submitting request's.
    fn event(&self, claimed: &ClaimedRun, topic: &str, payload: serde_json::Value) -> NewEvent {
        NewEvent {
            id: self.ids.new_id(),
            topic: topic.to_owned(),
            key: claimed.run.id.to_string(),
            payload,
            traceparent: self
                .linker
                .traceparent(&tracing::Span::current())
                .or_else(|| claimed.traceparent.clone()),
        }
    }
}

/// Whether `run`, started at `started_at` (or now), has exceeded its time budget at `now`.
fn over_budget(run: &Run, now: DateTime<Utc>) -> bool {
    let started = run.started_at.unwrap_or(now);
    now - started > TimeDelta::minutes(i64::from(run.timeout_minutes))
}

#[cfg(test)]
mod tests;
