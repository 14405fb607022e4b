//! Failures, all within the budget: a refused connection is `Unavailable`; a peer that never
//! answers (at connect or on a live connection) is `Timeout`.

use std::time::Duration;

use aurum_adapter_redis::RedisRateLimitStore;
use aurum_ports::{GcraParams, RateLimitStore, StoreError};
use chrono::DateTime;

use crate::support::{prefix, raw, redis_is_up, redis_url};

fn params() -> GcraParams {
    GcraParams::new(1_000_000, 1)
}

#[tokio::test]
async fn a_refused_connection_is_unavailable() {
    // Port 1 on localhost: nothing listens there.
    let store =
        RedisRateLimitStore::connect("redis://127.0.0.1:1", "p:", Duration::from_millis(200))
            .unwrap();
    let err = store
        .decide("k", params(), 1, DateTime::UNIX_EPOCH)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
    let err = store.reset("k").await.unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
}

#[tokio::test]
async fn a_peer_that_never_completes_the_handshake_times_out() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // Accept connections and hold them open without ever answering.
    let holder = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let store =
        RedisRateLimitStore::connect(&format!("redis://{addr}"), "p:", Duration::from_millis(150))
            .unwrap();
    let err = store
        .decide("k", params(), 1, DateTime::UNIX_EPOCH)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Timeout(_)), "{err:?}");
    holder.abort();
}

#[test]
fn a_malformed_url_is_refused_at_construction() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let _guard = runtime.enter();
    let err =
        RedisRateLimitStore::connect("http://nope", "p:", Duration::from_millis(100)).unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_server_times_out_instead_of_waiting_for_it() {
    if !redis_is_up().await {
        return;
    }
    let store =
        RedisRateLimitStore::connect(&redis_url(), &prefix(), Duration::from_millis(100)).unwrap();
    // Warm the pool, so that the timeout hits the command, not the connection.
    store
        .decide("k", params(), 1, DateTime::UNIX_EPOCH)
        .await
        .unwrap();
    // A script that spins for 400 ms blocks the single-threaded server.
    let mut conn = raw().await;
    let busy = tokio::spawn(async move {
        let spin = "local s = redis.call('TIME') \
                    local t0 = s[1] * 1000000 + s[2] \
                    repeat local n = redis.call('TIME') until n[1] * 1000000 + n[2] - t0 > 400000 \
                    return 1";
        let _: i64 = redis::cmd("EVAL")
            .arg(spin)
            .arg(0)
            .query_async(&mut conn)
            .await
            .unwrap();
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    let err = store
        .decide("k", params(), 1, DateTime::UNIX_EPOCH)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Timeout(_)), "{err:?}");
    busy.await.unwrap();
}
