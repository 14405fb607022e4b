//! Curve vocabulary: one observation is one price for one curve, one delivery tenor and one
//! pricing date (DOMAIN.md §1). Everything here is validated on construction.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

macro_rules! vocabulary_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal, { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The canonical spelling used in storage and on the wire.
            pub const fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownVariant;

            /// Parses case-insensitively, ignoring surrounding white space.
            fn from_str(raw: &str) -> Result<Self, Self::Err> {
                let t = raw.trim();
                $(if t.eq_ignore_ascii_case($text) { return Ok(Self::$variant); })+
                Err(UnknownVariant { kind: $what, value: t.to_owned() })
            }
        }
    };
}

/// A value is not one of an enumeration's variants.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} '{value}'")]
pub struct UnknownVariant {
    /// Which enumeration (`asset_class`, `price_type`, `tenor_type`).
    pub kind: &'static str,
    /// The rejected input, trimmed.
    pub value: String,
}

vocabulary_enum!(
    /// Broad class of the priced commodity.
    AssetClass, "asset_class", {
        Power => "power", Renewable => "renewable", Gas => "gas", Carbon => "carbon",
        Storage => "storage", Other => "other",
    }
);

vocabulary_enum!(
    /// What the price represents.
    PriceType, "price_type", {
        Mid => "MID", Bid => "BID", Ask => "ASK", Last => "LAST", Settle => "SETTLE",
        Index => "INDEX", Strip => "STRIP", Custom => "CUSTOM",
    }
);

vocabulary_enum!(
    /// Shape of the delivery period.
    TenorType, "tenor_type", {
        Monthly => "MONTHLY", Quarter => "QUARTER", Season => "SEASON", Calendar => "CALENDAR",
        Strip => "STRIP", Custom => "CUSTOM",
    }
);

/// Where a stored row came from. A derived strip never replaces an ingested row of the same key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowOrigin {
    /// Read from a source file.
    Ingested,
    /// Materialised by ingestion from monthly rows (CALENDAR / QUARTER strips).
    Derived,
}

impl RowOrigin {
    /// The replacement rule of every store: a row with (`ingest_ts`, origin) `new` replaces a
    /// stored row with `old` iff its `ingest_ts` is greater or equal, except that a derived row
    /// never replaces an ingested one.
    pub fn replaces(new: (DateTime<Utc>, Self), old: (DateTime<Utc>, Self)) -> bool {
        new.0 >= old.0 && !(new.1 == Self::Derived && old.1 == Self::Ingested)
    }
}

/// Identity of a curve: lowercase hex SHA-256 of its identity fields (DOMAIN.md §1).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CurveKey(Arc<str>);

/// The raw value is not a curve key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("curve_key must be 1 to 128 characters of [A-Za-z0-9_.:-]")]
pub struct InvalidCurveKey;

impl CurveKey {
    /// Validates a curve key given by a client or a file. Derived keys are 64 lowercase hex
    /// characters; vendor keys may be any short token of `[A-Za-z0-9_.:-]`.
    ///
    /// # Errors
    /// [`InvalidCurveKey`] for an empty, over-long or oddly spelled key.
    pub fn parse(raw: &str) -> Result<Self, InvalidCurveKey> {
        let t = raw.trim();
        let ok = !t.is_empty()
            && t.len() <= 128
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'-'));
        if ok {
            Ok(Self(Arc::from(t)))
        } else {
            Err(InvalidCurveKey)
        }
    }

    /// Wraps an already interned, already validated key.
    pub fn from_shared(key: Arc<str>) -> Self {
        Self(key)
    }

    /// The key's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The shared allocation behind the key (cheap to clone and to intern).
    pub fn shared(&self) -> &Arc<str> {
        &self.0
    }
}

impl fmt::Display for CurveKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A filter value for a free-text identity dimension (iso, location, market, product, block):
/// trimmed, non-empty, at most 200 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DimValue(Arc<str>);

/// The raw value is not a usable dimension value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be 1 to 200 characters without control characters")]
pub struct InvalidDimValue;

