use std::fmt::Write as _;

use aurum_ports::{RowOrigin, TenorType};
use chrono::{TimeZone as _, Utc};

use super::*;
use crate::ingest::{InputFormat, RowReader};

const HEADER: &str = "asof_date,asset_class,iso,location,units_raw,tenor_label,value,bid_ask";

fn ctx() -> IngestContext {
    IngestContext::new(
        "upload.csv",
        Utc.with_ymd_and_hms(2026, 1, 2, 18, 0, 0).unwrap(),
    )
}

fn pipeline(
    format: InputFormat,
    text: &str,
    batch_size: usize,
) -> IngestPipeline<RowReader<&[u8]>> {
    let reader = RowReader::new(format, text.as_bytes()).unwrap();
    IngestPipeline::new(reader, Normaliser::embedded().unwrap(), ctx(), batch_size)
}

fn drain<S: RowSource>(p: &mut IngestPipeline<S>) -> Vec<Batch> {
    std::iter::from_fn(|| p.next_batch().unwrap()).collect()
}

fn monthly_lines(asof: &str, months: impl IntoIterator<Item = u32>) -> String {
    let mut text = String::new();
    for m in months {
        writeln!(text, "{asof},power,PJM,West Hub,$/MWh,2026-{m:02},{m}.0,").unwrap();
    }
    text
}

#[test]
fn good_rows_are_stored_and_each_bad_row_is_quarantined_with_line_and_reason() {
    let text = format!(
        "{HEADER}\n\
         2026-01-02,power,PJM,West Hub,$/MWh,Jan 2026,45.5,\n\
         2026-13-01,power,PJM,West Hub,$/MWh,Feb 2026,46,\n\
         2026-01-02,power,PJM,West Hub,$/MWh,Mar 2026\n\
         2026-01-02,coal?,PJM,West Hub,$/MWh,Apr 2026,1,\n\
         2026-01-02,power,PJM,West Hub,$/MWh,May 2026,,\n\
         2026-01-02,power,PJM,West Hub,$/MWh,Jun 2026,,abc / 2\n\
         2026-01-02,gas,NBP,NBP,GBP/MWh,Q1-26,,80 / 82\n"
    );
    let mut p = pipeline(InputFormat::Csv, &text, 100);
    let batches = drain(&mut p);
    assert_eq!(batches.len(), 1);
    let stored: Vec<(&str, Option<f64>)> = batches[0]
        .rows
        .iter()
        .map(|r| (&*r.tenor_label, r.mid))
        .collect();
    assert_eq!(stored, [("2026-01", Some(45.5)), ("Q1 2026", Some(81.0))]);
    let quarantined: Vec<(&str, u64, String)> = batches[0]
        .quarantined
        .iter()
        .map(|q| (&*q.file, q.line, q.reason.to_string()))
        .collect();
    assert_eq!(
        quarantined,
        [
            ("upload.csv", 3, "invalid date '2026-13-01'".to_owned()),
            (
                "upload.csv",
                4,
                "malformed CSV row: expected 8 fields, found 6".to_owned()
            ),
            ("upload.csv", 5, "unknown asset_class 'coal?'".to_owned()),
            ("upload.csv", 6, "no finite price".to_owned()),
            (
                "upload.csv",
                7,
                "invalid number 'abc / 2' in bid_ask".to_owned()
            ),
        ]
    );
    assert_eq!(
        batches[0].quarantined[2].raw,
        "2026-01-02,coal?,PJM,West Hub,$/MWh,Apr 2026,1,"
    );
    let report = p.report();
    assert_eq!(
        report,
        IngestReport {
            read: 7,
            accepted: 2,
            quarantined: 5,
            derived_strips: 0
        }
    );
}

#[test]
fn derived_strips_appear_only_for_complete_periods_and_vendor_strips_win() {
    let mut text = format!("{HEADER}\n");
    text.push_str(&monthly_lines("2026-01-02", 1..=11));
    text.push_str("2026-01-02,power,PJM,West Hub,$/MWh,Q1 2026,99,\n");
    let mut p = pipeline(InputFormat::Csv, &text, 1000);
    let rows: Vec<CurveObservation> = drain(&mut p).into_iter().flat_map(|b| b.rows).collect();
    let derived: Vec<(&str, Option<f64>)> = rows
        .iter()
        .filter(|r| r.origin == RowOrigin::Derived)
        .map(|r| (&*r.tenor_label, r.mid))
        .collect();
    assert_eq!(derived, [("Q2 2026", Some(5.0)), ("Q3 2026", Some(8.0))]);
    let vendor_q1 = rows.iter().find(|r| &*r.tenor_label == "Q1 2026").unwrap();
    assert_eq!(
        (vendor_q1.origin, vendor_q1.mid),
        (RowOrigin::Ingested, Some(99.0))
    );
    assert_eq!(p.report().derived_strips, 2);
    assert_eq!(p.report().accepted, 12);
}

