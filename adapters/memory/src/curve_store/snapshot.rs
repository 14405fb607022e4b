//! An immutable snapshot of the store: the interners, the bytewise ranks of curve keys and tenor
//! labels, and the chunks in canonical order (each chunk one date, dates descending). Readers
//! share a snapshot through an `Arc`; a write builds the next one, sharing untouched chunks.

use std::cmp::{Ordering, Reverse};
use std::ops::Range;
use std::sync::Arc;

use aurum_ports::ListKeyset;

use super::chunk::Chunk;
use super::interner::Interner;
use super::row::{Col, CompactRow, Dicts, NO_MONTH, day};

/// Canonical sort key of a row in rank space: `(asof DESC, curve, contract_month NULLS LAST,
/// tenor_label)`.
pub(crate) type SortKey = (Reverse<i32>, u32, i32, u32);

/// Bytewise ranks of the curve keys and tenor labels, by id: comparing ranks compares texts.
/// Adding strings changes ranks but never the relative order of existing ones, so chunks stay
/// sorted under every later snapshot's ranks.
#[derive(Debug, Clone, Default)]
pub(crate) struct Ranks {
    pub curve: Arc<[u32]>,
    pub label: Arc<[u32]>,
}

impl Ranks {
    /// Canonical sort key of a row.
    #[inline]
    pub(crate) fn key(&self, row: &CompactRow) -> SortKey {
        (
            Reverse(row.asof),
            rank(&self.curve, row.curve),
            row.month,
            rank(&self.label, row.label),
        )
    }
}

#[inline]
fn rank(ranks: &[u32], id: u32) -> u32 {
    ranks.get(id as usize).copied().unwrap_or(u32::MAX)
}

/// Address of a row: chunk index and position in the chunk. Ordered like the rows; the end is
/// `Addr { chunk: chunks.len(), row: 0 }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub(crate) struct Addr {
    pub chunk: usize,
    pub row: usize,
}

/// One immutable version of the store's content.
#[derive(Debug, Default)]
pub(crate) struct Snapshot {
    pub(crate) dicts: Dicts,
    pub(crate) ranks: Ranks,
    pub(crate) chunks: Vec<Arc<Chunk>>,
    len: usize,
}

impl Snapshot {
    /// Assembles a snapshot from non-empty chunks in canonical order under `ranks`.
    pub(crate) fn new(dicts: Dicts, ranks: Ranks, chunks: Vec<Arc<Chunk>>) -> Self {
        let len = chunks.iter().map(|c| c.rows.len()).sum();
        Self {
            dicts,
            ranks,
            chunks,
            len,
        }
    }

    /// Number of rows.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The interner of a text column (`None` for the enum columns).
    pub(crate) fn interner(&self, col: Col) -> Option<&Interner> {
        let d = &self.dicts;
        match col {
            Col::Curve => Some(&d.curve),
            Col::Iso => Some(&d.dims[0]),
            Col::Location => Some(&d.dims[1]),
            Col::Market => Some(&d.dims[2]),
            Col::Product => Some(&d.dims[3]),
            Col::Block => Some(&d.dims[4]),
            Col::AssetClass | Col::TenorType => None,
        }
    }

    /// The row at `addr`.
    #[inline]
    pub(crate) fn row(&self, addr: Addr) -> &CompactRow {
        &self.chunks[addr.chunk].rows[addr.row]
    }

    /// Text of a curve key id.
    #[inline]
    pub(crate) fn curve_text(&self, id: u32) -> &str {
        self.dicts.curve.text(id)
    }

    /// Text of a tenor label id.
    #[inline]
    pub(crate) fn label_text(&self, id: u32) -> &str {
        self.dicts.label.text(id)
    }

    /// Bytewise rank of a tenor label id.
    #[inline]
    pub(crate) fn label_rank(&self, id: u32) -> u32 {
        rank(&self.ranks.label, id)
    }

    /// Chunks priced on a date in `oldest..=newest` (contiguous: dates descend).
    pub(crate) fn date_chunks(&self, newest: i32, oldest: i32) -> Range<usize> {
        let lo = self.chunks.partition_point(|c| c.asof > newest);
        let hi = self.chunks.partition_point(|c| c.asof >= oldest);
        lo..hi.max(lo)
    }

    /// The first address whose row does not satisfy `pred`, which must hold for a prefix of the
    /// rows in canonical order.
    pub(crate) fn bound(&self, pred: impl Fn(&CompactRow) -> bool) -> Addr {
        let c = self.chunks.partition_point(|chunk| pred(chunk.first()));
        let Some(before) = c.checked_sub(1).map(|p| &self.chunks[p]) else {
            return Addr::default();
        };
        let row = before.rows.partition_point(&pred);
        if row < before.rows.len() {
            Addr { chunk: c - 1, row }
        } else {
            Addr { chunk: c, row: 0 }
        }
    }

    /// Address of the row with key `(curve, label, asof)`.
    pub(crate) fn find(&self, curve: u32, label: u32, asof: i32) -> Option<Addr> {
        let target = *self.ranks.curve.get(curve as usize)?;
        let key = |r: &CompactRow| rank(&self.ranks.curve, r.curve);
        let dates = self.date_chunks(asof, asof);
        let first =
            dates.start + self.chunks[dates.clone()].partition_point(|c| key(c.last()) < target);
        for chunk in first..dates.end {
            let rows = &self.chunks[chunk].rows;
            let lo = rows.partition_point(|r| key(r) < target);
            for (row, r) in rows.iter().enumerate().skip(lo) {
                if r.curve != curve {
                    return None;
                }
                if r.label == label {
                    return Some(Addr { chunk, row });
                }
            }
        }
        None
    }

    /// Compares a row with a list keyset in canonical order (strings bytewise).
    pub(crate) fn cmp_keyset(&self, row: &CompactRow, key: &ListKeyset) -> Ordering {
        day(key.asof_date)
            .cmp(&row.asof)
            .then_with(|| self.curve_text(row.curve).cmp(key.curve_key.as_str()))
            .then_with(|| row.month.cmp(&key.contract_month.map_or(NO_MONTH, day)))
            .then_with(|| self.label_text(row.label).cmp(&key.tenor_label))
    }
}
