//! A chunk: at most [`CHUNK_ROWS`] compact rows of one pricing date in canonical order, with one
//! sparse posting index per filterable column. Chunks are immutable and shared between
//! snapshots; a write rebuilds only the chunks it touches.

use super::interner::NONE;
use super::row::{Col, CompactRow};
use super::snapshot::Ranks;

/// Most rows in a chunk (local positions are `u16`). Unit tests use tiny chunks so that the
/// contract suite crosses chunk boundaries everywhere.
pub(crate) const CHUNK_ROWS: usize = if cfg!(test) { 7 } else { 16_384 };

/// Local row positions grouped by value id: the rows holding `values[i]` are
/// `positions[offsets[i]..offsets[i + 1]]`, ascending (so in canonical order).
#[derive(Debug, Default)]
pub(crate) struct Postings {
    values: Vec<u32>,
    offsets: Vec<u16>,
    positions: Vec<u16>,
}

impl Postings {
    fn build(rows: &[CompactRow], col: Col) -> Self {
        let mut pairs: Vec<u64> = (0_u16..)
            .zip(rows)
            .filter_map(|(pos, row)| {
                let v = col.value(row);
                (v != NONE).then_some(u64::from(v) << 16 | u64::from(pos))
            })
            .collect();
        pairs.sort_unstable();
        let mut postings = Self {
            values: Vec::new(),
            offsets: Vec::new(),
            positions: pairs
                .iter()
                .map(|&p| u16::try_from(p & 0xffff).unwrap_or(0))
                .collect(),
        };
        for (i, &p) in (0_u16..).zip(&pairs) {
            let v = u32::try_from(p >> 16).unwrap_or(NONE);
            if postings.values.last() != Some(&v) {
                postings.values.push(v);
                postings.offsets.push(i);
            }
        }
        postings
            .offsets
            .push(u16::try_from(pairs.len()).unwrap_or(u16::MAX));
        postings
    }

    /// Local positions of the rows holding `value` (empty when none does).
    #[inline]
    pub(crate) fn of(&self, value: u32) -> &[u16] {
        match self.values.binary_search(&value) {
            Ok(i) => {
                &self.positions[usize::from(self.offsets[i])..usize::from(self.offsets[i + 1])]
            }
            Err(_) => &[],
        }
    }

    /// Every `(value, row count)` of the chunk.
    pub(crate) fn counts(&self) -> impl Iterator<Item = (u32, usize)> + '_ {
        self.values
            .iter()
            .zip(self.offsets.windows(2))
            .map(|(&v, w)| (v, usize::from(w[1]) - usize::from(w[0])))
    }
}

/// Rows of one pricing date, in canonical order, with their indexes.
#[derive(Debug)]
pub(crate) struct Chunk {
    pub asof: i32,
    pub rows: Vec<CompactRow>,
    postings: [Postings; 8],
}

impl Chunk {
    /// Indexes `rows` (non-empty, at most [`CHUNK_ROWS`], one date, canonical order).
    pub(crate) fn new(rows: Vec<CompactRow>) -> Self {
        debug_assert!(!rows.is_empty() && rows.len() <= CHUNK_ROWS);
        let asof = rows.first().map_or(0, |r| r.asof);
        let postings = Col::ALL.map(|col| Postings::build(&rows, col));
        Self {
            asof,
            rows,
            postings,
        }
    }

    /// Splits rows of one date in canonical order into chunks of nearly equal size.
    pub(crate) fn pieces(rows: Vec<CompactRow>) -> Vec<Self> {
        let pieces = rows.len().div_ceil(CHUNK_ROWS);
        if pieces <= 1 {
            return if rows.is_empty() {
                Vec::new()
            } else {
                vec![Self::new(rows)]
            };
        }
        let size = rows.len().div_ceil(pieces);
        rows.chunks(size)
            .map(|part| Self::new(part.to_vec()))
            .collect()
    }

    /// The posting index of a column.
    #[inline]
    pub(crate) fn postings(&self, col: Col) -> &Postings {
        &self.postings[col.index()]
    }

    /// First row (chunks are never empty).
    #[inline]
    pub(crate) fn first(&self) -> &CompactRow {
        &self.rows[0]
    }

    /// Last row.
    #[inline]
    pub(crate) fn last(&self) -> &CompactRow {
        &self.rows[self.rows.len() - 1]
    }

    /// Merges the rows without the local positions in `removed` (ascending) with `added`
    /// (sorted, same date) into new chunks.
    pub(crate) fn merged(
        &self,
        removed: &[usize],
        added: &[CompactRow],
        ranks: &Ranks,
    ) -> Vec<Self> {
        let mut out = Vec::with_capacity(self.rows.len() - removed.len() + added.len());
        let mut removed = removed.iter().copied().peekable();
        let mut added = added.iter().peekable();
        for (pos, row) in self.rows.iter().enumerate() {
            if removed.next_if_eq(&pos).is_some() {
                continue;
            }
            let key = ranks.key(row);
            while let Some(new) = added.next_if(|n| ranks.key(n) < key) {
                out.push(*new);
            }
            out.push(*row);
        }
        out.extend(added);
        Self::pieces(out)
    }
}
