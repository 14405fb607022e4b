//! Keyset pagination vocabulary. A page is asked for relative to the sort key of a boundary
//! row (never an offset), so inserts between requests neither skip nor repeat rows.

use std::sync::Arc;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::curve::CurveKey;

/// Which way a page travels from its boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Rows strictly after the boundary.
    Forward,
    /// The rows strictly before the boundary (the page that ends just before it).
    Backward,
}

/// A page request: at most `limit` rows, from the start or relative to a boundary.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageRequest<K> {
    /// Maximum rows on the page (validated by the caller, at least 1).
    pub limit: usize,
    /// `None` for the first page; otherwise the boundary and the direction to travel from it.
    pub position: Option<(Direction, K)>,
}

impl<K> PageRequest<K> {
    /// The first page of at most `limit` rows.
    pub fn first(limit: usize) -> Self {
        Self {
            limit,
            position: None,
        }
    }

    /// The direction the page travels (`Forward` for the first page).
    pub fn direction(&self) -> Direction {
        self.position
            .as_ref()
            .map_or(Direction::Forward, |(d, _)| *d)
    }
}

/// One page of rows, always in the query's canonical order whatever the direction.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The rows.
    pub items: Vec<T>,
    /// More matching rows exist beyond this page in the direction of travel: after the last item
    /// for `Forward`, before the first item for `Backward`.
    pub has_more: bool,
}

impl<T> Page<T> {
    /// An empty page with nothing beyond it.
    pub fn empty() -> Self {
        Self {
            items: Vec::new(),
            has_more: false,
        }
    }
}

/// Sort key of the list order `(asof_date DESC, curve_key, contract_month NULLS LAST, tenor_label)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ListKeyset {
    /// `asof_date` of the boundary row.
    pub asof_date: NaiveDate,
    /// `curve_key` of the boundary row.
    pub curve_key: CurveKey,
    /// `contract_month` of the boundary row.
    pub contract_month: Option<NaiveDate>,
    /// `tenor_label` of the boundary row.
    pub tenor_label: Arc<str>,
}

/// Sort key of the diff order `(curve_key, tenor_label)`; unique per pair of dates.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DiffKeyset {
    /// `curve_key` of the boundary pair.
    pub curve_key: CurveKey,
    /// `tenor_label` of the boundary pair.
    pub tenor_label: Arc<str>,
}

/// Sort key of the history order `(asof_date DESC)`; unique for one curve and tenor.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct HistoryKeyset {
    /// `asof_date` of the boundary row.
    pub asof_date: NaiveDate,
}
