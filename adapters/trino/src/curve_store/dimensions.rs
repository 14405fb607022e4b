//! Dimension counts: the case-insensitive prefix, made exact in Rust after a SQL condition that
//! both engines evaluate as a superset of the matches.
//!
//! The answer must equal the memory store's, which compares `str::to_lowercase`. Trino's
//! `lower()` folds all of Unicode, PostgreSQL's (on the table's `COLLATE "C"` columns) folds
//! ASCII only, so neither is the reference. For an ASCII prefix the SQL condition is
//! `lower(replace(replace(v, 'K', 'k'), 'İ', 'i')) LIKE 'prefix%' ESCAPE '\'`: U+212A KELVIN
//! SIGN and U+0130 are the only non-ASCII characters whose lowercase starts with an ASCII
//! letter (checked by a test over every `char`), so every value that matches exactly matches
//! this in both engines; the exact test and `per_dim_limit` then run here. A prefix with
//! non-ASCII characters gets no SQL condition and no SQL limit (every value comes back).

use aurum_ports::{
    CurveFilters, Dimension, DimensionCount, Dimensions, DimensionsQuery, StoreError,
};

use crate::sql::{LiteralError, varchar};
use crate::types::TrinoValue;

/// The lowercased prefix that filters values, if any (an empty prefix filters nothing).
pub(super) fn lower_prefix(query: &DimensionsQuery) -> Option<String> {
    query
        .prefix
        .as_deref()
        .filter(|p| !p.is_empty())
        .map(str::to_lowercase)
}

/// `LIKE` pattern for values starting with `prefix`: `\`, `%` and `_` escaped with `\`.
pub(super) fn like_prefix(prefix: &str) -> String {
    let mut pattern = String::with_capacity(prefix.len() + 2);
    for c in prefix.chars() {
        if matches!(c, '\\' | '%' | '_') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The SQL of `query` on `table`.
pub(super) fn statement(table: &str, query: &DimensionsQuery) -> Result<String, LiteralError> {
    let filters: &CurveFilters = &query.filters;
    match lower_prefix(query) {
        None => super::statements::dimensions(
            table,
            filters,
            query.asof,
            None,
            Some(query.per_dim_limit),
        ),
        Some(p) if p.is_ascii() => {
            let pattern = varchar(&like_prefix(&p))?;
            let condition = move |column: &str| -> Result<String, LiteralError> {
                Ok(format!(
                    "lower(replace(replace({column}, {}, 'k'), {}, 'i')) LIKE {pattern} ESCAPE '\\'",
                    varchar("\u{212a}")?,
                    varchar("\u{130}")?
                ))
            };
            super::statements::dimensions(table, filters, query.asof, Some(&condition), None)
        }
        Some(_) => super::statements::dimensions(table, filters, query.asof, None, None),
    }
}

/// The answer from the rows `(dim_index, dim_value, dim_count)`.
pub(super) fn collect(
    rows: &[Vec<TrinoValue>],
    query: &DimensionsQuery,
) -> Result<Dimensions, StoreError> {
    let prefix = lower_prefix(query);
    let mut values: Vec<(Dimension, Vec<DimensionCount>)> =
        Dimension::ALL.iter().map(|&d| (d, Vec::new())).collect();
    let bad = |row: &Vec<TrinoValue>| {
        StoreError::Unexpected(format!("unexpected dimension row {row:?}").into())
    };
    for row in rows {
        let [
            TrinoValue::Integer(dim),
            TrinoValue::Varchar(value),
            TrinoValue::Integer(n),
        ] = row.as_slice()
        else {
            return Err(bad(row));
        };
        let slot = usize::try_from(*dim)
            .ok()
            .and_then(|i| values.get_mut(i))
            .ok_or_else(|| bad(row))?;
        let count = u64::try_from(*n).map_err(|_| bad(row))?;
        if prefix
            .as_deref()
            .is_none_or(|p| starts_with_ignore_case(value, p))
        {
            slot.1.push(DimensionCount {
                value: value.clone(),
                count,
            });
        }
    }
    for (_, list) in &mut values {
        list.truncate(query.per_dim_limit);
    }
    Ok(Dimensions { values })
}

/// `value` starts with `lower_prefix` (already lowercased), ignoring case as the memory store
/// does.
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
    use super::*;

    #[test]
    fn only_kelvin_and_dotted_capital_i_lowercase_to_ascii_from_outside_it() {
        let mut found: Vec<char> = (0..=u32::from(char::MAX))
            .filter_map(char::from_u32)
            .filter(|c| !c.is_ascii() && c.to_lowercase().next().is_some_and(|l| l.is_ascii()))
            .collect();
        found.sort_unstable();
        assert_eq!(found, ['\u{130}', '\u{212a}']);
    }

    #[test]
    fn like_prefix_escapes_every_metacharacter() {
        assert_eq!(like_prefix("on_"), "on\\_%");
        assert_eq!(like_prefix("50%\\x"), "50\\%\\\\x%");
    }

    #[test]
    fn an_ascii_prefix_is_filtered_in_sql_and_a_non_ascii_one_is_not() {
        let q = |prefix: &str| DimensionsQuery {
            filters: CurveFilters::default(),
            asof: None,
            per_dim_limit: 5,
            prefix: Some(prefix.to_owned()),
        };
        let sql = statement("t", &q("ON_")).unwrap();
        assert!(sql.contains("LIKE 'on\\_%' ESCAPE '\\'"), "{sql}");
        assert!(!sql.contains("LIMIT"));
        let sql = statement("t", &q("Är")).unwrap();
        assert!(!sql.contains("LIKE") && !sql.contains("LIMIT"), "{sql}");
        let sql = statement("t", &q("")).unwrap();
        assert!(sql.contains("LIMIT 5"));
    }

    #[test]
    fn the_exact_prefix_test_folds_case_like_the_memory_store() {
        assert!(starts_with_ignore_case("WESTERN HUB", "we"));
        assert!(starts_with_ignore_case("\u{212a}ELVIN", "ke"));
        assert!(starts_with_ignore_case("Ärger", "är"));
        assert!(!starts_with_ignore_case("West", "wez"));
    }

    #[test]
    fn rows_are_grouped_filtered_and_limited() {
        let q = DimensionsQuery {
            filters: CurveFilters::default(),
            asof: None,
            per_dim_limit: 1,
            prefix: Some("p".to_owned()),
        };
        let row = |d: i64, v: &str, n: i64| {
            vec![
                TrinoValue::Integer(d),
                TrinoValue::Varchar(v.to_owned()),
                TrinoValue::Integer(n),
            ]
        };
        let dims = collect(
            &[row(1, "PJM", 9), row(1, "pjm2", 3), row(1, "ERCOT", 2)],
            &q,
        )
        .unwrap();
        assert_eq!(dims.values.len(), 7);
        assert_eq!(
            dims.values[1].1,
            [DimensionCount {
                value: "PJM".to_owned(),
                count: 9
            }]
        );
        assert!(collect(&[row(9, "x", 1)], &q).is_err());
        assert!(collect(&[vec![TrinoValue::Null]], &q).is_err());
    }
}
