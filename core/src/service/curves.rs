//! The curve use cases: list, strips, diff, history, dimensions and export, over a
//! [`CurveStore`], with guardrails and signed keyset cursors.

use std::sync::Arc;

use chrono::NaiveDate;

use aurum_ports::{
    AssetClass, CurveFilters, CurveKey, CurveObservation, CurveStore, DiffKeyset, DiffQuery,
    Dimensions, DimensionsQuery, Direction, HistoryKeyset, HistoryQuery, ListKeyset, ListQuery,
    ObservationStream, Page, PageRequest, StoreError, TenorType,
};

use super::guardrails;
use crate::cursor::{CursorCodec, CursorError, QueryBinding};

/// One bad input, named so the client can fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParameterProblem {
    /// The query parameter (or body pointer) at fault.
    pub parameter: String,
    /// What is wrong and what to do.
    pub detail: String,
}

impl ParameterProblem {
    /// A problem with `parameter`.
    pub fn new(parameter: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            parameter: parameter.into(),
            detail: detail.into(),
        }
    }
}

/// Why a curve query failed.
#[derive(Debug, thiserror::Error)]
pub enum CurveQueryError {
    /// One or more parameters break a rule; every one is listed.
    #[error("invalid parameters")]
    Invalid(Vec<ParameterProblem>),
    /// The cursor was refused.
    #[error(transparent)]
    Cursor(#[from] CursorError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A page with the cursors that lead to its neighbours.
#[derive(Debug, Clone, PartialEq)]
pub struct CursorPage<T> {
    /// The rows, in the query's order.
    pub items: Vec<T>,
    /// Present iff more rows follow.
    pub next_cursor: Option<String>,
    /// Present on every page after the first; returns exactly the previous page.
    pub prev_cursor: Option<String>,
}

/// List request (also the base of strips).
#[derive(Debug, Clone, PartialEq)]
pub struct ListRequest {
    /// Filters.
    pub filters: CurveFilters,
    /// Exact pricing date.
    pub asof: Option<NaiveDate>,
    /// Page size.
    pub limit: usize,
    /// Cursor from a previous page.
    pub cursor: Option<String>,
}

/// Strips request: a list restricted to one strip tenor type.
#[derive(Debug, Clone, PartialEq)]
pub struct StripsRequest {
    /// CALENDAR, QUARTER or SEASON.
    pub strip_type: TenorType,
    /// The list part (its `tenor_type` filter is replaced by `strip_type`).
    pub list: ListRequest,
}

/// Diff request.
#[derive(Debug, Clone, PartialEq)]
pub struct DiffRequest {
    /// Filters applied to both dates.
    pub filters: CurveFilters,
    /// Reference date.
    pub asof_a: NaiveDate,
    /// Compared date.
    pub asof_b: NaiveDate,
    /// Page size.
    pub limit: usize,
    /// Cursor from a previous page.
    pub cursor: Option<String>,
}

/// History request.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryRequest {
    /// The curve.
    pub curve_key: CurveKey,
    /// Tenor label as given (normalised by the service).
    pub tenor_label: String,
    /// Earliest pricing date, inclusive.
    pub from: Option<NaiveDate>,
    /// Latest pricing date, inclusive.
    pub to: Option<NaiveDate>,
    /// Page size.
    pub limit: usize,
    /// Cursor from a previous page.
    pub cursor: Option<String>,
}

/// Dimensions request.
#[derive(Debug, Clone, PartialEq)]
pub struct DimensionsRequest {
    /// Filters.
    pub filters: CurveFilters,
    /// Exact pricing date.
    pub asof: Option<NaiveDate>,
    /// Values per dimension (1..=500).
    pub per_dim_limit: usize,
    /// Case-insensitive value prefix.
    pub prefix: Option<String>,
}

/// One diff row: the pair and the change of mid from a to b.
#[derive(Debug, Clone, PartialEq)]
pub struct CurveDiff {
    /// Row at `asof_a`.
    pub a: CurveObservation,
    /// Row at `asof_b`.
    pub b: CurveObservation,
    /// `mid_b − mid_a`, when both exist.
    pub diff_abs: Option<f64>,
    /// `(mid_b − mid_a) / mid_a` as a ratio; `None` when `mid_a` is missing or zero.
    pub diff_pct: Option<f64>,
}

/// `(diff_abs, diff_pct)` of two mids (DOMAIN.md §1).
pub fn diff_values(mid_a: Option<f64>, mid_b: Option<f64>) -> (Option<f64>, Option<f64>) {
    match (mid_a, mid_b) {
        (Some(a), Some(b)) => {
            let abs = b - a;
            let pct = if a == 0.0 { None } else { Some(abs / a) };
            (Some(abs), pct)
        }
        _ => (None, None),
    }
}

/// The sort key of a row in the canonical list order.
pub fn list_keyset(obs: &CurveObservation) -> ListKeyset {
    ListKeyset {
        asof_date: obs.asof_date,
        curve_key: obs.curve_key.clone(),
        contract_month: obs.contract_month,
        tenor_label: obs.tenor_label.clone(),
    }
}

/// Curve queries over one store.
#[derive(Clone)]
pub struct CurveService {
    store: Arc<dyn CurveStore>,
    cursors: CursorCodec,
}

impl CurveService {
    /// A service over `store`, signing cursors with `cursors`.
    pub fn new(store: Arc<dyn CurveStore>, cursors: CursorCodec) -> Self {
        Self { store, cursors }
    }

