//! Tests of the demo dataset through its public API: size, determinism, prefix consistency,
//! coverage of the required dimensions, price relationships and the CSV output.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate, Weekday};

use super::*;

fn config(rows: usize) -> DemoConfig {
    DemoConfig {
        rows,
        ..DemoConfig::default()
    }
}

fn num(text: &str) -> f64 {
    text.trim().parse().unwrap()
}

/// The row's (bid, ask) when it has two sides, and its mid.
fn quote(row: &RawCurveRow) -> (Option<(f64, f64)>, f64) {
    let sides = match (&row.bid, &row.ask, &row.bid_ask) {
        (Some(bid), Some(ask), _) => Some((num(bid), num(ask))),
        (_, _, Some(text)) => {
            let (bid, ask) = text.split_once(" / ").unwrap();
            Some((num(bid), num(ask)))
        }
        _ => None,
    };
    let mid = sides.map_or_else(
        || num(row.value.as_deref().unwrap()),
        |(b, a)| f64::midpoint(b, a),
    );
    (sides, mid)
}

fn is_monthly_label(label: &str) -> bool {
    let b = label.as_bytes();
    b.len() == 7
        && b[4] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || c.is_ascii_digit())
}

#[test]
fn default_config_is_200k_rows_with_seed_42() {
    assert_eq!(
        DemoConfig::default(),
        DemoConfig {
            rows: 200_000,
            seed: 42
        }
    );
}

#[test]
fn same_config_yields_identical_rows() {
    assert!(generate(&DemoConfig::default()).eq(generate(&DemoConfig::default())));
}

#[test]
fn another_seed_yields_other_prices_with_the_same_shape() {
    let a: Vec<_> = generate(&config(500)).collect();
    let b: Vec<_> = generate(&DemoConfig { rows: 500, seed: 7 }).collect();
    assert_ne!(a, b);
    assert!(
        a.iter()
            .zip(&b)
            .all(|(x, y)| x.location == y.location && x.tenor_label == y.tenor_label)
    );
}

#[test]
fn generate_yields_exactly_the_requested_rows() {
    for rows in [0, 1, 47, 48, 1_000, 200_000] {
        let iter = generate(&config(rows));
        assert_eq!(iter.size_hint(), (rows, Some(rows)));
        assert_eq!(iter.count(), rows, "rows = {rows}");
    }
}

#[test]
fn smaller_datasets_are_prefixes_of_larger_ones() {
    assert!(generate(&config(1_000)).eq(generate(&config(5_000)).take(1_000)));
    // Across several as-of dates (about 10k rows per date).
    assert!(generate(&config(35_000)).eq(generate(&config(60_000)).take(35_000)));
}

#[test]
fn more_rows_reach_further_back_in_time() {
    let dates = |rows| {
        generate(&config(rows))
            .filter_map(|r| r.asof_date)
            .collect::<HashSet<_>>()
    };
    let (small, large) = (dates(200_000), dates(400_000));
    assert!(large.len() > small.len() && small.is_subset(&large));
}

