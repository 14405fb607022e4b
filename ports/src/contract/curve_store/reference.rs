//! The naive reference the suite compares stores against: filter a `Vec`, sort it with the
//! documented comparator, slice it. Deliberately simple (linear scans, no indexes) so that it is
//! obviously correct.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::curve::{CurveFilters, CurveKey, CurveObservation, Dimension};
use crate::curve_store::{DiffPair, DimensionCount, Dimensions, DimensionsQuery};
use crate::page::{DiffKeyset, Direction, HistoryKeyset, ListKeyset, Page, PageRequest};

/// `contract_month ASC NULLS LAST`.
fn nulls_last(a: Option<NaiveDate>, b: Option<NaiveDate>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => a.cmp(&b),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// Canonical list order of a row relative to a keyset:
/// `(asof_date DESC, curve_key ASC, contract_month ASC NULLS LAST, tenor_label ASC)`, strings
/// compared bytewise.
pub(super) fn cmp_list(row: &CurveObservation, key: &ListKeyset) -> Ordering {
    key.asof_date
        .cmp(&row.asof_date)
        .then_with(|| {
            row.curve_key
                .as_str()
                .as_bytes()
                .cmp(key.curve_key.as_str().as_bytes())
        })
        .then_with(|| nulls_last(row.contract_month, key.contract_month))
        .then_with(|| row.tenor_label.as_bytes().cmp(key.tenor_label.as_bytes()))
}

/// The list keyset of a row.
pub(super) fn list_key(row: &CurveObservation) -> ListKeyset {
    ListKeyset {
        asof_date: row.asof_date,
        curve_key: row.curve_key.clone(),
        contract_month: row.contract_month,
        tenor_label: row.tenor_label.clone(),
    }
}

/// Diff order `(curve_key, tenor_label)` of a pair relative to a keyset.
pub(super) fn cmp_diff(pair: &DiffPair, key: &DiffKeyset) -> Ordering {
    pair.a
        .curve_key
        .as_str()
        .as_bytes()
        .cmp(key.curve_key.as_str().as_bytes())
        .then_with(|| {
            pair.a
                .tenor_label
                .as_bytes()
                .cmp(key.tenor_label.as_bytes())
        })
}

/// The diff keyset of a pair.
pub(super) fn diff_key(pair: &DiffPair) -> DiffKeyset {
    DiffKeyset {
        curve_key: pair.a.curve_key.clone(),
        tenor_label: pair.a.tenor_label.clone(),
    }
}

/// History order `(asof_date DESC)` of a row relative to a keyset.
pub(super) fn cmp_history(row: &CurveObservation, key: &HistoryKeyset) -> Ordering {
    key.asof_date.cmp(&row.asof_date)
}

/// The history keyset of a row.
pub(super) fn history_key(row: &CurveObservation) -> HistoryKeyset {
    HistoryKeyset {
        asof_date: row.asof_date,
    }
}

/// Rows matching the filters and `asof`, in canonical order.
pub(super) fn list(
    data: &[CurveObservation],
    filters: &CurveFilters,
    asof: Option<NaiveDate>,
) -> Vec<CurveObservation> {
    let mut rows: Vec<_> = data
        .iter()
        .filter(|r| filters.matches(r) && asof.is_none_or(|d| r.asof_date == d))
        .cloned()
        .collect();
    rows.sort_by(|a, b| cmp_list(a, &list_key(b)));
    rows
}

/// Pairs of rows with the same key on both dates, both matching the filters, by
/// `(curve_key, tenor_label)`.
pub(super) fn diff(
    data: &[CurveObservation],
    filters: &CurveFilters,
    asof_a: NaiveDate,
    asof_b: NaiveDate,
) -> Vec<DiffPair> {
    let mut pairs = Vec::new();
    for a in data
        .iter()
        .filter(|r| r.asof_date == asof_a && filters.matches(r))
    {
        for b in data
            .iter()
            .filter(|r| r.asof_date == asof_b && filters.matches(r))
        {
            if a.curve_key == b.curve_key && a.tenor_label == b.tenor_label {
                pairs.push(DiffPair {
                    a: a.clone(),
                    b: b.clone(),
                });
            }
        }
    }
    pairs.sort_by(|x, y| cmp_diff(x, &diff_key(y)));
    pairs
}

/// Rows of one curve and tenor label within `[from, to]`, newest first.
pub(super) fn history(
    data: &[CurveObservation],
    curve_key: &CurveKey,
    tenor_label: &str,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Vec<CurveObservation> {
    let mut rows: Vec<_> = data
        .iter()
        .filter(|r| &r.curve_key == curve_key && &*r.tenor_label == tenor_label)
        .filter(|r| from.is_none_or(|f| r.asof_date >= f) && to.is_none_or(|t| r.asof_date <= t))
        .cloned()
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.asof_date));
    rows
}

/// Distinct non-null values per dimension, counted under the other dimensions' filters.
pub(super) fn dimensions(data: &[CurveObservation], query: &DimensionsQuery) -> Dimensions {
    let prefix = query.prefix.as_deref().unwrap_or("").to_lowercase();
    let values = Dimension::ALL
        .iter()
        .map(|&dim| {
            let filters = query.filters.without(dim);
            let mut counts: BTreeMap<String, u64> = BTreeMap::new();
            for row in data {
                if !filters.matches(row) || query.asof.is_some_and(|d| row.asof_date != d) {
                    continue;
                }
                if let Some(value) = row.dimension(dim)
                    && value.to_lowercase().starts_with(&prefix)
                {
                    *counts.entry(value.to_owned()).or_default() += 1;
                }
            }
            let mut list: Vec<_> = counts
                .into_iter()
                .map(|(value, count)| DimensionCount { value, count })
                .collect();
            list.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
            list.truncate(query.per_dim_limit);
            (dim, list)
        })
        .collect();
    Dimensions { values }
}

/// The page a store must answer for `request` over `sorted` (the full ordered result).
pub(super) fn page<T: Clone, K>(
    sorted: &[T],
    request: &PageRequest<K>,
    cmp: impl Fn(&T, &K) -> Ordering,
) -> Page<T> {
    let limit = request.limit;
    match &request.position {
        None => Page {
            items: sorted.iter().take(limit).cloned().collect(),
            has_more: sorted.len() > limit,
        },
        Some((Direction::Forward, key)) => {
            let after: Vec<_> = sorted.iter().filter(|t| cmp(t, key).is_gt()).collect();
            Page {
                items: after.iter().take(limit).map(|&t| t.clone()).collect(),
                has_more: after.len() > limit,
            }
        }
        Some((Direction::Backward, key)) => {
            let before: Vec<_> = sorted.iter().filter(|t| cmp(t, key).is_lt()).collect();
            let start = before.len().saturating_sub(limit);
            Page {
                items: before[start..].iter().map(|&t| t.clone()).collect(),
                has_more: start > 0,
            }
        }
    }
}
