//! Integration tests of the `aurum` shell over real HTTP: one binary, one module per area.

mod conventions;
mod curves;
mod helpers;
mod ingest;
mod ops;
