//! Query planning and walking: filters resolved to ids (a [`Matcher`]), the chunks a query can
//! touch (all, or the chunks of its dates), and walks in either direction that, per chunk, skip
//! the chunk when a filter value is absent from it and otherwise check only the rows of the
//! shortest posting list among the filters.

use std::ops::{ControlFlow, Range};

use aurum_ports::{CurveFilters, CurveKey, DimValue};
use chrono::NaiveDate;

use super::chunk::Chunk;
use super::row::{Col, CompactRow, asset_class_code, day, tenor_type_code};
use super::snapshot::{Addr, Snapshot};

/// One column's filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    Any,
    Is(u32),
    /// The filter's value is stored nowhere: nothing matches.
    Never,
}

/// Filters resolved against a snapshot's interners.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Matcher {
    slots: [Slot; 8],
    /// The `Is` slots, packed first (the per-row check loops over these only).
    active: [(Col, u32); 8],
    len: usize,
    never: bool,
}

impl Matcher {
    /// Resolves `filters`; a text value that was never interned becomes [`Slot::Never`].
    pub(crate) fn new(snap: &Snapshot, filters: &CurveFilters) -> Self {
        let text = |col: Col, value: Option<&str>| match (value, snap.interner(col)) {
            (None, _) => Slot::Any,
            (Some(v), Some(interner)) => interner.id(v).map_or(Slot::Never, Slot::Is),
            (Some(_), None) => Slot::Never,
        };
        let dim = |col: Col, value: Option<&DimValue>| text(col, value.map(DimValue::as_str));
        let slots = Col::ALL.map(|col| match col {
            Col::Curve => text(col, filters.curve_key.as_ref().map(CurveKey::as_str)),
            Col::AssetClass => filters
                .asset_class
                .map_or(Slot::Any, |a| Slot::Is(asset_class_code(a).into())),
            Col::TenorType => filters
                .tenor_type
                .map_or(Slot::Any, |t| Slot::Is(tenor_type_code(t).into())),
            Col::Iso => dim(col, filters.iso.as_ref()),
            Col::Location => dim(col, filters.location.as_ref()),
            Col::Market => dim(col, filters.market.as_ref()),
            Col::Product => dim(col, filters.product.as_ref()),
            Col::Block => dim(col, filters.block.as_ref()),
        });
        Self::from_slots(slots)
    }

    fn from_slots(slots: [Slot; 8]) -> Self {
        let mut active = [(Col::Curve, 0); 8];
        let mut len = 0;
        for (col, slot) in Col::ALL.into_iter().zip(slots) {
            if let Slot::Is(value) = slot {
                active[len] = (col, value);
                len += 1;
            }
        }
        let never = slots.contains(&Slot::Never);
        Self {
            slots,
            active,
            len,
            never,
        }
    }

    /// The same filters without the one on `col`.
    #[must_use]
    pub(crate) fn without(self, col: Col) -> Self {
        let mut slots = self.slots;
        slots[col.index()] = Slot::Any;
        Self::from_slots(slots)
    }

    /// True when no filter applies.
    pub(crate) fn is_empty(&self) -> bool {
        self.slots.iter().all(|s| *s == Slot::Any)
    }

    /// True when some filter can match no row.
    pub(crate) fn is_never(&self) -> bool {
        self.never
    }

    /// The filter on `col`.
    pub(crate) fn slot(&self, col: Col) -> Slot {
        self.slots[col.index()]
    }

    /// True when `row` satisfies every filter.
    #[inline]
    pub(crate) fn matches(&self, row: &CompactRow) -> bool {
        !self.never
            && self.active[..self.len]
                .iter()
                .all(|&(col, v)| col.value(row) == v)
    }
}

/// A planned query: the filters and the chunks that may hold matching rows.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub matcher: Matcher,
    pub chunks: Range<usize>,
}

/// The rows of one chunk worth checking.
enum Local<'c> {
    /// Every row.
    All,
    /// Only these positions (the shortest posting list among the filters).
    List(&'c [u16]),
}

