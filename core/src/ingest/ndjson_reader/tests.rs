use super::*;

fn read_with(text: &[u8], limit: usize) -> Vec<ReadItem> {
    NdjsonReader::with_limit(text, limit)
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
}

fn read(text: &[u8]) -> Vec<ReadItem> {
    read_with(text, DEFAULT_MAX_RECORD_BYTES)
}

fn reason(item: &ReadItem) -> String {
    item.row.as_ref().unwrap_err().to_string()
}

#[test]
fn objects_map_field_names_and_format_numbers_as_text() {
    let text = br#"{"asof_date":"2026-01-02"," Tenor_Label ":"Jan 2026","value":45.25,"bid":-3,"ask":1e3,"mid":null,"market":"","notes":{"x":[1]},"units_raw":" $/MWh "}"#;
    let items = read(text);
    assert_eq!(items.len(), 1);
    let row = items[0].row.as_ref().unwrap();
    assert_eq!(items[0].line, 1);
    assert_eq!(row.asof_date.as_deref(), Some("2026-01-02"));
    assert_eq!(row.tenor_label.as_deref(), Some("Jan 2026"));
    assert_eq!(row.value.as_deref(), Some("45.25"));
    assert_eq!(row.bid.as_deref(), Some("-3"));
    assert_eq!(row.ask.as_deref(), Some("1000"));
    assert_eq!((row.mid.as_deref(), row.market.as_deref()), (None, None));
    assert_eq!(row.units_raw.as_deref(), Some(" $/MWh "));
}

#[test]
#[expect(clippy::float_cmp, reason = "the exact value is the point")]
fn numbers_survive_the_text_round_trip_exactly() {
    let text = br#"{"value":0.1,"bid":123456789012345678,"ask":-1.7976931348623157e308}"#;
    let items = read(text);
    let row = items[0].row.as_ref().unwrap();
    assert_eq!(row.value.as_deref().unwrap().parse::<f64>().unwrap(), 0.1);
    assert_eq!(row.bid.as_deref(), Some("123456789012345678"));
    assert_eq!(
        row.ask.as_deref().unwrap().parse::<f64>().unwrap(),
        f64::MIN
    );
}

#[test]
fn blank_lines_are_skipped_but_counted() {
    let text = b"\n{\"value\":1}\r\n   \n{\"value\":2}";
    let lines: Vec<u64> = read(text).iter().map(|i| i.line).collect();
    assert_eq!(lines, [2, 4]);
}

#[test]
fn bad_lines_are_quarantined_with_their_line_and_text() {
    let text =
        b"{\"value\":1}\n[1,2]\n{\"value\":\n\"x\"\n{\"value\":true}\n{} {}\n{\"value\":2}\n";
    let items = read(text);
    let got: Vec<(u64, bool)> = items.iter().map(|i| (i.line, i.row.is_ok())).collect();
    assert_eq!(
        got,
        [
            (1, true),
            (2, false),
            (3, false),
            (4, false),
            (5, false),
            (6, false),
            (7, true)
        ]
    );
    assert!(
        reason(&items[1])
            .starts_with("invalid JSON: invalid type: sequence, expected a JSON object")
    );
    assert_eq!(items[1].raw_text, "[1,2]");
    assert!(reason(&items[2]).starts_with("invalid JSON: EOF while parsing a value"));
    assert!(reason(&items[4]).starts_with(
        "invalid JSON: invalid type: boolean `true`, expected a string, number or null"
    ));
    assert!(reason(&items[5]).starts_with("invalid JSON: trailing characters"));
}

#[test]
fn invalid_utf8_is_quarantined() {
    let items = read(b"{\"value\":\"\xff\"}\n");
    assert!(reason(&items[0]).starts_with("invalid JSON:"));
    assert_eq!(items[0].raw_text, "{\"value\":\"\u{fffd}\"}");
}

#[test]
fn long_lines_are_quarantined_and_skipped_without_being_held() {
    let long = format!("{{\"value\":\"{}\"}}", "x".repeat(5000));
    let text = format!("{long}\n{{\"value\":1}}\n");
    let items = read_with(text.as_bytes(), 100);
    assert_eq!(items[0].row, Err(QuarantineReason::TooLarge(100)));
    assert_eq!(items[0].raw_text.len(), 100);
    assert_eq!((items[1].line, items[1].row.is_ok()), (2, true));
}

/// A reader that fails after its data.
struct Failing<'a>(&'a [u8]);

impl io::Read for Failing<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.0.is_empty() {
            return Err(io::Error::other("disk on fire"));
        }
        self.0.read(buf)
    }
}

#[test]
fn an_io_error_ends_the_stream_with_an_error() {
    let mut reader = NdjsonReader::new(io::BufReader::new(Failing(b"{\"value\":1}\n")));
    assert!(reader.next().unwrap().unwrap().row.is_ok());
    assert!(matches!(reader.next(), Some(Err(IngestError::Io(_)))));
    assert!(reader.next().is_none());
}
