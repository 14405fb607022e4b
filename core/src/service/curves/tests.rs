//! Service tests against a mocked store: guardrails stop bad requests before the store, store
//! errors pass through untouched, and cursors lead exactly where the keysets say.

use std::sync::Arc;

use aurum_ports::curve_store::MockCurveStore;
use aurum_ports::{
    AssetClass, CurveFilters, CurveKey, CurveObservation, Direction, ListKeyset, Page, PriceType,
    RowOrigin, StoreError, TenorType,
};
use chrono::{DateTime, NaiveDate};
use futures::executor::block_on;

use super::*;

fn codec() -> CursorCodec {
    CursorCodec::new(b"test").unwrap()
}

fn obs(day: u32, label: &str) -> CurveObservation {
    CurveObservation {
        asof_date: NaiveDate::from_ymd_opt(2026, 11, day).unwrap(),
        source_file: Arc::from(""),
        sheet_name: Arc::from(""),
        asset_class: AssetClass::Power,
        region: None,
        iso: Some(Arc::from("PJM")),
        location: None,
        market: None,
        product: None,
        block: None,
        spark_location: None,
        price_type: PriceType::Mid,
        units_raw: Arc::from("$/MWh"),
        currency: None,
        per_unit: None,
        tenor_type: TenorType::Monthly,
        contract_month: None,
        tenor_label: Arc::from(label),
        value: Some(1.0),
        bid: None,
        ask: None,
        mid: Some(1.0),
        curve_key: CurveKey::parse("k").unwrap(),
        version_hash: Arc::from(""),
        ingest_ts: DateTime::from_timestamp(0, 0).unwrap(),
        origin: RowOrigin::Ingested,
    }
}

fn request(limit: usize, cursor: Option<String>) -> ListRequest {
    ListRequest {
        filters: CurveFilters::default(),
        asof: None,
        limit,
        cursor,
    }
}

#[test]
fn diff_values_follow_the_domain_formulas() {
    assert_eq!(diff_values(Some(50.0), Some(55.0)), (Some(5.0), Some(0.1)));
    assert_eq!(diff_values(Some(0.0), Some(5.0)), (Some(5.0), None));
    assert_eq!(diff_values(None, Some(5.0)), (None, None));
    assert_eq!(
        diff_values(Some(-10.0), Some(-5.0)),
        (Some(5.0), Some(-0.5))
    );
}

#[test]
fn guardrail_violations_never_reach_the_store() {
    let mut store = MockCurveStore::new();
    store.expect_list().never();
    store.expect_diff().never();
    let service = CurveService::new(Arc::new(store), codec());
    let err = block_on(service.list(&request(501, None))).unwrap_err();
    assert!(matches!(err, CurveQueryError::Invalid(ref p) if p[0].parameter == "limit"));
    let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
    let diff = DiffRequest {
        filters: CurveFilters::default(),
        asof_a: day(20),
        asof_b: day(20),
        limit: 10,
        cursor: None,
    };
    let err = block_on(service.diff(&diff)).unwrap_err();
    assert!(matches!(err, CurveQueryError::Invalid(ref p) if p.len() == 2));
}

#[test]
fn store_errors_pass_through_unchanged() {
    let mut store = MockCurveStore::new();
    store
        .expect_list()
        .returning(|_| Err(StoreError::Unavailable("pool timed out".into())));
    let service = CurveService::new(Arc::new(store), codec());
    let err = block_on(service.list(&request(10, None))).unwrap_err();
    assert!(matches!(
        err,
        CurveQueryError::Store(StoreError::Unavailable(_))
    ));
}

#[test]
fn a_first_page_with_more_rows_mints_only_a_next_cursor_at_its_last_row() {
    let mut store = MockCurveStore::new();
    store
        .expect_list()
        .withf(|q| q.page.limit == 2 && q.page.position.is_none())
        .returning(|_| {
            Ok(Page {
                items: vec![obs(20, "2027-01"), obs(20, "2027-02")],
                has_more: true,
            })
        });
    store
        .expect_list()
        .withf(|q| {
            matches!(&q.page.position, Some((Direction::Forward, k)) if &*k.tenor_label == "2027-02")
        })
        .returning(|_| Ok(Page { items: vec![obs(19, "2027-01")], has_more: false }));
    let service = CurveService::new(Arc::new(store), codec());
    let first = block_on(service.list(&request(2, None))).unwrap();
    assert!(first.prev_cursor.is_none());
    let next = first.next_cursor.expect("more rows follow");
    let second = block_on(service.list(&request(2, Some(next)))).unwrap();
    assert_eq!(second.items.len(), 1);
    assert!(
        second.next_cursor.is_none(),
        "nothing follows the last page"
    );
    let prev = second.prev_cursor.expect("page two leads back");
    let binding = filter_binding("curves.list", &CurveFilters::default());
    let (d, k): (Direction, ListKeyset) = codec().decode(&binding, &prev).unwrap();
    assert_eq!(d, Direction::Backward);
    assert_eq!(k.asof_date, NaiveDate::from_ymd_opt(2026, 11, 19).unwrap());
}

#[test]
fn strips_force_the_strip_tenor_type_on_the_store_query() {
    let mut store = MockCurveStore::new();
    store
        .expect_list()
        .withf(|q| q.filters.tenor_type == Some(TenorType::Quarter))
        .returning(|_| Ok(Page::empty()));
    let service = CurveService::new(Arc::new(store), codec());
    let mut list = request(5, None);
    list.filters.tenor_type = Some(TenorType::Monthly);
    let page = block_on(service.strips(&StripsRequest {
        strip_type: TenorType::Quarter,
        list,
    }))
    .unwrap();
    assert!(page.items.is_empty() && page.next_cursor.is_none());
}
