//! The ingestion pipeline: pulls records from a [`RowSource`], normalises them, and hands out
//! batches of observations to store and quarantine records to report. It is synchronous and
//! pull-based so that an async caller can drive it on a blocking thread, one batch at a time;
//! memory is bounded by the batch size plus the strip accumulator (numbers per month). After
//! the input ends, the derived strips come out as the final batch(es).

use std::sync::Arc;

use aurum_ports::CurveObservation;

use super::source::{IngestError, RowSource};
use crate::curves::strips::DerivedStrips;
use crate::curves::{IngestContext, Normaliser, QuarantineReason, StripAccumulator};

/// A row that was not stored, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct QuarantineRecord {
    /// The input's name (the context's default source file).
    pub file: Arc<str>,
    /// 1-based physical line where the record starts.
    pub line: u64,
    /// The first rule the row breaks.
    pub reason: QuarantineReason,
    /// The record's raw text, cut to about 1 KiB.
    pub raw: String,
}

/// One step of work: rows to upsert and rows to report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Batch {
    /// Observations to store: ingested rows, then (in the last batches) derived strips.
    pub rows: Vec<CurveObservation>,
    /// Records quarantined since the previous batch.
    pub quarantined: Vec<QuarantineRecord>,
}

impl Batch {
    /// True when the batch holds neither rows nor quarantine records.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty() && self.quarantined.is_empty()
    }
}

/// Counts of one ingestion.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IngestReport {
    /// Records read (good and bad; blank lines are not records).
    pub read: u64,
    /// Ingested rows accepted for storage (derived strips not included).
    pub accepted: u64,
    /// Records quarantined.
    pub quarantined: u64,
    /// Derived strip rows handed out so far (all of them once `next_batch` returned `None`).
    pub derived_strips: u64,
}

/// Reads, normalises and batches one input.
#[derive(Debug)]
pub struct IngestPipeline<S> {
    source: S,
    normaliser: Normaliser,
    ctx: IngestContext,
    batch_size: usize,
    strips: StripAccumulator,
    derived: Option<DerivedStrips>,
    input_done: bool,
    pending_error: Option<IngestError>,
    report: IngestReport,
}

impl<S: RowSource> IngestPipeline<S> {
    /// A pipeline over `source`, handing out batches of at most `batch_size` rows (and at most
    /// `batch_size` quarantine records); a `batch_size` of 0 is taken as 1.
    pub fn new(source: S, normaliser: Normaliser, ctx: IngestContext, batch_size: usize) -> Self {
        Self {
            source,
            normaliser,
            ctx,
            batch_size: batch_size.max(1),
            strips: StripAccumulator::new(),
            derived: None,
            input_done: false,
            pending_error: None,
            report: IngestReport::default(),
        }
    }

    /// The next batch, or `None` when everything has been handed out.
    ///
    /// # Errors
    /// [`IngestError::Io`] when reading fails mid-input: the rows read before the failure come
    /// first as a batch, then the error; afterwards the pipeline is finished and derives no
    /// strips (the input is incomplete).
    pub fn next_batch(&mut self) -> Result<Option<Batch>, IngestError> {
        if let Some(e) = self.pending_error.take() {
            return Err(e);
        }
        let mut batch = Batch::default();
        while !self.input_done && !self.is_full(&batch) {
            match self.source.next() {
                Some(Ok(item)) => {
                    self.report.read += 1;
                    let normalised = item
                        .row
                        .and_then(|raw| self.normaliser.normalise(&raw, &self.ctx));
                    match normalised {
                        Ok(obs) => {
                            self.report.accepted += 1;
                            self.strips.observe(&obs);
                            batch.rows.push(obs);
                        }
                        Err(reason) => {
                            self.report.quarantined += 1;
                            let raw = if item.raw_text.is_empty() {
                                self.source.last_raw_text()
                            } else {
                                item.raw_text
                            };
                            batch.quarantined.push(QuarantineRecord {
                                file: Arc::clone(&self.ctx.default_source_file),
                                line: item.line,
                                reason,
                                raw,
                            });
                        }
                    }
                }
                Some(Err(e)) => {
                    self.input_done = true;
                    self.pending_error = Some(e);
                }
                None => {
                    self.input_done = true;
                    let strips = std::mem::take(&mut self.strips);
                    self.derived = Some(strips.into_derived(self.ctx.ingest_ts));
                }
            }
        }
        let room = self.batch_size.saturating_sub(batch.rows.len());
        if let Some(derived) = self.derived.as_mut() {
            let before = batch.rows.len();
            batch.rows.extend(derived.by_ref().take(room));
            self.report.derived_strips += (batch.rows.len() - before) as u64;
        }
        if !batch.is_empty() {
            Ok(Some(batch))
        } else if let Some(e) = self.pending_error.take() {
            Err(e)
        } else {
            Ok(None)
        }
    }

    /// Counts so far.
    pub fn report(&self) -> IngestReport {
        self.report
    }

    /// The normaliser back, with its warm caches, for the next input.
    pub fn into_normaliser(self) -> Normaliser {
        self.normaliser
    }

    fn is_full(&self, batch: &Batch) -> bool {
        batch.rows.len() >= self.batch_size || batch.quarantined.len() >= self.batch_size
    }
}

#[cfg(test)]
mod tests;
