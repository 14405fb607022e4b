//! The one integration-test binary of the PostgreSQL adapter (link time matters on 2 cores):
//! each module is a concern, `support` gives each test its own schema.

mod contract;
mod curve_store;
mod ingest;
mod scenarios;
mod support;
