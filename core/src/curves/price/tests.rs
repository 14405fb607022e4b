use proptest::prelude::*;

use super::*;

#[test]
fn numbers_accept_signs_padding_and_thousands_separators() {
    assert_eq!(parse_number(" 1,234.5 "), Ok(Some(1234.5)));
    assert_eq!(parse_number("-1,234,567"), Ok(Some(-1_234_567.0)));
    assert_eq!(parse_number("+45.25"), Ok(Some(45.25)));
    assert_eq!(parse_number("-0.5"), Ok(Some(-0.5)));
    assert_eq!(parse_number("1e3"), Ok(Some(1000.0)));
    assert_eq!(parse_number(".5"), Ok(Some(0.5)));
    assert_eq!(parse_number("   "), Ok(None));
}

#[test]
fn numbers_reject_non_finite_and_malformed_text() {
    for bad in [
        "NaN",
        "nan",
        "inf",
        "-Infinity",
        "1e400",
        "abc",
        "1,5",
        "12,34",
        "1,234,5",
        ",123",
        "1.234,5",
        "1 234",
        "$45",
        "--1",
        "1-2",
        "0x10",
    ] {
        assert_eq!(parse_number(bad), Err(NotANumber), "{bad:?}");
    }
}

#[test]
fn bid_ask_text_splits_on_a_slash_only() {
    assert_eq!(
        parse_bid_ask("45.25 / 47.75"),
        Ok((Some(45.25), Some(47.75)))
    );
    assert_eq!(parse_bid_ask("45.25/47.75"), Ok((Some(45.25), Some(47.75))));
    assert_eq!(parse_bid_ask("-3.5 / -1.25"), Ok((Some(-3.5), Some(-1.25))));
    assert_eq!(
        parse_bid_ask("1,045.5/1,047"),
        Ok((Some(1045.5), Some(1047.0)))
    );
    assert_eq!(parse_bid_ask(" 46 "), Ok((Some(46.0), Some(46.0))));
    assert_eq!(parse_bid_ask("/ 47.75"), Ok((None, Some(47.75))));
    assert_eq!(parse_bid_ask("45.25 - 47.75"), Err(NotANumber));
    assert_eq!(parse_bid_ask("1/2/3"), Err(NotANumber));
    assert_eq!(parse_bid_ask("x / 2"), Err(NotANumber));
}

#[test]
fn mid_prefers_given_mid_then_both_sides_then_value() {
    assert_eq!(
        derive_mid(Some(1.0), Some(2.0), Some(4.0), Some(9.0)),
        Some(9.0)
    );
    assert_eq!(derive_mid(Some(1.0), Some(2.0), Some(4.0), None), Some(3.0));
    assert_eq!(derive_mid(Some(1.0), Some(2.0), None, None), Some(1.0));
    assert_eq!(derive_mid(None, None, Some(4.0), None), None);
    assert_eq!(
        derive_mid(None, Some(-10.0), Some(-20.0), None),
        Some(-15.0)
    );
}

#[test]
#[expect(clippy::float_cmp, reason = "the exact value is the point")]
fn average_of_huge_values_stays_finite() {
    assert_eq!(average(&[f64::MAX, f64::MAX]), f64::MAX);
    assert_eq!(average(&[1.0, 2.0, 3.0, 6.0]), 3.0);
}

proptest! {
    #[test]
    fn bid_ask_round_trips_through_its_text_form(
        b in any::<f64>().prop_filter("finite", |v| v.is_finite()),
        a in any::<f64>().prop_filter("finite", |v| v.is_finite()),
    ) {
        prop_assert_eq!(parse_bid_ask(&format!("{b} / {a}")), Ok((Some(b), Some(a))));
        prop_assert_eq!(parse_bid_ask(&format!("{b}/{a}")), Ok((Some(b), Some(a))));
    }

    #[test]
    fn thousands_separators_do_not_change_the_value(n in 0u64..10_000_000_000, frac in 0u32..100) {
        let plain = n.to_string();
        let mut grouped = String::new();
        for (i, c) in plain.chars().enumerate() {
            if i > 0 && (plain.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        let expected: f64 = format!("{plain}.{frac:02}").parse().unwrap();
        prop_assert_eq!(parse_number(&format!("{grouped}.{frac:02}")), Ok(Some(expected)));
    }
}
