//! Streaming NDJSON reader: one JSON object per line, field names as the CSV columns
//! (trimmed, case-insensitive; unknown ones ignored), values JSON strings, numbers or null.
//! Numbers become their shortest exact text (`45.25`, `-3`); empty strings and null are
//! absent. Blank lines are skipped; a line that is not such an object, or is longer than the
//! byte bound, is quarantined with its line number and reading goes on.

use std::fmt;
use std::io::{self, BufRead};

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};

use super::raw::RawCurveRow;
use super::source::{DEFAULT_MAX_RECORD_BYTES, IngestError, ReadItem, RowSource, raw_text};
use crate::curves::QuarantineReason;

/// Reads curve rows from NDJSON text.
#[derive(Debug)]
pub struct NdjsonReader<R> {
    src: R,
    buf: Vec<u8>,
    line: u64,
    max_line_bytes: usize,
    done: bool,
}

impl<R: BufRead> NdjsonReader<R> {
    /// A reader with the default line bound.
    pub fn new(src: R) -> Self {
        Self::with_limit(src, DEFAULT_MAX_RECORD_BYTES)
    }

    /// A reader quarantining lines longer than `max_line_bytes`.
    pub fn with_limit(src: R, max_line_bytes: usize) -> Self {
        Self {
            src,
            buf: Vec::with_capacity(1024),
            line: 0,
            max_line_bytes,
            done: false,
        }
    }

    /// Reads the next line into `buf` (at most the bound, without the `\n`); returns its full
    /// length, or `None` at the end of the input.
    fn read_line(&mut self) -> io::Result<Option<usize>> {
        self.buf.clear();
        let (mut total, mut any) = (0usize, false);
        loop {
            let avail = match self.src.fill_buf() {
                Ok(avail) => avail,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if avail.is_empty() {
                return Ok(any.then_some(total));
            }
            any = true;
            let newline = avail.iter().position(|&b| b == b'\n');
            let take = newline.unwrap_or(avail.len());
            let room = self.max_line_bytes.saturating_sub(self.buf.len()).min(take);
            self.buf.extend_from_slice(&avail[..room]);
            total = total.saturating_add(take);
            self.src.consume(take + usize::from(newline.is_some()));
            if newline.is_some() {
                return Ok(Some(total));
            }
        }
    }
}

impl<R: BufRead> Iterator for NdjsonReader<R> {
    type Item = Result<ReadItem, IngestError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            let len = match self.read_line() {
                Ok(Some(len)) => len,
                Ok(None) => break,
                Err(e) => {
                    self.done = true;
                    return Some(Err(e.into()));
                }
            };
            self.line += 1;
            let row = if len > self.max_line_bytes {
                Err(QuarantineReason::TooLarge(self.max_line_bytes))
            } else {
                let text = self.buf.trim_ascii();
                if text.is_empty() {
                    continue;
                }
                parse_row(text)
            };
            let raw_text = if row.is_err() {
                self.last_raw_text()
            } else {
                String::new()
            };
            return Some(Ok(ReadItem {
                line: self.line,
                raw_text,
                row,
            }));
        }
        self.done = true;
        None
    }
}

impl<R: BufRead> RowSource for NdjsonReader<R> {
    fn last_raw_text(&self) -> String {
        raw_text(&self.buf)
    }
}

/// One JSON object as a raw row.
fn parse_row(text: &[u8]) -> Result<RawCurveRow, QuarantineReason> {
    let mut de = serde_json::Deserializer::from_slice(text);
    let row = de
        .deserialize_map(RowVisitor)
        .and_then(|row| de.end().map(|()| row));
    row.map_err(|e| QuarantineReason::InvalidJson(e.to_string()))
}

struct RowVisitor;

impl<'de> Visitor<'de> for RowVisitor {
    type Value = RawCurveRow;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawCurveRow, A::Error> {
        let mut row = RawCurveRow::default();
        while let Some(Column(column)) = map.next_key()? {
            let slot = match column {
                Some(c) => row.slot_mut(c),
                None => None,
            };
            match slot {
                Some(slot) => *slot = map.next_value::<Cell>()?.0,
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(row)
    }
}

/// A field name resolved to its canonical column (`None`: unknown, ignored).
struct Column(Option<&'static str>);

impl<'de> de::Deserialize<'de> for Column {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(ColumnVisitor)
    }
}

struct ColumnVisitor;

impl Visitor<'_> for ColumnVisitor {
    type Value = Column;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Column, E> {
        let name = v.trim();
        Ok(Column(
            RawCurveRow::COLUMNS
                .iter()
                .find(|c| c.eq_ignore_ascii_case(name))
                .copied(),
        ))
    }
}

/// A cell value as text: strings kept, numbers formatted, null and `""` absent.
struct Cell(Option<String>);

impl<'de> de::Deserialize<'de> for Cell {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(CellVisitor)
    }
}

struct CellVisitor;

impl Visitor<'_> for CellVisitor {
    type Value = Cell;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, number or null")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Cell, E> {
        Ok(Cell((!v.is_empty()).then(|| v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Cell, E> {
        Ok(Cell((!v.is_empty()).then_some(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Cell, E> {
        Ok(Cell(Some(v.to_string())))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Cell, E> {
        Ok(Cell(Some(v.to_string())))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Cell, E> {
        // `Display` for f64 is the shortest text that parses back to the same value.
        Ok(Cell(Some(v.to_string())))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Cell, E> {
        Ok(Cell(None))
    }

    fn visit_none<E: de::Error>(self) -> Result<Cell, E> {
        Ok(Cell(None))
    }
}

#[cfg(test)]
mod tests;
