//! Integration tests of the `aurum` shell over real HTTP: one binary, one module per area.

#[cfg(test)]
mod conventions;
#[cfg(test)]
mod crash;
#[cfg(test)]
mod curves;
#[cfg(test)]
mod helpers;
#[cfg(test)]
mod ingest;
#[cfg(test)]
mod lifecycle;
#[cfg(test)]
mod ops;
#[cfg(test)]
mod parity;
#[cfg(test)]
mod pg;
#[cfg(test)]
mod scenarios;
#[cfg(test)]
mod slo;
#[cfg(test)]
mod telemetry;
#[cfg(test)]
mod traffic;
#[cfg(test)]
mod v1;
#[cfg(test)]
mod worker_pg;
