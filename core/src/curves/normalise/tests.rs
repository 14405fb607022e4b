use chrono::TimeZone as _;

use super::*;

/// `printf '%s' 'power|pjm|us|west hub|da|||' | sha256sum`
const PJM_WEST_DA: &str = "45ed4b8dacf37f0a57b2374b2599ffa9f2a0ba15234ca1a4051dc62e0a9f74c3";
/// `printf '%s' 'curves.csv||2026-01-02|' | sha256sum`
const CURVES_CSV_0102: &str = "30c79fb36364128739770bea39240d015e52cf97913995d22fa0e2921d2dcc85";
/// `printf '%s' 'vendor.csv|Sheet1|2026-01-02|' | sha256sum`
const VENDOR_SHEET1_0102: &str = "3a8d75a38008b65077265e0504208918f45b3bbc4ec342bc177547c7fcda731e";

fn ctx() -> IngestContext {
    IngestContext::new(
        "curves.csv",
        Utc.with_ymd_and_hms(2026, 1, 2, 18, 0, 0).unwrap(),
    )
}

fn row(cells: &[(&str, &str)]) -> RawCurveRow {
    let mut raw = RawCurveRow::default();
    for (column, value) in cells {
        *raw.slot_mut(column).unwrap() = Some((*value).to_owned());
    }
    raw
}

fn base() -> RawCurveRow {
    row(&[
        ("asof_date", "2026-01-02"),
        ("asset_class", "Power"),
        ("iso", " PJM "),
        ("location", "West  Hub"),
        ("market", "DA"),
        ("units_raw", "$/MWh"),
        ("tenor_label", "Jan 2026"),
        ("value", "45.5"),
    ])
}

fn with(mut raw: RawCurveRow, cells: &[(&str, Option<&str>)]) -> RawCurveRow {
    for (column, value) in cells {
        *raw.slot_mut(column).unwrap() = value.map(str::to_owned);
    }
    raw
}

fn normalise(raw: &RawCurveRow) -> Result<CurveObservation, QuarantineReason> {
    Normaliser::embedded().unwrap().normalise(raw, &ctx())
}

