//! Ingestion of curve files: streaming readers (CSV, NDJSON), row normalisation into
//! observations or quarantine records, derived strips, batching and the run report.

pub mod raw;
