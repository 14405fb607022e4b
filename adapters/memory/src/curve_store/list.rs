//! List and scan: find the keyset boundary by binary search (over chunks, then within one),
//! walk the plan from there checking filters on compact rows, and rebuild only the rows
//! returned. Scan streams chunks of rebuilt rows from a shared snapshot.

use std::ops::ControlFlow;
use std::sync::Arc;

use aurum_ports::{CurveObservation, Direction, ListQuery, ObservationStream, Page};
use futures::stream;

use super::plan::{Matcher, Plan};
use super::snapshot::{Addr, Snapshot};

/// Rows per scan chunk (tiny in unit tests, so the contract suite resumes scans often).
const SCAN_CHUNK: usize = if cfg!(test) { 5 } else { 1_000 };

/// One page of a list query.
pub(crate) fn list(snap: &Snapshot, query: &ListQuery) -> Page<CurveObservation> {
    let plan = Plan::new(snap, Matcher::new(snap, &query.filters), query.asof);
    let limit = query.page.limit;
    let mut picked: Vec<Addr> = Vec::with_capacity(limit.min(1_024) + 1);
    let take = |addr, _: &_| {
        picked.push(addr);
        if picked.len() > limit {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    };
    match &query.page.position {
        None => plan.forward(snap, Addr::default(), take),
        Some((Direction::Forward, key)) => {
            plan.forward(snap, snap.bound(|r| snap.cmp_keyset(r, key).is_le()), take);
        }
        Some((Direction::Backward, key)) => {
            plan.backward(snap, snap.bound(|r| snap.cmp_keyset(r, key).is_lt()), take);
        }
    }
    let has_more = picked.len() > limit;
    picked.truncate(limit);
    if query.page.direction() == Direction::Backward {
        picked.reverse();
    }
    Page {
        items: picked
            .iter()
            .map(|&a| snap.row(a).decode(&snap.dicts))
            .collect(),
        has_more,
    }
}

/// A scan's position: the snapshot it reads, its plan and where to go on.
struct Cursor {
    snap: Arc<Snapshot>,
    plan: Plan,
    next: Option<Addr>,
}

impl Cursor {
    /// The next non-empty chunk, or `None` at the end.
    fn chunk(&mut self) -> Option<Vec<CurveObservation>> {
        let from = self.next?;
        let snap = &*self.snap;
        let mut out = Vec::new();
        let mut last = None;
        self.plan.forward(snap, from, |addr, row| {
            out.push(row.decode(&snap.dicts));
            last = Some(addr);
            if out.len() < SCAN_CHUNK {
                ControlFlow::Continue(())
            } else {
                ControlFlow::Break(())
            }
        });
        self.next = match last {
            Some(a) if out.len() == SCAN_CHUNK => Some(Addr {
                chunk: a.chunk,
                row: a.row + 1,
            }),
            _ => None,
        };
        (!out.is_empty()).then_some(out)
    }
}

/// Every matching row, in canonical order, in chunks of at most [`SCAN_CHUNK`] rows.
pub(crate) fn scan(snap: Arc<Snapshot>, plan: Plan) -> ObservationStream {
    let cursor = Cursor {
        snap,
        plan,
        next: Some(Addr::default()),
    };
    Box::pin(stream::unfold(cursor, |mut cursor| async move {
        cursor.chunk().map(|chunk| (Ok(chunk), cursor))
    }))
}
