//! One page from an iterator that already starts at the boundary and travels in the page's
//! direction (forward: canonical order; backward: reverse canonical order).

use aurum_ports::Page;

/// Takes up to `limit` rows (at least one), reports whether more follow, and returns them in
/// canonical order.
pub(super) fn take_page<T>(rows: impl Iterator<Item = T>, limit: usize, backward: bool) -> Page<T> {
    let limit = limit.max(1);
    let mut items: Vec<T> = rows.take(limit + 1).collect();
    let has_more = items.len() > limit;
    items.truncate(limit);
    if backward {
        items.reverse();
    }
    Page { items, has_more }
}
