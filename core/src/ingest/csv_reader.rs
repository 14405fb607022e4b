//! Streaming CSV reader: a header row names the columns (trimmed, case-insensitive, any order,
//! unknown ones ignored), each later record becomes a [`RawCurveRow`]. A record with the wrong
//! number of fields, invalid UTF-8 in a known column or more than the byte bound is
//! quarantined with the physical line it starts on; reading goes on. Memory stays bounded by
//! the record bound whatever the input (an unclosed quote included).

use std::io::{self, BufRead as _, BufReader, Read};

use csv_core::ReadRecordResult;

use super::raw::RawCurveRow;
use super::source::{
    DEFAULT_MAX_RECORD_BYTES, IngestError, RAW_TEXT_LIMIT, ReadItem, RowSource, raw_text,
};
use crate::curves::QuarantineReason;

/// Columns every row needs; a header without them is rejected.
pub const REQUIRED_COLUMNS: [&str; 4] = ["asof_date", "asset_class", "units_raw", "tenor_label"];

/// Price columns; a header needs at least one of them.
pub const PRICE_COLUMNS: [&str; 5] = ["value", "bid", "ask", "mid", "bid_ask"];

/// Most fields a record may have before it is skipped as malformed.
const MAX_FIELDS: usize = 4096;

/// Reads curve rows from CSV text.
#[derive(Debug)]
pub struct CsvReader<R> {
    src: BufReader<R>,
    parser: csv_core::Reader,
    /// Canonical column per field position (`None`: ignored column).
    columns: Vec<Option<&'static str>>,
    frame: FrameBuffers,
    max_record_bytes: usize,
    done: bool,
}

/// Buffers reused for every record.
#[derive(Debug)]
struct FrameBuffers {
    out: Vec<u8>,
    ends: Vec<usize>,
    scratch: Vec<u8>,
    scratch_ends: Vec<usize>,
    raw: Vec<u8>,
    /// `\n` bytes consumed so far.
    lines: u64,
}

/// One record as framed by the parser.
struct Frame {
    /// Physical line the record starts on.
    line: u64,
    /// Fields read (only meaningful without overflow).
    fields: usize,
    /// Whether the record was skipped for its size.
    overflow: Overflow,
}

/// Why a record was skipped rather than kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Overflow {
    None,
    Bytes,
    Fields,
}

impl<R: Read> CsvReader<R> {
    /// Reads the header and prepares to read rows, with the default record bound.
    ///
    /// # Errors
    /// [`IngestError::Empty`], [`IngestError::InvalidHeader`],
    /// [`IngestError::MissingColumns`] or [`IngestError::Io`].
    pub fn new(read: R) -> Result<Self, IngestError> {
        Self::with_limit(read, DEFAULT_MAX_RECORD_BYTES)
    }

    /// Like [`CsvReader::new`], quarantining records longer than `max_record_bytes`.
    ///
    /// # Errors
    /// As [`CsvReader::new`].
    pub fn with_limit(read: R, max_record_bytes: usize) -> Result<Self, IngestError> {
        let max_record_bytes = max_record_bytes.max(1);
        let mut reader = Self {
            src: BufReader::with_capacity(64 * 1024, read),
            parser: csv_core::Reader::new(),
            columns: Vec::new(),
            frame: FrameBuffers {
                out: vec![0; max_record_bytes.min(1024)],
                ends: vec![0; 64],
                scratch: vec![0; 4096],
                scratch_ends: vec![0; 64],
                raw: Vec::with_capacity(RAW_TEXT_LIMIT),
                lines: 0,
            },
            max_record_bytes,
            done: false,
        };
        let header = reader.next_frame()?.ok_or(IngestError::Empty)?;
        if header.overflow != Overflow::None {
            return Err(IngestError::InvalidHeader(format!(
                "longer than {} bytes or {MAX_FIELDS} fields",
                reader.max_record_bytes
            )));
        }
        for i in 0..header.fields {
            let name = std::str::from_utf8(reader.frame.field(i))
                .map_err(|_| IngestError::InvalidHeader("invalid UTF-8".to_owned()))?
                .trim()
                .to_ascii_lowercase();
            let known = RawCurveRow::COLUMNS.iter().find(|c| **c == name).copied();
            let column = known.filter(|c| !reader.columns.contains(&Some(c)));
            reader.columns.push(column);
        }
        let has = |c: &str| reader.columns.contains(&Some(c));
        let mut missing: Vec<String> = REQUIRED_COLUMNS
            .iter()
            .filter(|c| !has(c))
            .map(|c| (*c).to_owned())
            .collect();
        if !PRICE_COLUMNS.iter().any(|c| has(c)) {
            missing.push(format!("one of {}", PRICE_COLUMNS.join(", ")));
        }
        if missing.is_empty() {
            Ok(reader)
        } else {
            Err(IngestError::MissingColumns(missing))
        }
    }

