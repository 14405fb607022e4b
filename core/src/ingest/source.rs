//! What every row reader yields: one [`ReadItem`] per record (a raw row or the reason it could
//! not be read, with its line number), and the file-level [`IngestError`]s that stop a read.

use std::io;

use super::raw::RawCurveRow;
use crate::curves::QuarantineReason;

/// Largest record (CSV) or line (NDJSON) a reader accepts by default, in bytes; larger ones are
/// quarantined and skipped without being held in memory.
pub const DEFAULT_MAX_RECORD_BYTES: usize = 1 << 20;

/// Bytes of a bad record's raw text kept for the quarantine report.
pub const RAW_TEXT_LIMIT: usize = 1024;

/// One record of the input.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadItem {
    /// 1-based physical line where the record starts (a CSV header is line 1).
    pub line: u64,
    /// The record's raw text, cut to [`RAW_TEXT_LIMIT`] bytes; only kept when `row` is an
    /// error, empty otherwise.
    pub raw_text: String,
    /// The row, or why the record is not a row.
    pub row: Result<RawCurveRow, QuarantineReason>,
}

/// A streaming reader of rows: an iterator of records that can also show the raw text of the
/// record it returned last (for quarantining rows that fail validation later).
pub trait RowSource: Iterator<Item = Result<ReadItem, IngestError>> {
    /// Raw text of the last record returned, cut to [`RAW_TEXT_LIMIT`] bytes (invalid UTF-8
    /// replaced), without its line terminator.
    fn last_raw_text(&self) -> String;
}

/// A problem with the input as a whole: nothing (more) can be read from it.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The header lacks columns every row needs.
    #[error("missing required columns: {}", .0.join(", "))]
    MissingColumns(Vec<String>),
    /// The header row cannot be read.
    #[error("unreadable header: {0}")]
    InvalidHeader(String),
    /// The input holds no header row.
    #[error("the input is empty")]
    Empty,
    /// The file name or media type names no supported format.
    #[error("unsupported input format '{0}' (expected .csv, .ndjson or .jsonl)")]
    UnsupportedFormat(String),
    /// Reading the input failed.
    #[error("reading the input failed")]
    Io(#[from] io::Error),
}

/// `bytes` as text for a report: at most [`RAW_TEXT_LIMIT`] bytes, line terminators trimmed.
pub(crate) fn raw_text(bytes: &[u8]) -> String {
    let cut = &bytes[..bytes.len().min(RAW_TEXT_LIMIT)];
    let end = cut
        .iter()
        .rposition(|&b| b != b'\n' && b != b'\r')
        .map_or(0, |i| i + 1);
    String::from_utf8_lossy(&cut[..end]).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_text_is_cut_and_loses_its_terminator() {
        assert_eq!(raw_text(b"a,b\r\n"), "a,b");
        assert_eq!(raw_text(b"\xffx"), "\u{fffd}x");
        assert_eq!(raw_text(&[b'z'; 5000]).len(), RAW_TEXT_LIMIT);
    }

    #[test]
    fn missing_columns_are_listed_in_the_message() {
        let err = IngestError::MissingColumns(vec!["asof_date".into(), "tenor_label".into()]);
        assert_eq!(
            err.to_string(),
            "missing required columns: asof_date, tenor_label"
        );
    }
}
