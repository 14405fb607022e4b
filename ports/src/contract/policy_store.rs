//! Contract suite for [`PolicyStore`]: policies come back exactly as stored, ordered by name;
//! `put` replaces by name; `delete` removes; two handles of one backend see the same policies.
//!
//! ```ignore
//! #[tokio::test]
//! async fn memory_policy_store_keeps_the_policy_store_contract() {
//!     aurum_ports::contract::policy_store::run(|| async {
//!         let store = Arc::new(MemoryPolicyStore::new());
//!         (store.clone() as Arc<dyn PolicyStore>, store as Arc<dyn PolicyStore>)
//!     })
//!     .await;
//! }
//! ```

use std::sync::Arc;
use std::time::Duration;

use crate::rate_limit::{Policy, PolicyMatch, PolicyStore};
use crate::tenant::TenantId;

fn policy(name: &str, tenant: Option<&str>, group: Option<&str>, quota: u32) -> Policy {
    let matcher = PolicyMatch {
        tenant: tenant.map(|t| TenantId::parse(t).expect("fixture tenant is valid")),
        route_group: group.map(str::to_owned),
    };
    Policy::new(name, matcher, quota, Duration::from_mins(1), 7).expect("fixture policy is valid")
}

/// Runs every clause. `factory` returns two handles to one fresh, empty backend (for
/// PostgreSQL: two stores over one schema), so the suite can check that a change made through
/// one is seen through the other.
pub async fn run<F, Fut>(factory: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = (Arc<dyn PolicyStore>, Arc<dyn PolicyStore>)>,
{
    check_an_empty_store_lists_nothing(&factory().await).await;
    check_policies_round_trip_in_name_order(&factory().await).await;
    check_put_replaces_by_name(&factory().await).await;
    check_delete_removes_only_the_named_policy(&factory().await).await;
}

type Handles = (Arc<dyn PolicyStore>, Arc<dyn PolicyStore>);

async fn check_an_empty_store_lists_nothing((a, _): &Handles) {
    let listed = a.list().await.expect("list");
    assert!(
        listed.is_empty(),
        "list: a fresh store MUST be empty, got {listed:?}"
    );
    assert!(
        !a.delete("absent").await.expect("delete"),
        "delete: removing an absent policy MUST return false"
    );
}

async fn check_policies_round_trip_in_name_order((a, b): &Handles) {
    let tenant_group = policy("zeta", Some("acme"), Some("curves"), 10);
    let tenant_only = policy("alpha", Some("acme"), None, 20);
    let default = Policy::new(
        "middle policy \"q\"",
        PolicyMatch::default(),
        u32::MAX,
        Duration::from_hours(24),
        u32::MAX,
    )
    .expect("valid");
    for p in [&tenant_group, &tenant_only, &default] {
        assert!(
            a.put(p).await.expect("put"),
            "put: a new name MUST return true"
        );
    }
    let expected = vec![tenant_only, default, tenant_group];
    assert_eq!(
        a.list().await.expect("list"),
        expected,
        "list: MUST return every field as stored, ordered by name"
    );
    assert_eq!(
        b.list().await.expect("list"),
        expected,
        "list: another handle of the same backend MUST see the same policies"
    );
}

async fn check_put_replaces_by_name((a, b): &Handles) {
    assert!(a.put(&policy("p", None, None, 1)).await.expect("put"));
    let replaced = policy("p", Some("t1"), Some("admin"), 99);
    assert!(
        !b.put(&replaced).await.expect("put"),
        "put: an existing name MUST return false"
    );
    assert_eq!(
        a.list().await.expect("list"),
        vec![replaced],
        "put: MUST replace every field of the policy of the same name"
    );
}

async fn check_delete_removes_only_the_named_policy((a, b): &Handles) {
    a.put(&policy("keep", None, None, 1)).await.expect("put");
    a.put(&policy("drop", None, None, 2)).await.expect("put");
    assert!(
        b.delete("drop").await.expect("delete"),
        "delete: MUST return true when it removed"
    );
    assert_eq!(
        a.list().await.expect("list"),
        vec![policy("keep", None, None, 1)],
        "delete: MUST remove the named policy and nothing else"
    );
    assert!(
        !a.delete("drop").await.expect("delete"),
        "delete: a second delete MUST return false"
    );
}
