//! What every handler can reach: the services and the metrics registry. Built once by the
//! composition root; no global state.

use aurum_core::service::CurveService;
use prometheus::Registry;

/// Shared application state.
pub struct AppState {
    /// Curve use cases.
    pub curves: CurveService,
    /// The application's metrics registry (served at `/metrics`).
    pub registry: Registry,
    /// Which curve store backs the service (`memory`, …), for readiness output.
    pub store_kind: &'static str,
}
