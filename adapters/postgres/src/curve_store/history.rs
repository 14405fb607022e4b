//! History statement: one curve and tenor label across pricing dates, newest first, served by
//! the primary key `(curve_key, tenor_label, asof_date)` read in either direction.

use aurum_ports::{Direction, HistoryQuery};

use super::sql::{Arg, Builder, Statement, limit_plus_one, select_list, where_clause};

/// The statement of [`CurveStore::history`](aurum_ports::CurveStore::history): placeholders
/// `curve_key`, `tenor_label`, then the present `from`, `to`, keyset `asof_date`, and `LIMIT`.
pub(super) fn history_statement(query: &HistoryQuery) -> Statement {
    let mut b = Builder::new();
    let curve = b.bind(Arg::Text(query.curve_key.as_str().to_owned()));
    let label = b.bind(Arg::Text(query.tenor_label.to_string()));
    let mut conditions = vec![
        format!("curve_key = {curve}"),
        format!("tenor_label = {label}"),
    ];
    if let Some(from) = query.from {
        conditions.push(format!("asof_date >= {}", b.bind(Arg::Date(from))));
    }
    if let Some(to) = query.to {
        conditions.push(format!("asof_date <= {}", b.bind(Arg::Date(to))));
    }
    // Newest first: Forward travels to older dates, Backward to newer ones.
    if let Some((direction, key)) = &query.page.position {
        let op = match direction {
            Direction::Forward => "<",
            Direction::Backward => ">",
        };
        let boundary = b.bind(Arg::Date(key.asof_date));
        conditions.push(format!("asof_date {op} {boundary}"));
    }
    let order = match query.page.direction() {
        Direction::Forward => "DESC",
        Direction::Backward => "ASC",
    };
    let limit = b.bind(limit_plus_one(query.page.limit));
    let sql = format!(
        "SELECT {} FROM curve_observation{} ORDER BY asof_date {order} LIMIT {limit}",
        select_list(None),
        where_clause(&conditions),
    );
    b.finish(sql)
}
