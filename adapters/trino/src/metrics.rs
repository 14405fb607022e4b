//! Counters of the Trino client as plain atomics, so that the shell can export them with
//! whatever metrics library it uses; this crate depends on none.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

/// How a query ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QueryOutcome {
    /// Every page read, no error.
    Succeeded,
    /// Trino answered with a `USER_ERROR`.
    UserError,
    /// Trino answered with an internal, resource or external error.
    ServerError,
    /// HTTP failure: unreachable, a non-200 status, retries exhausted, a malformed page.
    TransportError,
    /// The query's time budget ran out; it was cancelled.
    TimedOut,
    /// No concurrency slot within the wait budget; never sent.
    Rejected,
    /// The caller stopped reading (dropped the stream or future); it was cancelled.
    Abandoned,
}

impl QueryOutcome {
    /// Every outcome, in [`TrinoMetricsSnapshot::queries`] order.
    pub const ALL: [Self; 7] = [
        Self::Succeeded,
        Self::UserError,
        Self::ServerError,
        Self::TransportError,
        Self::TimedOut,
        Self::Rejected,
        Self::Abandoned,
    ];

    /// A label value (`succeeded`, `user_error`, …).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Succeeded => "succeeded",
            Self::UserError => "user_error",
            Self::ServerError => "server_error",
            Self::TransportError => "transport_error",
            Self::TimedOut => "timed_out",
            Self::Rejected => "rejected",
            Self::Abandoned => "abandoned",
        }
    }

    const fn index(self) -> usize {
        match self {
            Self::Succeeded => 0,
            Self::UserError => 1,
            Self::ServerError => 2,
            Self::TransportError => 3,
            Self::TimedOut => 4,
            Self::Rejected => 5,
            Self::Abandoned => 6,
        }
    }
}

/// Live counters, shared by a client and everything it spawns.
#[derive(Debug, Default)]
pub struct TrinoMetrics {
    queries: [AtomicU64; 7],
    duration_micros: AtomicU64,
    rows: AtomicU64,
    bytes: AtomicU64,
    retries: AtomicU64,
    cancellations: AtomicU64,
    in_flight: AtomicI64,
}

/// A consistent-enough copy of [`TrinoMetrics`] (each counter read once, relaxed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TrinoMetricsSnapshot {
    /// Finished queries per outcome, in [`QueryOutcome::ALL`] order.
    pub queries: [u64; 7],
    /// Sum of the durations of finished queries (slot wait excluded), in microseconds.
    pub query_duration_micros: u64,
    /// Rows decoded.
    pub rows_read: u64,
    /// Response body bytes read.
    pub bytes_read: u64,
    /// Requests retried after a 502/503/504 or a failed connection.
    pub retries: u64,
    /// `DELETE nextUri` requests sent (timeouts and abandoned queries).
    pub cancellations: u64,
    /// Queries holding a slot right now.
    pub in_flight: u64,
}

impl TrinoMetricsSnapshot {
    /// Finished queries with `outcome`.
    pub fn queries_with(&self, outcome: QueryOutcome) -> u64 {
        self.queries[outcome.index()]
    }

    /// Finished queries, all outcomes.
    pub fn queries_total(&self) -> u64 {
        self.queries.iter().sum()
    }
}

impl TrinoMetrics {
    /// A copy of the counters.
    pub fn snapshot(&self) -> TrinoMetricsSnapshot {
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        TrinoMetricsSnapshot {
            queries: std::array::from_fn(|i| load(&self.queries[i])),
            query_duration_micros: load(&self.duration_micros),
            rows_read: load(&self.rows),
            bytes_read: load(&self.bytes),
            retries: load(&self.retries),
            cancellations: load(&self.cancellations),
            in_flight: u64::try_from(self.in_flight.load(Ordering::Relaxed)).unwrap_or(0),
        }
    }

    pub(crate) fn finished(&self, outcome: QueryOutcome, took: Duration) {
        self.queries[outcome.index()].fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        self.duration_micros.fetch_add(micros, Ordering::Relaxed);
    }

    pub(crate) fn rejected(&self) {
        self.queries[QueryOutcome::Rejected.index()].fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn read(&self, rows: usize, bytes: usize) {
        self.rows
            .fetch_add(u64::try_from(rows).unwrap_or(u64::MAX), Ordering::Relaxed);
        self.bytes
            .fetch_add(u64::try_from(bytes).unwrap_or(u64::MAX), Ordering::Relaxed);
    }

    pub(crate) fn retried(&self) {
        self.retries.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn cancelled(&self) {
        self.cancellations.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn started(&self) {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn ended(&self) {
        self.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_counts_each_outcome_apart() {
        let m = TrinoMetrics::default();
        m.started();
        m.finished(QueryOutcome::Succeeded, Duration::from_millis(3));
        m.finished(QueryOutcome::TimedOut, Duration::from_millis(2));
        m.rejected();
        m.read(10, 1000);
        let s = m.snapshot();
        assert_eq!(s.queries_with(QueryOutcome::Succeeded), 1);
        assert_eq!(s.queries_with(QueryOutcome::TimedOut), 1);
        assert_eq!(s.queries_with(QueryOutcome::Rejected), 1);
        assert_eq!(s.queries_total(), 3);
        assert_eq!(
            (
                s.query_duration_micros,
                s.rows_read,
                s.bytes_read,
                s.in_flight
            ),
            (5000, 10, 1000, 1)
        );
        m.ended();
        assert_eq!(m.snapshot().in_flight, 0);
        assert_eq!(
            QueryOutcome::ALL.map(QueryOutcome::index),
            [0, 1, 2, 3, 4, 5, 6]
        );
    }
}
