//! Guardrails: limits that keep one request from scanning or returning too much, each with a
//! message that says what to change.

use chrono::NaiveDate;

use aurum_ports::{CurveFilters, TenorType};

use super::curves::ParameterProblem;

/// Largest page any curve endpoint returns.
pub const MAX_LIMIT: usize = 1000;
/// Largest page allowed when no dimension filter narrows the query.
pub const MAX_UNFILTERED_LIMIT: usize = 500;
/// Longest span between the two dates of a diff.
pub const MAX_DIFF_SPAN_DAYS: i64 = 365;
/// Largest `per_dim_limit` for dimensions.
pub const MAX_PER_DIM_LIMIT: usize = 500;

/// Checks a page size for a list-like query.
pub fn check_limit(limit: usize, filters: &CurveFilters, problems: &mut Vec<ParameterProblem>) {
    if limit == 0 || limit > MAX_LIMIT {
        problems.push(ParameterProblem::new(
            "limit",
            format!("limit must be between 1 and {MAX_LIMIT}"),
        ));
    } else if limit > MAX_UNFILTERED_LIMIT && !filters.has_dimension_filter() {
        problems.push(ParameterProblem::new(
            "limit",
            format!(
                "limit above {MAX_UNFILTERED_LIMIT} needs at least one dimension filter \
                 (curve_key, asset_class, iso, location, market, product or block); \
                 add a filter or lower the limit"
            ),
        ));
    }
}

/// Checks the two dates and the filters of a diff.
pub fn check_diff(
    asof_a: NaiveDate,
    asof_b: NaiveDate,
    filters: &CurveFilters,
    problems: &mut Vec<ParameterProblem>,
) {
    if asof_a == asof_b {
        problems.push(ParameterProblem::new(
            "asof_b",
            "asof_a and asof_b must be different dates",
        ));
    } else if (asof_b - asof_a).num_days().abs() > MAX_DIFF_SPAN_DAYS {
        problems.push(ParameterProblem::new(
            "asof_b",
            format!("asof_a and asof_b must be at most {MAX_DIFF_SPAN_DAYS} days apart"),
        ));
    }
    if !filters.has_dimension_filter() {
        problems.push(ParameterProblem::new(
            "curve_key",
            "a diff needs at least one dimension filter (curve_key, asset_class, iso, location, \
             market, product or block)",
        ));
    }
}

/// Checks the strip type of a strips query.
pub fn check_strip_type(strip_type: TenorType, problems: &mut Vec<ParameterProblem>) {
    if !matches!(
        strip_type,
        TenorType::Calendar | TenorType::Quarter | TenorType::Season
    ) {
        problems.push(ParameterProblem::new(
            "type",
            "type must be one of CALENDAR, QUARTER, SEASON",
        ));
    }
}

/// Checks `per_dim_limit`.
pub fn check_per_dim_limit(per_dim_limit: usize, problems: &mut Vec<ParameterProblem>) {
    if per_dim_limit == 0 || per_dim_limit > MAX_PER_DIM_LIMIT {
        problems.push(ParameterProblem::new(
            "per_dim_limit",
            format!("per_dim_limit must be between 1 and {MAX_PER_DIM_LIMIT}"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aurum_ports::DimValue;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn an_unfiltered_query_cannot_ask_for_more_than_500_rows() {
        let mut p = Vec::new();
        check_limit(501, &CurveFilters::default(), &mut p);
        assert_eq!(p.len(), 1);
        assert!(p[0].detail.contains("dimension filter"));
    }

    #[test]
    fn a_filtered_query_may_ask_for_up_to_1000_rows() {
        let filters = CurveFilters {
            iso: Some(DimValue::parse("PJM").unwrap()),
            ..CurveFilters::default()
        };
        let mut p = Vec::new();
        check_limit(1000, &filters, &mut p);
        assert!(p.is_empty());
        check_limit(1001, &filters, &mut p);
        check_limit(0, &filters, &mut p);
        assert_eq!(p.len(), 2);
    }

    #[test]
    fn diff_rejects_equal_dates_long_spans_and_missing_filters() {
        let mut p = Vec::new();
        check_diff(
            date("2026-01-01"),
            date("2026-01-01"),
            &CurveFilters::default(),
            &mut p,
        );
        assert_eq!(p.len(), 2);
        let filters = CurveFilters {
            iso: Some(DimValue::parse("PJM").unwrap()),
            ..CurveFilters::default()
        };
        let mut p = Vec::new();
        check_diff(date("2025-01-01"), date("2026-01-02"), &filters, &mut p);
        assert_eq!(p.len(), 1);
        assert!(p[0].detail.contains("365"));
        let mut p = Vec::new();
        check_diff(date("2025-01-01"), date("2026-01-01"), &filters, &mut p);
        assert!(p.is_empty(), "exactly 365 days is allowed");
    }

    #[test]
    fn strips_accept_only_strip_tenor_types() {
        let mut p = Vec::new();
        check_strip_type(TenorType::Monthly, &mut p);
        check_strip_type(TenorType::Quarter, &mut p);
        assert_eq!(p.len(), 1);
    }
}
