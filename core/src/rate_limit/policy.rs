//! Which policy applies to a request, and the opaque store key it is counted under.

use std::cmp::Reverse;
use std::fmt::Write as _;

use aurum_ports::{Policy, TenantId};
use sha2::{Digest, Sha256};

/// The most specific policy matching the request: tenant and route group, then tenant only,
/// then route group only, then the default (neither). Ties go to the smallest name, so the
/// choice never depends on the order of `policies`.
pub fn select_policy<'a>(
    policies: &'a [Policy],
    tenant: Option<&TenantId>,
    route_group: Option<&str>,
) -> Option<&'a Policy> {
    policies
        .iter()
        .filter(|p| {
            let m = p.matcher();
            m.tenant.as_ref().is_none_or(|t| Some(t) == tenant)
                && m.route_group
                    .as_deref()
                    .is_none_or(|g| Some(g) == route_group)
        })
        .min_by_key(|p| {
            let m = p.matcher();
            let specificity = 2 * u8::from(m.tenant.is_some()) + u8::from(m.route_group.is_some());
            (Reverse(specificity), p.name())
        })
}

/// The store key of `tenant` under `policy`: `rl:{<tenant hash>}:<policy hash>`, each hash
/// the first 128 bits of a SHA-256 in hex, so raw tenant ids never reach the store. The braces
/// are a Redis Cluster hash tag: a tenant's keys share one slot. Requests without a tenant
/// share one key per policy. The route group is not part of the key: a policy that names a
/// group only ever sees that group, and one without a group is meant to count all of them.
pub fn key_for(policy: &Policy, tenant: Option<&TenantId>) -> String {
    let mut key = String::with_capacity(72);
    key.push_str("rl:{");
    push_hash(&mut key, b"tenant\0", tenant.map_or("", TenantId::as_str));
    key.push_str("}:");
    push_hash(&mut key, b"policy\0", policy.name());
    key
}

fn push_hash(out: &mut String, domain: &[u8], value: &str) {
    let digest = Sha256::new()
        .chain_update(domain)
        .chain_update(value.as_bytes())
        .finalize();
    for byte in &digest[..16] {
        // Writing to a String cannot fail.
        let _ = write!(out, "{byte:02x}");
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use aurum_ports::PolicyMatch;

    use super::*;

    fn policy(name: &str, tenant: Option<&str>, group: Option<&str>) -> Policy {
        let matcher = PolicyMatch {
            tenant: tenant.map(|t| TenantId::parse(t).unwrap()),
            route_group: group.map(str::to_owned),
        };
        Policy::new(name, matcher, 10, Duration::from_secs(1), 0).unwrap()
    }

    fn chosen(policies: &[Policy], tenant: Option<&str>, group: Option<&str>) -> Option<String> {
        let tenant = tenant.map(|t| TenantId::parse(t).unwrap());
        select_policy(policies, tenant.as_ref(), group).map(|p| p.name().to_owned())
    }

    #[test]
    fn the_most_specific_policy_wins() {
        let policies = [
            policy("default", None, None),
            policy("curves", None, Some("curves")),
            policy("acme", Some("acme"), None),
            policy("acme-curves", Some("acme"), Some("curves")),
        ];
        let pick = |t, g| chosen(&policies, t, g);
        assert_eq!(
            pick(Some("acme"), Some("curves")).as_deref(),
            Some("acme-curves")
        );
        assert_eq!(pick(Some("acme"), Some("admin")).as_deref(), Some("acme"));
        assert_eq!(
            pick(Some("other"), Some("curves")).as_deref(),
            Some("curves")
        );
        assert_eq!(pick(None, Some("curves")).as_deref(), Some("curves"));
        assert_eq!(pick(Some("other"), None).as_deref(), Some("default"));
        assert_eq!(chosen(&policies[1..3], Some("x"), None), None);
    }

    #[test]
    fn ties_go_to_the_smallest_name_whatever_the_order() {
        let a = policy("a", None, None);
        let b = policy("b", None, None);
        assert_eq!(
            chosen(&[b.clone(), a.clone()], None, None).as_deref(),
            Some("a")
        );
        assert_eq!(chosen(&[a, b], None, None).as_deref(), Some("a"));
    }

    #[test]
    fn keys_hide_the_tenant_and_separate_tenants_and_policies() {
        let acme = TenantId::parse("acme").unwrap();
        let other = TenantId::parse("other").unwrap();
        let p = policy("tenant", None, None);
        let q = policy("burst", None, None);
        let key = key_for(&p, Some(&acme));
        assert!(!key.contains("acme"));
        assert!(
            key.starts_with("rl:{") && key.len() == 4 + 32 + 2 + 32,
            "{key}"
        );
        assert_eq!(key, key_for(&p, Some(&acme)));
        assert_ne!(key, key_for(&p, Some(&other)));
        assert_ne!(key, key_for(&p, None));
        assert_ne!(key, key_for(&q, Some(&acme)));
        assert_eq!(
            key[..38],
            key_for(&q, Some(&acme))[..38],
            "one hash tag per tenant"
        );
    }
}
