//! Ingestion of curve files: streaming readers (CSV, NDJSON), row normalisation into
//! observations or quarantine records, derived strips, batching and the run report.

pub mod csv_reader;
pub mod format;
pub mod ndjson_reader;
pub mod pipeline;
pub mod raw;
pub mod source;

pub use crate::curves::{IngestContext, Normaliser, QuarantineReason};
pub use csv_reader::CsvReader;
pub use format::{InputFormat, RowReader};
pub use ndjson_reader::NdjsonReader;
pub use pipeline::{Batch, IngestPipeline, IngestReport, QuarantineRecord};
pub use raw::RawCurveRow;
pub use source::{DEFAULT_MAX_RECORD_BYTES, IngestError, RAW_TEXT_LIMIT, ReadItem, RowSource};
