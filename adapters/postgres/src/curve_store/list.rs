//! List (and export) statements: the filters as equality conditions, `asof` and the keyset as
//! conditions on the generated all-ascending sort key `(asof_rank, curve_key, month_rank,
//! tenor_label)`, so that one btree index range answers a page in canonical order.

use aurum_ports::{CurveFilters, Direction, ListQuery, Page};
use chrono::NaiveDate;
use postgres_types::Date;

use super::sql::{
    Arg, Builder, CANONICAL, Statement, asof_rank, limit_plus_one, select_list, where_clause,
};

/// The single statement [`CurveStore::list`](aurum_ports::CurveStore::list) runs for `query`.
///
/// Placeholders, in order: the present filters (`curve_key`, `asset_class`, `iso`, `location`,
/// `market`, `product`, `block`, `tenor_type`, each `text`), `asof` as its `asof_rank`
/// (`int4`), the keyset (`asof_rank int4, curve_key text, month_rank date, tenor_label text`,
/// `month_rank` = `infinity` for a keyset without a contract month), then `LIMIT` (`int8`,
/// the page size plus one). A Backward page is selected in descending order and reversed by the
/// caller. The adapter runs it as an unnamed statement (a plan for each execution's values);
/// the same text with the arguments bound as text reproduces it exactly (`pgbench -M extended`
/// with each `$n` written as a `:variable` given by `-D`).
pub fn list_statement(query: &ListQuery) -> Statement {
    let (mut b, mut conditions) = filtered(&query.filters, query.asof);
    if let Some((direction, key)) = &query.page.position {
        let rank = b.bind(Arg::Int4(asof_rank(key.asof_date)));
        let curve = b.bind(Arg::Text(key.curve_key.as_str().to_owned()));
        let month = b.bind(Arg::MonthRank(
            key.contract_month.map_or(Date::PosInfinity, Date::Value),
        ));
        let label = b.bind(Arg::Text(key.tenor_label.to_string()));
        let op = match direction {
            Direction::Forward => ">",
            Direction::Backward => "<",
        };
        conditions.push(format!(
            "({}) {op} ({rank}, {curve}, {month}, {label})",
            CANONICAL.join(", ")
        ));
    }
    let limit = b.bind(limit_plus_one(query.page.limit));
    let sql = format!(
        "SELECT {} FROM curve_observation{}{} LIMIT {limit}",
        select_list(None),
        where_clause(&conditions),
        order_by(query.page.direction()),
    );
    b.finish(sql)
}

/// The SQL text of [`list_statement`].
pub fn list_sql(query: &ListQuery) -> String {
    list_statement(query).sql
}

/// Every row matching the filters and `asof`, in canonical order (for export).
pub(super) fn scan_statement(filters: &CurveFilters, asof: Option<NaiveDate>) -> Statement {
    let (b, conditions) = filtered(filters, asof);
    let sql = format!(
        "SELECT {} FROM curve_observation{}{}",
        select_list(None),
        where_clause(&conditions),
        order_by(Direction::Forward),
    );
    b.finish(sql)
}

/// A builder with the filters and `asof` bound, and their conditions.
fn filtered(filters: &CurveFilters, asof: Option<NaiveDate>) -> (Builder, Vec<String>) {
    let mut b = Builder::new();
    b.bind_filters(filters);
    let mut conditions = b.filter_conditions(None, None);
    if let Some(asof) = asof {
        let rank = b.bind(Arg::Int4(asof_rank(asof)));
        conditions.push(format!("asof_rank = {rank}"));
    }
    (b, conditions)
}

/// ` ORDER BY` the canonical key, ascending for Forward and descending for Backward.
fn order_by(direction: Direction) -> String {
    let suffix = match direction {
        Direction::Forward => "",
        Direction::Backward => " DESC",
    };
    let keys: Vec<String> = CANONICAL.iter().map(|c| format!("{c}{suffix}")).collect();
    format!(" ORDER BY {}", keys.join(", "))
}

/// The page from `items` fetched with `limit + 1` rows in the direction of travel: the
/// look-ahead row sets `has_more`; a Backward page is put back in canonical order.
pub(super) fn page<T>(mut items: Vec<T>, limit: usize, direction: Direction) -> Page<T> {
    let has_more = items.len() > limit;
    items.truncate(limit);
    if direction == Direction::Backward {
        items.reverse();
    }
    Page { items, has_more }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use aurum_ports::{CurveKey, DimValue, ListKeyset, PageRequest};

    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_first_page_without_filters_is_an_ordered_limit() {
        let q = ListQuery {
            filters: CurveFilters::default(),
            asof: None,
            page: PageRequest::first(100),
        };
        let s = list_statement(&q);
        assert!(s.sql.ends_with(
            "FROM curve_observation ORDER BY asof_rank, curve_key, month_rank, tenor_label \
             LIMIT $1::int8"
        ));
        assert_eq!(s.args, [Arg::Int8(101)]);
    }

    #[test]
    fn a_backward_page_compares_the_row_value_and_orders_descending() {
        let q = ListQuery {
            filters: CurveFilters {
                iso: Some(DimValue::parse("PJM").unwrap()),
                ..Default::default()
            },
            asof: Some(date(2025, 1, 6)),
            page: PageRequest {
                limit: 7,
                position: Some((
                    Direction::Backward,
                    ListKeyset {
                        asof_date: date(2025, 1, 6),
                        curve_key: CurveKey::parse("k").unwrap(),
                        contract_month: None,
                        tenor_label: Arc::from("BALMO"),
                    },
                )),
            },
        };
        let s = list_statement(&q);
        assert!(s.sql.contains(
            " WHERE iso = $1::text AND asof_rank = $2::int4 AND (asof_rank, curve_key, \
             month_rank, tenor_label) < ($3::int4, $4::text, $5::date, $6::text) ORDER BY \
             asof_rank DESC, curve_key DESC, month_rank DESC, tenor_label DESC LIMIT $7::int8"
        ));
        let text: Vec<String> = s.args.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            ["PJM", "-9137", "-9137", "k", "infinity", "BALMO", "8"]
        );
    }

    #[test]
    fn a_backward_page_is_returned_in_canonical_order() {
        let p = page(vec![5, 4, 3], 2, Direction::Backward);
        assert_eq!((p.items, p.has_more), (vec![4, 5], true));
        let p = page(vec![1, 2], 2, Direction::Forward);
        assert_eq!((p.items, p.has_more), (vec![1, 2], false));
    }
}
