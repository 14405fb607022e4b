//! The background worker: scenario run loops, the outbox relay and lease reclamation, as tasks
//! that stop at a safe point when their cancellation token fires (a claimed run is released,
//! never lost). `aurum worker` runs it alone; `aurum serve` runs it in-process when configured.

use std::sync::Arc;
use std::time::Duration;

use clap::{Args, ValueEnum};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use aurum_core::worker::{
    OutboxRelay, RelayConfig, Runner, RunnerConfig, SpanLinker, StepOutcome, random_jitter,
};
use aurum_ports::Clock;
use aurum_ports::outbox::{EventSink, IdGenerator};

use crate::backend::Backend;
use crate::telemetry::Telemetry;
use crate::telemetry::propagation::{OtelSpanLinker, inject_current};

/// How often the relay samples the outbox lag and dead-letter gauges.
const OUTBOX_STATS_EVERY: Duration = Duration::from_secs(10);

/// Which sink the relay delivers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum SinkKind {
    /// One structured log line per event.
    #[default]
    Log,
    /// Signed JSON POST to `AURUM_WEBHOOK_URL`.
    Webhook,
}

/// Worker settings.
#[derive(Debug, Clone, Args)]
pub struct WorkerSettings {
    /// Run loops working in parallel.
    #[arg(long, env = "AURUM_WORKER_CONCURRENCY", default_value_t = 2)]
    pub worker_concurrency: usize,
    /// Milliseconds an idle run loop waits before polling again.
    #[arg(long, env = "AURUM_WORKER_POLL_MS", default_value_t = 100)]
    pub worker_poll_ms: u64,
    /// Seconds a claim's lease lasts (a crashed worker's run is reclaimed after it).
    #[arg(long, env = "AURUM_WORKER_LEASE_SECS", default_value_t = 30)]
    pub worker_lease_secs: u64,
    /// Where the outbox relay delivers events.
    #[arg(long, env = "AURUM_EVENT_SINK", value_enum, default_value_t = SinkKind::Log)]
    pub event_sink: SinkKind,
    /// Webhook URL (with `--event-sink webhook`).
    #[arg(long, env = "AURUM_WEBHOOK_URL")]
    pub webhook_url: Option<String>,
    /// Secret that signs webhook bodies (HMAC-SHA256).
    #[arg(long, env = "AURUM_WEBHOOK_SECRET", hide_env_values = true)]
    pub webhook_secret: Option<String>,
    /// Milliseconds a webhook call may take.
    #[arg(long, env = "AURUM_WEBHOOK_TIMEOUT_MS", default_value_t = 5_000)]
    pub webhook_timeout_ms: u64,
    /// Delivery attempts before an event is dead-lettered.
    #[arg(long, env = "AURUM_OUTBOX_MAX_ATTEMPTS", default_value_t = 10)]
    pub outbox_max_attempts: u32,
    /// Milliseconds of the first outbox retry delay (doubles per attempt, full jitter).
    #[arg(long, env = "AURUM_OUTBOX_RETRY_BASE_MS", default_value_t = 1_000)]
    pub outbox_retry_base_ms: u64,
    /// Seconds claimed outbox events stay hidden from other relays (a crashed relay's events
    /// are delivered again after it).
    #[arg(long, env = "AURUM_OUTBOX_LEASE_SECS", default_value_t = 60)]
    pub outbox_lease_secs: u64,
}

impl WorkerSettings {
    /// Defaults (log sink, two run loops).
    pub fn defaults() -> Self {
        Self {
            worker_concurrency: 2,
            worker_poll_ms: 100,
            worker_lease_secs: 30,
            event_sink: SinkKind::Log,
            webhook_url: None,
            webhook_secret: None,
            webhook_timeout_ms: 5_000,
            outbox_max_attempts: 10,
            outbox_retry_base_ms: 1_000,
            outbox_lease_secs: 60,
        }
    }

    fn sink(&self) -> anyhow::Result<Arc<dyn EventSink>> {
        Ok(match self.event_sink {
            SinkKind::Log => Arc::new(aurum_adapter_events::LogSink),
            SinkKind::Webhook => {
                let url = self.webhook_url.as_deref().ok_or_else(|| {
                    anyhow::anyhow!("AURUM_WEBHOOK_URL is required with the webhook sink")
                })?;
                let secret = self.webhook_secret.as_deref().ok_or_else(|| {
                    anyhow::anyhow!("AURUM_WEBHOOK_SECRET is required with the webhook sink")
                })?;
                Arc::new(
                    aurum_adapter_events::WebhookSink::new(
                        url,
                        secret.as_bytes(),
                        Duration::from_millis(self.webhook_timeout_ms),
                    )?
                    .with_headers(Arc::new(inject_current)),
                )
            }
        })
    }
}

/// Ids: UUID v7 (time-ordered).
#[derive(Debug, Clone, Copy, Default)]
pub struct UuidV7Ids;

impl IdGenerator for UuidV7Ids {
    fn new_id(&self) -> uuid::Uuid {
        uuid::Uuid::now_v7()
    }
}

