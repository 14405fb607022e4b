//! Row normalisation: one [`RawCurveRow`] of text cells becomes a validated
//! [`CurveObservation`] or a [`QuarantineReason`] (DOMAIN.md §1). The [`Normaliser`] keeps the
//! caches that make this cheap in bulk: interned strings, curve keys, units and version hashes.
//!
//! Rules are checked in this order, the first broken one is the reason: `asof_date`,
//! `asset_class`, `price_type`, `units_raw`, `tenor_label`, `tenor_type`, `contract_month`,
//! prices, `curve_key`.

use std::collections::HashMap;
use std::sync::Arc;

use aurum_ports::{AssetClass, CurveObservation, PriceType, RowOrigin, TenorType};
use chrono::{DateTime, NaiveDate, Utc};
use sha2::{Digest, Sha256};

use super::date::{parse_contract_month, parse_date};
use super::intern::Interner;
use super::key::{CurveIdentity, CurveKeyCache};
use super::price::{derive_mid, parse_bid_ask, parse_number};
use super::quarantine::{QuarantineReason, excerpt};
use super::region::derive_region;
use super::tenor::normalise_tenor_into;
use super::units::{Units, UnitsMap, UnitsMapError};
use crate::ingest::raw::RawCurveRow;

/// What one ingestion run stamps on its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestContext {
    /// The run's ingestion time (from the `Clock` port).
    pub ingest_ts: DateTime<Utc>,
    /// Source file name used for rows without a `source_file` cell.
    pub default_source_file: Arc<str>,
}

impl IngestContext {
    /// The context of ingesting `file` at `ingest_ts`.
    pub fn new(file: impl Into<Arc<str>>, ingest_ts: DateTime<Utc>) -> Self {
        Self {
            ingest_ts,
            default_source_file: file.into(),
        }
    }
}

/// Turns raw rows into observations. Keep one per ingestion run (or longer: its caches are
/// bounded) and call [`Normaliser::normalise`] per row.
#[derive(Debug)]
pub struct Normaliser {
    units: UnitsMap,
    interner: Interner,
    keys: CurveKeyCache,
    units_cache: HashMap<Arc<str>, Units>,
    versions: HashMap<VersionKey, Arc<str>>,
    last_version: Option<(VersionKey, Arc<str>)>,
    label_buf: String,
}

/// An ingested slice: (source file, sheet name, pricing date).
type VersionKey = (Arc<str>, Arc<str>, NaiveDate);

/// Entries kept in the units and version caches before they are cleared.
const CACHE_CAPACITY: usize = 1 << 16;

impl Normaliser {
    /// A normaliser using `units` to fill in currency and per-unit.
    pub fn new(units: UnitsMap) -> Self {
        Self {
            units,
            interner: Interner::new(),
            keys: CurveKeyCache::new(),
            units_cache: HashMap::new(),
            versions: HashMap::new(),
            last_version: None,
            label_buf: String::with_capacity(32),
        }
    }

    /// A normaliser over the embedded units map.
    ///
    /// # Errors
    /// [`UnitsMapError`] if the embedded map is malformed.
    pub fn embedded() -> Result<Self, UnitsMapError> {
        UnitsMap::embedded().map(Self::new)
    }

    /// Validates and normalises one row.
    ///
    /// # Errors
    /// The [`QuarantineReason`] of the first rule the row breaks (see the module docs).
    pub fn normalise(
        &mut self,
        raw: &RawCurveRow,
        ctx: &IngestContext,
    ) -> Result<CurveObservation, QuarantineReason> {
        let asof_text = required(raw.asof_date.as_deref(), "asof_date")?;
        let asof_date = parse_date(asof_text)
            .ok_or_else(|| QuarantineReason::InvalidDate(excerpt(asof_text)))?;
        let asset_class: AssetClass =
            required(raw.asset_class.as_deref(), "asset_class")?.parse()?;
        let price_type = match text(raw.price_type.as_deref()) {
            Some(t) => t.parse()?,
            None => PriceType::Mid,
        };
        let units_text = required(raw.units_raw.as_deref(), "units_raw")?;
        let label_text = required(raw.tenor_label.as_deref(), "tenor_label")?;
        let explicit_type = text(raw.tenor_type.as_deref())
            .map(str::parse::<TenorType>)
            .transpose()?;
        let explicit_month = text(raw.contract_month.as_deref())
            .map(|t| {
                parse_contract_month(t)
                    .ok_or_else(|| QuarantineReason::InvalidContractMonth(excerpt(t)))
            })
            .transpose()?;
        let prices = Prices::read(raw)?;

        let i = &mut self.interner;
        let iso = i.optional(raw.iso.as_deref());
        let location = i.optional(raw.location.as_deref());
        let region = i
            .optional(raw.region.as_deref())
            .or_else(|| derive_region(iso.as_deref(), location.as_deref()).map(|r| i.intern(r)));
        let market = i.optional(raw.market.as_deref());
        let product = i.optional(raw.product.as_deref());
        let block = i.optional(raw.block.as_deref());
        let spark_location = i.optional(raw.spark_location.as_deref());
        let source_file = i
            .optional(raw.source_file.as_deref())
            .unwrap_or_else(|| Arc::clone(&ctx.default_source_file));
        let sheet_name = i
            .optional(raw.sheet_name.as_deref())
            .unwrap_or_else(|| i.intern(""));
        let units_raw = i.intern(units_text);
        let given_currency = i.optional(raw.currency.as_deref());
        let given_per_unit = i.optional(raw.per_unit.as_deref());

        let info = normalise_tenor_into(label_text, &mut self.label_buf);
        let tenor_label = self.interner.intern(&self.label_buf);

        let curve_key = match text(raw.curve_key.as_deref()) {
            Some(t) => self
                .keys
                .given(t)
                .map_err(|_| QuarantineReason::InvalidCurveKey(excerpt(t)))?,
            None => self.keys.derive(&CurveIdentity {
                asset_class,
                iso: iso.as_deref(),
                region: region.as_deref(),
                location: location.as_deref(),
                market: market.as_deref(),
                product: product.as_deref(),
                block: block.as_deref(),
                spark_location: spark_location.as_deref(),
            }),
        };
        let mapped = self.units_for(&units_raw);
        let currency = given_currency.or(mapped.currency);
        let per_unit = given_per_unit.or(mapped.per_unit);
        let version_hash = self.version_hash(&source_file, &sheet_name, asof_date);

        Ok(CurveObservation {
            asof_date,
            source_file,
            sheet_name,
            asset_class,
            region,
            iso,
            location,
            market,
            product,
            block,
            spark_location,
            price_type,
            units_raw,
            currency,
            per_unit,
            tenor_type: explicit_type.unwrap_or(info.tenor_type),
            contract_month: explicit_month.or(info.contract_month),
            tenor_label,
            value: prices.value,
            bid: prices.bid,
            ask: prices.ask,
            mid: prices.mid,
            curve_key,
            version_hash,
            ingest_ts: ctx.ingest_ts,
            origin: RowOrigin::Ingested,
        })
    }

