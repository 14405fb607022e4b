//! Diff statement: the rows of `asof_a` joined with the rows of `asof_b` on
//! `(curve_key, tenor_label)`, the filters applied to both sides, ordered and paged by
//! `(curve_key, tenor_label)` (bytewise: the columns are `COLLATE "C"`).

use aurum_ports::{DiffQuery, Direction};

use super::sql::{Arg, Builder, Statement, asof_rank, limit_plus_one, select_list, where_clause};

/// The statement of [`CurveStore::diff`](aurum_ports::CurveStore::diff): placeholders
/// `asof_rank` of `asof_a`, `asof_b`, the present filters (shared by both sides), the keyset
/// (`curve_key`, `tenor_label`) and `LIMIT`. The 26 columns of side a come first, then b's.
pub(super) fn diff_statement(query: &DiffQuery) -> Statement {
    let mut b = Builder::new();
    let rank_a = b.bind(Arg::Int4(asof_rank(query.asof_a)));
    let date_b = b.bind(Arg::Date(query.asof_b));
    b.bind_filters(&query.filters);
    let mut conditions = vec![
        format!("a.asof_rank = {rank_a}"),
        format!("b.asof_date = {date_b}"),
    ];
    conditions.extend(b.filter_conditions(Some("a"), None));
    conditions.extend(b.filter_conditions(Some("b"), None));
    if let Some((direction, key)) = &query.page.position {
        let op = match direction {
            Direction::Forward => ">",
            Direction::Backward => "<",
        };
        let curve = b.bind(Arg::Text(key.curve_key.as_str().to_owned()));
        let label = b.bind(Arg::Text(key.tenor_label.to_string()));
        conditions.push(format!(
            "(a.curve_key, a.tenor_label) {op} ({curve}, {label})"
        ));
    }
    let order = match query.page.direction() {
        Direction::Forward => "a.curve_key, a.tenor_label",
        Direction::Backward => "a.curve_key DESC, a.tenor_label DESC",
    };
    let limit = b.bind(limit_plus_one(query.page.limit));
    let sql = format!(
        "SELECT {}, {} FROM curve_observation a JOIN curve_observation b \
         ON b.curve_key = a.curve_key AND b.tenor_label = a.tenor_label{} \
         ORDER BY {order} LIMIT {limit}",
        select_list(Some("a")),
        select_list(Some("b")),
        where_clause(&conditions),
    );
    b.finish(sql)
}
