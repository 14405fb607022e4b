//! Errors that driven ports report, free of any driver type.

use std::error::Error as StdError;

/// Failure of a store operation. Adapters translate their driver errors into these variants at
/// their own boundary; the shell maps each variant to one HTTP status.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The backend cannot be reached or has no capacity right now; retrying later may succeed.
    #[error("backend unavailable: {0}")]
    Unavailable(String),
    /// The backend did not answer within its time budget.
    #[error("backend timed out: {0}")]
    Timeout(String),
    /// A uniqueness or state rule of the store was violated.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The query cannot be answered as asked (for example a keyset that does not fit the query).
    #[error("invalid query: {0}")]
    InvalidQuery(String),
    /// The adapter does not support this operation (for example writes to a read-only warehouse).
    #[error("unsupported operation: {0}")]
    Unsupported(&'static str),
    /// Anything else; the source is logged once by the shell and never shown to clients.
    #[error("unexpected store failure")]
    Unexpected(#[source] Box<dyn StdError + Send + Sync>),
}