impl DimValue {
    /// Validates a dimension filter value. Matching is exact (case-sensitive) after trimming.
    ///
    /// # Errors
    /// [`InvalidDimValue`] for an empty, over-long or control-character value.
    pub fn parse(raw: &str) -> Result<Self, InvalidDimValue> {
        let t = raw.trim();
        if t.is_empty() || t.chars().count() > 200 || t.chars().any(char::is_control) {
            Err(InvalidDimValue)
        } else {
            Ok(Self(Arc::from(t)))
        }
    }

    /// The value's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The filterable and countable dimensions of curve observations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// `asset_class`
    AssetClass,
    /// `iso`
    Iso,
    /// `location`
    Location,
    /// `market`
    Market,
    /// `product`
    Product,
    /// `block`
    Block,
    /// `tenor_type`
    TenorType,
}

impl Dimension {
    /// Every dimension in the order responses list them.
    pub const ALL: [Self; 7] = [
        Self::AssetClass,
        Self::Iso,
        Self::Location,
        Self::Market,
        Self::Product,
        Self::Block,
        Self::TenorType,
    ];

    /// The dimension's field name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::AssetClass => "asset_class",
            Self::Iso => "iso",
            Self::Location => "location",
            Self::Market => "market",
            Self::Product => "product",
            Self::Block => "block",
            Self::TenorType => "tenor_type",
        }
    }
}

/// Exact-match filters shared by list, diff, strips, dimensions and export (DOMAIN.md §1).
/// A `None` field does not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CurveFilters {
    /// `curve_key = …`
    pub curve_key: Option<CurveKey>,
    /// `asset_class = …`
    pub asset_class: Option<AssetClass>,
    /// `iso = …`
    pub iso: Option<DimValue>,
    /// `location = …`
    pub location: Option<DimValue>,
    /// `market = …`
    pub market: Option<DimValue>,
    /// `product = …`
    pub product: Option<DimValue>,
    /// `block = …`
    pub block: Option<DimValue>,
    /// `tenor_type = …`
    pub tenor_type: Option<TenorType>,
}

impl CurveFilters {
    /// True when at least one identity dimension (not only `tenor_type`) narrows the query.
    pub fn has_dimension_filter(&self) -> bool {
        self.curve_key.is_some()
            || self.asset_class.is_some()
            || self.iso.is_some()
            || self.location.is_some()
            || self.market.is_some()
            || self.product.is_some()
            || self.block.is_some()
    }

    /// True when `obs` satisfies every filter.
    pub fn matches(&self, obs: &CurveObservation) -> bool {
        fn text(filter: Option<&DimValue>, value: Option<&Arc<str>>) -> bool {
            filter.is_none_or(|f| value.is_some_and(|v| **v == *f.as_str()))
        }
        self.curve_key.as_ref().is_none_or(|k| *k == obs.curve_key)
            && self.asset_class.is_none_or(|a| a == obs.asset_class)
            && self.tenor_type.is_none_or(|t| t == obs.tenor_type)
            && text(self.iso.as_ref(), obs.iso.as_ref())
            && text(self.location.as_ref(), obs.location.as_ref())
            && text(self.market.as_ref(), obs.market.as_ref())
            && text(self.product.as_ref(), obs.product.as_ref())
            && text(self.block.as_ref(), obs.block.as_ref())
    }

    /// The same filters without the one on `dim` (dimension facets are counted under the
    /// *other* filters).
    #[must_use]
    pub fn without(&self, dim: Dimension) -> Self {
        let mut f = self.clone();
        match dim {
            Dimension::AssetClass => f.asset_class = None,
            Dimension::Iso => f.iso = None,
            Dimension::Location => f.location = None,
            Dimension::Market => f.market = None,
            Dimension::Product => f.product = None,
            Dimension::Block => f.block = None,
            Dimension::TenorType => f.tenor_type = None,
        }
        f
    }
}