impl Plan {
    /// Plans `matcher` over every date, or over `asof` only.
    pub(crate) fn new(snap: &Snapshot, matcher: Matcher, asof: Option<NaiveDate>) -> Self {
        let chunks = match asof {
            _ if matcher.is_never() => 0..0,
            Some(d) => snap.date_chunks(day(d), day(d)),
            None => 0..snap.chunks.len(),
        };
        Self { matcher, chunks }
    }

    /// Plans `matcher` over the chunks of dates in `oldest..=newest`.
    pub(crate) fn between(snap: &Snapshot, matcher: Matcher, newest: i32, oldest: i32) -> Self {
        let chunks = if matcher.is_never() {
            0..0
        } else {
            snap.date_chunks(newest, oldest)
        };
        Self { matcher, chunks }
    }

    /// The rows of `chunk` worth checking, `None` when a filter value is absent from it.
    fn local<'c>(&self, chunk: &'c Chunk) -> Option<Local<'c>> {
        let mut best = Local::All;
        let mut best_len = chunk.rows.len();
        for col in Col::ALL {
            if let Slot::Is(value) = self.matcher.slot(col) {
                let list = chunk.postings(col).of(value);
                if list.is_empty() {
                    return None;
                }
                if list.len() < best_len {
                    (best, best_len) = (Local::List(list), list.len());
                }
            }
        }
        Some(best)
    }

    /// Calls `visit` on each matching row from `from` on, in canonical order, until it breaks.
    pub(crate) fn forward(
        &self,
        snap: &Snapshot,
        from: Addr,
        mut visit: impl FnMut(Addr, &CompactRow) -> ControlFlow<()>,
    ) {
        for chunk_no in self.chunks.start.max(from.chunk)..self.chunks.end {
            let chunk = &snap.chunks[chunk_no];
            let start = if chunk_no == from.chunk { from.row } else { 0 };
            let mut check = |row: usize| {
                let r = &chunk.rows[row];
                if self.matcher.matches(r) {
                    visit(
                        Addr {
                            chunk: chunk_no,
                            row,
                        },
                        r,
                    )
                } else {
                    ControlFlow::Continue(())
                }
            };
            let flow = match self.local(chunk) {
                None => ControlFlow::Continue(()),
                Some(Local::All) => (start..chunk.rows.len()).try_for_each(&mut check),
                Some(Local::List(list)) => {
                    let i = list.partition_point(|&p| usize::from(p) < start);
                    list[i..].iter().try_for_each(|&p| check(usize::from(p)))
                }
            };
            if flow.is_break() {
                return;
            }
        }
    }

    /// Calls `visit` on each matching row before `end`, in reverse canonical order, until it
    /// breaks.
    pub(crate) fn backward(
        &self,
        snap: &Snapshot,
        end: Addr,
        mut visit: impl FnMut(Addr, &CompactRow) -> ControlFlow<()>,
    ) {
        let upto = self.chunks.end.min(end.chunk.saturating_add(1));
        for chunk_no in (self.chunks.start..upto).rev() {
            let chunk = &snap.chunks[chunk_no];
            let stop = if chunk_no == end.chunk {
                end.row
            } else {
                chunk.rows.len()
            };
            let mut check = |row: usize| {
                let r = &chunk.rows[row];
                if self.matcher.matches(r) {
                    visit(
                        Addr {
                            chunk: chunk_no,
                            row,
                        },
                        r,
                    )
                } else {
                    ControlFlow::Continue(())
                }
            };
            let flow = match self.local(chunk) {
                None => ControlFlow::Continue(()),
                Some(Local::All) => (0..stop).rev().try_for_each(&mut check),
                Some(Local::List(list)) => {
                    let i = list.partition_point(|&p| usize::from(p) < stop);
                    list[..i]
                        .iter()
                        .rev()
                        .try_for_each(|&p| check(usize::from(p)))
                }
            };
            if flow.is_break() {
                return;
            }
        }
    }
}