fn reason(raw: &RawCurveRow) -> String {
    normalise(raw).unwrap_err().to_string()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn a_complete_row_becomes_the_expected_observation() {
    let obs = normalise(&base()).unwrap();
    let expected = CurveObservation {
        asof_date: date(2026, 1, 2),
        source_file: "curves.csv".into(),
        sheet_name: "".into(),
        asset_class: AssetClass::Power,
        region: Some("US".into()),
        iso: Some("PJM".into()),
        location: Some("West  Hub".into()),
        market: Some("DA".into()),
        product: None,
        block: None,
        spark_location: None,
        price_type: PriceType::Mid,
        units_raw: "$/MWh".into(),
        currency: Some("USD".into()),
        per_unit: Some("MWh".into()),
        tenor_type: TenorType::Monthly,
        contract_month: Some(date(2026, 1, 1)),
        tenor_label: "2026-01".into(),
        value: Some(45.5),
        bid: None,
        ask: None,
        mid: Some(45.5),
        curve_key: aurum_ports::CurveKey::parse(PJM_WEST_DA).unwrap(),
        version_hash: CURVES_CSV_0102.into(),
        ingest_ts: ctx().ingest_ts,
        origin: RowOrigin::Ingested,
    };
    assert_eq!(obs, expected);
}

#[test]
fn required_fields_are_reported_missing_when_absent_or_blank() {
    for field in ["asof_date", "asset_class", "units_raw", "tenor_label"] {
        assert_eq!(
            reason(&with(base(), &[(field, None)])),
            format!("missing {field}")
        );
        assert_eq!(
            reason(&with(base(), &[(field, Some("  "))])),
            format!("missing {field}")
        );
    }
}

#[test]
fn dates_must_be_iso_or_slashed_iso() {
    let bad = with(base(), &[("asof_date", Some("2026-13-01"))]);
    assert_eq!(reason(&bad), "invalid date '2026-13-01'");
    assert_eq!(
        reason(&with(base(), &[("asof_date", Some("01/02/2026"))])),
        "invalid date '01/02/2026'"
    );
    let slashed = with(base(), &[("asof_date", Some("2026/01/02"))]);
    assert_eq!(normalise(&slashed).unwrap().asof_date, date(2026, 1, 2));
}

#[test]
fn enumerations_are_case_insensitive_and_unknown_values_are_named() {
    let ok = with(
        base(),
        &[
            ("asset_class", Some("GAS")),
            ("price_type", Some(" settle ")),
        ],
    );
    let obs = normalise(&ok).unwrap();
    assert_eq!(
        (obs.asset_class, obs.price_type),
        (AssetClass::Gas, PriceType::Settle)
    );
    assert_eq!(
        reason(&with(base(), &[("asset_class", Some("x"))])),
        "unknown asset_class 'x'"
    );
    assert_eq!(
        reason(&with(base(), &[("price_type", Some("x"))])),
        "unknown price_type 'x'"
    );
    assert_eq!(
        reason(&with(base(), &[("tenor_type", Some("x"))])),
        "unknown tenor_type 'x'"
    );
}

#[test]
fn price_cells_must_be_finite_numbers() {
    for field in ["value", "bid", "ask", "mid", "bid_ask"] {
        let bad = with(base(), &[(field, Some("abc"))]);
        assert_eq!(reason(&bad), format!("invalid number 'abc' in {field}"));
    }
    assert_eq!(
        reason(&with(base(), &[("mid", Some("NaN"))])),
        "invalid number 'NaN' in mid"
    );
    assert_eq!(reason(&with(base(), &[("value", None)])), "no finite price");
    assert_eq!(
        reason(&with(base(), &[("value", Some(" "))])),
        "no finite price"
    );
}

#[test]
fn bid_ask_text_fills_sides_and_the_mid() {
    let obs = normalise(&with(
        base(),
        &[("value", None), ("bid_ask", Some("45.25 / 47.75"))],
    ))
    .unwrap();
    assert_eq!(
        (obs.value, obs.bid, obs.ask, obs.mid),
        (None, Some(45.25), Some(47.75), Some(46.5))
    );
    let explicit = with(base(), &[("bid", Some("-1,000")), ("bid_ask", Some("1/3"))]);
    let obs = normalise(&explicit).unwrap();
    assert_eq!(
        (obs.bid, obs.ask, obs.mid),
        (Some(-1000.0), Some(3.0), Some(-498.5))
    );
}

#[test]
fn explicit_tenor_type_and_contract_month_win_over_the_label() {
    let raw = with(
        base(),
        &[
            ("tenor_type", Some("custom")),
            ("contract_month", Some("2026-02-15")),
        ],
    );
    let obs = normalise(&raw).unwrap();
    assert_eq!(obs.tenor_type, TenorType::Custom);
    assert_eq!(obs.contract_month, Some(date(2026, 2, 1)));
    assert_eq!(&*obs.tenor_label, "2026-01");
    let bad = with(base(), &[("contract_month", Some("soon"))]);
    assert_eq!(reason(&bad), "invalid contract_month 'soon'");
}

#[test]
fn strip_labels_are_normalised_and_typed() {
    let obs = normalise(&with(base(), &[("tenor_label", Some("cal-27"))])).unwrap();
    assert_eq!(
        (&*obs.tenor_label, obs.tenor_type),
        ("Calendar 2027", TenorType::Calendar)
    );
    assert_eq!(obs.contract_month, Some(date(2027, 1, 1)));
}

#[test]
fn given_curve_keys_are_validated_and_kept() {
    let obs = normalise(&with(base(), &[("curve_key", Some(" vendor:PJM-W "))])).unwrap();
    assert_eq!(obs.curve_key.as_str(), "vendor:PJM-W");
    let bad = with(base(), &[("curve_key", Some("no spaces"))]);
    assert_eq!(reason(&bad), "invalid curve_key 'no spaces'");
}

#[test]
fn given_currency_region_and_provenance_win_over_derived_ones() {
    let raw = with(
        base(),
        &[
            ("currency", Some("CAD")),
            ("region", Some("East")),
            ("source_file", Some("vendor.csv")),
            ("sheet_name", Some("Sheet1")),
            ("units_raw", Some("$ / mwh")),
        ],
    );
    let obs = normalise(&raw).unwrap();
    assert_eq!(obs.currency.as_deref(), Some("CAD"));
    assert_eq!(obs.per_unit.as_deref(), Some("MWh"));
    assert_eq!(obs.region.as_deref(), Some("East"));
    assert_eq!(&*obs.version_hash, VENDOR_SHEET1_0102);
    assert_ne!(obs.curve_key.as_str(), PJM_WEST_DA);
}

#[test]
fn unknown_units_leave_currency_absent_and_location_gives_the_region() {
    let raw = with(
        base(),
        &[
            ("units_raw", Some("p/therm")),
            ("iso", None),
            ("location", Some("NBP")),
        ],
    );
    let obs = normalise(&raw).unwrap();
    assert_eq!((obs.currency, obs.per_unit), (None, None));
    assert_eq!(obs.region.as_deref(), Some("EU"));
}

#[test]
fn repeated_strings_share_one_allocation_across_rows() {
    let mut normaliser = Normaliser::embedded().unwrap();
    let a = normaliser.normalise(&base(), &ctx()).unwrap();
    let b = normaliser.normalise(&base(), &ctx()).unwrap();
    assert!(Arc::ptr_eq(
        a.location.as_ref().unwrap(),
        b.location.as_ref().unwrap()
    ));
    assert!(Arc::ptr_eq(&a.tenor_label, &b.tenor_label));
    assert!(Arc::ptr_eq(a.curve_key.shared(), b.curve_key.shared()));
    assert!(Arc::ptr_eq(&a.version_hash, &b.version_hash));
    let other_day = with(base(), &[("asof_date", Some("2026-01-05"))]);
    let c = normaliser.normalise(&other_day, &ctx()).unwrap();
    assert_ne!(c.version_hash, a.version_hash);
}
