//! The system clock, the one place the shell reads wall-clock time for the domain.

use chrono::{DateTime, Utc};

use aurum_ports::Clock;

/// [`Clock`] backed by the operating system.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[expect(
        clippy::disallowed_methods,
        reason = "the adapter that provides the Clock port"
    )]
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}