/// One stored curve observation, already normalised (DOMAIN.md §1). Repeated strings are
/// shared (`Arc<str>`) so that stores can intern them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurveObservation {
    /// Pricing date.
    pub asof_date: NaiveDate,
    /// Provenance: source file name (`""` when unknown).
    pub source_file: Arc<str>,
    /// Provenance: sheet name (`""` when unknown).
    pub sheet_name: Arc<str>,
    /// Asset class.
    pub asset_class: AssetClass,
    /// Region, derived from `iso` when absent.
    pub region: Option<Arc<str>>,
    /// ISO / exchange.
    pub iso: Option<Arc<str>>,
    /// Location, hub or zone.
    pub location: Option<Arc<str>>,
    /// Market (DA, RT, …).
    pub market: Option<Arc<str>>,
    /// Product.
    pub product: Option<Arc<str>>,
    /// Block (`ON_PEAK`, `OFF_PEAK`, `ATC`, …).
    pub block: Option<Arc<str>>,
    /// Spark location for spread curves.
    pub spark_location: Option<Arc<str>>,
    /// Price type.
    pub price_type: PriceType,
    /// Units as given in the source.
    pub units_raw: Arc<str>,
    /// Currency (from the units map when absent).
    pub currency: Option<Arc<str>>,
    /// Per-unit (from the units map when absent).
    pub per_unit: Option<Arc<str>>,
    /// Tenor type (inferred from the label when absent).
    pub tenor_type: TenorType,
    /// First day of the delivery period, when known.
    pub contract_month: Option<NaiveDate>,
    /// Normalised tenor label (`YYYY-MM`, `Q1 2026`, `Calendar 2027`, …).
    pub tenor_label: Arc<str>,
    /// Price value.
    pub value: Option<f64>,
    /// Bid side.
    pub bid: Option<f64>,
    /// Ask side.
    pub ask: Option<f64>,
    /// Mid price: given, else `(bid+ask)/2`, else `value`.
    pub mid: Option<f64>,
    /// Curve identity.
    pub curve_key: CurveKey,
    /// SHA-256 hex over the ingested slice (`source_file`, `sheet_name`, `asof_date`).
    pub version_hash: Arc<str>,
    /// When ingestion stored the row; the latest ingest wins for a duplicate key.
    pub ingest_ts: DateTime<Utc>,
    /// Ingested from a file or derived by ingestion.
    pub origin: RowOrigin,
}

impl CurveObservation {
    /// The value of a dimension on this row, if any.
    pub fn dimension(&self, dim: Dimension) -> Option<&str> {
        match dim {
            Dimension::AssetClass => Some(self.asset_class.as_str()),
            Dimension::Iso => self.iso.as_deref(),
            Dimension::Location => self.location.as_deref(),
            Dimension::Market => self.market.as_deref(),
            Dimension::Product => self.product.as_deref(),
            Dimension::Block => self.block.as_deref(),
            Dimension::TenorType => Some(self.tenor_type.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_parse_case_insensitively_and_print_canonically() {
        assert_eq!("POWER".parse::<AssetClass>().unwrap(), AssetClass::Power);
        assert_eq!(
            " monthly ".parse::<TenorType>().unwrap().as_str(),
            "MONTHLY"
        );
        assert_eq!("bid".parse::<PriceType>().unwrap(), PriceType::Bid);
        let err = "x".parse::<AssetClass>().unwrap_err();
        assert_eq!(err.to_string(), "unknown asset_class 'x'");
    }

    #[test]
    fn curve_keys_reject_odd_characters() {
        assert!(CurveKey::parse("abc123").is_ok());
        assert!(CurveKey::parse("").is_err());
        assert!(CurveKey::parse("a b").is_err());
        assert!(CurveKey::parse("a'; drop").is_err());
        assert!(CurveKey::parse(&"a".repeat(129)).is_err());
    }

    #[test]
    fn dim_values_are_trimmed_and_bounded() {
        assert_eq!(DimValue::parse(" PJM ").unwrap().as_str(), "PJM");
        assert!(DimValue::parse("  ").is_err());
        assert!(DimValue::parse("a\u{0}").is_err());
    }
}
