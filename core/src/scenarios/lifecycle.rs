//! The run state machine: a run is created queued, goes queued → running → succeeded | failed
//! | timeout, and can be cancelled while queued or running. Terminal states are final, so a
//! cancelled run is never overwritten by a late worker; `started_at` and `completed_at` are set
//! once.

use chrono::{DateTime, Utc};

use aurum_ports::TenantId;
use aurum_ports::scenario::{Run, RunId, RunSettings, RunStatus, Scenario};

use super::fingerprint::fingerprint;

/// Why a status change was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The run has already ended; its status never changes again.
    #[error("the run is already {from} and cannot become {to}: a finished run is final")]
    Final {
        /// The run's (terminal) status.
        from: RunStatus,
        /// The refused target.
        to: RunStatus,
    },
    /// The target is not reachable from the current status.
    #[error("a {from} run cannot become {to}")]
    NotAllowed {
        /// The run's status.
        from: RunStatus,
        /// The refused target.
        to: RunStatus,
    },
}

/// Whether the state machine has an edge `from → to`.
pub const fn is_allowed(from: RunStatus, to: RunStatus) -> bool {
    use RunStatus::{Cancelled, Failed, Queued, Running, Succeeded, Timeout};
    matches!(
        (from, to),
        (Queued, Running | Cancelled) | (Running, Succeeded | Failed | Timeout | Cancelled)
    )
}

/// Moves `run` to `to` at `at`, keeping its timestamps consistent:
/// - running: `started_at` (set once);
/// - any terminal status: `completed_at` (set once) and, when the run had started,
///   `duration_seconds = completed_at − started_at` (never negative);
/// - cancelled: also `cancelled_at`; succeeded: also `progress_percent = 100`.
///
/// The run is unchanged when the transition is refused.
///
/// # Errors
/// [`TransitionError::Final`] when the run has already ended, [`TransitionError::NotAllowed`]
/// for any other missing edge (including staying in the same status).
pub fn transition(run: &mut Run, to: RunStatus, at: DateTime<Utc>) -> Result<(), TransitionError> {
    let from = run.status;
    if from.is_terminal() {
        return Err(TransitionError::Final { from, to });
    }
    if !is_allowed(from, to) {
        return Err(TransitionError::NotAllowed { from, to });
    }
    run.status = to;
    if to == RunStatus::Running {
        run.started_at.get_or_insert(at);
        return Ok(());
    }
    let completed = *run.completed_at.get_or_insert(at);
    if let Some(started) = run.started_at {
        let seconds = (completed - started).as_seconds_f64();
        run.duration_seconds.get_or_insert(seconds.max(0.0));
    }
    match to {
        RunStatus::Cancelled => {
            run.cancelled_at.get_or_insert(at);
        }
        RunStatus::Succeeded => run.progress_percent = 100.0,
        _ => {}
    }
    Ok(())
}

/// A new run of `scenario` with `settings`, queued `at`: status queued, attempt 1, no retries
/// used, progress 0, and its fingerprint (`input_hash`, `run_key`) computed by
/// [`fingerprint`].
pub fn queued_run(
    id: RunId,
    scenario: &Scenario,
    settings: &RunSettings,
    at: DateTime<Utc>,
) -> Run {
    let print = fingerprint(scenario, settings);
    Run {
        id,
        scenario_id: scenario.id,
        tenant_id: TenantId::clone(scenario.tenant_id()),
        status: RunStatus::Queued,
        priority: settings.priority(),
        input_hash: print.input_hash,
        run_key: print.run_key,
        attempt: 1,
        retry_count: 0,
        max_retries: settings.max_retries(),
        queued_at: at,
        started_at: None,
        completed_at: None,
        cancelled_at: None,
        duration_seconds: None,
        error_message: None,
        progress_percent: 0.0,
        timeout_minutes: settings.timeout_minutes(),
        asof_date: settings.asof_date(),
        curve_keys: settings.curve_keys().to_vec(),
        traceparent: None,
    }
}

#[cfg(test)]
mod tests;
