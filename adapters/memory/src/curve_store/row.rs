//! The compact row: a `CurveObservation` as 88 bytes of plain data (dates as day numbers,
//! strings as interned ids, enums as codes, prices with a presence bit), and the conversions
//! both ways. Observations are rebuilt (cloning shared strings) only for returned rows.

use std::sync::Arc;

use aurum_ports::{
    AssetClass, CurveKey, CurveObservation, Dimension, PriceType, RowOrigin, TenorType,
};
use chrono::{DateTime, Datelike, NaiveDate};

use super::interner::{Full, Interner, NONE, intern_opt, intern_shared};

/// `contract_month` of a row without one: sorts after every date (NULLS LAST).
pub(crate) const NO_MONTH: i32 = i32::MAX;

const DERIVED: u8 = 1 << 7;

/// The interners of a snapshot, one per field family. The filterable ones have their own
/// interner so that their ids are dense per dimension (counts are plain arrays).
#[derive(Debug, Clone, Default)]
pub(crate) struct Dicts {
    pub curve: Arc<Interner>,
    pub label: Arc<Interner>,
    /// `iso`, `location`, `market`, `product`, `block`, by [`Col`] order.
    pub dims: [Arc<Interner>; 5],
    /// Every other string field.
    pub text: Arc<Interner>,
    /// The tuples of the eight never-filtered text ids (`source_file`, `sheet_name`, `region`,
    /// `spark_location`, `units_raw`, `currency`, `per_unit`, `version_hash`): they repeat per
    /// file and curve, so a row holds one id for all eight.
    pub attrs: Arc<Interner<[u32; 8]>>,
}

/// One stored row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct CompactRow {
    /// `ingest_ts` in microseconds since the epoch.
    pub ingest_us: i64,
    /// `value`, `bid`, `ask`, `mid`; meaningful only where `flags` has the bit.
    pub prices: [f64; 4],
    /// `asof_date` as days from the common era.
    pub asof: i32,
    /// `contract_month` as days from the common era, [`NO_MONTH`] when absent.
    pub month: i32,
    pub curve: u32,
    pub label: u32,
    /// `iso`, `location`, `market`, `product`, `block` ids ([`NONE`] when absent).
    pub dims: [u32; 5],
    /// Id of the tuple of the other text fields (see [`Dicts::attrs`]).
    pub attrs: u32,
    pub asset_class: u8,
    pub tenor_type: u8,
    pub price_type: u8,
    /// Bits 0–3: price present; bit 7: derived.
    pub flags: u8,
}

/// The indexed (filterable) columns of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Col {
    Curve,
    AssetClass,
    Iso,
    Location,
    Market,
    Product,
    Block,
    TenorType,
}

impl Col {
    pub(crate) const ALL: [Self; 8] = [
        Self::Curve,
        Self::AssetClass,
        Self::Iso,
        Self::Location,
        Self::Market,
        Self::Product,
        Self::Block,
        Self::TenorType,
    ];

    /// Position in [`Col::ALL`].
    pub(crate) const fn index(self) -> usize {
        self as usize
    }

    /// The column of a dimension.
    pub(crate) const fn of_dimension(dim: Dimension) -> Self {
        match dim {
            Dimension::AssetClass => Self::AssetClass,
            Dimension::Iso => Self::Iso,
            Dimension::Location => Self::Location,
            Dimension::Market => Self::Market,
            Dimension::Product => Self::Product,
            Dimension::Block => Self::Block,
            Dimension::TenorType => Self::TenorType,
        }
    }

    /// The row's value id in this column ([`NONE`] when absent).
    #[inline]
    pub(crate) fn value(self, row: &CompactRow) -> u32 {
        match self {
            Self::Curve => row.curve,
            Self::AssetClass => u32::from(row.asset_class),
            Self::Iso => row.dims[0],
            Self::Location => row.dims[1],
            Self::Market => row.dims[2],
            Self::Product => row.dims[3],
            Self::Block => row.dims[4],
            Self::TenorType => u32::from(row.tenor_type),
        }
    }
}

fn code<T: Copy + PartialEq>(all: &[T], value: T) -> u8 {
    all.iter()
        .position(|&v| v == value)
        .and_then(|i| u8::try_from(i).ok())
        .unwrap_or(0)
}

fn variant<T: Copy>(all: &[T], code: u8, fallback: T) -> T {
    all.get(usize::from(code)).copied().unwrap_or(fallback)
}

pub(crate) fn asset_class_code(a: AssetClass) -> u8 {
    code(AssetClass::ALL, a)
}

pub(crate) fn tenor_type_code(t: TenorType) -> u8 {
    code(TenorType::ALL, t)
}

pub(crate) fn asset_class_of(code: u8) -> AssetClass {
    variant(AssetClass::ALL, code, AssetClass::Other)
}

pub(crate) fn tenor_type_of(code: u8) -> TenorType {
    variant(TenorType::ALL, code, TenorType::Custom)
}

/// Days from the common era.
pub(crate) fn day(date: NaiveDate) -> i32 {
    date.num_days_from_ce()
}

fn date(days: i32) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(days).unwrap_or_default()
}

