#![doc = include_str!("../README.md")]

pub mod app;
pub mod backend;
pub mod cli;
pub mod clock;
pub mod http;
pub mod lifecycle;
pub mod loader;
pub mod scenario_cli;
pub mod settings;
pub mod slo;
pub mod state;
pub mod telemetry;
pub mod traffic;
pub mod trino;
pub mod worker;

pub use app::Application;
