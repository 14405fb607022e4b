//! Curve domain logic: pure functions over the curve vocabulary of `aurum-ports` — curve-key
//! derivation, tenor inference, price parsing, units and regions, row normalisation into
//! observations (or quarantine reasons) and derived strips.

pub mod date;
pub mod intern;
pub mod key;
pub mod normalise;
pub mod price;
pub mod quarantine;
pub mod region;
pub mod strips;
pub mod tenor;
pub mod units;

pub use date::{parse_contract_month, parse_date, parse_year_month};
pub use intern::Interner;
pub use key::{CurveIdentity, CurveKeyCache, derive_curve_key};
pub use normalise::{IngestContext, Normaliser};
pub use price::{NotANumber, average, derive_mid, parse_bid_ask, parse_number};
pub use quarantine::QuarantineReason;
pub use region::derive_region;
pub use strips::{DerivedStrips, StripAccumulator};
pub use tenor::{Tenor, TenorInfo, infer_tenor_type, normalise_tenor_into, parse_tenor};
pub use units::{Units, UnitsMap, UnitsMapError};
