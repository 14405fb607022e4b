//! Identifiers of the scenario domain: uuid ids of scenarios and runs, name slugs, the
//! per-tenant unique key of a scenario, and client idempotency keys.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::TenantId;

/// The raw value is not a uuid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} must be a uuid such as 0190f0a2-7c1e-7d3a-9b1e-5f0c2a4b6d8e")]
pub struct InvalidId {
    /// Which id (`scenario_id`, `run_id`).
    pub kind: &'static str,
}

macro_rules! uuid_id {
    ($(#[$meta:meta])* $name:ident, $kind:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// Wraps a uuid minted by an `IdGenerator`.
            pub const fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }

            /// Parses the textual form (hyphenated, simple, braced or urn).
            ///
            /// # Errors
            /// [`InvalidId`] when `raw` is not a uuid.
            pub fn parse(raw: &str) -> Result<Self, InvalidId> {
                Uuid::parse_str(raw.trim()).map(Self).map_err(|_| InvalidId { kind: $kind })
            }

            /// The uuid.
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            /// Lowercase hyphenated form.
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }

        impl FromStr for $name {
            type Err = InvalidId;

            fn from_str(raw: &str) -> Result<Self, Self::Err> {
                Self::parse(raw)
            }
        }
    };
}

uuid_id!(
    /// Identity of a scenario.
    ScenarioId, "scenario_id"
);
uuid_id!(
    /// Identity of one run of a scenario.
    RunId, "run_id"
);

/// The slug of a scenario name: lowercased, every run of characters that are not (Unicode)
/// letters or digits replaced by one `-`, trimmed of `-`; `scenario` when nothing is left.
/// `"  Clean Power: 2030! "` → `clean-power-2030`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Slug(String);

impl Slug {
    /// The slug of `name`. Never empty.
    pub fn of(name: &str) -> Self {
        let mut slug = String::with_capacity(name.len());
        let mut pending_dash = false;
        for c in name.chars().flat_map(char::to_lowercase) {
            if c.is_alphanumeric() {
                if pending_dash && !slug.is_empty() {
                    slug.push('-');
                }
                pending_dash = false;
                slug.push(c);
            } else {
                pending_dash = true;
            }
        }
        if slug.is_empty() {
            slug.push_str("scenario");
        }
        Self(slug)
    }

    /// The slug's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `<tenant>:<slug(name)>`: scenario names are unique per tenant by this key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UniqueKey(String);

/// The raw value is not `<tenant>:<slug>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unique_key must be <tenant>:<slug> with a valid tenant id and a slug as Slug::of makes")]
pub struct InvalidUniqueKey;

impl UniqueKey {
    /// The key of a scenario named `name` owned by `tenant`.
    pub fn new(tenant: &TenantId, name: &str) -> Self {
        Self(format!("{tenant}:{}", Slug::of(name)))
    }

    /// Validates a stored key: a tenant id, `:`, and a slug that [`Slug::of`] leaves unchanged.
    ///
    /// # Errors
    /// [`InvalidUniqueKey`] for any other shape.
    pub fn parse(raw: &str) -> Result<Self, InvalidUniqueKey> {
        let (tenant, slug) = raw.split_once(':').ok_or(InvalidUniqueKey)?;
        let normalised = TenantId::parse(tenant).map_err(|_| InvalidUniqueKey)?;
        if normalised.as_str() == tenant && Slug::of(slug).as_str() == slug {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidUniqueKey)
        }
    }

    /// The key's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UniqueKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for UniqueKey {
    type Error = InvalidUniqueKey;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<UniqueKey> for String {
    fn from(key: UniqueKey) -> Self {
        key.0
    }
}

/// A client's idempotency key: 1 to 255 characters of `[A-Za-z0-9_\-.:/]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdempotencyKey(String);

/// The raw value is not an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("idempotency key must be 1 to 255 characters of [A-Za-z0-9_-.:/]")]
pub struct InvalidIdempotencyKey;

impl IdempotencyKey {
    /// Longest key accepted, in characters.
    pub const MAX_LEN: usize = 255;

    /// Validates a key exactly as given (no trimming).
    ///
    /// # Errors
    /// [`InvalidIdempotencyKey`] for an empty or over-long key or one with another character.
    pub fn parse(raw: &str) -> Result<Self, InvalidIdempotencyKey> {
        let ok = !raw.is_empty()
            && raw.len() <= Self::MAX_LEN
            && raw.bytes().all(|b| {
                b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':' | b'/')
            });
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidIdempotencyKey)
        }
    }

    /// The key's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for IdempotencyKey {
    type Error = InvalidIdempotencyKey;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<IdempotencyKey> for String {
    fn from(key: IdempotencyKey) -> Self {
        key.0
    }
}

#[cfg(test)]
mod tests;