    /// Frames the next record; `None` at the end of the input.
    fn next_frame(&mut self) -> io::Result<Option<Frame>> {
        let f = &mut self.frame;
        f.raw.clear();
        let cap = self.max_record_bytes.saturating_add(1);
        let (mut start, mut nout, mut nends) = (None, 0, 0);
        let mut overflow = Overflow::None;
        loop {
            let input = match self.src.fill_buf() {
                Ok(input) => input,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            let at_eof = input.is_empty();
            let (res, consumed, wrote, ended) = if overflow == Overflow::None {
                self.parser
                    .read_record(input, &mut f.out[nout..], &mut f.ends[nends..])
            } else {
                self.parser
                    .read_record(input, &mut f.scratch, &mut f.scratch_ends)
            };
            f.track(&input[..consumed], &mut start);
            self.src.consume(consumed);
            if overflow == Overflow::None {
                nout += wrote;
                nends += ended;
            }
            match res {
                ReadRecordResult::Record => {
                    return Ok(Some(Frame {
                        line: start.unwrap_or(f.lines + 1),
                        fields: nends,
                        overflow,
                    }));
                }
                ReadRecordResult::End => return Ok(None),
                ReadRecordResult::InputEmpty if at_eof => return Ok(None),
                ReadRecordResult::InputEmpty => {}
                _ if overflow != Overflow::None => {}
                ReadRecordResult::OutputFull if f.out.len() >= cap => overflow = Overflow::Bytes,
                ReadRecordResult::OutputFull => {
                    let len = f.out.len().saturating_mul(2).min(cap);
                    f.out.resize(len, 0);
                }
                ReadRecordResult::OutputEndsFull if f.ends.len() >= MAX_FIELDS => {
                    overflow = Overflow::Fields;
                }
                ReadRecordResult::OutputEndsFull => f.ends.resize(f.ends.len() * 2, 0),
            }
        }
    }

    /// The row of a framed record with `fields` fields.
    fn row(&self, fields: usize) -> Result<RawCurveRow, QuarantineReason> {
        if fields != self.columns.len() {
            return Err(QuarantineReason::MalformedCsv(format!(
                "expected {} fields, found {fields}",
                self.columns.len()
            )));
        }
        let mut row = RawCurveRow::default();
        for (i, column) in self.columns.iter().enumerate() {
            let Some(name) = column else { continue };
            let bytes = self.frame.field(i);
            if bytes.is_empty() {
                continue;
            }
            let text = std::str::from_utf8(bytes).map_err(|_| {
                QuarantineReason::MalformedCsv(format!("invalid UTF-8 in column {name}"))
            })?;
            if let Some(slot) = row.slot_mut(name) {
                *slot = Some(text.to_owned());
            }
        }
        Ok(row)
    }
}

impl FrameBuffers {
    /// Bytes of field `i` of the last framed record.
    fn field(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.out[start..self.ends[i]]
    }

    /// Accounts for consumed input: counts lines, finds where the record starts (skipping
    /// blank lines before it) and keeps the start of its raw text.
    fn track(&mut self, chunk: &[u8], start: &mut Option<u64>) {
        #[expect(
            clippy::naive_bytecount,
            reason = "chunks are small; not worth a dependency"
        )]
        let newlines = |b: &[u8]| b.iter().filter(|&&c| c == b'\n').count() as u64;
        let mut rest = chunk;
        if start.is_none() {
            let skip = rest
                .iter()
                .position(|&c| c != b'\n' && c != b'\r')
                .unwrap_or(rest.len());
            self.lines += newlines(&rest[..skip]);
            rest = &rest[skip..];
            if rest.is_empty() {
                return;
            }
            *start = Some(self.lines + 1);
        }
        self.lines += newlines(rest);
        let room = RAW_TEXT_LIMIT
            .saturating_sub(self.raw.len())
            .min(rest.len());
        self.raw.extend_from_slice(&rest[..room]);
    }
}

impl<R: Read> Iterator for CsvReader<R> {
    type Item = Result<ReadItem, IngestError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let frame = match self.next_frame() {
            Ok(Some(frame)) => frame,
            Ok(None) => {
                self.done = true;
                return None;
            }
            Err(e) => {
                self.done = true;
                return Some(Err(e.into()));
            }
        };
        let row = match frame.overflow {
            Overflow::None => self.row(frame.fields),
            Overflow::Bytes => Err(QuarantineReason::TooLarge(self.max_record_bytes)),
            Overflow::Fields => Err(QuarantineReason::MalformedCsv(format!(
                "more than {MAX_FIELDS} fields"
            ))),
        };
        let raw_text = if row.is_err() {
            self.last_raw_text()
        } else {
            String::new()
        };
        Some(Ok(ReadItem {
            line: frame.line,
            raw_text,
            row,
        }))
    }
}

impl<R: Read> RowSource for CsvReader<R> {
    fn last_raw_text(&self) -> String {
        raw_text(&self.frame.raw)
    }
}

#[cfg(test)]
mod tests;