/// Starts the worker's tasks on `tracker`; they stop when `token` is cancelled. Runs and
/// deliveries are measured through `telemetry`'s meter and traced as children of the requests
/// that caused them.
///
/// # Errors
/// When the event sink is misconfigured.
pub fn spawn(
    backend: &Backend,
    clock: &Arc<dyn Clock>,
    settings: &WorkerSettings,
    telemetry: &Telemetry,
    token: &CancellationToken,
    tracker: &TaskTracker,
) -> anyhow::Result<()> {
    let meter = telemetry.meter();
    let linker: Arc<dyn SpanLinker> = Arc::new(OtelSpanLinker);
    let ids: Arc<dyn IdGenerator> = Arc::new(UuidV7Ids);
    let worker_id = format!("{}-{}", hostname(), uuid::Uuid::now_v7().simple());
    let poll = Duration::from_millis(settings.worker_poll_ms.max(1));
    for slot in 0..settings.worker_concurrency.max(1) {
        let mut config = RunnerConfig::new(format!("{worker_id}-{slot}"));
        config.lease = Duration::from_secs(settings.worker_lease_secs.max(1));
        let runner = Runner::new(
            Arc::clone(&backend.queue),
            Arc::clone(&backend.curves),
            Arc::clone(&ids),
            Arc::clone(clock),
            random_jitter(),
            config,
        )
        .with_meter(&*meter)
        .with_span_linker(Arc::clone(&linker));
        tracker.spawn(run_loop(runner, poll, token.clone()));
    }
    let relay_config = RelayConfig {
        max_attempts: settings.outbox_max_attempts.max(1),
        retry_base: Duration::from_millis(settings.outbox_retry_base_ms.max(1)),
        lease: Duration::from_secs(settings.outbox_lease_secs.max(1)),
        ..RelayConfig::default()
    };
    let relay = OutboxRelay::new(
        Arc::clone(&backend.outbox),
        settings.sink()?,
        Arc::clone(clock),
        random_jitter(),
        relay_config,
    )
    .with_meter(&*meter, OUTBOX_STATS_EVERY)
    .with_span_linker(linker);
    tracker.spawn(relay_loop(relay, poll, token.clone()));
    let reclaimer = Runner::new(
        Arc::clone(&backend.queue),
        Arc::clone(&backend.curves),
        ids,
        Arc::clone(clock),
        random_jitter(),
        RunnerConfig::new(format!("{worker_id}-reclaimer")),
    );
    tracker.spawn(reclaim_loop(
        reclaimer,
        Duration::from_secs(settings.worker_lease_secs.max(2) / 2),
        token.clone(),
    ));
    tracing::info!(
        worker_id,
        concurrency = settings.worker_concurrency,
        "worker started"
    );
    Ok(())
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map_or_else(|_| "aurum".to_owned(), |h| h.trim().to_owned())
}

/// One run loop. The safe point is between steps: a step (claim → compute → complete) is
/// short and always finishes, so shutdown never abandons a run half-written.
async fn run_loop(runner: Runner, poll: Duration, token: CancellationToken) {
    while !token.is_cancelled() {
        match runner.run_next().await {
            Ok(StepOutcome::Idle) => {
                tokio::select! {
                    () = token.cancelled() => break,
                    () = tokio::time::sleep(poll) => {}
                }
            }
            Ok(outcome) => tracing::debug!(?outcome, "run step"),
            Err(e) => {
                tracing::warn!(error = %e, "run step failed; retrying shortly");
                tokio::time::sleep(poll * 10).await;
            }
        }
    }
    // Defensive: nothing should be held between steps, but never leave a claim behind.
    match runner.release_claimed().await {
        Ok(Some(run)) => tracing::info!(%run, "released a claimed run on shutdown"),
        Ok(None) => {}
        Err(e) => {
            tracing::warn!(error = %e, "could not release a claimed run; its lease will expire");
        }
    }
}

async fn relay_loop(relay: OutboxRelay, poll: Duration, token: CancellationToken) {
    while !token.is_cancelled() {
        match relay.deliver_due().await {
            Ok(report) if report.claimed > 0 => {
                tracing::debug!(?report, "outbox relay");
                continue;
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "outbox relay failed; retrying shortly"),
        }
        tokio::select! {
            () = token.cancelled() => break,
            () = tokio::time::sleep(poll) => {}
        }
    }
}

async fn reclaim_loop(runner: Runner, every: Duration, token: CancellationToken) {
    loop {
        tokio::select! {
            () = token.cancelled() => break,
            () = tokio::time::sleep(every) => {}
        }
        match runner.reclaim_expired().await {
            Ok(0) => {}
            Ok(n) => tracing::warn!(reclaimed = n, "requeued runs whose lease expired"),
            Err(e) => tracing::warn!(error = %e, "lease reclamation failed"),
        }
    }
}

/// `aurum worker`: runs until SIGTERM or SIGINT, then stops at a safe point.
///
/// # Errors
/// When the backend cannot be opened or the sink is misconfigured.
pub async fn command(
    database: &crate::settings::DatabaseSettings,
    settings: &WorkerSettings,
    telemetry: &Telemetry,
) -> anyhow::Result<()> {
    let backend = Backend::open(database).await?;
    if let Some(pool) = &backend.pool {
        telemetry.observe_pool(pool);
    }
    let clock: Arc<dyn Clock> = Arc::new(crate::clock::SystemClock);
    let token = CancellationToken::new();
    let tracker = TaskTracker::new();
    spawn(&backend, &clock, settings, telemetry, &token, &tracker)?;
    shutdown_signal().await;
    tracing::info!("stopping the worker");
    token.cancel();
    tracker.close();
    if tokio::time::timeout(Duration::from_secs(30), tracker.wait())
        .await
        .is_err()
    {
        tracing::warn!("worker tasks did not stop within 30 s");
    }
    telemetry.shutdown().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let Ok(mut term) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        else {
            let _ = ctrl_c.await;
            return;
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