#[test]
fn batches_respect_the_size_and_strips_come_last() {
    let text = format!("{HEADER}\n{}", monthly_lines("2026-01-02", 1..=12));
    let mut p = pipeline(InputFormat::Csv, &text, 5);
    let batches = drain(&mut p);
    let sizes: Vec<usize> = batches.iter().map(|b| b.rows.len()).collect();
    assert_eq!(sizes, [5, 5, 5, 2]);
    let tail: Vec<(&str, TenorType)> = batches[2..]
        .iter()
        .flat_map(|b| &b.rows)
        .skip(2)
        .map(|r| (&*r.tenor_label, r.tenor_type))
        .collect();
    assert_eq!(
        tail,
        [
            ("Calendar 2026", TenorType::Calendar),
            ("Q1 2026", TenorType::Quarter),
            ("Q2 2026", TenorType::Quarter),
            ("Q3 2026", TenorType::Quarter),
            ("Q4 2026", TenorType::Quarter),
        ]
    );
    assert_eq!(
        p.report(),
        IngestReport {
            read: 12,
            accepted: 12,
            quarantined: 0,
            derived_strips: 5
        }
    );
    assert!(p.next_batch().unwrap().is_none());
}

#[test]
fn ndjson_input_goes_through_the_same_rules() {
    let text = "{\"asof_date\":\"2026-01-02\",\"asset_class\":\"gas\",\"iso\":\"TTF\",\"units_raw\":\"EUR/MWh\",\"tenor_label\":\"Feb-26\",\"value\":31.5}\n\
                \n\
                {\"asof_date\":\"2026-01-02\",\"asset_class\":\"gas\",\"units_raw\":\"EUR/MWh\",\"value\":1}\n\
                not json\n";
    let mut p = pipeline(InputFormat::Ndjson, text, 10);
    let batch = p.next_batch().unwrap().unwrap();
    let row = &batch.rows[0];
    assert_eq!(
        (
            &*row.tenor_label,
            row.region.as_deref(),
            row.currency.as_deref()
        ),
        ("2026-02", Some("EU"), Some("EUR"))
    );
    let quarantined: Vec<(u64, String)> = batch
        .quarantined
        .iter()
        .map(|q| (q.line, q.reason.to_string()))
        .collect();
    assert_eq!(quarantined[0], (3, "missing tenor_label".to_owned()));
    assert_eq!(quarantined[1].0, 4);
    assert_eq!(batch.quarantined[1].raw, "not json");
    assert!(batch.quarantined[0].raw.starts_with("{\"asof_date\""));
}

/// A reader that fails after its data.
struct Failing<'a>(&'a [u8]);

impl std::io::Read for Failing<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.0.is_empty() {
            return Err(std::io::Error::other("disk on fire"));
        }
        self.0.read(buf)
    }
}

#[test]
fn a_read_failure_hands_out_the_rows_read_then_the_error_and_no_strips() {
    let text = format!("{HEADER}\n{}", monthly_lines("2026-01-02", 1..=3));
    let reader = RowReader::new(InputFormat::Csv, Failing(text.as_bytes())).unwrap();
    let mut p = IngestPipeline::new(reader, Normaliser::embedded().unwrap(), ctx(), 100);
    assert_eq!(p.next_batch().unwrap().unwrap().rows.len(), 3);
    assert!(matches!(p.next_batch(), Err(IngestError::Io(_))));
    assert!(p.next_batch().unwrap().is_none());
    assert_eq!(p.report().derived_strips, 0);
}

#[test]
fn a_pipeline_over_a_file_can_move_to_a_blocking_thread() {
    fn assert_send<T: Send + 'static>() {}
    assert_send::<IngestPipeline<RowReader<std::fs::File>>>();
    assert_send::<Batch>();
}