    /// The store behind the service (for readiness checks).
    pub fn store(&self) -> &Arc<dyn CurveStore> {
        &self.store
    }

    /// Rows matching the filters, newest pricing date first.
    ///
    /// # Errors
    /// Invalid parameters, a refused cursor, or a store failure.
    pub async fn list(
        &self,
        req: &ListRequest,
    ) -> Result<CursorPage<CurveObservation>, CurveQueryError> {
        self.list_as("curves.list", req).await
    }

    /// Strip rows (CALENDAR, QUARTER or SEASON).
    ///
    /// # Errors
    /// Invalid parameters, a refused cursor, or a store failure.
    pub async fn strips(
        &self,
        req: &StripsRequest,
    ) -> Result<CursorPage<CurveObservation>, CurveQueryError> {
        let mut problems = Vec::new();
        guardrails::check_strip_type(req.strip_type, &mut problems);
        if !problems.is_empty() {
            return Err(CurveQueryError::Invalid(problems));
        }
        let mut list = req.list.clone();
        list.filters.tenor_type = Some(req.strip_type);
        self.list_as("curves.strips", &list).await
    }

    async fn list_as(
        &self,
        endpoint: &str,
        req: &ListRequest,
    ) -> Result<CursorPage<CurveObservation>, CurveQueryError> {
        let mut problems = Vec::new();
        guardrails::check_limit(req.limit, &req.filters, &mut problems);
        if !problems.is_empty() {
            return Err(CurveQueryError::Invalid(problems));
        }
        let asof = req.asof.map(|d| d.to_string());
        let binding = filter_binding(endpoint, &req.filters).with("asof", asof.as_deref());
        let position = self.open_cursor::<ListKeyset>(&binding, req.cursor.as_deref())?;
        let query = ListQuery {
            filters: req.filters.clone(),
            asof: req.asof,
            page: PageRequest {
                limit: req.limit,
                position: position.clone(),
            },
        };
        let page = self.store.list(&query).await?;
        Ok(self.cursor_page(
            &binding,
            position.as_ref().map(|(d, _)| *d),
            page,
            list_keyset,
        ))
    }

