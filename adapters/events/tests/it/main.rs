//! Integration tests of the event sinks.

#[cfg(test)]
mod webhook;
