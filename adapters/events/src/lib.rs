#![doc = include_str!("../README.md")]

pub mod log;
pub mod webhook;

pub use log::LogSink;
pub use webhook::{HeaderProvider, WebhookSink, signature};
