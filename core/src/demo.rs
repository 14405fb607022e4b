//! Deterministic, realistic demo dataset: forward curve rows ([`RawCurveRow`]) for power (eight
//! ISOs, DA/RT × `ON_PEAK`/`OFF_PEAK`/`ATC`), gas, carbon and RECs, 48 rolling monthly tenors plus
//! some vendor strips, over business days counted back from a fixed anchor date (2026-11-20).
//!
//! The same [`DemoConfig`] yields byte-identical rows on every machine and run, and the first
//! `n` rows for a seed do not depend on `rows`: the 200k dataset is a prefix of the 1M one.
//! Rows are generated lazily, so memory stays bounded whatever the size.

mod calendar;
mod catalog;
mod model;
mod rows;

use std::io;

use crate::ingest::raw::RawCurveRow;
use crate::ingest::{IngestError, ReadItem, RowSource};

/// Size and seed of a demo dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoConfig {
    /// Exact number of rows produced.
    pub rows: usize,
    /// Seed of every random stream; the same seed gives the same prices.
    pub seed: u64,
}

impl Default for DemoConfig {
    fn default() -> Self {
        Self {
            rows: 200_000,
            seed: 42,
        }
    }
}

/// Exactly `config.rows` demo rows, generated lazily: as-of dates newest first (one business day
/// back per date, as many dates as `rows` needs), then curves, then tenors.
pub fn generate(config: &DemoConfig) -> impl Iterator<Item = RawCurveRow> + use<> {
    rows::DemoRows::new(config.rows, config.seed)
}

/// Writes the dataset of `config` as CSV to `out`: a header of [`RawCurveRow::COLUMNS`], then
/// one line per row (`\n` terminated, absent cells empty). Returns the number of rows written.
///
/// # Errors
/// Returns the first I/O error of `out`.
pub fn write_csv<W: io::Write>(config: &DemoConfig, out: W) -> io::Result<u64> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(RawCurveRow::COLUMNS)?;
    let mut written = 0_u64;
    for row in generate(config) {
        writer.write_record((0..RawCurveRow::COLUMNS.len()).map(|i| row.get(i).unwrap_or("")))?;
        written += 1;
    }
    writer.flush()?;
    Ok(written)
}

#[cfg(test)]
mod tests;

/// The demo rows as a [`RowSource`] for the ingestion pipeline, so the embedded default goes
/// through exactly the normalisation that files do. Line numbers count a header line, as if the
/// rows had been read from [`write_csv`]'s output.
pub fn source(config: &DemoConfig) -> DemoSource {
    DemoSource {
        rows: Box::new(generate(config)),
        line: 1,
    }
}

/// See [`source`].
pub struct DemoSource {
    rows: Box<dyn Iterator<Item = RawCurveRow> + Send>,
    line: u64,
}

impl std::fmt::Debug for DemoSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoSource")
            .field("line", &self.line)
            .finish_non_exhaustive()
    }
}

impl Iterator for DemoSource {
    type Item = Result<ReadItem, IngestError>;

    fn next(&mut self) -> Option<Self::Item> {
        let row = self.rows.next()?;
        self.line += 1;
        Some(Ok(ReadItem {
            line: self.line,
            raw_text: String::new(),
            row: Ok(row),
        }))
    }
}

impl RowSource for DemoSource {
    fn last_raw_text(&self) -> String {
        String::new()
    }
}