    /// Pairs of the same curve and tenor on two dates, with the change of mid.
    ///
    /// # Errors
    /// Invalid parameters (equal dates, span over 365 days, no dimension filter, bad limit), a
    /// refused cursor, or a store failure.
    pub async fn diff(&self, req: &DiffRequest) -> Result<CursorPage<CurveDiff>, CurveQueryError> {
        let mut problems = Vec::new();
        guardrails::check_diff(req.asof_a, req.asof_b, &req.filters, &mut problems);
        if req.limit == 0 || req.limit > guardrails::MAX_LIMIT {
            problems.push(ParameterProblem::new(
                "limit",
                format!("limit must be between 1 and {}", guardrails::MAX_LIMIT),
            ));
        }
        if !problems.is_empty() {
            return Err(CurveQueryError::Invalid(problems));
        }
        let (a, b) = (req.asof_a.to_string(), req.asof_b.to_string());
        let binding = filter_binding("curves.diff", &req.filters)
            .with("asof_a", Some(&a))
            .with("asof_b", Some(&b));
        let position = self.open_cursor::<DiffKeyset>(&binding, req.cursor.as_deref())?;
        let query = DiffQuery {
            filters: req.filters.clone(),
            asof_a: req.asof_a,
            asof_b: req.asof_b,
            page: PageRequest {
                limit: req.limit,
                position: position.clone(),
            },
        };
        let page = self.store.diff(&query).await?;
        let page = Page {
            has_more: page.has_more,
            items: page
                .items
                .into_iter()
                .map(|pair| {
                    let (diff_abs, diff_pct) = diff_values(pair.a.mid, pair.b.mid);
                    CurveDiff {
                        a: pair.a,
                        b: pair.b,
                        diff_abs,
                        diff_pct,
                    }
                })
                .collect(),
        };
        Ok(self.cursor_page(
            &binding,
            position.as_ref().map(|(d, _)| *d),
            page,
            |d: &CurveDiff| DiffKeyset {
                curve_key: d.a.curve_key.clone(),
                tenor_label: d.a.tenor_label.clone(),
            },
        ))
    }

    /// One curve and tenor across pricing dates, newest first.
    ///
    /// # Errors
    /// Invalid parameters, a refused cursor, or a store failure.
    pub async fn history(
        &self,
        req: &HistoryRequest,
    ) -> Result<CursorPage<CurveObservation>, CurveQueryError> {
        let mut problems = Vec::new();
        if req.limit == 0 || req.limit > guardrails::MAX_LIMIT {
            problems.push(ParameterProblem::new(
                "limit",
                format!("limit must be between 1 and {}", guardrails::MAX_LIMIT),
            ));
        }
        let label = history_label(&req.tenor_label);
        if label.is_empty() {
            problems.push(ParameterProblem::new(
                "tenor_label",
                "tenor_label is required",
            ));
        }
        if let (Some(from), Some(to)) = (req.from, req.to)
            && from > to
        {
            problems.push(ParameterProblem::new("from", "from must not be after to"));
        }
        if !problems.is_empty() {
            return Err(CurveQueryError::Invalid(problems));
        }
        let (from, to) = (
            req.from.map(|d| d.to_string()),
            req.to.map(|d| d.to_string()),
        );
        let binding = QueryBinding::new("curves.history")
            .with("curve_key", Some(req.curve_key.as_str()))
            .with("tenor_label", Some(&label))
            .with("from", from.as_deref())
            .with("to", to.as_deref());
        let position = self.open_cursor::<HistoryKeyset>(&binding, req.cursor.as_deref())?;
        let query = HistoryQuery {
            curve_key: req.curve_key.clone(),
            tenor_label: Arc::from(label.as_str()),
            from: req.from,
            to: req.to,
            page: PageRequest {
                limit: req.limit,
                position: position.clone(),
            },
        };
        let page = self.store.history(&query).await?;
        Ok(self.cursor_page(
            &binding,
            position.as_ref().map(|(d, _)| *d),
            page,
            |o: &CurveObservation| HistoryKeyset {
                asof_date: o.asof_date,
            },
        ))
    }

