//! Contract suite for [`Cache`]: values come back byte for byte, expire after their TTL, can be
//! deleted, and a namespace invalidation through one handle hides every older entry of that
//! namespace (and only of it) from another handle of the same backend.
//!
//! The factory returns two handles over one fresh backend (two "instances"); `sleep` waits
//! (ports has no runtime: adapters pass `tokio::time::sleep`).
//!
//! ```ignore
//! #[tokio::test]
//! async fn memory_cache_keeps_the_cache_contract() {
//!     aurum_ports::contract::cache::run(
//!         || async {
//!             let cache = Arc::new(MemoryCache::new(8 << 20));
//!             (cache.clone() as Arc<dyn Cache>, cache as Arc<dyn Cache>)
//!         },
//!         tokio::time::sleep,
//!     )
//!     .await;
//! }
//! ```

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;

use crate::cache::Cache;
use crate::error::StoreError;

/// Two handles over the same fresh backend.
pub type CachePair = (Arc<dyn Cache>, Arc<dyn Cache>);

const LONG: Duration = Duration::from_mins(10);

/// Runs every clause on fresh backends from `factory`.
pub async fn run<F, Fut, S, SFut>(factory: F, sleep: S)
where
    F: Fn() -> Fut,
    Fut: Future<Output = CachePair>,
    S: Fn(Duration) -> SFut,
    SFut: Future<Output = ()>,
{
    check_get_returns_what_set_stored(factory().await).await;
    check_values_of_every_size_and_byte_come_back_exactly(factory().await).await;
    check_delete_removes_one_key(factory().await).await;
    check_invalidation_hides_old_entries_from_every_handle(factory().await).await;
    check_counters_count_hits_and_misses_per_namespace(factory().await).await;
    check_invalid_namespaces_and_ttls_are_refused(factory().await).await;
    check_entries_expire_after_their_ttl(factory().await, &sleep).await;
}

/// A miss, then the stored value, through both handles; a second `set` replaces it.
pub async fn check_get_returns_what_set_stored((a, b): CachePair) {
    assert_eq!(a.get("ns", "k").await.expect("get"), None, "unknown key");
    a.set("ns", "k", Bytes::from_static(b"one"), LONG)
        .await
        .expect("set");
    assert_eq!(
        a.get("ns", "k").await.expect("get").as_deref(),
        Some(&b"one"[..])
    );
    assert_eq!(
        b.get("ns", "k").await.expect("get").as_deref(),
        Some(&b"one"[..]),
        "the other handle sees the value"
    );
    a.set("ns", "k", Bytes::from_static(b"two"), LONG)
        .await
        .expect("set");
    assert_eq!(
        b.get("ns", "k").await.expect("get").as_deref(),
        Some(&b"two"[..])
    );
    assert_eq!(
        a.get("other", "k").await.expect("get"),
        None,
        "namespaces are apart"
    );
}

/// Empty, small and large (1 MiB) values with every byte value, including `0x00`.
pub async fn check_values_of_every_size_and_byte_come_back_exactly((a, b): CachePair) {
    for len in [0_usize, 1, 255, 256, 65_537, 1 << 20] {
        #[expect(clippy::cast_possible_truncation, reason = "a repeating byte pattern")]
        let value: Vec<u8> = (0..len).map(|i| (i.wrapping_mul(7) % 256) as u8).collect();
        let key = format!("len-{len}");
        a.set("sizes", &key, Bytes::from(value.clone()), LONG)
            .await
            .expect("set");
        let got = b.get("sizes", &key).await.expect("get");
        assert_eq!(got.as_deref(), Some(&value[..]), "a value of {len} bytes");
    }
}

