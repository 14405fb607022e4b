//! Tenant identifiers: who owns tenant-private data.

use std::fmt;

/// A normalised tenant id: trimmed, lowercased, matching `^[a-z0-9][a-z0-9._-]{0,63}$`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TenantId(String);

/// The raw value does not form a tenant id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("tenant id must match ^[a-z0-9][a-z0-9._-]{{0,63}}$ after trimming and lowercasing")]
pub struct InvalidTenant;

impl TenantId {
    /// Normalises (trim + lowercase) and validates a raw tenant id.
    ///
    /// # Errors
    /// [`InvalidTenant`] when the normalised value is empty, longer than 64 characters, or uses a
    /// character outside `[a-z0-9._-]` (or does not start with `[a-z0-9]`).
    pub fn parse(raw: &str) -> Result<Self, InvalidTenant> {
        let value = raw.trim().to_ascii_lowercase();
        let mut chars = value.chars();
        let first_ok = chars
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        let rest_ok = chars.all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '_' || c == '-'
        });
        if first_ok && rest_ok && value.len() <= 64 {
            Ok(Self(value))
        } else {
            Err(InvalidTenant)
        }
    }

    /// The normalised id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_ids_are_trimmed_and_lowercased() {
        assert_eq!(TenantId::parse("  Acme-1 ").unwrap().as_str(), "acme-1");
    }

    #[test]
    fn tenant_ids_reject_bad_shapes() {
        for bad in [
            "",
            " ",
            "-acme",
            "a b",
            "x".repeat(65).as_str(),
            "émile",
            "a/b",
        ] {
            assert_eq!(TenantId::parse(bad), Err(InvalidTenant), "{bad:?}");
        }
        assert!(TenantId::parse(&"x".repeat(64)).is_ok());
    }
}