    /// Currency and per-unit of an interned units spelling (unknown spellings map to nothing).
    fn units_for(&mut self, units_raw: &Arc<str>) -> Units {
        if let Some(units) = self.units_cache.get(units_raw) {
            return units.clone();
        }
        let units = self.units.lookup(units_raw).cloned().unwrap_or(Units {
            currency: None,
            per_unit: None,
        });
        if self.units_cache.len() >= CACHE_CAPACITY {
            self.units_cache.clear();
        }
        self.units_cache
            .insert(Arc::clone(units_raw), units.clone());
        units
    }

    /// SHA-256 hex of `"{source_file}|{sheet_name}|{asof_date}|"`, computed once per slice.
    fn version_hash(&mut self, file: &Arc<str>, sheet: &Arc<str>, asof: NaiveDate) -> Arc<str> {
        if let Some(((f, s, d), hash)) = &self.last_version
            && Arc::ptr_eq(f, file)
            && Arc::ptr_eq(s, sheet)
            && *d == asof
        {
            return Arc::clone(hash);
        }
        let key = (Arc::clone(file), Arc::clone(sheet), asof);
        let hash = if let Some(hash) = self.versions.get(&key) {
            Arc::clone(hash)
        } else {
            let mut sha = Sha256::new();
            for piece in [file.as_bytes(), sheet.as_bytes()] {
                sha.update(piece);
                sha.update(b"|");
            }
            sha.update(asof.format("%Y-%m-%d").to_string().as_bytes());
            sha.update(b"|");
            let hash: Arc<str> = Arc::from(hex::encode(sha.finalize()).as_str());
            if self.versions.len() >= CACHE_CAPACITY {
                self.versions.clear();
            }
            self.versions.insert(key.clone(), Arc::clone(&hash));
            hash
        };
        self.last_version = Some((key, Arc::clone(&hash)));
        hash
    }
}

/// The four price cells after parsing, with `mid` derived.
struct Prices {
    value: Option<f64>,
    bid: Option<f64>,
    ask: Option<f64>,
    mid: Option<f64>,
}

impl Prices {
    fn read(raw: &RawCurveRow) -> Result<Self, QuarantineReason> {
        let value = number(raw.value.as_deref(), "value")?;
        let mut bid = number(raw.bid.as_deref(), "bid")?;
        let mut ask = number(raw.ask.as_deref(), "ask")?;
        let mid = number(raw.mid.as_deref(), "mid")?;
        if let Some(t) = raw.bid_ask.as_deref() {
            let (b, a) = parse_bid_ask(t).map_err(|_| invalid_number(t, "bid_ask"))?;
            bid = bid.or(b);
            ask = ask.or(a);
        }
        if value.is_none() && bid.is_none() && ask.is_none() && mid.is_none() {
            return Err(QuarantineReason::NoFinitePrice);
        }
        Ok(Self {
            value,
            bid,
            ask,
            mid: derive_mid(value, bid, ask, mid),
        })
    }
}

fn number(cell: Option<&str>, field: &'static str) -> Result<Option<f64>, QuarantineReason> {
    cell.map_or(Ok(None), |t| {
        parse_number(t).map_err(|_| invalid_number(t, field))
    })
}

fn invalid_number(text: &str, field: &'static str) -> QuarantineReason {
    QuarantineReason::InvalidNumber {
        value: excerpt(text),
        field,
    }
}

/// A cell trimmed, `None` when absent or blank.
fn text(cell: Option<&str>) -> Option<&str> {
    cell.map(str::trim).filter(|t| !t.is_empty())
}

/// A required cell, trimmed.
fn required<'a>(cell: Option<&'a str>, field: &'static str) -> Result<&'a str, QuarantineReason> {
    text(cell).ok_or(QuarantineReason::Missing(field))
}

#[cfg(test)]
mod tests;
