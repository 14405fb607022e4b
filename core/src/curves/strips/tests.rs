use aurum_ports::AssetClass;
use chrono::TimeZone as _;

use super::*;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn ts() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 2, 18, 0, 0).unwrap()
}

fn key(k: &str) -> CurveKey {
    CurveKey::parse(k).unwrap()
}

fn monthly(asof: NaiveDate, curve: &str, year: i32, month: u32, mid: f64) -> CurveObservation {
    CurveObservation {
        asof_date: asof,
        source_file: "f.csv".into(),
        sheet_name: "".into(),
        asset_class: AssetClass::Power,
        region: Some("US".into()),
        iso: Some("PJM".into()),
        location: Some("West Hub".into()),
        market: None,
        product: None,
        block: Some("ON_PEAK".into()),
        spark_location: None,
        price_type: PriceType::Settle,
        units_raw: "$/MWh".into(),
        currency: Some("USD".into()),
        per_unit: Some("MWh".into()),
        tenor_type: TenorType::Monthly,
        contract_month: Some(date(year, month, 1)),
        tenor_label: format!("{year:04}-{month:02}").into(),
        value: Some(mid),
        bid: None,
        ask: None,
        mid: Some(mid),
        curve_key: key(curve),
        version_hash: "v".into(),
        ingest_ts: ts(),
        origin: RowOrigin::Ingested,
    }
}

fn feed_year(acc: &mut StripAccumulator, asof: NaiveDate, curve: &str, year: i32) {
    for m in 1..=12 {
        acc.observe(&monthly(asof, curve, year, m, f64::from(m)));
    }
}

fn labels(rows: &[CurveObservation]) -> Vec<(String, Option<f64>)> {
    rows.iter()
        .map(|r| (r.tenor_label.to_string(), r.mid))
        .collect()
}

#[test]
fn a_complete_year_yields_a_calendar_and_four_quarters_at_the_monthly_mean() {
    let mut acc = StripAccumulator::new();
    feed_year(&mut acc, date(2026, 1, 2), "k1", 2026);
    let later = Utc.with_ymd_and_hms(2026, 1, 3, 0, 0, 0).unwrap();
    let rows = acc.finish(later);
    let expected = [
        ("Calendar 2026", 6.5),
        ("Q1 2026", 2.0),
        ("Q2 2026", 5.0),
        ("Q3 2026", 8.0),
        ("Q4 2026", 11.0),
    ];
    let expected: Vec<_> = expected
        .iter()
        .map(|(l, m)| ((*l).to_owned(), Some(*m)))
        .collect();
    assert_eq!(labels(&rows), expected);
    let q3 = &rows[3];
    assert_eq!(q3.contract_month, Some(date(2026, 7, 1)));
    assert_eq!(
        (q3.tenor_type, q3.price_type, q3.origin),
        (TenorType::Quarter, PriceType::Mid, RowOrigin::Derived)
    );
    assert_eq!((q3.value, q3.bid, q3.ask), (Some(8.0), None, None));
    assert_eq!(
        (q3.ingest_ts, q3.block.as_deref()),
        (later, Some("ON_PEAK"))
    );
    assert_eq!(rows[0].tenor_type, TenorType::Calendar);
    assert_eq!(rows[0].contract_month, Some(date(2026, 1, 1)));
}

#[test]
fn strips_need_every_month_of_their_period() {
    let mut acc = StripAccumulator::new();
    for m in [1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12] {
        acc.observe(&monthly(date(2026, 1, 2), "k1", 2026, m, 10.0));
    }
    let got: Vec<String> = labels(&acc.finish(ts()))
        .into_iter()
        .map(|(l, _)| l)
        .collect();
    assert_eq!(got, ["Q1 2026", "Q3 2026", "Q4 2026"]);
}

#[test]
fn each_side_is_averaged_over_the_months_that_have_it() {
    let mut acc = StripAccumulator::new();
    for (m, bid) in [(1, Some(10.0)), (2, Some(20.0)), (3, None)] {
        let mut row = monthly(date(2026, 1, 2), "k1", 2026, m, 30.0);
        row.bid = bid;
        acc.observe(&row);
    }
    let rows = acc.finish(ts());
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].mid, rows[0].bid, rows[0].ask),
        (Some(30.0), Some(15.0), None)
    );
}

#[test]
fn vendor_strips_win_over_derived_ones() {
    let asof = date(2026, 1, 2);
    let mut acc = StripAccumulator::new();
    feed_year(&mut acc, asof, "k1", 2026);
    acc.note_vendor_strip(asof, &key("k1"), &Arc::from("Q2 2026"));
    let mut vendor_cal = monthly(asof, "k1", 2026, 1, 99.0);
    vendor_cal.tenor_type = TenorType::Calendar;
    vendor_cal.tenor_label = "Calendar 2026".into();
    acc.observe(&vendor_cal);
    acc.note_vendor_strip(date(2026, 1, 5), &key("k1"), &Arc::from("Q3 2026"));
    let got: Vec<String> = labels(&acc.finish(ts()))
        .into_iter()
        .map(|(l, _)| l)
        .collect();
    assert_eq!(got, ["Q1 2026", "Q3 2026", "Q4 2026"]);
}

#[test]
fn groups_are_separated_by_units_and_ordered_by_group_key() {
    let mut acc = StripAccumulator::new();
    feed_year(&mut acc, date(2026, 1, 5), "k1", 2026);
    feed_year(&mut acc, date(2026, 1, 2), "k2", 2027);
    for m in 1..=3 {
        let mut row = monthly(date(2026, 1, 2), "k2", 2027, m, 100.0);
        row.currency = Some("CAD".into());
        acc.observe(&row);
    }
    assert_eq!(acc.groups(), 3);
    let rows = acc.finish(ts());
    let order: Vec<(NaiveDate, &str, Option<&str>, &str)> = rows
        .iter()
        .map(|r| {
            (
                r.asof_date,
                r.curve_key.as_str(),
                r.currency.as_deref(),
                &*r.tenor_label,
            )
        })
        .collect();
    assert_eq!(order[0], (date(2026, 1, 2), "k2", Some("CAD"), "Q1 2027"));
    assert_eq!(
        order[1],
        (date(2026, 1, 2), "k2", Some("USD"), "Calendar 2027")
    );
    assert_eq!(
        order[6],
        (date(2026, 1, 5), "k1", Some("USD"), "Calendar 2026")
    );
    assert_eq!(rows.len(), 11);
}

#[test]
fn a_later_row_for_the_same_month_replaces_the_earlier_one() {
    let mut acc = StripAccumulator::new();
    for m in 1..=3 {
        acc.observe(&monthly(date(2026, 1, 2), "k1", 2026, m, 1.0));
    }
    acc.observe(&monthly(date(2026, 1, 2), "k1", 2026, 3, 4.0));
    let rows = acc.finish(ts());
    assert_eq!(labels(&rows), [("Q1 2026".to_owned(), Some(2.0))]);
}

#[test]
fn monthly_rows_without_a_contract_month_are_ignored() {
    let mut acc = StripAccumulator::new();
    let mut row = monthly(date(2026, 1, 2), "k1", 2026, 1, 1.0);
    row.contract_month = None;
    acc.observe(&row);
    assert_eq!(acc.groups(), 0);
    assert!(acc.finish(ts()).is_empty());
}
