//! `RedisCache` keeps the `Cache` contract against a real Redis, with two caches over one
//! Redis and one key prefix standing for two instances of a deployment.

use std::sync::Arc;
use std::time::Duration;

use aurum_adapter_redis::RedisCache;
use aurum_adapter_redis::pool;
use aurum_ports::Cache;

use crate::support::{prefix, redis_is_up, redis_url};

fn cache(prefix: &str) -> RedisCache {
    let (pool, errors) =
        pool::connect(&redis_url(), Duration::from_secs(5)).expect("a usable test URL");
    RedisCache::from_pool(pool, errors, prefix, Duration::from_secs(5))
}

#[tokio::test]
async fn redis_cache_keeps_the_cache_contract_across_two_instances() {
    if !redis_is_up().await {
        return;
    }
    aurum_ports::contract::cache::run(
        || async {
            let prefix = prefix();
            (
                Arc::new(cache(&prefix)) as Arc<dyn Cache>,
                Arc::new(cache(&prefix)) as Arc<dyn Cache>,
            )
        },
        tokio::time::sleep,
    )
    .await;
}

#[tokio::test]
async fn an_unreachable_redis_is_an_error_counted_in_the_stats() {
    let (pool, errors) =
        pool::connect("redis://127.0.0.1:1", Duration::from_millis(200)).expect("a URL");
    let cache = RedisCache::from_pool(pool, errors, &prefix(), Duration::from_millis(200));
    let err = cache.get("ns", "k").await.expect_err("no Redis there");
    assert!(
        matches!(
            err,
            aurum_ports::StoreError::Unavailable(_) | aurum_ports::StoreError::Timeout(_)
        ),
        "{err:?}"
    );
    assert_eq!(cache.stats().namespaces["ns"].errors, 1);
}
