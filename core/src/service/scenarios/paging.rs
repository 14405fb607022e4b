//! Signed keyset cursors of the scenario lists: opening a cursor against the query's binding,
//! minting the neighbours' cursors of a page, and the limit rule.

use serde::Serialize;
use serde::de::DeserializeOwned;

use aurum_ports::{Direction, Page};

use super::Problem;
use crate::cursor::{CursorCodec, CursorError, QueryBinding};
use crate::service::curves::{CursorPage, ParameterProblem};

/// Adds a problem unless `1 <= limit <= max`.
pub(super) fn check_limit(limit: usize, max: usize, problems: &mut Vec<Problem>) {
    if limit == 0 || limit > max {
        problems.push(Problem::Parameter(ParameterProblem::new(
            "limit",
            format!("limit must be between 1 and {max}"),
        )));
    }
}

/// The position a cursor names, checked against `binding`.
pub(super) fn open<K: DeserializeOwned>(
    codec: &CursorCodec,
    binding: &QueryBinding,
    raw: Option<&str>,
) -> Result<Option<(Direction, K)>, CursorError> {
    raw.map(|c| codec.decode::<K>(binding, c)).transpose()
}

/// The page with `next_cursor` (iff more rows follow) and `prev_cursor` (on every page after
/// the first), minted at its boundary rows.
pub(super) fn cursor_page<T, K: Serialize>(
    codec: &CursorCodec,
    binding: &QueryBinding,
    direction: Option<Direction>,
    page: Page<T>,
    key_of: impl Fn(&T) -> K,
) -> CursorPage<T> {
    let mint = |d: Direction, item: Option<&T>| item.map(|i| codec.encode(binding, d, &key_of(i)));
    let (first, last) = (page.items.first(), page.items.last());
    let (next, prev) = match direction {
        None => (
            page.has_more
                .then(|| mint(Direction::Forward, last))
                .flatten(),
            None,
        ),
        Some(Direction::Forward) => (
            page.has_more
                .then(|| mint(Direction::Forward, last))
                .flatten(),
            mint(Direction::Backward, first),
        ),
        Some(Direction::Backward) => (
            mint(Direction::Forward, last),
            page.has_more
                .then(|| mint(Direction::Backward, first))
                .flatten(),
        ),
    };
    CursorPage {
        next_cursor: next,
        prev_cursor: prev,
        items: page.items,
    }
}
