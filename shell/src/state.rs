//! What every handler can reach: the services and the metrics registry. Built once by the
//! composition root; no global state.

use std::sync::Arc;

use aurum_core::curves::UnitsMap;
use aurum_core::reference::{Calendars, Locations};
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
    /// The outbox (dead letters for the admin routes).
    pub outbox: Arc<dyn aurum_ports::outbox::Outbox>,
    /// The clock.
    pub clock: Arc<dyn Clock>,
    /// The application's metrics registry (served at `/metrics`).
    pub registry: Registry,
    /// Reference data (calendars, locations, units), loaded once at startup.
    pub reference: Arc<ReferenceData>,
    /// Draining state and shutdown requests.
    pub lifecycle: Arc<crate::lifecycle::Lifecycle>,
    /// The cache and the rate limiter.
    pub traffic: Arc<crate::traffic::Traffic>,
    /// The instance's telemetry (meter, OTLP export status, shutdown).
    pub telemetry: crate::telemetry::Telemetry,
    /// Which curve store backs the service (`memory`, …), for readiness output.
    pub store_kind: &'static str,
}

/// The embedded reference data, parsed once by the composition root.
#[derive(Debug, Clone)]
pub struct ReferenceData {
    /// Trading calendars.
    pub calendars: Calendars,
    /// ISO locations.
    pub locations: Locations,
    /// Units spellings.
    pub units: UnitsMap,
}

impl ReferenceData {
    /// Parses the data embedded in the binary.
    ///
    /// # Errors
    /// When an embedded file is malformed (a build defect).
    pub fn embedded() -> anyhow::Result<Self> {
        use anyhow::Context as _;
        Ok(Self {
            calendars: Calendars::embedded().context("while reading the embedded calendars")?,
            locations: Locations::embedded().context("while reading the embedded locations")?,
            units: UnitsMap::embedded().context("while reading the embedded units map")?,
        })
    }
}
