//! SQL text and arguments of the curve queries. User values only ever travel as numbered
//! arguments with an explicit cast (`$3::text`); the only text formatted into SQL is fixed
//! column names from this module.

use std::fmt;

use aurum_ports::{CurveFilters, Dimension};
use chrono::NaiveDate;
use postgres_types::{Date, ToSql, Type};

/// The stored columns of `curve_observation` in the order every query selects them (the
/// generated `asof_rank` / `month_rank` are never selected).
pub(super) const COLUMNS: [&str; 26] = [
    "asof_date",
    "source_file",
    "sheet_name",
    "asset_class",
    "region",
    "iso",
    "location",
    "market",
    "product",
    "block",
    "spark_location",
    "price_type",
    "units_raw",
    "currency",
    "per_unit",
    "tenor_type",
    "contract_month",
    "tenor_label",
    "value",
    "bid",
    "ask",
    "mid",
    "curve_key",
    "version_hash",
    "ingest_ts",
    "origin",
];

/// The canonical list order as one all-ascending key (migration 0001).
pub(super) const CANONICAL: [&str; 4] = ["asof_rank", "curve_key", "month_rank", "tenor_label"];

/// `COLUMNS` as a select list, each prefixed with `alias.` when given.
pub(super) fn select_list(alias: Option<&str>) -> String {
    let prefix = alias.map(|a| format!("{a}.")).unwrap_or_default();
    COLUMNS
        .iter()
        .map(|c| format!("{prefix}{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `asof_rank` of a pricing date: days before 2000-01-01, so that newer dates rank first.
pub(super) fn asof_rank(asof: NaiveDate) -> i32 {
    let epoch = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(NaiveDate::MIN);
    let days = epoch.signed_duration_since(asof).num_days();
    // Every `NaiveDate` is within ±2^31 days of 2000, so this never saturates in practice.
    i32::try_from(days).unwrap_or(if days < 0 { i32::MIN } else { i32::MAX })
}

/// One statement argument. Its text form ([`fmt::Display`]) is what PostgreSQL would parse for
/// the cast the statement puts on it, so a benchmark can bind it as text (`pgbench -M extended`).
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// `text`
    Text(String),
    /// `int4`
    Int4(i32),
    /// `int8`
    Int8(i64),
    /// `date`
    Date(NaiveDate),
    /// `date` that may be `infinity` (the `month_rank` of a row without a contract month).
    MonthRank(Date<NaiveDate>),
}

impl Arg {
    /// The SQL type the statement casts this argument to.
    pub fn sql_type(&self) -> &'static str {
        match self {
            Self::Text(_) => "text",
            Self::Int4(_) => "int4",
            Self::Int8(_) => "int8",
            Self::Date(_) | Self::MonthRank(_) => "date",
        }
    }

    /// The driver type of [`Arg::sql_type`].
    pub(super) fn pg_type(&self) -> Type {
        match self {
            Self::Text(_) => Type::TEXT,
            Self::Int4(_) => Type::INT4,
            Self::Int8(_) => Type::INT8,
            Self::Date(_) | Self::MonthRank(_) => Type::DATE,
        }
    }

    /// The argument as a driver parameter.
    pub(super) fn as_param(&self) -> &(dyn ToSql + Sync) {
        match self {
            Self::Text(v) => v,
            Self::Int4(v) => v,
            Self::Int8(v) => v,
            Self::Date(v) => v,
            Self::MonthRank(v) => v,
        }
    }
}

impl fmt::Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Text(v) => f.write_str(v),
            Self::Int4(v) => write!(f, "{v}"),
            Self::Int8(v) => write!(f, "{v}"),
            Self::Date(v) | Self::MonthRank(Date::Value(v)) => write!(f, "{v}"),
            Self::MonthRank(Date::PosInfinity) => f.write_str("infinity"),
            Self::MonthRank(Date::NegInfinity) => f.write_str("-infinity"),
        }
    }
}

/// One SQL statement and its arguments (`$1` is `args[0]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// The SQL text, with numbered, explicitly cast placeholders.
    pub sql: String,
    /// The arguments, in placeholder order.
    pub args: Vec<Arg>,
}

impl Statement {
    /// The arguments as driver parameters.
    pub(super) fn params(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.args.iter().map(Arg::as_param).collect()
    }

    /// The arguments with their types, for an unnamed statement.
    pub(super) fn typed_params(&self) -> Vec<(&(dyn ToSql + Sync), Type)> {
        self.args
            .iter()
            .map(|a| (a.as_param(), a.pg_type()))
            .collect()
    }
}

/// A filter bound to a placeholder: `column = placeholder`.
struct BoundFilter {
    column: &'static str,
    /// The dimension it filters (`None` for `curve_key`, which is not a counted dimension).
    dim: Option<Dimension>,
    placeholder: String,
}

