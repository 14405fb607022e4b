//! What every handler can reach: the services and the metrics registry. Built once by the
//! composition root; no global state.

use std::sync::Arc;

use aurum_core::service::CurveService;
use aurum_core::service::scenarios::ScenarioService;
use aurum_ports::Clock;
use aurum_ports::idempotency::IdempotencyStore;
use prometheus::Registry;

/// Shared application state.
pub struct AppState {
    /// Curve use cases.
    pub curves: CurveService,
    /// Scenario use cases.
    pub scenarios: ScenarioService,
    /// Idempotency keys of commands.
    pub idempotency: Arc<dyn IdempotencyStore>,
    /// The clock.
    pub clock: Arc<dyn Clock>,
    /// The application's metrics registry (served at `/metrics`).
    pub registry: Registry,
    /// Which curve store backs the service (`memory`, …), for readiness output.
    pub store_kind: &'static str,
}