    /// Distinct values per dimension with counts.
    ///
    /// # Errors
    /// Invalid parameters or a store failure.
    pub async fn dimensions(&self, req: &DimensionsRequest) -> Result<Dimensions, CurveQueryError> {
        let mut problems = Vec::new();
        guardrails::check_per_dim_limit(req.per_dim_limit, &mut problems);
        if req.prefix.as_ref().is_some_and(|p| p.chars().count() > 200) {
            problems.push(ParameterProblem::new(
                "prefix",
                "prefix must be at most 200 characters",
            ));
        }
        if !problems.is_empty() {
            return Err(CurveQueryError::Invalid(problems));
        }
        let query = DimensionsQuery {
            filters: req.filters.clone(),
            asof: req.asof,
            per_dim_limit: req.per_dim_limit,
            prefix: req
                .prefix
                .as_ref()
                .map(|p| p.trim().to_owned())
                .filter(|p| !p.is_empty()),
        };
        Ok(self.store.dimensions(&query).await?)
    }

    /// Every matching row, streamed in canonical order.
    ///
    /// # Errors
    /// A store failure before the first chunk.
    pub async fn export(
        &self,
        filters: &CurveFilters,
        asof: Option<NaiveDate>,
    ) -> Result<ObservationStream, CurveQueryError> {
        Ok(self.store.scan(filters, asof).await?)
    }

    fn open_cursor<K: serde::de::DeserializeOwned>(
        &self,
        binding: &QueryBinding,
        raw: Option<&str>,
    ) -> Result<Option<(Direction, K)>, CursorError> {
        raw.map(|c| self.cursors.decode::<K>(binding, c))
            .transpose()
    }

    fn cursor_page<T, K: serde::Serialize>(
        &self,
        binding: &QueryBinding,
        direction: Option<Direction>,
        page: Page<T>,
        key_of: impl Fn(&T) -> K,
    ) -> CursorPage<T> {
        let first = page.items.first().map(&key_of);
        let last = page.items.last().map(&key_of);
        let mint = |d: Direction, k: &K| self.cursors.encode(binding, d, k);
        let (next, prev) = match direction {
            None => (
                page.has_more
                    .then_some(())
                    .and(last.as_ref())
                    .map(|k| mint(Direction::Forward, k)),
                None,
            ),
            Some(Direction::Forward) => (
                page.has_more
                    .then_some(())
                    .and(last.as_ref())
                    .map(|k| mint(Direction::Forward, k)),
                first.as_ref().map(|k| mint(Direction::Backward, k)),
            ),
            Some(Direction::Backward) => (
                last.as_ref().map(|k| mint(Direction::Forward, k)),
                page.has_more
                    .then_some(())
                    .and(first.as_ref())
                    .map(|k| mint(Direction::Backward, k)),
            ),
        };
        CursorPage {
            items: page.items,
            next_cursor: next,
            prev_cursor: prev,
        }
    }
}

/// The tenor label of a history request, normalised like ingested labels.
fn history_label(raw: &str) -> String {
    crate::curves::parse_tenor(raw).label
}

/// The binding of the filters shared by list-like endpoints.
fn filter_binding(endpoint: &str, f: &CurveFilters) -> QueryBinding {
    QueryBinding::new(endpoint)
        .with("curve_key", f.curve_key.as_ref().map(CurveKey::as_str))
        .with("asset_class", f.asset_class.map(AssetClass::as_str))
        .with("iso", f.iso.as_ref().map(aurum_ports::DimValue::as_str))
        .with(
            "location",
            f.location.as_ref().map(aurum_ports::DimValue::as_str),
        )
        .with(
            "market",
            f.market.as_ref().map(aurum_ports::DimValue::as_str),
        )
        .with(
            "product",
            f.product.as_ref().map(aurum_ports::DimValue::as_str),
        )
        .with("block", f.block.as_ref().map(aurum_ports::DimValue::as_str))
        .with("tenor_type", f.tenor_type.map(TenorType::as_str))
}

#[cfg(test)]
mod tests;
