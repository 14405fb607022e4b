//! Driver errors translated at the adapter's boundary: no `tokio_postgres` type leaves it.

use aurum_ports::StoreError;
use tokio_postgres::error::SqlState;

/// Maps a `tokio-postgres` error to the port's error.
pub fn from_pg(e: tokio_postgres::Error) -> StoreError {
    if let Some(db) = e.as_db_error() {
        let code = db.code();
        return if *code == SqlState::UNIQUE_VIOLATION {
            StoreError::Conflict(db.message().to_owned())
        } else if *code == SqlState::QUERY_CANCELED {
            StoreError::Timeout("statement timeout".to_owned())
        } else if *code == SqlState::ADMIN_SHUTDOWN
            || *code == SqlState::CRASH_SHUTDOWN
            || *code == SqlState::CANNOT_CONNECT_NOW
            || *code == SqlState::TOO_MANY_CONNECTIONS
            || code.code().starts_with("08")
        {
            StoreError::Unavailable(db.message().to_owned())
        } else {
            StoreError::Unexpected(Box::new(e))
        };
    }
    if e.is_closed()
        || std::error::Error::source(&e).is_some_and(<dyn std::error::Error>::is::<std::io::Error>)
    {
        StoreError::Unavailable("connection to PostgreSQL failed".to_owned())
    } else {
        StoreError::Unexpected(Box::new(e))
    }
}

/// Maps a pool error: waiting for or creating a connection → `Unavailable`.
pub fn from_pool(e: deadpool_postgres::PoolError) -> StoreError {
    use deadpool_postgres::PoolError;
    match e {
        PoolError::Backend(e) => from_pg(e),
        PoolError::Timeout(_) => {
            StoreError::Unavailable("timed out waiting for a database connection".to_owned())
        }
        PoolError::Closed => StoreError::Unavailable("the database pool is closed".to_owned()),
        PoolError::NoRuntimeSpecified => {
            StoreError::Unavailable("the database pool has no runtime".to_owned())
        }
        PoolError::PostCreateHook(_) => {
            StoreError::Unavailable("a new database connection failed its setup".to_owned())
        }
    }
}
