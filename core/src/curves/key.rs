//! Curve identity: the `curve_key` is the lowercase hex SHA-256 of the eight identity fields
//! (`asset_class`, `iso`, `region`, `location`, `market`, `product`, `block`,
//! `spark_location`), each trimmed, with inner white-space runs collapsed to one space and
//! lowercased, joined with `|` (DOMAIN.md §1). Hashing is the hot cost of ingestion, so [`CurveKeyCache`] remembers the
//! key of every normalised identity it has seen.

use std::collections::HashMap;
use std::sync::Arc;

use aurum_ports::{AssetClass, CurveKey, CurveObservation};
use sha2::{Digest, Sha256};

/// The identity fields of a curve, as given (untrimmed text is fine; `None` is `""`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CurveIdentity<'a> {
    /// Asset class.
    pub asset_class: AssetClass,
    /// ISO / exchange.
    pub iso: Option<&'a str>,
    /// Region.
    pub region: Option<&'a str>,
    /// Location, hub or zone.
    pub location: Option<&'a str>,
    /// Market.
    pub market: Option<&'a str>,
    /// Product.
    pub product: Option<&'a str>,
    /// Block.
    pub block: Option<&'a str>,
    /// Spark location.
    pub spark_location: Option<&'a str>,
}

impl<'a> CurveIdentity<'a> {
    /// The identity of a stored observation.
    pub fn of(obs: &'a CurveObservation) -> Self {
        Self {
            asset_class: obs.asset_class,
            iso: obs.iso.as_deref(),
            region: obs.region.as_deref(),
            location: obs.location.as_deref(),
            market: obs.market.as_deref(),
            product: obs.product.as_deref(),
            block: obs.block.as_deref(),
            spark_location: obs.spark_location.as_deref(),
        }
    }

    /// Writes the hash pre-image (`power|pjm|us|west hub|da|||`) into `out`, replacing its
    /// content. The pre-image is also the cache key: equal pre-images have equal keys.
    pub fn write_preimage(&self, out: &mut String) {
        out.clear();
        push_normalised(out, self.asset_class.as_str());
        for field in [
            self.iso,
            self.region,
            self.location,
            self.market,
            self.product,
            self.block,
            self.spark_location,
        ] {
            out.push('|');
            push_normalised(out, field.unwrap_or(""));
        }
    }
}

/// Appends `field` trimmed, with white-space runs collapsed to one space, lowercased.
fn push_normalised(out: &mut String, field: &str) {
    for (i, word) in field.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if word.is_ascii() {
            out.extend(word.bytes().map(|b| char::from(b.to_ascii_lowercase())));
        } else {
            out.extend(word.chars().flat_map(char::to_lowercase));
        }
    }
}

/// Lowercase hex SHA-256 of `preimage`, as a curve key.
fn hash_preimage(preimage: &str) -> CurveKey {
    CurveKey::from_shared(Arc::from(sha256_hex(preimage.as_bytes()).as_str()))
}

/// Lowercase hex SHA-256 of `bytes`.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Derives the curve key of an identity (no caching; see [`CurveKeyCache`] for bulk use).
pub fn derive_curve_key(identity: &CurveIdentity<'_>) -> CurveKey {
    let mut preimage = String::with_capacity(64);
    identity.write_preimage(&mut preimage);
    hash_preimage(&preimage)
}

/// Remembers derived and validated curve keys so that each distinct identity is hashed once.
/// Bounded: it starts afresh after [`CurveKeyCache::CAPACITY`] entries.
#[derive(Debug, Default)]
pub struct CurveKeyCache {
    derived: HashMap<Box<str>, CurveKey>,
    given: HashMap<Box<str>, CurveKey>,
    buf: String,
}

impl CurveKeyCache {
    /// Entries kept per map before it is cleared (bounds memory on adversarial input).
    pub const CAPACITY: usize = 1 << 18;

    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// The key of `identity`, hashed only on first sight of its normalised form.
    pub fn derive(&mut self, identity: &CurveIdentity<'_>) -> CurveKey {
        identity.write_preimage(&mut self.buf);
        if let Some(key) = self.derived.get(self.buf.as_str()) {
            return key.clone();
        }
        let key = hash_preimage(&self.buf);
        if self.derived.len() >= Self::CAPACITY {
            self.derived.clear();
        }
        self.derived
            .insert(Box::from(self.buf.as_str()), key.clone());
        key
    }

    /// A key given in the input, validated with [`CurveKey::parse`] on first sight.
    ///
    /// # Errors
    /// [`aurum_ports::curve::InvalidCurveKey`] when `raw` is not a valid key.
    pub fn given(&mut self, raw: &str) -> Result<CurveKey, aurum_ports::curve::InvalidCurveKey> {
        let raw = raw.trim();
        if let Some(key) = self.given.get(raw) {
            return Ok(key.clone());
        }
        let key = CurveKey::parse(raw)?;
        if self.given.len() >= Self::CAPACITY {
            self.given.clear();
        }
        self.given.insert(Box::from(raw), key.clone());
        Ok(key)
    }

    /// Distinct identities currently remembered.
    pub fn len(&self) -> usize {
        self.derived.len()
    }

    /// True when no identity is remembered.
    pub fn is_empty(&self) -> bool {
        self.derived.is_empty()
    }
}

#[cfg(test)]
mod tests;
