//! The SQL of every curve query, in the subset that Trino and PostgreSQL both accept and
//! answer the same way (ADR 0008): every value through the literal encoder, every name quoted,
//! no `::` casts, no `ILIKE`, no row-value comparisons (keysets are expanded into `OR`/`AND`
//! chains), explicit `NULLS FIRST`/`NULLS LAST` wherever a nullable column is ordered (the two
//! engines' defaults differ for `DESC`), and `LIMIT` as a literal.

use aurum_ports::{CurveFilters, DiffQuery, Dimension, Direction, HistoryQuery, ListQuery};
use chrono::NaiveDate;

use crate::decode::CURVE_COLUMNS;
use crate::sql::{LiteralError, bigint, date, varchar};

/// `"name"`; every column name is a fixed ASCII word from this crate.
fn col(name: &str) -> String {
    format!("\"{name}\"")
}

/// `alias."name"` or `"name"`.
fn qcol(alias: Option<&str>, name: &str) -> String {
    match alias {
        Some(a) => format!("{a}.{}", col(name)),
        None => col(name),
    }
}

/// The 26 curve columns as a select list.
fn select_list(alias: Option<&str>) -> String {
    CURVE_COLUMNS
        .iter()
        .map(|c| qcol(alias, c))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Builds the prefix condition on one (quoted) column.
pub(super) type PrefixCondition<'a> = &'a dyn Fn(&str) -> Result<String, LiteralError>;

/// The column holding `dim`.
pub(super) fn dim_column(dim: Dimension) -> &'static str {
    dim.as_str()
}

/// `column = literal` for each present filter, on `alias`, leaving out `skip`.
fn filter_conditions(
    filters: &CurveFilters,
    alias: Option<&str>,
    skip: Option<Dimension>,
) -> Result<Vec<String>, LiteralError> {
    let text = |v: &aurum_ports::DimValue| v.as_str().to_owned();
    let present: [(&str, Option<Dimension>, Option<String>); 8] = [
        (
            "curve_key",
            None,
            filters.curve_key.as_ref().map(|k| k.as_str().to_owned()),
        ),
        (
            "asset_class",
            Some(Dimension::AssetClass),
            filters.asset_class.map(|a| a.as_str().to_owned()),
        ),
        ("iso", Some(Dimension::Iso), filters.iso.as_ref().map(text)),
        (
            "location",
            Some(Dimension::Location),
            filters.location.as_ref().map(text),
        ),
        (
            "market",
            Some(Dimension::Market),
            filters.market.as_ref().map(text),
        ),
        (
            "product",
            Some(Dimension::Product),
            filters.product.as_ref().map(text),
        ),
        (
            "block",
            Some(Dimension::Block),
            filters.block.as_ref().map(text),
        ),
        (
            "tenor_type",
            Some(Dimension::TenorType),
            filters.tenor_type.map(|t| t.as_str().to_owned()),
        ),
    ];
    let mut out = Vec::new();
    for (column, dim, value) in present {
        if let Some(value) = value
            && (skip.is_none() || dim != skip)
        {
            out.push(format!("{} = {}", qcol(alias, column), varchar(&value)?));
        }
    }
    Ok(out)
}

/// ` WHERE a AND b …`, or nothing.
fn where_clause(conditions: &[String]) -> String {
    if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    }
}

/// `LIMIT` for `limit` rows plus the look-ahead row that makes `has_more` exact.
fn limit_plus_one(limit: usize) -> String {
    bigint(i64::try_from(limit.saturating_add(1)).unwrap_or(i64::MAX))
}

/// The canonical order `(asof_date DESC, curve_key, contract_month NULLS LAST, tenor_label)`,
/// or its exact reverse for a Backward page.
fn canonical_order(direction: Direction) -> &'static str {
    match direction {
        Direction::Forward => {
            "\"asof_date\" DESC, \"curve_key\" ASC, \"contract_month\" ASC NULLS LAST, \"tenor_label\" ASC"
        }
        Direction::Backward => {
            "\"asof_date\" ASC, \"curve_key\" DESC, \"contract_month\" DESC NULLS FIRST, \"tenor_label\" DESC"
        }
    }
}

/// Filters and `asof` of a list or scan.
fn list_conditions(
    filters: &CurveFilters,
    asof: Option<NaiveDate>,
) -> Result<Vec<String>, LiteralError> {
    let mut conditions = filter_conditions(filters, None, None)?;
    if let Some(asof) = asof {
        conditions.push(format!("\"asof_date\" = {}", date(asof)?));
    }
    Ok(conditions)
}