#[test]
fn default_dataset_has_the_required_dimensions() {
    let mut seen: HashMap<&str, HashSet<String>> = HashMap::new();
    let mut monthly_labels = HashSet::new();
    let (mut bid_ask, mut value_only, mut text, mut no_tenor_type, mut no_contract_month) =
        (0, 0, 0, 0, 0);
    let mut rows = 0;
    for row in generate(&DemoConfig::default()) {
        rows += 1;
        let fields = [
            ("asset_class", &row.asset_class),
            ("iso", &row.iso),
            ("market", &row.market),
            ("block", &row.block),
            ("asof_date", &row.asof_date),
            ("price_type", &row.price_type),
            ("tenor_type", &row.tenor_type),
            ("units_raw", &row.units_raw),
        ];
        for (name, cell) in fields {
            if let Some(cell) = cell {
                seen.entry(name).or_default().insert(cell.clone());
            }
        }
        let label = row.tenor_label.as_deref().unwrap();
        if is_monthly_label(label) {
            monthly_labels.insert(label.to_owned());
            no_tenor_type += usize::from(row.tenor_type.is_none());
            no_contract_month += usize::from(row.contract_month.is_none());
        } else {
            assert!(
                label.starts_with("Calendar 20") || label.starts_with('Q'),
                "{label}"
            );
        }
        match (&row.bid, &row.value, &row.bid_ask) {
            (Some(_), None, None) => bid_ask += 1,
            (None, Some(_), None) => value_only += 1,
            (None, None, Some(_)) => text += 1,
            other => panic!("unexpected price cells {other:?}"),
        }
        assert!(row.mid.is_none() && row.curve_key.is_none() && row.spark_location.is_none());
        assert!(
            row.source_file
                .as_deref()
                .unwrap()
                .starts_with("demo/vendor_a_")
        );
    }
    let count = |name| seen.get(name).map_or(0, HashSet::len);
    let has = |name: &str, value: &str| seen.get(name).is_some_and(|s| s.contains(value));
    assert!(count("iso") >= 7, "{:?}", seen.get("iso"));
    for iso in [
        "PJM", "MISO", "SPP", "ERCOT", "NYISO", "ISONE", "CAISO", "AESO", "NBP", "EUA",
    ] {
        assert!(has("iso", iso), "{iso}");
    }
    for (name, value) in [
        ("market", "DA"),
        ("market", "RT"),
        ("block", "ON_PEAK"),
        ("block", "OFF_PEAK"),
        ("block", "ATC"),
        ("asset_class", "power"),
        ("asset_class", "gas"),
        ("asset_class", "carbon"),
        ("asset_class", "renewable"),
        ("price_type", "MID"),
        ("price_type", "SETTLE"),
        ("tenor_type", "MONTHLY"),
        ("tenor_type", "CALENDAR"),
        ("tenor_type", "QUARTER"),
        ("units_raw", "$/MWh"),
        ("units_raw", "$/MMBtu"),
    ] {
        assert!(has(name, value), "{name} = {value}");
    }
    assert!(
        monthly_labels.len() >= 36,
        "{} monthly labels",
        monthly_labels.len()
    );
    assert!(
        count("asof_date") >= 20,
        "{} as-of dates",
        count("asof_date")
    );
    for date in &seen["asof_date"] {
        let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
        assert!(
            !matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
            "{date}"
        );
        assert!(date <= NaiveDate::from_ymd_opt(2026, 11, 20).unwrap());
    }
    assert!(bid_ask > rows / 2, "bid/ask rows {bid_ask} of {rows}");
    assert!(value_only > rows / 10 && text > rows / 50 && text < value_only);
    assert!(no_tenor_type > rows / 10 && no_contract_month > rows / 20);
    assert!(no_contract_month < rows / 5);
}

#[test]
fn prices_keep_block_order_and_realistic_spreads() {
    // (asof, iso, location, market, tenor) -> mids of ON_PEAK, ATC, OFF_PEAK.
    let mut blocks: HashMap<[String; 5], [Option<f64>; 3]> = HashMap::new();
    let mut negatives = 0;
    for row in generate(&config(60_000)) {
        let (sides, mid) = quote(&row);
        if let Some((bid, ask)) = sides {
            assert!(bid < ask, "{row:?}");
        }
        let Some(block) = row.block.as_deref() else {
            assert!(mid > 0.0, "{row:?}");
            continue;
        };
        let slot = ["ON_PEAK", "ATC", "OFF_PEAK"]
            .iter()
            .position(|b| *b == block)
            .unwrap();
        if mid < 0.0 {
            negatives += 1;
            assert_eq!(block, "OFF_PEAK");
            assert!(
                matches!(row.iso.as_deref(), Some("CAISO" | "ERCOT")),
                "{row:?}"
            );
            let month = &row.tenor_label.as_deref().unwrap()[5..];
            assert!(["03", "04", "05"].contains(&month), "{row:?}");
        }
        if slot < 2
            && let Some((bid, ask)) = sides
        {
            let spread = (ask - bid) / mid;
            assert!(
                (0.003..0.025).contains(&spread),
                "spread {spread} in {row:?}"
            );
        }
        let key = [
            row.asof_date,
            row.iso,
            row.location,
            row.market,
            row.tenor_label,
        ]
        .map(Option::unwrap_or_default);
        blocks.entry(key).or_default()[slot] = Some(mid);
    }
    assert!(negatives > 0, "some spring OFF_PEAK prices are negative");
    let mut da_rt: HashMap<[String; 4], (Option<f64>, Option<f64>)> = HashMap::new();
    for ([asof, iso, location, market, tenor], mids) in &blocks {
        let [Some(on), Some(atc), Some(off)] = *mids else {
            continue;
        };
        assert!(
            on > atc && atc > off,
            "{iso} {location} {market} {tenor}: {mids:?}"
        );
        let entry = da_rt
            .entry([asof, iso, location, tenor].map(Clone::clone))
            .or_default();
        if market == "DA" {
            entry.0 = Some(atc);
        } else {
            entry.1 = Some(atc);
        }
    }
    let pairs: Vec<_> = da_rt.values().filter_map(|&(da, rt)| da.zip(rt)).collect();
    assert!(!pairs.is_empty());
    assert!(
        pairs.iter().all(|(da, rt)| (rt / da - 1.0).abs() < 0.08),
        "RT tracks DA"
    );
}

