//! Why an input row was not stored. A quarantined row is counted and reported with its reason;
//! it never stops the rest of the file (DOMAIN.md §1). Values quoted in reasons are shortened
//! to [`EXCERPT_CHARS`] characters so that one huge cell cannot bloat a report.

use aurum_ports::curve::UnknownVariant;

/// Longest quoted value in a reason, in characters.
pub const EXCERPT_CHARS: usize = 80;

/// The first broken rule of a row, with a message fit for operators.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum QuarantineReason {
    /// A required field is absent or blank (`missing asof_date`).
    #[error("missing {0}")]
    Missing(&'static str),
    /// The pricing date is not a date (`invalid date '2026-13-01'`).
    #[error("invalid date '{0}'")]
    InvalidDate(String),
    /// The contract month is neither a date nor a year-month.
    #[error("invalid contract_month '{0}'")]
    InvalidContractMonth(String),
    /// An enumeration value is not one of its variants (`unknown asset_class 'x'`).
    #[error(transparent)]
    Unknown(UnknownVariant),
    /// A price cell is not a finite number (`invalid number 'abc' in bid`).
    #[error("invalid number '{value}' in {field}")]
    InvalidNumber {
        /// The cell text.
        value: String,
        /// The column (`value`, `bid`, `ask`, `mid`, `bid_ask`).
        field: &'static str,
    },
    /// No price cell holds a number.
    #[error("no finite price")]
    NoFinitePrice,
    /// A given curve key is not a valid key.
    #[error("invalid curve_key '{0}'")]
    InvalidCurveKey(String),
    /// The CSV record could not be read as a row (wrong field count, invalid UTF-8).
    #[error("malformed CSV row: {0}")]
    MalformedCsv(String),
    /// The NDJSON line is not a JSON object of text, number or null values.
    #[error("invalid JSON: {0}")]
    InvalidJson(String),
    /// The record is longer than the reader's bound.
    #[error("row exceeds {0} bytes")]
    TooLarge(usize),
}

impl QuarantineReason {
    /// A stable, low-cardinality code for metrics and grouping (`missing_field`, …).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Missing(_) => "missing_field",
            Self::InvalidDate(_) => "invalid_date",
            Self::InvalidContractMonth(_) => "invalid_contract_month",
            Self::Unknown(_) => "unknown_value",
            Self::InvalidNumber { .. } => "invalid_number",
            Self::NoFinitePrice => "no_finite_price",
            Self::InvalidCurveKey(_) => "invalid_curve_key",
            Self::MalformedCsv(_) => "malformed_csv",
            Self::InvalidJson(_) => "invalid_json",
            Self::TooLarge(_) => "too_large",
        }
    }
}

impl From<UnknownVariant> for QuarantineReason {
    fn from(e: UnknownVariant) -> Self {
        Self::Unknown(UnknownVariant {
            kind: e.kind,
            value: excerpt(&e.value),
        })
    }
}

/// `text` trimmed and cut to [`EXCERPT_CHARS`] characters (with `…` when cut).
pub fn excerpt(text: &str) -> String {
    let t = text.trim();
    match t.char_indices().nth(EXCERPT_CHARS) {
        None => t.to_owned(),
        Some((end, _)) => format!("{}…", &t[..end]),
    }
}

#[cfg(test)]
mod tests {
    use aurum_ports::AssetClass;

    use super::*;

    #[test]
    fn reasons_read_as_the_domain_spells_them() {
        let cases = [
            (QuarantineReason::Missing("asof_date"), "missing asof_date"),
            (
                QuarantineReason::InvalidDate("2026-13-01".into()),
                "invalid date '2026-13-01'",
            ),
            (QuarantineReason::NoFinitePrice, "no finite price"),
            (
                QuarantineReason::InvalidNumber {
                    value: "abc".into(),
                    field: "bid",
                },
                "invalid number 'abc' in bid",
            ),
            (QuarantineReason::TooLarge(1024), "row exceeds 1024 bytes"),
            (
                QuarantineReason::MalformedCsv("x".into()),
                "malformed CSV row: x",
            ),
        ];
        for (reason, text) in cases {
            assert_eq!(reason.to_string(), text);
        }
    }

    #[test]
    fn unknown_variants_keep_their_message_and_shorten_the_value() {
        let err = "x".parse::<AssetClass>().unwrap_err();
        assert_eq!(
            QuarantineReason::from(err).to_string(),
            "unknown asset_class 'x'"
        );
        let long = "é".repeat(200).parse::<AssetClass>().unwrap_err();
        let QuarantineReason::Unknown(v) = QuarantineReason::from(long) else {
            panic!("not an unknown value");
        };
        assert_eq!(v.value.chars().count(), EXCERPT_CHARS + 1);
        assert!(v.value.ends_with('…'));
    }
}
