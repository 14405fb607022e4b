//! Scenario vocabulary (DOMAIN.md §2): scenarios and their driver assumptions, run options,
//! runs and their statuses, engine output rows, and the field problems a validation reports.
//! Inputs (`NewScenario`, `RunOptions`, raw assumption payloads) validate into typed values and
//! list every problem at once, each under a JSON pointer into the request body.

/// A closed vocabulary spelled in `snake_case` on the wire, parsed case-insensitively.
macro_rules! snake_enum {
    (
        $(#[$meta:meta])* $name:ident, $what:literal,
        { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[derive(::serde::Serialize, ::serde::Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The canonical spelling used in storage and on the wire.
            pub const fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }
        }

        impl $crate::scenario::Vocabulary for $name {
            fn all() -> &'static [Self] {
                Self::ALL
            }

            fn text(self) -> &'static str {
                self.as_str()
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::curve::UnknownVariant;

            /// Parses case-insensitively, ignoring surrounding white space.
            fn from_str(raw: &str) -> Result<Self, Self::Err> {
                let t = raw.trim();
                $(if t.eq_ignore_ascii_case($text) { return Ok(Self::$variant); })+
                Err($crate::curve::UnknownVariant { kind: $what, value: t.to_owned() })
            }
        }
    };
}

pub mod assumption;
pub mod definition;
pub mod ids;
pub mod output;
pub mod run;
pub mod status;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use assumption::{Assumption, AssumptionInput, ChangeType, DriverPayload, DriverType, Fuel};
pub use definition::{InvalidName, NewScenario, Scenario, ScenarioDraft, ScenarioName};
pub use ids::{
    IdempotencyKey, InvalidId, InvalidIdempotencyKey, InvalidUniqueKey, RunId, ScenarioId, Slug,
    UniqueKey,
};
pub use output::{Attribution, ScenarioOutput};
pub use run::{Run, RunOptions, RunSettings};
pub use status::{Priority, RunStatus, ScenarioStatus};

/// What every closed vocabulary of this module offers, for generic parsing and messages.
pub(crate) trait Vocabulary: Sized + Copy + 'static {
    /// Every variant.
    fn all() -> &'static [Self];
    /// The canonical spelling.
    fn text(self) -> &'static str;
}

/// One offending input, named by a JSON pointer into the request body
/// (`/assumptions/2/payload/capacity_mw`), with what is wrong and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FieldProblem {
    /// RFC 6901 pointer to the offending value (`""` is the whole body).
    pub pointer: String,
    /// What is wrong, phrased so the client can fix it.
    pub detail: String,
}

impl FieldProblem {
    /// A problem at `pointer`.
    pub fn new(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            pointer: pointer.into(),
            detail: detail.into(),
        }
    }

    /// The same problem seen from an enclosing document: `prefix` is prepended to the pointer.
    #[must_use]
    pub fn under(mut self, prefix: &str) -> Self {
        self.pointer.insert_str(0, prefix);
        self
    }
}

impl fmt::Display for FieldProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.pointer, self.detail)
    }
}

/// Every problem of one rejected input, as an error value (e.g. for `serde`'s `try_from`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", join(.0))]
pub struct FieldProblems(pub Vec<FieldProblem>);

fn join(problems: &[FieldProblem]) -> String {
    let parts: Vec<String> = problems.iter().map(ToString::to_string).collect();
    parts.join("; ")
}

/// `serde` glue for [`crate::TenantId`] fields: written as text, validated when read.
pub(crate) mod tenant_serde {
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

    use crate::TenantId;

    pub(crate) fn serialize<S: Serializer>(tenant: &TenantId, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(tenant.as_str())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<TenantId, D::Error> {
        let raw = String::deserialize(d)?;
        TenantId::parse(&raw).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_seen_from_an_enclosing_document_gets_the_prefix() {
        let p = FieldProblem::new("/payload/capacity_mw", "must be > 0").under("/assumptions/2");
        assert_eq!(p.pointer, "/assumptions/2/payload/capacity_mw");
        assert_eq!(
            p.to_string(),
            "/assumptions/2/payload/capacity_mw: must be > 0"
        );
    }

    #[test]
    fn field_problems_display_every_problem() {
        let all = FieldProblems(vec![
            FieldProblem::new("/a", "x"),
            FieldProblem::new("/b", "y"),
        ]);
        assert_eq!(all.to_string(), "/a: x; /b: y");
    }
}
