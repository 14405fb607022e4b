//! Closed vocabularies of the scenario domain: scenario status, run status, run priority.

snake_enum!(
    /// Lifecycle of a scenario definition.
    ScenarioStatus, "scenario_status", {
        /// Just created; no run yet.
        Created => "created",
        /// In use.
        Active => "active",
        /// Kept for reference; not offered for new runs by clients.
        Archived => "archived",
        /// Soft-deleted: invisible to every read.
        Deleted => "deleted",
    }
);

snake_enum!(
    /// Where a run is in its lifecycle: queued → running → succeeded | failed | timeout, or
    /// cancelled from queued or running.
    RunStatus, "run_status", {
        /// Accepted, waiting for a worker.
        Queued => "queued",
        /// A worker is computing it.
        Running => "running",
        /// Finished with outputs.
        Succeeded => "succeeded",
        /// Finished with an error.
        Failed => "failed",
        /// Stopped on request.
        Cancelled => "cancelled",
        /// Exceeded its time budget.
        Timeout => "timeout",
    }
);

impl RunStatus {
    /// Whether the run has ended; a terminal status is never left.
    pub const fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::Succeeded | Self::Failed | Self::Cancelled | Self::Timeout
        )
    }
}

snake_enum!(
    /// Scheduling priority of a run, ordered `low < normal < high < critical`.
    #[derive(Default)]
    Priority, "priority", {
        /// Background work.
        Low => "low",
        /// The default.
        #[default]
        Normal => "normal",
        /// Ahead of normal work.
        High => "high",
        /// Ahead of everything.
        Critical => "critical",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_finished_runs_are_terminal() {
        let terminal: Vec<RunStatus> = RunStatus::ALL
            .iter()
            .copied()
            .filter(|s| s.is_terminal())
            .collect();
        assert_eq!(
            terminal,
            [
                RunStatus::Succeeded,
                RunStatus::Failed,
                RunStatus::Cancelled,
                RunStatus::Timeout
            ]
        );
    }

    #[test]
    fn priorities_are_ordered_and_default_to_normal() {
        assert!(Priority::Low < Priority::Normal);
        assert!(Priority::Normal < Priority::High);
        assert!(Priority::High < Priority::Critical);
        assert_eq!(Priority::default(), Priority::Normal);
    }

    #[test]
    fn statuses_round_trip_through_their_wire_spelling() {
        for s in ScenarioStatus::ALL {
            let json = serde_json::to_string(s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
            assert_eq!(serde_json::from_str::<ScenarioStatus>(&json).unwrap(), *s);
        }
        assert_eq!(" Timeout ".parse::<RunStatus>(), Ok(RunStatus::Timeout));
        assert!("done".parse::<RunStatus>().is_err());
    }
}