/// `SELECT` of a list page.
pub(super) fn list(table: &str, query: &ListQuery) -> Result<String, LiteralError> {
    let mut conditions = list_conditions(&query.filters, query.asof)?;
    if let Some((direction, key)) = &query.page.position {
        // Rows strictly after (Forward) or before (Backward) the keyset in canonical order,
        // spelled out without row values. The leading date bound is implied by the chain but
        // lets a lake prune partitions.
        let (date_op, date_bound, text_op) = match direction {
            Direction::Forward => ("<", "<=", ">"),
            Direction::Backward => (">", ">=", "<"),
        };
        let d = date(key.asof_date)?;
        let k = varchar(key.curve_key.as_str())?;
        let l = varchar(&key.tenor_label)?;
        // NULL contract months sort last: after a month come later months and NULL; after
        // NULL comes nothing. Before a month come earlier months; before NULL every month.
        let (month_beyond, month_equal) = match (key.contract_month, direction) {
            (Some(m), Direction::Forward) => {
                let m = date(m)?;
                (
                    Some(format!(
                        "\"contract_month\" > {m} OR \"contract_month\" IS NULL"
                    )),
                    format!("\"contract_month\" = {m}"),
                )
            }
            (Some(m), Direction::Backward) => {
                let m = date(m)?;
                (
                    Some(format!("\"contract_month\" < {m}")),
                    format!("\"contract_month\" = {m}"),
                )
            }
            (None, Direction::Forward) => (None, "\"contract_month\" IS NULL".to_owned()),
            (None, Direction::Backward) => (
                Some("\"contract_month\" IS NOT NULL".to_owned()),
                "\"contract_month\" IS NULL".to_owned(),
            ),
        };
        let same_month = format!("{month_equal} AND \"tenor_label\" {text_op} {l}");
        let within_curve = match month_beyond {
            Some(beyond) => format!("({beyond}) OR ({same_month})"),
            None => same_month,
        };
        conditions.push(format!("\"asof_date\" {date_bound} {d}"));
        conditions.push(format!(
            "(\"asof_date\" {date_op} {d} OR (\"asof_date\" = {d} AND (\"curve_key\" {text_op} {k} \
             OR (\"curve_key\" = {k} AND ({within_curve})))))"
        ));
    }
    Ok(format!(
        "SELECT {} FROM {table}{} ORDER BY {} LIMIT {}",
        select_list(None),
        where_clause(&conditions),
        canonical_order(query.page.direction()),
        limit_plus_one(query.page.limit),
    ))
}

/// `SELECT` of every matching row in canonical order (export).
pub(super) fn scan(
    table: &str,
    filters: &CurveFilters,
    asof: Option<NaiveDate>,
) -> Result<String, LiteralError> {
    Ok(format!(
        "SELECT {} FROM {table}{} ORDER BY {}",
        select_list(None),
        where_clause(&list_conditions(filters, asof)?),
        canonical_order(Direction::Forward),
    ))
}

/// `SELECT` of a diff page: side a's 26 columns, then side b's.
pub(super) fn diff(table: &str, query: &DiffQuery) -> Result<String, LiteralError> {
    let mut conditions = vec![
        format!("a.\"asof_date\" = {}", date(query.asof_a)?),
        format!("b.\"asof_date\" = {}", date(query.asof_b)?),
    ];
    conditions.extend(filter_conditions(&query.filters, Some("a"), None)?);
    conditions.extend(filter_conditions(&query.filters, Some("b"), None)?);
    if let Some((direction, key)) = &query.page.position {
        let op = match direction {
            Direction::Forward => ">",
            Direction::Backward => "<",
        };
        let k = varchar(key.curve_key.as_str())?;
        let l = varchar(&key.tenor_label)?;
        conditions.push(format!(
            "(a.\"curve_key\" {op} {k} OR (a.\"curve_key\" = {k} AND a.\"tenor_label\" {op} {l}))"
        ));
    }
    let order = match query.page.direction() {
        Direction::Forward => "a.\"curve_key\" ASC, a.\"tenor_label\" ASC",
        Direction::Backward => "a.\"curve_key\" DESC, a.\"tenor_label\" DESC",
    };
    Ok(format!(
        "SELECT {}, {} FROM {table} a JOIN {table} b ON b.\"curve_key\" = a.\"curve_key\" AND \
         b.\"tenor_label\" = a.\"tenor_label\"{} ORDER BY {order} LIMIT {}",
        select_list(Some("a")),
        select_list(Some("b")),
        where_clause(&conditions),
        limit_plus_one(query.page.limit),
    ))
}

