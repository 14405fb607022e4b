//! Column lists and row decoding of the scenario tables. A stored row is validated again on
//! the way out (tenant ids, names, curve keys, vocabularies, assumption payloads), so a row
//! that no longer decodes surfaces as `StoreError::Unexpected`, never as an invalid value.

use std::fmt::Display;
use std::str::FromStr;

use aurum_ports::outbox::{NewEvent, OutboxEvent};
use aurum_ports::scenario::{
    Assumption, Attribution, Run, RunId, Scenario, ScenarioId, ScenarioName, ScenarioOutput,
};
use aurum_ports::{CurveKey, StoreError, TenantId};
use serde_json::Value;
use tokio_postgres::Row;
use tokio_postgres::types::FromSql;

use crate::error::from_pg;

/// Columns of `scenario` in the order [`scenario`] reads them.
pub(super) const SCENARIO_COLUMNS: &str = "id, tenant_id, name, description, status, \
     assumptions, parameters, tags, created_at, updated_at, version";

/// Columns of `scenario_run` in the order [`run`] reads them.
pub(super) const RUN_COLUMNS: &str = "id, scenario_id, tenant_id, status, priority, input_hash, \
     run_key, attempt, retry_count, max_retries, queued_at, started_at, completed_at, \
     cancelled_at, duration_seconds, error_message, progress_percent, timeout_minutes, \
     asof_date, curve_keys, traceparent";

/// Columns of `scenario_output` in the order [`output`] reads them.
pub(super) const OUTPUT_COLUMNS: &str = "run_id, tenant_id, scenario_id, asof_date, curve_key, \
     tenor_type, contract_month, tenor_label, metric, value, band_lower, band_upper, \
     attribution, version_hash, computed_at";

/// Columns of `outbox` in the order [`event`] reads them.
pub(super) const OUTBOX_COLUMNS: &str = "id, topic, key, payload, traceparent, attempts, \
     created_at, next_attempt_at, last_error, seq";

/// A stored row that does not decode into the domain.
#[derive(Debug, thiserror::Error)]
#[error("stored {what} does not decode: {detail}")]
struct Corrupt {
    what: &'static str,
    detail: String,
}

/// `StoreError::Unexpected` for a stored `what` that does not decode.
pub(super) fn corrupt(what: &'static str, detail: impl Display) -> StoreError {
    StoreError::Unexpected(Box::new(Corrupt {
        what,
        detail: detail.to_string(),
    }))
}

fn get<'a, T: FromSql<'a>>(row: &'a Row, column: &str) -> Result<T, StoreError> {
    row.try_get(column).map_err(from_pg)
}