/// Collects arguments while SQL text is assembled.
#[derive(Default)]
pub(super) struct Builder {
    args: Vec<Arg>,
    filters: Vec<BoundFilter>,
}

impl Builder {
    pub(super) fn new() -> Self {
        Self::default()
    }

    /// Adds an argument; returns its cast placeholder (`$n::type`).
    pub(super) fn bind(&mut self, arg: Arg) -> String {
        let placeholder = format!("${}::{}", self.args.len() + 1, arg.sql_type());
        self.args.push(arg);
        placeholder
    }

    /// Binds every present filter once, so that several conditions (both sides of a diff, the
    /// branches of a dimensions query) can share its placeholder.
    pub(super) fn bind_filters(&mut self, filters: &CurveFilters) {
        let text = |v: &aurum_ports::DimValue| Arg::Text(v.as_str().to_owned());
        let present: [(&'static str, Option<Dimension>, Option<Arg>); 8] = [
            (
                "curve_key",
                None,
                filters
                    .curve_key
                    .as_ref()
                    .map(|k| Arg::Text(k.as_str().to_owned())),
            ),
            (
                "asset_class",
                Some(Dimension::AssetClass),
                filters
                    .asset_class
                    .map(|a| Arg::Text(a.as_str().to_owned())),
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
                filters.tenor_type.map(|t| Arg::Text(t.as_str().to_owned())),
            ),
        ];
        for (column, dim, arg) in present {
            if let Some(arg) = arg {
                let placeholder = self.bind(arg);
                self.filters.push(BoundFilter {
                    column,
                    dim,
                    placeholder,
                });
            }
        }
    }

    /// The conditions of the bound filters on table `alias` (if any), leaving out the one on
    /// `skip`.
    pub(super) fn filter_conditions(
        &self,
        alias: Option<&str>,
        skip: Option<Dimension>,
    ) -> Vec<String> {
        let prefix = alias.map(|a| format!("{a}.")).unwrap_or_default();
        self.filters
            .iter()
            .filter(|f| skip.is_none() || f.dim != skip)
            .map(|f| format!("{prefix}{} = {}", f.column, f.placeholder))
            .collect()
    }

    /// The statement with `sql` and the arguments bound so far.
    pub(super) fn finish(self, sql: String) -> Statement {
        Statement {
            sql,
            args: self.args,
        }
    }
}

/// ` WHERE a AND b …`, or nothing when there is no condition.
pub(super) fn where_clause(conditions: &[String]) -> String {
    if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    }
}

/// `LIMIT` argument for `limit` rows plus one (the look-ahead row that makes `has_more` exact).
pub(super) fn limit_plus_one(limit: usize) -> Arg {
    Arg::Int8(i64::try_from(limit.saturating_add(1)).unwrap_or(i64::MAX))
}

/// `prefix` as a `LIKE` pattern matching values that start with it: `\`, `%` and `_` are
/// escaped (with the default escape character, `\`), then `%` is appended.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_prefix_escapes_every_metacharacter() {
        assert_eq!(like_prefix("on_"), "on\\_%");
        assert_eq!(like_prefix("50%\\x"), "50\\%\\\\x%");
        assert_eq!(like_prefix(""), "%");
    }

    #[test]
    fn newer_dates_rank_lower() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(asof_rank(d(2000, 1, 1)), 0);
        assert_eq!(asof_rank(d(2000, 1, 2)), -1);
        assert!(asof_rank(d(2025, 1, 6)) < asof_rank(d(2024, 12, 31)));
    }

    #[test]
    fn arguments_print_as_postgresql_parses_them() {
        let d = NaiveDate::from_ymd_opt(2025, 1, 6).unwrap();
        assert_eq!(Arg::Date(d).to_string(), "2025-01-06");
        assert_eq!(Arg::MonthRank(Date::PosInfinity).to_string(), "infinity");
        assert_eq!(Arg::Int4(-9137).to_string(), "-9137");
    }

    #[test]
    fn a_skipped_dimension_loses_only_its_own_condition() {
        let mut b = Builder::new();
        b.bind_filters(&CurveFilters {
            iso: Some(aurum_ports::DimValue::parse("PJM").unwrap()),
            block: Some(aurum_ports::DimValue::parse("ON_PEAK").unwrap()),
            ..Default::default()
        });
        assert_eq!(
            b.filter_conditions(Some("a"), Some(Dimension::Iso)),
            ["a.block = $2::text"]
        );
        assert_eq!(
            b.filter_conditions(None, None),
            ["iso = $1::text", "block = $2::text"]
        );
    }
}
