//! Scenario domain logic over the vocabulary of `aurum_ports::scenario`: run fingerprints,
//! the run state machine, retry backoff, 4-decimal rounding and the scenario engine. Pure:
//! no I/O, no clock (times and "today" are arguments), no randomness (the jitter draw is an
//! argument).

pub mod backoff;
pub mod engine;
pub mod fingerprint;
pub mod lifecycle;
pub mod round;

#[cfg(test)]
pub(crate) mod fixtures;

pub use backoff::backoff_delay;
pub use engine::{
    Baselines, EngineWeights, Valuation, baseline_keys, evaluate_run, resolve_asof,
    resolve_curve_key, value_scenario,
};
pub use fingerprint::{Fingerprint, canonical_json, fingerprint};
pub use lifecycle::{TransitionError, is_allowed, queued_run, transition};
pub use round::round4;
