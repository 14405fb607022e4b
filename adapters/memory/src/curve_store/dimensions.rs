//! Dimension facets: each dimension is counted under the other dimensions' filters. Dimensions
//! without a filter of their own share one pass (their "other filters" are all the filters);
//! each filtered dimension gets its own pass. A pass walks the plan's rows and counts value ids
//! in plain arrays (ids are dense per dimension); a pass without filters (with or without a
//! date) adds up the chunks' posting list lengths instead of touching rows.

use std::ops::ControlFlow;

use aurum_ports::{DimensionCount, Dimensions, DimensionsQuery};

use super::interner::Interner;
use super::plan::{Matcher, Plan, Slot};
use super::row::{Col, asset_class_of, tenor_type_of};
use super::snapshot::{Addr, Snapshot};

/// Facet counts for a dimensions query.
pub(crate) fn dimensions(snap: &Snapshot, query: &DimensionsQuery) -> Dimensions {
    let matcher = Matcher::new(snap, &query.filters);
    let dims = aurum_ports::Dimension::ALL.map(Col::of_dimension);
    let sizes = dims.map(|c| snap.interner(c).map_or(6, Interner::len));
    let mut counts: Vec<Vec<u64>> = sizes.iter().map(|&n| vec![0; n]).collect();

    let (own, shared): (Vec<usize>, Vec<usize>) =
        (0..dims.len()).partition(|&i| matcher.slot(dims[i]) != Slot::Any);
    let mut passes: Vec<(Matcher, Vec<usize>)> = own
        .into_iter()
        .map(|i| (matcher.without(dims[i]), vec![i]))
        .collect();
    if !shared.is_empty() {
        passes.push((matcher, shared));
    }
    for (m, members) in passes {
        let plan = Plan::new(snap, m, query.asof);
        if m.is_empty() {
            // No filter: the counts are the posting list lengths of the chunks in range.
            for chunk in &snap.chunks[plan.chunks.clone()] {
                for &i in &members {
                    for (v, n) in chunk.postings(dims[i]).counts() {
                        if let Some(c) = counts[i].get_mut(v as usize) {
                            *c += n as u64;
                        }
                    }
                }
            }
            continue;
        }
        plan.forward(snap, Addr::default(), |_, row| {
            for &i in &members {
                if let Some(c) = counts[i].get_mut(dims[i].value(row) as usize) {
                    *c += 1;
                }
            }
            ControlFlow::Continue(())
        });
    }

    let prefix = query.prefix.as_deref().map(str::to_lowercase);
    let values = aurum_ports::Dimension::ALL
        .iter()
        .zip(dims)
        .zip(counts)
        .map(|((&dim, col), counts)| {
            let mut list: Vec<(&str, u64)> = (0_u32..)
                .zip(counts)
                .filter(|&(_, count)| count > 0)
                .map(|(v, count)| (text(snap, col, v), count))
                .filter(|(value, _)| {
                    prefix
                        .as_deref()
                        .is_none_or(|p| starts_with_ignore_case(value, p))
                })
                .collect();
            list.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
            list.truncate(query.per_dim_limit);
            let list = list
                .into_iter()
                .map(|(v, count)| DimensionCount {
                    value: v.to_owned(),
                    count,
                })
                .collect();
            (dim, list)
        })
        .collect();
    Dimensions { values }
}

fn text(snap: &Snapshot, col: Col, value: u32) -> &str {
    let code = u8::try_from(value).unwrap_or(u8::MAX);
    match col {
        Col::AssetClass => asset_class_of(code).as_str(),
        Col::TenorType => tenor_type_of(code).as_str(),
        _ => snap.interner(col).map_or("", |i| i.text(value)),
    }
}

/// `value` starts with `lower_prefix` (already lowercased), ignoring case.
fn starts_with_ignore_case(value: &str, lower_prefix: &str) -> bool {
    if value.is_ascii() && lower_prefix.is_ascii() {
        value.len() >= lower_prefix.len()
            && value.as_bytes()[..lower_prefix.len()].eq_ignore_ascii_case(lower_prefix.as_bytes())
    } else {
        value.to_lowercase().starts_with(lower_prefix)
    }
}
