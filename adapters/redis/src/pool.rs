//! The `bb8` pool of Redis connections and the translation of its failures: bb8 never returns
//! a connection error from `get` (it waits for a connection until its timeout), so the pool
//! reports connection errors to a [`ConnectionErrors`] sink, which tells a refused or broken
//! connection ([`StoreError::Unavailable`]) from a slow answer ([`StoreError::Timeout`]).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use aurum_ports::StoreError;
use bb8::{ErrorSink, Pool, RunError};
use bb8_redis::RedisConnectionManager;
use redis::RedisError;

/// The pool type every Redis adapter of this crate runs on.
pub type RedisPool = Pool<RedisConnectionManager>;

/// A lazily connecting pool for `url` whose checkouts wait at most `timeout`. Must be called
/// inside a Tokio runtime (bb8 spawns its reaper there).
///
/// Checkouts are not `PING`ed (a broken connection fails its command, which bb8 then drops),
/// so a decision costs one round trip; a refused connection is not retried within the call.
///
/// # Errors
/// [`StoreError::Unavailable`] when `url` is not a Redis URL.
pub fn connect(url: &str, timeout: Duration) -> Result<(RedisPool, ConnectionErrors), StoreError> {
    let manager = RedisConnectionManager::new(url)
        .map_err(|e| StoreError::Unavailable(format!("invalid Redis URL: {e}")))?;
    let errors = ConnectionErrors::default();
    let pool = Pool::builder()
        .max_size(16)
        .connection_timeout(timeout.max(Duration::from_millis(1)))
        .test_on_check_out(false)
        .retry_connection(false)
        .error_sink(Box::new(errors.clone()))
        .build_unchecked(manager);
    Ok((pool, errors))
}

/// The last connection error the pool saw, and when.
#[derive(Debug, Clone, Default)]
pub struct ConnectionErrors {
    last: Arc<Mutex<Option<(Instant, String)>>>,
}

impl ConnectionErrors {
    /// The error for a call that started at `started` and got no answer in time: `Unavailable`
    /// with the cause when a connection attempt failed meanwhile, else `Timeout`.
    pub fn no_answer(&self, started: Instant, budget: Duration) -> StoreError {
        let last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        match last.as_ref() {
            Some((at, cause)) if *at >= started => {
                StoreError::Unavailable(format!("cannot connect to Redis: {cause}"))
            }
            _ => StoreError::Timeout(format!("Redis did not answer within {budget:?}")),
        }
    }
}

impl ErrorSink<RedisError> for ConnectionErrors {
    fn sink(&self, error: RedisError) {
        let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        *last = Some((Instant::now(), error.to_string()));
    }

    fn boxed_clone(&self) -> Box<dyn ErrorSink<RedisError>> {
        Box::new(self.clone())
    }
}

/// Translates a pool checkout failure; `TimedOut` goes through [`ConnectionErrors::no_answer`].
pub(crate) fn pool_error(
    e: RunError<RedisError>,
    errors: &ConnectionErrors,
    started: Instant,
    budget: Duration,
) -> StoreError {
    match e {
        RunError::User(e) => redis_error(e),
        RunError::TimedOut => errors.no_answer(started, budget),
    }
}

/// Translates a command failure.
pub(crate) fn redis_error(e: RedisError) -> StoreError {
    if e.is_timeout() {
        StoreError::Timeout(e.to_string())
    } else if e.is_io_error()
        || e.is_connection_refusal()
        || e.is_connection_dropped()
        || e.is_unrecoverable_error()
    {
        StoreError::Unavailable(e.to_string())
    } else {
        StoreError::Unexpected(Box::new(e))
    }
}

/// `PING` on a fresh connection (outside the pool) within `timeout`, for readiness checks: a
/// probe must reflect whether Redis answers now, not whether a pooled connection broken by a
/// restart is still around.
///
/// # Errors
/// [`StoreError::Unavailable`] or [`StoreError::Timeout`] when Redis does not answer `PONG`.
pub async fn ping(
    pool: &RedisPool,
    errors: &ConnectionErrors,
    timeout: Duration,
) -> Result<(), StoreError> {
    let started = Instant::now();
    let call = async {
        let mut conn = pool.dedicated_connection().await.map_err(redis_error)?;
        redis::cmd("PING")
            .query_async::<String>(&mut conn)
            .await
            .map_err(redis_error)
    };
    match tokio::time::timeout(timeout, call).await {
        Ok(Ok(pong)) if pong == "PONG" => Ok(()),
        Ok(Ok(other)) => Err(StoreError::Unavailable(format!(
            "Redis answered {other:?} to PING"
        ))),
        Ok(Err(e)) => Err(e),
        Err(_) => Err(errors.no_answer(started, timeout)),
    }
}