/// `SELECT` of a history page, newest first.
pub(super) fn history(table: &str, query: &HistoryQuery) -> Result<String, LiteralError> {
    let mut conditions = vec![
        format!("\"curve_key\" = {}", varchar(query.curve_key.as_str())?),
        format!("\"tenor_label\" = {}", varchar(&query.tenor_label)?),
    ];
    if let Some(from) = query.from {
        conditions.push(format!("\"asof_date\" >= {}", date(from)?));
    }
    if let Some(to) = query.to {
        conditions.push(format!("\"asof_date\" <= {}", date(to)?));
    }
    // Newest first: Forward travels to older dates, Backward to newer ones.
    if let Some((direction, key)) = &query.page.position {
        let op = match direction {
            Direction::Forward => "<",
            Direction::Backward => ">",
        };
        conditions.push(format!("\"asof_date\" {op} {}", date(key.asof_date)?));
    }
    let order = match query.page.direction() {
        Direction::Forward => "DESC",
        Direction::Backward => "ASC",
    };
    Ok(format!(
        "SELECT {} FROM {table}{} ORDER BY \"asof_date\" {order} LIMIT {}",
        select_list(None),
        where_clause(&conditions),
        limit_plus_one(query.page.limit),
    ))
}

/// `SELECT` of the dimension counts: a `UNION ALL` of one grouped branch per dimension, each
/// under the other dimensions' filters and `asof`. `prefix_pattern` is a `LIKE` pattern over the
/// folded value (see `dimensions::prefix_condition`), `branch_limit` the per-branch `LIMIT`.
pub(super) fn dimensions(
    table: &str,
    filters: &CurveFilters,
    asof: Option<NaiveDate>,
    prefix_condition: Option<PrefixCondition<'_>>,
    branch_limit: Option<usize>,
) -> Result<String, LiteralError> {
    let asof = asof.map(date).transpose()?;
    let mut branches = Vec::with_capacity(Dimension::ALL.len());
    for (i, &dim) in Dimension::ALL.iter().enumerate() {
        let c = col(dim_column(dim));
        let mut conditions = vec![format!("{c} IS NOT NULL")];
        conditions.extend(filter_conditions(filters, None, Some(dim))?);
        if let Some(d) = &asof {
            conditions.push(format!("\"asof_date\" = {d}"));
        }
        if let Some(prefix) = prefix_condition {
            conditions.push(prefix(&c)?);
        }
        let limit = match branch_limit {
            Some(n) => format!(
                " ORDER BY count(*) DESC, {c} ASC LIMIT {}",
                bigint(i64::try_from(n).unwrap_or(i64::MAX))
            ),
            None => String::new(),
        };
        branches.push(format!(
            "(SELECT {i} AS dim_index, {c} AS dim_value, count(*) AS dim_count FROM {table}{} \
             GROUP BY {c}{limit})",
            where_clause(&conditions)
        ));
    }
    Ok(format!(
        "{} ORDER BY dim_index ASC, dim_count DESC, dim_value ASC",
        branches.join(" UNION ALL ")
    ))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use aurum_ports::{CurveKey, DimValue, ListKeyset, PageRequest};

    use super::*;

    const T: &str = "\"iceberg\".\"market\".\"curve_observation\"";

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_first_page_is_an_ordered_limit_over_quoted_names() {
        let q = ListQuery {
            filters: CurveFilters::default(),
            asof: None,
            page: PageRequest::first(100),
        };
        let sql = list(T, &q).unwrap();
        assert!(sql.starts_with("SELECT \"asof_date\", \"source_file\""));
        assert!(sql.ends_with(
            "FROM \"iceberg\".\"market\".\"curve_observation\" ORDER BY \"asof_date\" DESC, \
             \"curve_key\" ASC, \"contract_month\" ASC NULLS LAST, \"tenor_label\" ASC LIMIT 101"
        ));
    }

    #[test]
    fn a_keyset_is_expanded_without_row_values_and_values_are_literals() {
        let q = ListQuery {
            filters: CurveFilters {
                iso: Some(DimValue::parse("P'JM").unwrap()),
                ..Default::default()
            },
            asof: None,
            page: PageRequest {
                limit: 7,
                position: Some((
                    Direction::Backward,
                    ListKeyset {
                        asof_date: d(2025, 1, 6),
                        curve_key: CurveKey::parse("k").unwrap(),
                        contract_month: None,
                        tenor_label: Arc::from("BALMO"),
                    },
                )),
            },
        };
        let sql = list(T, &q).unwrap();
        assert!(sql.contains(
            " WHERE \"iso\" = 'P''JM' AND \"asof_date\" >= DATE '2025-01-06' AND (\"asof_date\" > \
             DATE '2025-01-06' OR (\"asof_date\" = DATE '2025-01-06' AND (\"curve_key\" < 'k' OR \
             (\"curve_key\" = 'k' AND ((\"contract_month\" IS NOT NULL) OR (\"contract_month\" IS \
             NULL AND \"tenor_label\" < 'BALMO')))))) ORDER BY \"asof_date\" ASC, \"curve_key\" \
             DESC, \"contract_month\" DESC NULLS FIRST, \"tenor_label\" DESC LIMIT 8"
        ), "{sql}");
        assert!(!sql.contains("::") && !sql.contains("ILIKE"));
    }

    #[test]
    fn a_forward_keyset_with_a_month_lets_null_months_follow() {
        let q = ListQuery {
            filters: CurveFilters::default(),
            asof: Some(d(2025, 1, 6)),
            page: PageRequest {
                limit: 1,
                position: Some((
                    Direction::Forward,
                    ListKeyset {
                        asof_date: d(2025, 1, 6),
                        curve_key: CurveKey::parse("k").unwrap(),
                        contract_month: Some(d(2025, 2, 1)),
                        tenor_label: Arc::from("2025-02"),
                    },
                )),
            },
        };
        let sql = list(T, &q).unwrap();
        assert!(
            sql.contains(
                "((\"contract_month\" > DATE '2025-02-01' OR \"contract_month\" IS NULL) OR \
             (\"contract_month\" = DATE '2025-02-01' AND \"tenor_label\" > '2025-02'))"
            ),
            "{sql}"
        );
    }

    #[test]
    fn diff_filters_both_sides_and_pages_by_curve_and_label() {
        let q = DiffQuery {
            filters: CurveFilters {
                market: Some(DimValue::parse("DA").unwrap()),
                ..Default::default()
            },
            asof_a: d(2025, 1, 2),
            asof_b: d(2025, 1, 6),
            page: PageRequest {
                limit: 10,
                position: Some((
                    Direction::Forward,
                    aurum_ports::DiffKeyset {
                        curve_key: CurveKey::parse("k").unwrap(),
                        tenor_label: Arc::from("x"),
                    },
                )),
            },
        };
        let sql = diff(T, &q).unwrap();
        assert!(sql.contains("a.\"market\" = 'DA' AND b.\"market\" = 'DA'"));
        assert!(sql.contains(
            "(a.\"curve_key\" > 'k' OR (a.\"curve_key\" = 'k' AND a.\"tenor_label\" > 'x'))"
        ));
        assert!(sql.ends_with("ORDER BY a.\"curve_key\" ASC, a.\"tenor_label\" ASC LIMIT 11"));
    }

    #[test]
    fn dimension_branches_leave_out_their_own_filter() {
        let filters = CurveFilters {
            iso: Some(DimValue::parse("PJM").unwrap()),
            ..Default::default()
        };
        let sql = dimensions(T, &filters, None, None, Some(5)).unwrap();
        assert!(
            sql.contains(
                "(SELECT 1 AS dim_index, \"iso\" AS dim_value, count(*) AS dim_count FROM \
             \"iceberg\".\"market\".\"curve_observation\" WHERE \"iso\" IS NOT NULL GROUP BY \
             \"iso\" ORDER BY count(*) DESC, \"iso\" ASC LIMIT 5)"
            ),
            "{sql}"
        );
        assert!(sql.contains("WHERE \"block\" IS NOT NULL AND \"iso\" = 'PJM' GROUP BY \"block\""));
        assert_eq!(sql.matches(" UNION ALL ").count(), 6);
    }

    #[test]
    fn out_of_range_values_fail_instead_of_reaching_sql() {
        let q = HistoryQuery {
            curve_key: CurveKey::parse("k").unwrap(),
            tenor_label: Arc::from("x"),
            from: Some(d(10_000, 1, 1)),
            to: None,
            page: PageRequest::first(1),
        };
        assert!(history(T, &q).is_err());
    }
}
