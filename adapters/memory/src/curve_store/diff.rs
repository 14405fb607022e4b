//! Diff: the rows of `asof_a` come in curve-key order (the canonical order within one date), so
//! the walk starts at the keyset's curve, gathers one curve group at a time, sorts it by tenor
//! label rank, and looks each row's partner up in the `(asof_b, curve)` group.

use std::cmp::Reverse;
use std::ops::ControlFlow;

use aurum_ports::{DiffKeyset, DiffPair, DiffQuery, Direction, Page};

use super::plan::{Matcher, Plan};
use super::row::{CompactRow, day};
use super::snapshot::{Addr, Snapshot};

/// One page of a diff query.
pub(crate) fn diff(snap: &Snapshot, query: &DiffQuery) -> Page<DiffPair> {
    let matcher = Matcher::new(snap, &query.filters);
    let plan = Plan::new(snap, matcher, Some(query.asof_a));
    let a_day = day(query.asof_a);
    let direction = query.page.direction();
    let key = query.page.position.as_ref().map(|(_, k)| k);
    let mut pairs = Collector {
        snap,
        matcher,
        asof_b: day(query.asof_b),
        key,
        forward: direction == Direction::Forward,
        limit: query.page.limit,
        found: Vec::new(),
        group: Vec::new(),
    };
    // Position of the first row of the keyset's curve (or of the curve after it) on `asof_a`.
    let curve_bound = |k: &DiffKeyset, inclusive: bool| {
        snap.bound(|r| {
            let ord = (Reverse(r.asof), snap.curve_text(r.curve))
                .cmp(&(Reverse(a_day), k.curve_key.as_str()));
            if inclusive { ord.is_le() } else { ord.is_lt() }
        })
    };
    match (direction, key) {
        (Direction::Forward, None) => plan.forward(snap, Addr::default(), |a, r| pairs.push(a, r)),
        (Direction::Forward, Some(k)) => {
            plan.forward(snap, curve_bound(k, false), |a, r| pairs.push(a, r));
        }
        (Direction::Backward, k) => {
            let end = k.map_or(
                Addr {
                    chunk: snap.chunks.len(),
                    row: 0,
                },
                |k| curve_bound(k, true),
            );
            plan.backward(snap, end, |a, r| pairs.push(a, r));
        }
    }
    pairs.flush();
    let mut found = pairs.found;
    let has_more = found.len() > query.page.limit;
    found.truncate(query.page.limit);
    if direction == Direction::Backward {
        found.reverse();
    }
    let decode = |a: Addr| snap.row(a).decode(&snap.dicts);
    Page {
        items: found
            .into_iter()
            .map(|(a, b)| DiffPair {
                a: decode(a),
                b: decode(b),
            })
            .collect(),
        has_more,
    }
}

/// Collects pairs in walk order, one curve group at a time.
struct Collector<'a> {
    snap: &'a Snapshot,
    matcher: Matcher,
    asof_b: i32,
    key: Option<&'a DiffKeyset>,
    forward: bool,
    limit: usize,
    found: Vec<(Addr, Addr)>,
    group: Vec<Addr>,
}

impl Collector<'_> {
    fn push(&mut self, addr: Addr, row: &CompactRow) -> ControlFlow<()> {
        if self
            .group
            .first()
            .is_some_and(|&g| self.snap.row(g).curve != row.curve)
        {
            self.flush();
            if self.found.len() > self.limit {
                return ControlFlow::Break(());
            }
        }
        self.group.push(addr);
        ControlFlow::Continue(())
    }

    /// Pairs the gathered group in label order (reversed when walking backward).
    fn flush(&mut self) {
        let snap = self.snap;
        let mut group = std::mem::take(&mut self.group);
        group.sort_unstable_by_key(|&a| snap.label_rank(snap.row(a).label));
        if !self.forward {
            group.reverse();
        }
        for a in group {
            let row = snap.row(a);
            let beyond = self.key.is_none_or(|k| {
                let ord = snap.curve_text(row.curve).cmp(k.curve_key.as_str());
                let ord = ord.then_with(|| snap.label_text(row.label).cmp(&k.tenor_label));
                if self.forward {
                    ord.is_gt()
                } else {
                    ord.is_lt()
                }
            });
            if !beyond {
                continue;
            }
            if let Some(b) = snap.find(row.curve, row.label, self.asof_b)
                && self.matcher.matches(snap.row(b))
            {
                self.found.push((a, b));
            }
        }
    }
}
