use proptest::prelude::*;

use super::*;

const HEADER: &str = "asof_date,asset_class,units_raw,tenor_label,value";

fn read(text: &[u8]) -> Vec<ReadItem> {
    CsvReader::new(text)
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
}

fn row(cells: &[(&str, &str)]) -> RawCurveRow {
    let mut raw = RawCurveRow::default();
    for (column, value) in cells {
        *raw.slot_mut(column).unwrap() = Some((*value).to_owned());
    }
    raw
}

fn outcome(items: &[ReadItem]) -> Vec<(u64, Result<Option<String>, String>)> {
    items
        .iter()
        .map(|i| {
            let row = match &i.row {
                Ok(r) => Ok(r.tenor_label.clone()),
                Err(e) => Err(format!("{e} | {}", i.raw_text)),
            };
            (i.line, row)
        })
        .collect()
}

#[test]
fn header_maps_columns_in_any_order_and_ignores_unknown_ones() {
    let text = b" Tenor_Label ,notes,ASOF_DATE,units_raw,asset_class,bid_ask\nJan 2026,hi,2026-01-02,$/MWh,power,45 / 47\n";
    let items = read(text);
    let expected = row(&[
        ("tenor_label", "Jan 2026"),
        ("asof_date", "2026-01-02"),
        ("units_raw", "$/MWh"),
        ("asset_class", "power"),
        ("bid_ask", "45 / 47"),
    ]);
    assert_eq!(
        items,
        [ReadItem {
            line: 2,
            raw_text: String::new(),
            row: Ok(expected)
        }]
    );
}

#[test]
fn empty_cells_are_absent_and_text_is_kept_untrimmed() {
    let items = read(format!("{HEADER}\n2026-01-02,power,$/MWh, Q1 26 ,\n").as_bytes());
    let raw = items[0].row.as_ref().unwrap();
    assert_eq!(raw.tenor_label.as_deref(), Some(" Q1 26 "));
    assert_eq!(raw.value, None);
}

#[test]
fn a_header_without_required_columns_is_a_file_error() {
    let err = CsvReader::new(&b"asof_date,value\n2026-01-02,1\n"[..]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "missing required columns: asset_class, units_raw, tenor_label"
    );
    let err = CsvReader::new(&b"asof_date,asset_class,units_raw,tenor_label\n"[..]).unwrap_err();
    assert!(
        matches!(err, IngestError::MissingColumns(m) if m == ["one of value, bid, ask, mid, bid_ask"])
    );
    assert!(matches!(
        CsvReader::new(&b"\n\n"[..]),
        Err(IngestError::Empty)
    ));
}

#[test]
fn bad_records_are_quarantined_with_their_start_line_and_raw_text() {
    let text = format!(
        "{HEADER}\n\
         2026-01-02,power,$/MWh,2026-01,1\n\
         2026-01-02,power,$/MWh,2026-02\n\
         \n\
         2026-01-02,power,\"$/\nMWh\",2026-03,3\n\
         2026-01-02,power,$/MWh,2026-04,4,extra\n\
         2026-01-02,power,$/MWh,2026-05,5"
    );
    let got = outcome(&read(text.as_bytes()));
    assert_eq!(
        got,
        [
            (2, Ok(Some("2026-01".to_owned()))),
            (3, Err("malformed CSV row: expected 5 fields, found 4 | 2026-01-02,power,$/MWh,2026-02".to_owned())),
            (5, Ok(Some("2026-03".to_owned()))),
            (7, Err("malformed CSV row: expected 5 fields, found 6 | 2026-01-02,power,$/MWh,2026-04,4,extra".to_owned())),
            (8, Ok(Some("2026-05".to_owned()))),
        ]
    );
}

#[test]
fn crlf_endings_and_a_byte_order_mark_are_handled() {
    let text = format!(
        "\u{feff}{HEADER}\r\n2026-01-02,power,$/MWh,2026-01,1\r\n\r\n2026-01-02,power,$/MWh,2026-02,2\r\n"
    );
    let got: Vec<u64> = read(text.as_bytes()).iter().map(|i| i.line).collect();
    assert_eq!(got, [2, 4]);
}

