//! Use-case services: they hold their ports (`Arc<dyn …>`), apply the guardrails and cursor
//! rules, and are what the shell's handlers call.

pub mod curves;
pub mod guardrails;
pub mod scenarios;

pub use curves::{
    CursorPage, CurveDiff, CurveQueryError, CurveService, DiffRequest, DimensionsRequest,
    HistoryRequest, ListRequest, ParameterProblem, StripsRequest,
};
pub use scenarios::{
    ListOutputs, ListRuns, ListScenarios, Problem, ScenarioError, ScenarioPatch, ScenarioService,
};
