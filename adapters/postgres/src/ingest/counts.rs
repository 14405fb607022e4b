//! The counts of a session: per distinct key, with the winners of staged rows that met this
//! input's own direct rows counted once.

use aurum_ports::{StoreError, UpsertReport};
use tokio_postgres::Row;

use crate::error::from_pg;

/// The counts of a staged upsert ([`super::sql::APPLY`] / [`super::sql::APPLY_AFTER_DIRECT`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct StagedCounts {
    /// Distinct staged keys.
    pub(super) keys: u64,
    /// Winners inserted.
    pub(super) inserted: u64,
    /// Winners that replaced a stored row.
    pub(super) updated: u64,
    /// Winners whose stored row came from this input's direct batches.
    pub(super) own_keys: u64,
    /// Of those, winners that replaced it.
    pub(super) own_replaced: u64,
}

/// The session's report: direct rows are inserted keys; a staged winner that met a row of
/// this input's direct batches counts as that key's insert, not again.
pub(super) fn report(direct_rows: u64, s: StagedCounts) -> UpsertReport {
    let updated = s.updated.saturating_sub(s.own_replaced);
    UpsertReport {
        inserted: direct_rows + s.inserted,
        updated,
        skipped: s.keys.saturating_sub(s.own_keys + s.inserted + updated),
    }
}

/// A non-negative `bigint` count of `row`.
pub(super) fn count(row: &Row, idx: usize) -> Result<u64, StoreError> {
    let n: i64 = row.try_get(idx).map_err(from_pg)?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// A count as `bigint` (saturating; no input comes near).
pub(super) fn bigint(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_staged_winner_over_a_direct_row_of_the_same_input_counts_once() {
        // 10 direct rows; 4 staged keys: 1 new, 1 replacing an older stored row, 2 meeting
        // direct rows of this input (1 replaces it, 1 loses to it).
        let staged = StagedCounts {
            keys: 4,
            inserted: 1,
            updated: 2,
            own_keys: 2,
            own_replaced: 1,
        };
        let r = report(10, staged);
        assert_eq!(
            r,
            UpsertReport {
                inserted: 11,
                updated: 1,
                skipped: 0
            }
        );
        assert_eq!(
            r.inserted + r.updated + r.skipped,
            10 + 4 - 2,
            "distinct keys"
        );
    }

    #[test]
    fn a_staged_only_input_counts_skipped_keys_as_the_rest() {
        let staged = StagedCounts {
            keys: 5,
            inserted: 2,
            updated: 1,
            ..StagedCounts::default()
        };
        assert_eq!(
            report(0, staged),
            UpsertReport {
                inserted: 2,
                updated: 1,
                skipped: 2
            }
        );
    }
}
