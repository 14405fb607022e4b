//! Payloads of the outbox events a run's end appends.

use serde_json::{Value, json};

use aurum_ports::scenario::{Run, RunStatus};

/// `scenario.run.succeeded`: the run, its owner, how many rows it wrote, its input hash.
pub(super) fn succeeded(run: &Run, outputs: usize) -> Value {
    json!({
        "run_id": run.id,
        "scenario_id": run.scenario_id,
        "tenant_id": run.tenant_id.as_str(),
        "status": RunStatus::Succeeded,
        "outputs": outputs,
        "input_hash": run.input_hash,
    })
}

/// `scenario.run.failed` / `scenario.run.timeout`: the run, its owner, the error, the attempt.
pub(super) fn ended(run: &Run, status: RunStatus, error: &str) -> Value {
    json!({
        "run_id": run.id,
        "scenario_id": run.scenario_id,
        "tenant_id": run.tenant_id.as_str(),
        "status": status,
        "error": error,
        "attempt": run.attempt,
        "retry_count": run.retry_count,
        "input_hash": run.input_hash,
    })
}