#[test]
fn invalid_utf8_quarantines_only_when_the_column_is_read() {
    let text = b"asof_date,asset_class,units_raw,tenor_label,value,junk\n\
        2026-01-02,power,$/MWh,2026-01,1,\xff\n\
        2026-01-02,power,\xff,2026-02,2,x\n";
    let got = outcome(&read(text));
    assert_eq!(got[0], (2, Ok(Some("2026-01".to_owned()))));
    assert_eq!(
        got[1],
        (3, Err("malformed CSV row: invalid UTF-8 in column units_raw | 2026-01-02,power,\u{fffd},2026-02,2,x".to_owned()))
    );
}

#[test]
fn oversized_records_are_skipped_and_reading_goes_on() {
    let big = "x".repeat(300);
    let text =
        format!("{HEADER}\n2026-01-02,power,$/MWh,{big},1\n2026-01-02,power,$/MWh,2026-02,2\n");
    let items: Vec<ReadItem> = CsvReader::with_limit(text.as_bytes(), 200)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(items[0].row, Err(QuarantineReason::TooLarge(200)));
    assert_eq!(items[0].line, 2);
    assert_eq!(items[1].line, 3);
    assert!(items[1].row.is_ok());
}

#[test]
fn an_unclosed_quote_swallows_the_rest_within_the_bound() {
    let mut text = format!("{HEADER}\n2026-01-02,power,\"$/MWh,2026-01,1\n");
    for _ in 0..100 {
        text.push_str("2026-01-02,power,$/MWh,2026-02,2\n");
    }
    let items: Vec<ReadItem> = CsvReader::with_limit(text.as_bytes(), 512)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(
        (items[0].line, &items[0].row),
        (2, &Err(QuarantineReason::TooLarge(512)))
    );
    assert!(items[0].raw_text.len() <= RAW_TEXT_LIMIT);
}

#[test]
fn duplicate_header_columns_keep_the_first() {
    let text = format!("{HEADER},value\n2026-01-02,power,$/MWh,2026-01,1,2\n");
    assert_eq!(
        read(text.as_bytes())[0]
            .row
            .as_ref()
            .unwrap()
            .value
            .as_deref(),
        Some("1")
    );
}

/// A reader that fails after its data.
struct Failing<'a>(&'a [u8]);

impl Read for Failing<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.0.is_empty() {
            return Err(io::Error::other("disk on fire"));
        }
        let n = self.0.read(buf)?;
        Ok(n)
    }
}

#[test]
fn an_io_error_ends_the_stream_with_an_error() {
    let text = format!("{HEADER}\n2026-01-02,power,$/MWh,2026-01,1\n");
    let mut reader = CsvReader::new(Failing(text.as_bytes())).unwrap();
    assert!(reader.next().unwrap().unwrap().row.is_ok());
    assert!(matches!(reader.next(), Some(Err(IngestError::Io(_)))));
    assert!(reader.next().is_none());
}

fn shuffled_csv(order: &[usize], rows: &[Vec<String>]) -> String {
    let mut text = order
        .iter()
        .map(|&i| RawCurveRow::COLUMNS[i])
        .collect::<Vec<_>>()
        .join(",");
    text.push('\n');
    for cells in rows {
        let line: Vec<String> = order
            .iter()
            .map(|&i| format!("\"{}\"", cells[i].replace('"', "\"\"")))
            .collect();
        text.push_str(&line.join(","));
        text.push('\n');
    }
    text
}

proptest! {
    #[test]
    fn column_order_does_not_change_the_rows(
        order in Just((0..RawCurveRow::COLUMNS.len()).collect::<Vec<_>>()).prop_shuffle(),
        rows in prop::collection::vec(
            prop::collection::vec("[a-zA-Z0-9 ,\"/\n.-]{0,8}", RawCurveRow::COLUMNS.len()),
            1..5,
        ),
    ) {
        let canonical: Vec<usize> = (0..RawCurveRow::COLUMNS.len()).collect();
        let a = read(shuffled_csv(&canonical, &rows).as_bytes());
        let b = read(shuffled_csv(&order, &rows).as_bytes());
        prop_assert_eq!(a.len(), rows.len());
        let rows_a: Vec<_> = a.into_iter().map(|i| i.row).collect();
        let rows_b: Vec<_> = b.into_iter().map(|i| i.row).collect();
        prop_assert_eq!(rows_a, rows_b);
    }
}
