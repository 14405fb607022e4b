//! The one integration-test binary of the Trino adapter (link time matters on 2 cores). Every
//! test talks to the protocol-faithful fake (`aurum_adapter_trino::fake`), which runs the SQL on
//! the PostgreSQL at `AURUM_TEST_DATABASE_URL` in a schema of the test's own.

mod contract;
mod decoding;
mod literals;
mod parity;
mod protocol;
mod support;
