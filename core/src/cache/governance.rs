//! Cache governance in one place: every namespace, its TTL, its largest entry and whether it is
//! tenant-private, plus how entry keys are derived.

use std::fmt::Write as _;
use std::time::Duration;

use aurum_ports::TenantId;
use sha2::{Digest, Sha256};

/// The rules of one cache namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NamespacePolicy {
    /// The namespace (a valid [`aurum_ports::cache::validate_namespace`] name).
    pub name: &'static str,
    /// How long an entry lives in the shared tier.
    pub ttl: Duration,
    /// Larger values are served but not cached.
    pub max_entry_bytes: usize,
    /// The tenant is part of every key: one tenant never reads another's entry.
    pub tenant_private: bool,
    /// Holds curve data: curve ingestion invalidates it.
    pub curve_data: bool,
}

const MIB: usize = 1 << 20;

/// `GET /v2/curves`, `/v1/curves`: pages of observations.
pub const CURVES: NamespacePolicy = NamespacePolicy {
    name: "curves",
    ttl: Duration::from_mins(5),
    max_entry_bytes: 2 * MIB,
    tenant_private: false,
    curve_data: true,
};
/// `GET /v2/curves/diff`, `/v1/curves/diff`.
pub const CURVE_DIFF: NamespacePolicy = NamespacePolicy {
    name: "curve-diff",
    ttl: Duration::from_mins(5),
    max_entry_bytes: 2 * MIB,
    tenant_private: false,
    curve_data: true,
};
/// `GET /v2/curves/strips`, `/v1/curves/strips`.
pub const STRIPS: NamespacePolicy = NamespacePolicy {
    name: "strips",
    ttl: Duration::from_mins(5),
    max_entry_bytes: 2 * MIB,
    tenant_private: false,
    curve_data: true,
};
/// `GET /v2/curves/{curve_key}/history`.
pub const CURVE_HISTORY: NamespacePolicy = NamespacePolicy {
    name: "curve-history",
    ttl: Duration::from_mins(5),
    max_entry_bytes: 2 * MIB,
    tenant_private: false,
    curve_data: true,
};
/// `GET /v2/metadata/dimensions`, `/v1/metadata/dimensions`: derived from curve data.
pub const DIMENSIONS: NamespacePolicy = NamespacePolicy {
    name: "dimensions",
    ttl: Duration::from_mins(10),
    max_entry_bytes: MIB,
    tenant_private: false,
    curve_data: true,
};
/// Reference metadata (locations, units, calendars): changes only with a release.
pub const METADATA: NamespacePolicy = NamespacePolicy {
    name: "metadata",
    ttl: Duration::from_hours(1),
    max_entry_bytes: MIB,
    tenant_private: false,
    curve_data: false,
};
/// Outputs of a finished scenario run: immutable once the run succeeded, and tenant-private.
pub const SCENARIO_OUTPUTS: NamespacePolicy = NamespacePolicy {
    name: "scenario-outputs",
    ttl: Duration::from_hours(1),
    max_entry_bytes: 4 * MIB,
    tenant_private: true,
    curve_data: false,
};

/// Every namespace, in the order the admin API lists them.
pub const NAMESPACES: &[NamespacePolicy] = &[
    CURVES,
    CURVE_DIFF,
    STRIPS,
    CURVE_HISTORY,
    DIMENSIONS,
    METADATA,
    SCENARIO_OUTPUTS,
];

/// The namespace called `name`.
pub fn namespace(name: &str) -> Option<&'static NamespacePolicy> {
    NAMESPACES.iter().find(|ns| ns.name == name)
}

/// The namespaces curve ingestion invalidates.
pub fn curve_namespaces() -> impl Iterator<Item = &'static NamespacePolicy> {
    NAMESPACES.iter().filter(|ns| ns.curve_data)
}

/// Why a key cannot be derived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cache namespace {0} is tenant-private and the request names no tenant")]
pub struct TenantRequired(pub &'static str);

impl NamespacePolicy {
    /// The entry key of a request: a SHA-256 (128 bits, hex) over the tenant (for tenant-private
    /// namespaces) and `request`, the caller's canonical description of the request (route,
    /// sorted parameters, representation). Hashing keeps keys short and free of raw tenant ids
    /// and cursors.
    ///
    /// # Errors
    /// [`TenantRequired`] for a tenant-private namespace without a tenant.
    pub fn key(&self, tenant: Option<&TenantId>, request: &str) -> Result<String, TenantRequired> {
        let mut hasher = Sha256::new();
        if self.tenant_private {
            let tenant = tenant.ok_or(TenantRequired(self.name))?;
            hasher.update(b"tenant\0");
            hasher.update(tenant.as_str().as_bytes());
            hasher.update(b"\0");
        }
        hasher.update(request.as_bytes());
        let digest = hasher.finalize();
        let mut key = String::with_capacity(32);
        for byte in &digest[..16] {
            // Writing to a String cannot fail.
            let _ = write!(key, "{byte:02x}");
        }
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_namespace_name_is_valid_and_unique() {
        let mut names = std::collections::HashSet::new();
        for ns in NAMESPACES {
            aurum_ports::cache::validate_namespace(ns.name).unwrap();
            assert!(names.insert(ns.name), "{} twice", ns.name);
            assert!(ns.ttl >= Duration::from_secs(1));
            assert_eq!(namespace(ns.name), Some(ns));
        }
        assert_eq!(namespace("nope"), None);
    }

    #[test]
    fn tenant_private_keys_differ_per_tenant_and_need_one() {
        let a = TenantId::parse("acme").unwrap();
        let b = TenantId::parse("beta").unwrap();
        let ka = SCENARIO_OUTPUTS.key(Some(&a), "q").unwrap();
        let kb = SCENARIO_OUTPUTS.key(Some(&b), "q").unwrap();
        assert_ne!(ka, kb);
        assert_eq!(ka.len(), 32);
        assert_eq!(
            SCENARIO_OUTPUTS.key(None, "q"),
            Err(TenantRequired("scenario-outputs"))
        );
    }

    #[test]
    fn shared_keys_ignore_the_tenant() {
        let a = TenantId::parse("acme").unwrap();
        assert_eq!(
            CURVES.key(Some(&a), "q").unwrap(),
            CURVES.key(None, "q").unwrap()
        );
        assert_ne!(
            CURVES.key(None, "q").unwrap(),
            CURVES.key(None, "r").unwrap()
        );
    }

    #[test]
    fn ingestion_invalidates_exactly_the_curve_namespaces() {
        let names: Vec<_> = curve_namespaces().map(|ns| ns.name).collect();
        assert_eq!(
            names,
            [
                "curves",
                "curve-diff",
                "strips",
                "curve-history",
                "dimensions"
            ]
        );
    }
}
