//! The lifecycle manager: ordered startup steps and an ordered, idempotent shutdown, each step
//! logged with its duration.
//!
//! Startup (in [`crate::Application::build_with_telemetry`]): settings → telemetry → pools
//! (PostgreSQL retried with backoff for `AURUM_DB_STARTUP_TIMEOUT_SECS`) → migration check →
//! data → caches and rate limits → worker and relay → HTTP. Readiness exists only once the
//! server runs.
//!
//! Shutdown, on SIGTERM or SIGINT (or [`Lifecycle::request_stop`]): `/ready` turns 503
//! (draining) → optional drain delay (`AURUM_SHUTDOWN_DRAIN_DELAY_MS`, so load balancers
//! notice) → the server stops accepting and in-flight requests finish within
//! `AURUM_SHUTDOWN_TIMEOUT` → the worker stops at a safe point and releases its claim →
//! telemetry is flushed → pools are closed. A second signal forces the HTTP stop.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use aurum_ports::telemetry::{Gauge, InstrumentSpec, Meter};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::state::AppState;

/// `aurum.dependency.up{dependency}`: 1 when a dependency answered its last check, else 0.
pub const DEPENDENCY_UP: InstrumentSpec = InstrumentSpec::new(
    "aurum.dependency.up",
    "{status}",
    "Whether a dependency answered its last check (1) or not (0).",
);

/// Shared by the server, `/ready` and the shutdown sequence.
#[derive(Debug, Default)]
pub struct Lifecycle {
    draining: AtomicBool,
    stop: CancellationToken,
}

impl Lifecycle {
    /// A running lifecycle.
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Asks for a graceful shutdown; calling it again changes nothing.
    pub fn request_stop(&self) {
        if !self.stop.is_cancelled() {
            tracing::info!("shutdown requested");
        }
        self.stop.cancel();
    }

    /// Whether a shutdown was asked for.
    pub fn stop_requested(&self) -> bool {
        self.stop.is_cancelled()
    }

    /// Resolves once a shutdown is asked for.
    pub async fn stopped(&self) {
        self.stop.cancelled().await;
    }

    /// Whether the service is draining (`/ready` answers 503).
    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::Relaxed)
    }

    fn start_draining(&self) {
        self.draining.store(true, Ordering::Relaxed);
    }
}

/// Runs one lifecycle step, logging its name and duration.
pub async fn step<T>(phase: &'static str, name: &'static str, work: impl Future<Output = T>) -> T {
    let started = Instant::now();
    let out = work.await;
    tracing::info!(
        phase,
        step = name,
        duration_ms = started.elapsed().as_secs_f64() * 1000.0,
        "lifecycle step done"
    );
    out
}

/// Listens for SIGTERM and SIGINT: the first asks for a graceful stop, the second forces the
/// HTTP server down.
pub async fn listen_for_signals(lifecycle: Arc<Lifecycle>, server: actix_web::dev::ServerHandle) {
    let mut count = 0_u32;
    loop {
        if !next_signal().await {
            return;
        }
        count += 1;
        if count == 1 {
            tracing::info!("signal received: draining, then stopping gracefully");
            lifecycle.request_stop();
        } else {
            tracing::warn!("second signal: stopping the HTTP server now");
            server.stop(false).await;
            return;
        }
    }
}

/// Waits for SIGTERM or SIGINT; `false` when signals cannot be listened to.
async fn next_signal() -> bool {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut term), Ok(mut int)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) else {
            return false;
        };
        tokio::select! {
            _ = term.recv() => true,
            _ = int.recv() => true,
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await.is_ok()
    }
}

/// Samples every dependency every `every` into `aurum_dependency_up`, until `token` fires.
pub fn spawn_dependency_monitor(
    state: &actix_web::web::Data<AppState>,
    meter: &dyn Meter,
    every: Duration,
    token: &CancellationToken,
    tracker: &TaskTracker,
) {
    let gauge: Gauge = meter.gauge(DEPENDENCY_UP);
    let state = state.clone();
    let token = token.clone();
    tracker.spawn(async move {
        loop {
            for (dependency, status, _) in crate::http::ops::dependency_checks(&state).await {
                let up = if status == "pass" { 1.0 } else { 0.0 };
                gauge.record(up, &[("dependency", dependency.as_str())]);
            }
            tokio::select! {
                () = token.cancelled() => break,
                () = tokio::time::sleep(every) => {}
            }
        }
    });
}

/// What the shutdown sequence needs besides the server.
pub struct Stoppable {
    /// The worker, relay, refresher and monitor tasks' token.
    pub token: CancellationToken,
    /// Their tracker.
    pub tracker: TaskTracker,
    /// Flushed after the worker stopped.
    pub telemetry: crate::telemetry::Telemetry,
    /// Closed last.
    pub pool: Option<deadpool_postgres::Pool>,
    /// In-flight requests' and the worker's budget.
    pub timeout: Duration,
    /// Pause between draining and closing the listener.
    pub drain_delay: Duration,
}

/// Serves until a shutdown is requested, then runs the shutdown sequence.
///
/// # Errors
/// When the server fails.
pub async fn run(
    server: actix_web::dev::Server,
    lifecycle: Arc<Lifecycle>,
    stoppable: Stoppable,
) -> std::io::Result<()> {
    let handle = server.handle();
    let signals = tokio::spawn(listen_for_signals(Arc::clone(&lifecycle), handle.clone()));
    let drain = tokio::spawn({
        let lifecycle = Arc::clone(&lifecycle);
        let delay = stoppable.drain_delay;
        async move {
            lifecycle.stopped().await;
            step("shutdown", "drain", async {
                lifecycle.start_draining();
                if !delay.is_zero() {
                    tokio::time::sleep(delay).await;
                }
            })
            .await;
            // Stops accepting; in-flight requests get the server's shutdown timeout.
            step("shutdown", "http", handle.stop(true)).await;
        }
    });
    let result = server.await;
    if lifecycle.stop_requested() {
        // The drain task logs the HTTP step as the server finishes; let it.
        let _ = tokio::time::timeout(Duration::from_secs(1), drain).await;
    } else {
        // The server ended on its own (a fatal error): run the rest of the sequence anyway.
        drain.abort();
        lifecycle.request_stop();
        lifecycle.start_draining();
    }
    signals.abort();
    let Stoppable {
        token,
        tracker,
        telemetry,
        pool,
        timeout,
        ..
    } = stoppable;
    step("shutdown", "worker", async {
        token.cancel();
        tracker.close();
        if tokio::time::timeout(timeout, tracker.wait()).await.is_err() {
            tracing::warn!(
                timeout_s = timeout.as_secs(),
                "background tasks did not stop in time; unfinished runs' leases will expire"
            );
        }
    })
    .await;
    step("shutdown", "telemetry", telemetry.shutdown()).await;
    step("shutdown", "pools", async {
        if let Some(pool) = pool {
            pool.close();
        }
    })
    .await;
    tracing::info!("aurum stopped");
    result
}
