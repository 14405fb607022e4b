//! Building blocks of the scenario statements: arguments bound as numbered, explicitly cast
//! placeholders (user values never enter the SQL text), keyset page conditions and the page a
//! look-ahead row closes.

use aurum_ports::page::{Direction, Page, PageRequest};
use aurum_ports::{StoreError, TenantId};
use tokio_postgres::types::{ToSql, Type};

/// The arguments of one statement.
#[derive(Default)]
pub(super) struct Params {
    values: Vec<(Box<dyn ToSql + Sync + Send>, Type)>,
}

impl Params {
    /// Binds `value` as `ty`; returns its placeholder with the cast (`$3::uuid`).
    pub(super) fn bind<T: ToSql + Sync + Send + 'static>(&mut self, value: T, ty: Type) -> String {
        let placeholder = format!("${}::{}", self.values.len() + 1, ty.name());
        self.values.push((Box::new(value), ty));
        placeholder
    }

    /// The arguments for `query_typed`.
    pub(super) fn typed(&self) -> Vec<(&(dyn ToSql + Sync), Type)> {
        self.values
            .iter()
            .map(|(v, t)| (v.as_ref() as &(dyn ToSql + Sync), t.clone()))
            .collect()
    }
}

/// The `WHERE` conjuncts of a statement.
#[derive(Default)]
pub(super) struct Conditions(Vec<String>);

impl Conditions {
    /// Starts with the tenant's own rows (row-level security says the same; the explicit
    /// condition lets the planner use the tenant-leading indexes).
    pub(super) fn tenant(params: &mut Params, column: &str, tenant: &TenantId) -> Self {
        let p = params.bind(tenant.as_str().to_owned(), Type::TEXT);
        Self(vec![format!("{column} = {p}")])
    }

    /// Adds one conjunct.
    pub(super) fn push(&mut self, condition: String) {
        self.0.push(condition);
    }

    /// `c1 AND c2 …`.
    pub(super) fn sql(&self) -> String {
        self.0.join(" AND ")
    }
}

/// `LIMIT` of a page statement: one look-ahead row beyond `limit`.
///
/// # Errors
/// [`StoreError::InvalidQuery`] for a limit that does not fit a `bigint`.
pub(super) fn look_ahead<K>(page: &PageRequest<K>) -> Result<i64, StoreError> {
    i64::try_from(page.limit)
        .ok()
        .and_then(|l| l.checked_add(1))
        .ok_or_else(|| StoreError::InvalidQuery("page limit is too large".to_owned()))
}

/// The comparison and sort direction of a keyset page over a descending order (`newest
/// first`): Forward pages go to smaller keys.
pub(super) fn descending(direction: Direction) -> (&'static str, &'static str) {
    match direction {
        Direction::Forward => ("<", "DESC"),
        Direction::Backward => (">", "ASC"),
    }
}

/// The same for an ascending order.
pub(super) fn ascending(direction: Direction) -> (&'static str, &'static str) {
    match direction {
        Direction::Forward => (">", "ASC"),
        Direction::Backward => ("<", "DESC"),
    }
}

/// The page from `items` fetched with one look-ahead row in the direction of travel; a
/// Backward page is put back in canonical order.
pub(super) fn page<T>(mut items: Vec<T>, limit: usize, direction: Direction) -> Page<T> {
    let has_more = items.len() > limit;
    items.truncate(limit);
    if direction == Direction::Backward {
        items.reverse();
    }
    Page { items, has_more }
}

/// A keyset id that must be a uuid.
///
/// # Errors
/// [`StoreError::InvalidQuery`] when it is not.
pub(super) fn keyset_uuid(raw: &str) -> Result<uuid::Uuid, StoreError> {
    uuid::Uuid::parse_str(raw)
        .map_err(|_| StoreError::InvalidQuery("the page cursor's id is not a uuid".to_owned()))
}

/// A `std` duration as a `chrono` one.
///
/// # Errors
/// [`StoreError::InvalidQuery`] when it is out of range.
pub(super) fn duration(d: std::time::Duration) -> Result<chrono::TimeDelta, StoreError> {
    chrono::TimeDelta::from_std(d)
        .map_err(|_| StoreError::InvalidQuery("duration is out of range".to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_and_cast() {
        let mut p = Params::default();
        assert_eq!(p.bind("a".to_owned(), Type::TEXT), "$1::text");
        assert_eq!(p.bind(uuid::Uuid::nil(), Type::UUID), "$2::uuid");
        assert_eq!(p.typed().len(), 2);
    }

    #[test]
    fn a_backward_page_is_returned_in_canonical_order() {
        let p = page(vec![3, 2, 1], 2, Direction::Backward);
        assert_eq!(p.items, vec![2, 3]);
        assert!(p.has_more);
    }
}