impl CompactRow {
    /// Encodes an observation, interning its strings into `dicts`.
    pub(crate) fn encode(dicts: &mut Dicts, o: &CurveObservation) -> Result<Self, Full> {
        let [iso, location, market, product, block] = &mut dicts.dims;
        let t = &mut dicts.text;
        let prices = [o.value, o.bid, o.ask, o.mid];
        let mut flags = if o.origin == RowOrigin::Derived {
            DERIVED
        } else {
            0
        };
        for (bit, price) in prices.iter().enumerate() {
            if price.is_some() {
                flags |= 1 << bit;
            }
        }
        Ok(Self {
            ingest_us: o.ingest_ts.timestamp_micros(),
            prices: prices.map(|p| p.unwrap_or(0.0)),
            asof: day(o.asof_date),
            month: o.contract_month.map_or(NO_MONTH, day),
            curve: intern_shared(&mut dicts.curve, o.curve_key.shared())?,
            label: intern_shared(&mut dicts.label, &o.tenor_label)?,
            dims: [
                intern_opt(iso, o.iso.as_ref())?,
                intern_opt(location, o.location.as_ref())?,
                intern_opt(market, o.market.as_ref())?,
                intern_opt(product, o.product.as_ref())?,
                intern_opt(block, o.block.as_ref())?,
            ],
            attrs: intern_shared(
                &mut dicts.attrs,
                &[
                    intern_shared(t, &o.source_file)?,
                    intern_shared(t, &o.sheet_name)?,
                    intern_opt(t, o.region.as_ref())?,
                    intern_opt(t, o.spark_location.as_ref())?,
                    intern_shared(t, &o.units_raw)?,
                    intern_opt(t, o.currency.as_ref())?,
                    intern_opt(t, o.per_unit.as_ref())?,
                    intern_shared(t, &o.version_hash)?,
                ],
            )?,
            asset_class: asset_class_code(o.asset_class),
            tenor_type: tenor_type_code(o.tenor_type),
            price_type: code(PriceType::ALL, o.price_type),
            flags,
        })
    }

    /// Rebuilds the observation, sharing the interned strings.
    pub(crate) fn decode(&self, dicts: &Dicts) -> CurveObservation {
        let req = |i: &Interner, id: u32| i.get(id).cloned().unwrap_or_else(|| Arc::from(""));
        let opt = |i: &Interner, id: u32| if id == NONE { None } else { i.get(id).cloned() };
        let price = |bit: usize| (self.flags & (1 << bit) != 0).then_some(self.prices[bit]);
        let [iso, location, market, product, block] = &dicts.dims;
        let attrs = dicts.attrs.get(self.attrs).copied().unwrap_or([NONE; 8]);
        let [
            source_file,
            sheet_name,
            region,
            spark,
            units,
            currency,
            per_unit,
            hash,
        ] = attrs;
        let t = &*dicts.text;
        CurveObservation {
            asof_date: date(self.asof),
            source_file: req(t, source_file),
            sheet_name: req(t, sheet_name),
            asset_class: asset_class_of(self.asset_class),
            region: opt(t, region),
            iso: opt(iso, self.dims[0]),
            location: opt(location, self.dims[1]),
            market: opt(market, self.dims[2]),
            product: opt(product, self.dims[3]),
            block: opt(block, self.dims[4]),
            spark_location: opt(t, spark),
            price_type: variant(PriceType::ALL, self.price_type, PriceType::Mid),
            units_raw: req(t, units),
            currency: opt(t, currency),
            per_unit: opt(t, per_unit),
            tenor_type: tenor_type_of(self.tenor_type),
            contract_month: (self.month != NO_MONTH).then(|| date(self.month)),
            tenor_label: req(&dicts.label, self.label),
            value: price(0),
            bid: price(1),
            ask: price(2),
            mid: price(3),
            curve_key: CurveKey::from_shared(req(&dicts.curve, self.curve)),
            version_hash: req(t, hash),
            ingest_ts: DateTime::from_timestamp_micros(self.ingest_us).unwrap_or_default(),
            origin: if self.is_derived() {
                RowOrigin::Derived
            } else {
                RowOrigin::Ingested
            },
        }
    }

    /// A derived strip (never replaces an ingested row).
    #[inline]
    pub(crate) fn is_derived(&self) -> bool {
        self.flags & DERIVED != 0
    }

    /// Whether `self` replaces `stored` of the same key: a newer or equal ingest, unless a
    /// derived row would replace an ingested one.
    #[inline]
    pub(crate) fn replaces(&self, stored: &Self) -> bool {
        self.ingest_us >= stored.ingest_us && (!self.is_derived() || stored.is_derived())
    }
}

#[cfg(test)]
mod tests {
    use aurum_ports::contract::curve_store::fixture;

    use super::*;

    #[test]
    fn a_compact_row_fits_in_two_cache_lines() {
        assert!(size_of::<CompactRow>() <= 128);
        assert_eq!(size_of::<CompactRow>(), 88);
    }

    #[test]
    fn every_dataset_row_survives_encoding() {
        let mut dicts = Dicts::default();
        for o in fixture::dataset() {
            let row = CompactRow::encode(&mut dicts, &o).unwrap();
            assert_eq!(row.decode(&dicts), o);
        }
    }

    #[test]
    fn absent_prices_and_months_stay_absent_and_derived_origin_is_kept() {
        let mut dicts = Dicts::default();
        let o = CurveObservation {
            value: Some(f64::NAN),
            mid: None,
            contract_month: None,
            region: None,
            origin: RowOrigin::Derived,
            ..fixture::observation(fixture::date(2025, 1, 2), "k", "BALMO", 1.0)
        };
        let back = CompactRow::encode(&mut dicts, &o).unwrap().decode(&dicts);
        assert!(back.value.is_some_and(f64::is_nan));
        assert_eq!(
            (back.mid, back.contract_month, back.region, back.origin),
            (None, None, None, RowOrigin::Derived)
        );
    }
}