fn parse<T: FromStr>(what: &'static str, raw: &str) -> Result<T, StoreError>
where
    T::Err: Display,
{
    raw.parse().map_err(|e| corrupt(what, e))
}

fn tenant(row: &Row) -> Result<TenantId, StoreError> {
    TenantId::parse(get(row, "tenant_id")?).map_err(|e| corrupt("tenant_id", e))
}

fn count(row: &Row, column: &'static str) -> Result<u32, StoreError> {
    u32::try_from(get::<i32>(row, column)?).map_err(|e| corrupt(column, e))
}

fn json<T: serde::de::DeserializeOwned>(row: &Row, column: &'static str) -> Result<T, StoreError> {
    serde_json::from_value(get::<Value>(row, column)?).map_err(|e| corrupt(column, e))
}

/// A scenario from [`SCENARIO_COLUMNS`]; the unique key is re-derived from tenant and name.
pub(super) fn scenario(row: &Row) -> Result<Scenario, StoreError> {
    Ok(Scenario::restore(
        ScenarioId::from_uuid(get(row, "id")?),
        tenant(row)?,
        ScenarioName::parse(get(row, "name")?).map_err(|e| corrupt("scenario name", e))?,
        get(row, "description")?,
        parse("scenario status", get(row, "status")?)?,
        json::<Vec<Assumption>>(row, "assumptions")?,
        json(row, "parameters")?,
        get(row, "tags")?,
        get(row, "created_at")?,
        get(row, "updated_at")?,
        get(row, "version")?,
    ))
}

/// A run from [`RUN_COLUMNS`].
pub(super) fn run(row: &Row) -> Result<Run, StoreError> {
    let curve_keys = get::<Vec<String>>(row, "curve_keys")?
        .iter()
        .map(|k| CurveKey::parse(k).map_err(|e| corrupt("curve_keys", e)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Run {
        id: RunId::from_uuid(get(row, "id")?),
        scenario_id: ScenarioId::from_uuid(get(row, "scenario_id")?),
        tenant_id: tenant(row)?,
        status: parse("run status", get(row, "status")?)?,
        priority: parse("priority", get(row, "priority")?)?,
        input_hash: get(row, "input_hash")?,
        run_key: get(row, "run_key")?,
        attempt: count(row, "attempt")?,
        retry_count: count(row, "retry_count")?,
        max_retries: count(row, "max_retries")?,
        queued_at: get(row, "queued_at")?,
        started_at: get(row, "started_at")?,
        completed_at: get(row, "completed_at")?,
        cancelled_at: get(row, "cancelled_at")?,
        duration_seconds: get(row, "duration_seconds")?,
        error_message: get(row, "error_message")?,
        progress_percent: get(row, "progress_percent")?,
        timeout_minutes: count(row, "timeout_minutes")?,
        asof_date: get(row, "asof_date")?,
        curve_keys,
        traceparent: get(row, "traceparent")?,
    })
}

/// An output row from [`OUTPUT_COLUMNS`].
pub(super) fn output(row: &Row) -> Result<ScenarioOutput, StoreError> {
    Ok(ScenarioOutput {
        tenant_id: tenant(row)?,
        scenario_id: ScenarioId::from_uuid(get(row, "scenario_id")?),
        run_id: RunId::from_uuid(get(row, "run_id")?),
        asof_date: get(row, "asof_date")?,
        curve_key: CurveKey::parse(get(row, "curve_key")?).map_err(|e| corrupt("curve_key", e))?,
        tenor_type: parse("tenor_type", get(row, "tenor_type")?)?,
        contract_month: get(row, "contract_month")?,
        tenor_label: get(row, "tenor_label")?,
        metric: get(row, "metric")?,
        value: get(row, "value")?,
        band_lower: get(row, "band_lower")?,
        band_upper: get(row, "band_upper")?,
        attribution: json::<Vec<Attribution>>(row, "attribution")?,
        version_hash: get(row, "version_hash")?,
        computed_at: get(row, "computed_at")?,
    })
}

/// An outbox event from [`OUTBOX_COLUMNS`], with its append sequence (for ordering).
pub(super) fn event(row: &Row) -> Result<(OutboxEvent, i64), StoreError> {
    let event = OutboxEvent {
        event: NewEvent {
            id: get(row, "id")?,
            topic: get(row, "topic")?,
            key: get(row, "key")?,
            payload: get(row, "payload")?,
            traceparent: get(row, "traceparent")?,
        },
        attempts: count(row, "attempts")?,
        created_at: get(row, "created_at")?,
        next_attempt_at: get(row, "next_attempt_at")?,
        last_error: get(row, "last_error")?,
    };
    Ok((event, get(row, "seq")?))
}

/// Outbox events oldest first (append order among equal timestamps).
pub(super) fn events(rows: &[Row]) -> Result<Vec<OutboxEvent>, StoreError> {
    let mut events = rows.iter().map(event).collect::<Result<Vec<_>, _>>()?;
    events.sort_by_key(|(e, seq)| (e.created_at, *seq));
    Ok(events.into_iter().map(|(e, _)| e).collect())
}

/// A `u32` count as the `integer` column it is stored in.
pub(super) fn int4(what: &'static str, value: u32) -> Result<i32, StoreError> {
    i32::try_from(value).map_err(|_| StoreError::InvalidQuery(format!("{what} is too large")))
}

/// A value as JSON for a `jsonb` column.
pub(super) fn to_json<T: serde::Serialize>(
    what: &'static str,
    value: &T,
) -> Result<Value, StoreError> {
    serde_json::to_value(value).map_err(|e| {
        StoreError::Unexpected(Box::new(Corrupt {
            what,
            detail: e.to_string(),
        }))
    })
}
