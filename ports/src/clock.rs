//! Time as a port: the domain never reads the system clock itself, so tests are deterministic.

use chrono::{DateTime, Utc};

/// Source of the current time.
#[cfg_attr(feature = "mocks", mockall::automock)]
pub trait Clock: Send + Sync + 'static {
    /// The current instant in UTC.
    fn now(&self) -> DateTime<Utc>;
}
