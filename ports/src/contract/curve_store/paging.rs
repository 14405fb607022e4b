//! Paging checks shared by list, diff and history: walks in both directions and single pages
//! around boundaries, each compared with the reference page.

use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::fmt::Debug;

use super::reference;
use super::support::assert_page;
use crate::page::{Direction, Page, PageRequest};

/// A boundary sample: first, second, middle, last rows and a stride through the rest.
pub(super) fn sample_indexes(len: usize) -> Vec<usize> {
    let mut picks: BTreeSet<usize> = (0..len).step_by((len / 12).max(1)).collect();
    picks.extend(
        [1, len / 2, len.saturating_sub(2), len.saturating_sub(1)]
            .into_iter()
            .filter(|&i| i < len),
    );
    picks.into_iter().collect()
}

/// Checks paging against the reference over `expected` (the full ordered result): forward walks
/// visit every row exactly once for several limits, pages before and after sampled boundaries
/// and `extra` keysets (that may point between rows) match the reference, and a backward walk
/// from the last row visits every earlier row once.
pub(super) async fn check_paging<T, K>(
    clause: &str,
    expected: &[T],
    extra: &[K],
    key: impl Fn(&T) -> K,
    cmp: impl Fn(&T, &K) -> Ordering,
    fetch: impl AsyncFn(PageRequest<K>) -> Page<T>,
) where
    T: Clone + PartialEq + Debug,
    K: Clone + Debug,
{
    for limit in [1, 7, 100] {
        // Forward walk from the first page.
        let mut request = PageRequest::first(limit);
        let mut seen: Vec<T> = Vec::new();
        loop {
            let page = fetch(request.clone()).await;
            assert_page(
                clause,
                &request,
                &page,
                &reference::page(expected, &request, &cmp),
                &key,
            );
            seen.extend(page.items);
            match (page.has_more, seen.last()) {
                (true, Some(last)) => {
                    request = PageRequest {
                        limit,
                        position: Some((Direction::Forward, key(last))),
                    }
                }
                _ => break,
            }
        }
        assert!(
            seen == expected,
            "{clause}: a forward walk with limit {limit} MUST visit every row once, in order"
        );

        // Backward walk from the last row.
        let Some(last) = expected.last() else {
            continue;
        };
        let mut request = PageRequest {
            limit,
            position: Some((Direction::Backward, key(last))),
        };
        let mut seen: Vec<T> = vec![last.clone()];
        loop {
            let page = fetch(request.clone()).await;
            assert_page(
                clause,
                &request,
                &page,
                &reference::page(expected, &request, &cmp),
                &key,
            );
            let first = page.items.first().map(&key);
            seen.splice(0..0, page.items);
            match (page.has_more, first) {
                (true, Some(first)) => {
                    request = PageRequest {
                        limit,
                        position: Some((Direction::Backward, first)),
                    }
                }
                _ => break,
            }
        }
        assert!(
            seen == expected,
            "{clause}: a backward walk with limit {limit} MUST visit every row once, in order"
        );

        // Single pages around sampled boundaries and extra keysets.
        let boundaries = sample_indexes(expected.len())
            .into_iter()
            .map(|i| key(&expected[i]));
        for boundary in boundaries.chain(extra.iter().cloned()) {
            for direction in [Direction::Forward, Direction::Backward] {
                let request = PageRequest {
                    limit,
                    position: Some((direction, boundary.clone())),
                };
                let page = fetch(request.clone()).await;
                assert_page(
                    clause,
                    &request,
                    &page,
                    &reference::page(expected, &request, &cmp),
                    &key,
                );
            }
        }
    }
}