#[test]
fn gas_has_a_winter_premium_and_curves_move_day_to_day() {
    let henry_hub = |label: &str| {
        generate(&config(400_000))
            .filter(|r| {
                r.location.as_deref() == Some("Henry Hub")
                    && r.tenor_label.as_deref() == Some(label)
            })
            .map(|r| (r.asof_date.clone().unwrap(), quote(&r).1))
            .collect::<Vec<_>>()
    };
    let jan = henry_hub("2028-01");
    let jul = henry_hub("2028-07");
    assert!(jan.len() >= 20 && jan.len() == jul.len());
    for ((date, winter), (_, summer)) in jan.iter().zip(&jul) {
        assert!(winter > summer, "{date}: {winter} vs {summer}");
    }
    let moves: Vec<f64> = jan
        .windows(2)
        .map(|w| (w[1].1 / w[0].1 - 1.0).abs())
        .collect();
    assert!(moves.iter().any(|m| *m > 0.001), "prices move");
    assert!(
        moves.iter().all(|m| *m < 0.10),
        "small daily moves: {moves:?}"
    );
}

#[test]
fn units_are_in_the_units_map_or_come_with_currency_and_unit() {
    let known: HashSet<&str> = include_str!("../../data/units_map.csv")
        .lines()
        .skip(1)
        .filter_map(|line| line.split(',').next())
        .collect();
    for row in generate(&config(12_000)) {
        let units = row.units_raw.as_deref().unwrap();
        assert!(
            known.contains(units) || (row.currency.is_some() && row.per_unit.is_some()),
            "{units}"
        );
    }
}

#[test]
fn write_csv_writes_a_header_and_one_line_per_row() {
    let mut out = Vec::new();
    assert_eq!(write_csv(&config(2_500), &mut out).unwrap(), 2_500);
    let text = String::from_utf8(out.clone()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2_501);
    assert_eq!(lines[0], RawCurveRow::COLUMNS.join(","));
    assert!(lines[1].starts_with("2026-11-20,demo/vendor_a_2026-11-20.xlsx,Power,power,,"));
    assert!(
        lines
            .iter()
            .all(|l| l.split(',').count() == RawCurveRow::COLUMNS.len())
    );
    let mut again = Vec::new();
    write_csv(&config(2_500), &mut again).unwrap();
    assert_eq!(out, again, "byte-identical");

    let mut empty = Vec::new();
    assert_eq!(write_csv(&config(0), &mut empty).unwrap(), 0);
    assert_eq!(String::from_utf8(empty).unwrap().lines().count(), 1);
}

#[test]
#[ignore = "throughput report; run with --release -- --ignored --nocapture"]
fn generation_throughput_report() {
    let rows = 2_000_000;
    let started = std::time::Instant::now();
    assert_eq!(generate(&config(rows)).count(), rows);
    let generated = started.elapsed();
    let started = std::time::Instant::now();
    write_csv(&config(rows), std::io::sink()).unwrap();
    eprintln!(
        "generate: {rows} rows in {generated:?}; write_csv: {:?}",
        started.elapsed()
    );
}
