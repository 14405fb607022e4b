use proptest::prelude::*;

use super::*;

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn check(label: &str, tenor_type: TenorType, text: &str, contract_month: Option<NaiveDate>) {
    let expected = Tenor {
        tenor_type,
        label: text.to_owned(),
        contract_month,
    };
    assert_eq!(parse_tenor(label), expected, "label {label:?}");
}

#[test]
fn tenor_inference_reads_month_labels_in_every_spelling() {
    for label in [
        "2026-01",
        "2026/01",
        " 2026-01-15 ",
        "2026/01/31",
        "Jan 2026",
        "JAN26",
        "jan-26",
        "January 2026",
        "Jan'26",
        "jan_2026",
    ] {
        check(label, TenorType::Monthly, "2026-01", Some(ymd(2026, 1, 1)));
    }
    check(
        "Sept 2026",
        TenorType::Monthly,
        "2026-09",
        Some(ymd(2026, 9, 1)),
    );
    check(
        "dec-27",
        TenorType::Monthly,
        "2027-12",
        Some(ymd(2027, 12, 1)),
    );
}

#[test]
fn tenor_inference_reads_quarter_labels() {
    for label in ["Q1 2026", "Q1-26", "Q1 26", "q1 2026", "Q12026", "Q1/2026"] {
        check(label, TenorType::Quarter, "Q1 2026", Some(ymd(2026, 1, 1)));
    }
    check(
        "Q4 27",
        TenorType::Quarter,
        "Q4 2027",
        Some(ymd(2027, 10, 1)),
    );
    check("Q3  Peak ", TenorType::Quarter, "Q3 Peak", None);
}

#[test]
fn tenor_inference_reads_calendar_labels() {
    for label in [
        "Cal 27",
        "CAL-2027",
        "Calendar 2027",
        "cal27",
        "CALENDAR-27",
    ] {
        check(
            label,
            TenorType::Calendar,
            "Calendar 2027",
            Some(ymd(2027, 1, 1)),
        );
    }
    check("Cal  Strip", TenorType::Calendar, "Cal Strip", None);
}

#[test]
fn tenor_inference_reads_season_labels_with_documented_starts() {
    check(
        "Winter 2026",
        TenorType::Season,
        "Winter 2026",
        Some(ymd(2026, 11, 1)),
    );
    check(
        "WINTER 26/27",
        TenorType::Season,
        "WINTER 26/27",
        Some(ymd(2026, 11, 1)),
    );
    check(
        "Summer-2027",
        TenorType::Season,
        "Summer-2027",
        Some(ymd(2027, 4, 1)),
    );
    check(
        "spring 2026",
        TenorType::Season,
        "spring 2026",
        Some(ymd(2026, 3, 1)),
    );
    check(
        "Fall 2026",
        TenorType::Season,
        "Fall 2026",
        Some(ymd(2026, 9, 1)),
    );
    check(
        "Autumn 2026",
        TenorType::Season,
        "Autumn 2026",
        Some(ymd(2026, 9, 1)),
    );
    check("Winter", TenorType::Season, "Winter", None);
    check(" BalMonth ", TenorType::Season, "BalMonth", None);
    check("Q1  strip", TenorType::Season, "Q1 strip", None);
}

#[test]
fn unrecognised_labels_are_monthly_and_kept_collapsed() {
    check(
        "  Prompt   Month ",
        TenorType::Monthly,
        "Prompt Month",
        None,
    );
    check("2026Q1", TenorType::Monthly, "2026Q1", None);
    check("2026-13", TenorType::Monthly, "2026-13", None);
    check("Q5 2026", TenorType::Monthly, "Q5 2026", None);
    check("", TenorType::Monthly, "", None);
}

#[test]
fn inference_order_puts_calendar_before_season_and_season_before_quarter() {
    assert_eq!(infer_tenor_type("Cal Bal 2026"), TenorType::Calendar);
    assert_eq!(infer_tenor_type("Q1 Bal"), TenorType::Season);
    assert_eq!(infer_tenor_type("q2"), TenorType::Quarter);
    assert_eq!(infer_tenor_type("Mar 2026"), TenorType::Monthly);
}

#[test]
fn normalising_into_a_buffer_replaces_its_content() {
    let mut out = String::from("stale");
    let info = normalise_tenor_into("Cal 27", &mut out);
    assert_eq!(out, "Calendar 2027");
    assert_eq!(info.tenor_type, TenorType::Calendar);
}

fn is_year_month(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 7
        && b[4] == b'-'
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[5..].iter().all(u8::is_ascii_digit)
}

const NAMES: [&str; 12] = [
    "Jan", "feb", "MAR", "April", "may", "JUN", "July", "aug", "Sep", "Oct", "NOVEMBER", "dec",
];

proptest! {
    #[test]
    fn tenor_inference_never_panics_and_monthly_labels_are_year_month(label in "\\PC{0,24}") {
        let tenor = parse_tenor(&label);
        if tenor.tenor_type == TenorType::Monthly && tenor.contract_month.is_some() {
            prop_assert!(is_year_month(&tenor.label), "{:?} -> {:?}", label, tenor.label);
        }
    }

    #[test]
    fn every_month_spelling_normalises_to_year_dash_month(
        yy in 0u32..100, month in 1u32..=12, style in 0usize..6,
    ) {
        let year = 2000 + yy;
        let name = NAMES[month as usize - 1];
        let label = match style {
            0 => format!("{year}-{month:02}"),
            1 => format!("{year}/{month:02}/01"),
            2 => format!("{name} {year}"),
            3 => format!("{name}-{yy:02}"),
            4 => format!("{}{yy:02}", name.to_uppercase()),
            _ => format!("  {year}-{month:02}-28 "),
        };
        let tenor = parse_tenor(&label);
        prop_assert_eq!(tenor.tenor_type, TenorType::Monthly);
        prop_assert_eq!(tenor.label, format!("{year:04}-{month:02}"));
        prop_assert_eq!(tenor.contract_month, NaiveDate::from_ymd_opt(i32::try_from(year).unwrap(), month, 1));
    }
}
