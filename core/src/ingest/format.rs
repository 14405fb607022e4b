//! Input formats: which reader a file name or media type calls for, and [`RowReader`], one
//! row source over either format so that callers need not be generic over the reader.

use std::io::{BufReader, Read};
use std::path::Path;

use super::csv_reader::CsvReader;
use super::ndjson_reader::NdjsonReader;
use super::source::{DEFAULT_MAX_RECORD_BYTES, IngestError, ReadItem, RowSource};

/// A supported curve file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InputFormat {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object per line.
    Ndjson,
}

impl InputFormat {
    /// The format a file name's extension names: `.csv`, `.ndjson` or `.jsonl`
    /// (case-insensitive). Compressed files are not supported.
    ///
    /// # Errors
    /// [`IngestError::UnsupportedFormat`] for any other name.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, IngestError> {
        let path = path.as_ref();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if ext.eq_ignore_ascii_case("csv") {
            Ok(Self::Csv)
        } else if ext.eq_ignore_ascii_case("ndjson") || ext.eq_ignore_ascii_case("jsonl") {
            Ok(Self::Ndjson)
        } else {
            Err(IngestError::UnsupportedFormat(path.display().to_string()))
        }
    }

    /// The format of an HTTP body by media type (`text/csv`, `application/x-ndjson`,
    /// `application/ndjson`, `application/jsonl`), parameters ignored.
    ///
    /// # Errors
    /// [`IngestError::UnsupportedFormat`] for any other media type.
    pub fn from_media_type(media_type: &str) -> Result<Self, IngestError> {
        let essence = media_type.split(';').next().unwrap_or("").trim();
        let is = |m: &str| essence.eq_ignore_ascii_case(m);
        if is("text/csv") {
            Ok(Self::Csv)
        } else if is("application/x-ndjson") || is("application/ndjson") || is("application/jsonl")
        {
            Ok(Self::Ndjson)
        } else {
            Err(IngestError::UnsupportedFormat(essence.to_owned()))
        }
    }
}

/// A row source over either format.
#[derive(Debug)]
pub enum RowReader<R> {
    /// CSV input (boxed: the parser's tables make it large).
    Csv(Box<CsvReader<R>>),
    /// NDJSON input.
    Ndjson(NdjsonReader<BufReader<R>>),
}

impl<R: Read> RowReader<R> {
    /// A reader of `format` over `read` with the default record bound (a CSV header is read
    /// here).
    ///
    /// # Errors
    /// The header errors of [`CsvReader::new`].
    pub fn new(format: InputFormat, read: R) -> Result<Self, IngestError> {
        Self::with_limit(format, read, DEFAULT_MAX_RECORD_BYTES)
    }

    /// Like [`RowReader::new`] with a record bound of `max_record_bytes`.
    ///
    /// # Errors
    /// The header errors of [`CsvReader::new`].
    pub fn with_limit(
        format: InputFormat,
        read: R,
        max_record_bytes: usize,
    ) -> Result<Self, IngestError> {
        Ok(match format {
            InputFormat::Csv => Self::Csv(Box::new(CsvReader::with_limit(read, max_record_bytes)?)),
            InputFormat::Ndjson => Self::Ndjson(NdjsonReader::with_limit(
                BufReader::with_capacity(64 * 1024, read),
                max_record_bytes,
            )),
        })
    }
}

impl<R: Read> Iterator for RowReader<R> {
    type Item = Result<ReadItem, IngestError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Self::Csv(r) => r.next(),
            Self::Ndjson(r) => r.next(),
        }
    }
}

impl<R: Read> RowSource for RowReader<R> {
    fn last_raw_text(&self) -> String {
        match self {
            Self::Csv(r) => r.last_raw_text(),
            Self::Ndjson(r) => r.last_raw_text(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_follows_the_file_extension() {
        assert_eq!(
            InputFormat::from_path("curves.csv").unwrap(),
            InputFormat::Csv
        );
        assert_eq!(
            InputFormat::from_path("/in/CURVES.CSV").unwrap(),
            InputFormat::Csv
        );
        assert_eq!(
            InputFormat::from_path("a.b.ndjson").unwrap(),
            InputFormat::Ndjson
        );
        assert_eq!(
            InputFormat::from_path("x.JSONL").unwrap(),
            InputFormat::Ndjson
        );
        for bad in ["curves.csv.gz", "curves.json", "curves", "csv"] {
            assert!(
                matches!(
                    InputFormat::from_path(bad),
                    Err(IngestError::UnsupportedFormat(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn format_follows_the_media_type() {
        assert_eq!(
            InputFormat::from_media_type("text/csv; charset=utf-8").unwrap(),
            InputFormat::Csv
        );
        assert_eq!(
            InputFormat::from_media_type("application/x-ndjson").unwrap(),
            InputFormat::Ndjson
        );
        assert!(InputFormat::from_media_type("application/json").is_err());
    }

    #[test]
    fn one_reader_type_reads_both_formats() {
        let csv = RowReader::new(
            InputFormat::Csv,
            &b"asof_date,asset_class,units_raw,tenor_label,mid\n1,2,3,4,5\n"[..],
        )
        .unwrap();
        let ndjson = RowReader::new(InputFormat::Ndjson, &b"{\"mid\":5}\nnope\n"[..]).unwrap();
        let csv_rows: Vec<_> = csv.map(|i| i.unwrap().row.unwrap().mid).collect();
        assert_eq!(csv_rows, [Some("5".to_owned())]);
        let mut ndjson = ndjson;
        assert!(ndjson.next().unwrap().unwrap().row.is_ok());
        assert!(ndjson.next().unwrap().unwrap().row.is_err());
        assert_eq!(ndjson.last_raw_text(), "nope");
    }
}
