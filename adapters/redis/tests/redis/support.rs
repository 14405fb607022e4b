//! Test support: the Redis at `AURUM_TEST_REDIS_URL`, and stores whose keys carry a random
//! prefix `aurum:t:<hex>:` so tests never see each other's keys.

use std::time::Duration;

use aurum_adapter_redis::RedisRateLimitStore;
use aurum_ports::RateLimitStore;

/// Where tests find Redis unless `AURUM_TEST_REDIS_URL` says otherwise.
pub const DEFAULT_URL: &str = "redis://127.0.0.1:6379";

/// The test Redis URL.
pub fn redis_url() -> String {
    std::env::var("AURUM_TEST_REDIS_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned())
}

/// A fresh random key prefix.
pub fn prefix() -> String {
    format!("aurum:t:{}:", uuid::Uuid::new_v4().simple())
}

/// A store with a fresh prefix and a generous timeout (a CI machine may be busy).
pub fn store() -> RedisRateLimitStore {
    RedisRateLimitStore::connect(&redis_url(), &prefix(), Duration::from_secs(5))
        .expect("a usable test URL")
}

/// Checks that Redis answers. When it does not, the test fails with how to start it, or, with
/// `AURUM_SKIP_SERVICE_TESTS=1`, this prints that the test skipped and returns `false`.
pub async fn redis_is_up() -> bool {
    let url = redis_url();
    let probe = RedisRateLimitStore::connect(&url, &prefix(), Duration::from_secs(1))
        .expect("a usable test URL");
    let Err(e) = probe.reset("probe").await else {
        return true;
    };
    if std::env::var("AURUM_SKIP_SERVICE_TESTS").is_ok_and(|v| v == "1") {
        eprintln!("skipped: Redis is not reachable at {url} ({e}) and AURUM_SKIP_SERVICE_TESTS=1");
        return false;
    }
    panic!(
        "Redis is not reachable at {url}: {e}\n\
         Start it with `redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save \"\" \
         --appendonly no` (or point AURUM_TEST_REDIS_URL at a server), or set \
         AURUM_SKIP_SERVICE_TESTS=1 to skip the tests that need it."
    );
}

/// A plain connection for inspecting keys.
pub async fn raw() -> redis::aio::MultiplexedConnection {
    redis::Client::open(redis_url())
        .expect("a usable test URL")
        .get_multiplexed_async_connection()
        .await
        .expect("a connection to the test Redis")
}