/// `delete` removes one key, is idempotent and leaves the others.
pub async fn check_delete_removes_one_key((a, b): CachePair) {
    a.set("ns", "gone", Bytes::from_static(b"x"), LONG)
        .await
        .expect("set");
    a.set("ns", "kept", Bytes::from_static(b"y"), LONG)
        .await
        .expect("set");
    a.delete("ns", "gone").await.expect("delete");
    a.delete("ns", "gone")
        .await
        .expect("deleting an absent key");
    assert_eq!(b.get("ns", "gone").await.expect("get"), None);
    assert!(b.get("ns", "kept").await.expect("get").is_some());
}

/// Invalidating through `a` hides every old key of the namespace from `b`, leaves other
/// namespaces, returns increasing versions, and new entries are visible again.
pub async fn check_invalidation_hides_old_entries_from_every_handle((a, b): CachePair) {
    for key in ["k1", "k2", "k3"] {
        a.set("inv", key, Bytes::from_static(b"old"), LONG)
            .await
            .expect("set");
    }
    b.set("keep", "k1", Bytes::from_static(b"other"), LONG)
        .await
        .expect("set");
    assert!(b.get("inv", "k1").await.expect("get").is_some());
    let first = a.invalidate_namespace("inv").await.expect("invalidate");
    for key in ["k1", "k2", "k3"] {
        assert_eq!(
            b.get("inv", key).await.expect("get"),
            None,
            "{key} is hidden from the other handle"
        );
        assert_eq!(a.get("inv", key).await.expect("get"), None);
    }
    assert_eq!(
        a.get("keep", "k1").await.expect("get").as_deref(),
        Some(&b"other"[..]),
        "other namespaces are untouched"
    );
    b.set("inv", "k1", Bytes::from_static(b"new"), LONG)
        .await
        .expect("set");
    assert_eq!(
        a.get("inv", "k1").await.expect("get").as_deref(),
        Some(&b"new"[..])
    );
    let second = b.invalidate_namespace("inv").await.expect("invalidate");
    assert!(second > first, "versions increase: {first} then {second}");
    assert_eq!(a.get("inv", "k1").await.expect("get"), None);
}

/// One hit and one miss on a handle are counted for that namespace.
pub async fn check_counters_count_hits_and_misses_per_namespace((a, _b): CachePair) {
    a.set("counted", "k", Bytes::from_static(b"v"), LONG)
        .await
        .expect("set");
    a.get("counted", "k").await.expect("get");
    a.get("counted", "absent").await.expect("get");
    let stats = a.stats();
    let counted = stats.namespaces.get("counted").copied().unwrap_or_default();
    assert_eq!((counted.hits, counted.misses, counted.errors), (1, 1, 0));
}

/// Invalid namespaces and TTLs below 1 ms are `InvalidQuery`.
pub async fn check_invalid_namespaces_and_ttls_are_refused((a, _b): CachePair) {
    for ns in ["", "a:b", "with space"] {
        assert!(
            matches!(a.get(ns, "k").await, Err(StoreError::InvalidQuery(_))),
            "namespace {ns:?}"
        );
        assert!(matches!(
            a.invalidate_namespace(ns).await,
            Err(StoreError::InvalidQuery(_))
        ));
    }
    assert!(matches!(
        a.set("ns", "k", Bytes::new(), Duration::ZERO).await,
        Err(StoreError::InvalidQuery(_))
    ));
}

/// After sleeping past its TTL an entry is gone, while a long-lived one stays.
pub async fn check_entries_expire_after_their_ttl<S, SFut>((a, b): CachePair, sleep: &S)
where
    S: Fn(Duration) -> SFut,
    SFut: Future<Output = ()>,
{
    a.set(
        "ttl",
        "short",
        Bytes::from_static(b"s"),
        Duration::from_secs(1),
    )
    .await
    .expect("set");
    a.set("ttl", "long", Bytes::from_static(b"l"), LONG)
        .await
        .expect("set");
    sleep(Duration::from_millis(1_600)).await;
    assert_eq!(b.get("ttl", "short").await.expect("get"), None, "expired");
    assert_eq!(a.get("ttl", "short").await.expect("get"), None, "expired");
    assert!(b.get("ttl", "long").await.expect("get").is_some());
}
