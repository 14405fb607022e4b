//! Dimensions: one statement, a `UNION ALL` of one grouped branch per dimension, each counted
//! under the filters of the *other* dimensions (and `asof`), nulls left out, ordered by count
//! desc then value (bytewise), `per_dim_limit` per branch.
//!
//! The prefix is compared case-insensitively as the memory store does (`str::to_lowercase`).
//! PostgreSQL's `lower()` on a `COLLATE "C"` column folds ASCII only, so the SQL condition
//! `lower(v) LIKE prefix%` is exact for ASCII values and lets every non-ASCII value through
//! (`octet_length(v) <> char_length(v)`); the exact test then runs here, and so does the limit
//! when a prefix is given.

use aurum_ports::{Dimension, DimensionCount, Dimensions, DimensionsQuery, StoreError};
use tokio_postgres::Row;

use super::decode::bad;
use super::sql::{Arg, Builder, Statement, asof_rank, like_prefix, where_clause};
use crate::error::from_pg;

/// The column that holds `dim`.
fn column(dim: Dimension) -> &'static str {
    match dim {
        Dimension::AssetClass => "asset_class",
        Dimension::Iso => "iso",
        Dimension::Location => "location",
        Dimension::Market => "market",
        Dimension::Product => "product",
        Dimension::Block => "block",
        Dimension::TenorType => "tenor_type",
    }
}

/// The lowercased prefix that filters values, if any (an empty prefix filters nothing).
pub(super) fn lower_prefix(query: &DimensionsQuery) -> Option<String> {
    query
        .prefix
        .as_deref()
        .filter(|p| !p.is_empty())
        .map(str::to_lowercase)
}

/// The statement of [`CurveStore::dimensions`](aurum_ports::CurveStore::dimensions): rows of
/// `(dim int4 index into Dimension::ALL, value text, n int8)`.
pub(super) fn dimensions_statement(query: &DimensionsQuery) -> Statement {
    let mut b = Builder::new();
    b.bind_filters(&query.filters);
    let asof = query
        .asof
        .map(|d| format!("asof_rank = {}", b.bind(Arg::Int4(asof_rank(d)))));
    let prefix = lower_prefix(query);
    let pattern = prefix.as_deref().map(|p| b.bind(Arg::Text(like_prefix(p))));
    // With a prefix the exact match (and so the limit) is applied after the query.
    let limit = match prefix {
        None => {
            let n = i64::try_from(query.per_dim_limit).unwrap_or(i64::MAX);
            format!(" LIMIT {}", b.bind(Arg::Int8(n)))
        }
        Some(_) => String::new(),
    };
    let branches: Vec<String> = Dimension::ALL
        .iter()
        .enumerate()
        .map(|(i, &dim)| {
            let col = column(dim);
            let mut conditions = vec![format!("{col} IS NOT NULL")];
            conditions.extend(b.filter_conditions(None, Some(dim)));
            conditions.extend(asof.clone());
            if let Some(pattern) = &pattern {
                conditions.push(format!(
                    "(lower({col}) LIKE {pattern} OR octet_length({col}) <> char_length({col}))"
                ));
            }
            format!(
                "(SELECT {i} AS dim, {col} AS value, count(*) AS n FROM curve_observation{} \
                 GROUP BY {col} ORDER BY n DESC, {col}{limit})",
                where_clause(&conditions)
            )
        })
        .collect();
    let sql = format!(
        "{} ORDER BY dim, n DESC, value",
        branches.join(" UNION ALL ")
    );
    b.finish(sql)
}

/// The answer from the statement's rows: every dimension present, in `Dimension::ALL` order.
pub(super) fn collect(rows: &[Row], query: &DimensionsQuery) -> Result<Dimensions, StoreError> {
    let prefix = lower_prefix(query);
    let mut values: Vec<(Dimension, Vec<DimensionCount>)> =
        Dimension::ALL.iter().map(|&d| (d, Vec::new())).collect();
    for row in rows {
        let dim: i32 = row.try_get(0).map_err(from_pg)?;
        let value: String = row.try_get(1).map_err(from_pg)?;
        let n: i64 = row.try_get(2).map_err(from_pg)?;
        let slot = usize::try_from(dim)
            .ok()
            .and_then(|i| values.get_mut(i))
            .ok_or_else(|| bad("dimension index", dim.to_string()))?;
        let count = u64::try_from(n).map_err(|_| bad("count", n.to_string()))?;
        if prefix
            .as_deref()
            .is_none_or(|p| starts_with_ignore_case(&value, p))
        {
            slot.1.push(DimensionCount { value, count });
        }
    }
    for (_, list) in &mut values {
        list.truncate(query.per_dim_limit);
    }
    Ok(Dimensions { values })
}

/// `value` starts with `lower_prefix` (already lowercased), ignoring case: the memory store's
/// rule, so both stores answer the same.
fn starts_with_ignore_case(value: &str, lower_prefix: &str) -> bool {
    if value.is_ascii() && lower_prefix.is_ascii() {
        value.len() >= lower_prefix.len()
            && value.as_bytes()[..lower_prefix.len()].eq_ignore_ascii_case(lower_prefix.as_bytes())
    } else {
        value.to_lowercase().starts_with(lower_prefix)
    }
}

#[cfg(test)]
mod tests {
    use aurum_ports::{CurveFilters, DimValue};

    use super::*;

    #[test]
    fn each_dimension_is_counted_without_its_own_filter() {
        let q = DimensionsQuery {
            filters: CurveFilters {
                iso: Some(DimValue::parse("PJM").unwrap()),
                ..Default::default()
            },
            asof: None,
            per_dim_limit: 5,
            prefix: None,
        };
        let s = dimensions_statement(&q);
        assert!(s.sql.contains(
            "(SELECT 1 AS dim, iso AS value, count(*) AS n FROM curve_observation WHERE iso IS \
             NOT NULL GROUP BY iso ORDER BY n DESC, iso LIMIT $2::int8)"
        ));
        assert!(
            s.sql
                .contains("WHERE block IS NOT NULL AND iso = $1::text GROUP BY block")
        );
        assert_eq!(s.sql.matches(" UNION ALL ").count(), 6);
    }

    #[test]
    fn a_prefix_is_escaped_and_lets_non_ascii_values_through_to_the_exact_test() {
        let q = DimensionsQuery {
            filters: CurveFilters::default(),
            asof: None,
            per_dim_limit: 5,
            prefix: Some("ON_".to_owned()),
        };
        let s = dimensions_statement(&q);
        assert_eq!(s.args, [Arg::Text("on\\_%".to_owned())]);
        assert!(
            s.sql.contains(
                "(lower(block) LIKE $1::text OR octet_length(block) <> char_length(block))"
            )
        );
        assert!(!s.sql.contains("LIMIT"));
    }

    #[test]
    fn the_exact_prefix_test_folds_case_like_the_memory_store() {
        assert!(starts_with_ignore_case("WESTERN HUB", "we"));
        assert!(starts_with_ignore_case("\u{212a}ELVIN", "ke"));
        assert!(starts_with_ignore_case("Ärger", "är"));
        assert!(!starts_with_ignore_case("West", "wez"));
    }
}
