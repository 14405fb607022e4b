//! History: the date bounds and the keyset narrow the walk to the chunks of the dates in range
//! (newest first); per chunk the curve's posting list gives its rows, and the walk keeps the
//! asked tenor label.

use std::ops::ControlFlow;

use aurum_ports::{CurveFilters, CurveObservation, Direction, HistoryQuery, Page};

use super::plan::{Matcher, Plan};
use super::row::day;
use super::snapshot::{Addr, Snapshot};

/// One page of a history query.
pub(crate) fn history(snap: &Snapshot, query: &HistoryQuery) -> Page<CurveObservation> {
    let Some(label) = snap.dicts.label.id(&query.tenor_label) else {
        return Page::empty();
    };
    let filters = CurveFilters {
        curve_key: Some(query.curve_key.clone()),
        ..CurveFilters::default()
    };
    let mut newest = query.to.map_or(i32::MAX, day);
    let mut oldest = query.from.map_or(i32::MIN, day);
    let direction = query.page.direction();
    match &query.page.position {
        Some((Direction::Forward, key)) => newest = newest.min(day(key.asof_date) - 1),
        Some((Direction::Backward, key)) => oldest = oldest.max(day(key.asof_date) + 1),
        None => {}
    }
    if newest < oldest {
        return Page::empty();
    }
    let plan = Plan::between(snap, Matcher::new(snap, &filters), newest, oldest);
    let limit = query.page.limit;
    let mut picked: Vec<Addr> = Vec::new();
    let take = |addr, row: &super::row::CompactRow| {
        if row.label == label {
            picked.push(addr);
        }
        if picked.len() > limit {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    };
    match direction {
        Direction::Forward => plan.forward(snap, Addr::default(), take),
        Direction::Backward => plan.backward(
            snap,
            Addr {
                chunk: snap.chunks.len(),
                row: 0,
            },
            take,
        ),
    }
    let has_more = picked.len() > limit;
    picked.truncate(limit);
    if direction == Direction::Backward {
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
