//! The client's view of Trino's `QueryResults` JSON (standards §6.3): only the fields it acts
//! on, unknown ones ignored, read in one pass by [`decode_page`] with the rows of `data`
//! decoded by a [`RowDecoder`] that knows the column types.

use std::sync::Arc;

use serde::Deserialize;

use crate::decode::{BoxError, RowDecoder, Scanner};
use crate::types::TrinoType;

/// One result column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Its name.
    pub name: String,
    /// Its type.
    pub ty: TrinoType,
}

#[derive(Debug, Deserialize)]
pub(crate) struct WireColumn {
    pub name: String,
    #[serde(rename = "type")]
    pub type_name: String,
}

/// A failed query's `error` object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryError {
    /// Human-readable message.
    #[serde(default)]
    pub message: String,
    /// Numeric code.
    #[serde(default)]
    pub error_code: i64,
    /// Stable name (`SYNTAX_ERROR`, `TABLE_NOT_FOUND`, `EXCEEDED_TIME_LIMIT`, …).
    #[serde(default)]
    pub error_name: String,
    /// `USER_ERROR`, `INTERNAL_ERROR`, `INSUFFICIENT_RESOURCES` or `EXTERNAL`.
    #[serde(default)]
    pub error_type: String,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Stats {
    #[serde(default)]
    pub state: String,
}

/// The answer to `POST /v1/statement`: what the client needs before it reads pages.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Submitted {
    pub id: String,
    #[serde(default)]
    pub next_uri: Option<String>,
}

impl WireColumn {
    pub(crate) fn typed(&self) -> Column {
        Column {
            name: self.name.clone(),
            ty: TrinoType::parse(&self.type_name),
        }
    }
}

/// What one page said besides its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageSummary {
    /// The query id.
    pub id: String,
    /// Where to poll next; `None` = the query is over.
    pub next_uri: Option<String>,
    /// The query failed with this error.
    pub error: Option<QueryError>,
    /// `stats.state` (`QUEUED`, `RUNNING`, `FINISHED`, `FAILED`, …).
    pub state: String,
}

/// A page the client cannot use.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// Not a `QueryResults` document.
    #[error("Trino sent a malformed page: {0}")]
    Malformed(String),
    /// `data` before any `columns`.
    #[error("Trino sent data before its columns")]
    DataBeforeColumns,
    /// The decoder rejected the rows.
    #[error("decoding Trino rows failed: {0}")]
    Decode(BoxError),
}

fn malformed(e: impl std::fmt::Display) -> PageError {
    PageError::Malformed(e.to_string())
}

/// A field's value, parsed from its JSON text (`None` when the field is absent or null).
fn field<'a, T: Deserialize<'a>>(text: Option<&'a str>) -> Result<Option<T>, PageError> {
    text.map(serde_json::from_str::<Option<T>>)
        .transpose()
        .map(Option::flatten)
        .map_err(malformed)
}

/// Reads one `QueryResults` body (no I/O) in a single pass: remembers the columns the first
/// time they appear, decodes the page's `data` with `decoder` into `out` while reading it (or
/// after the object, in the unusual case that `data` precedes `columns`), and returns the
/// rest. The small fields are parsed by serde. This is all the client does with a page, and
/// what the `trino_decode` bench measures.
///
/// # Errors
/// [`PageError`] for a body that is not a page, data without columns, or rows the decoder
/// rejects.
pub fn decode_page<D: RowDecoder>(
    body: &[u8],
    columns: &mut Option<Arc<[Column]>>,
    decoder: &mut D,
    out: &mut Vec<D::Row>,
) -> Result<PageSummary, PageError> {
    let text = std::str::from_utf8(body).map_err(malformed)?;
    let mut s = Scanner::new(text);
    let (mut id, mut next_uri, mut error, mut stats) = (None, None, None, None);
    let mut deferred = None;
    s.expect(b'{', "a QueryResults object").map_err(malformed)?;
    if !s.close_now(b'}') {
        loop {
            let key = s.string().map_err(malformed)?;
            s.expect(b':', "':'").map_err(malformed)?;
            match key.as_ref() {
                "columns" => {
                    let wire: Option<Vec<WireColumn>> = field(Some(s.skip().map_err(malformed)?))?;
                    if columns.is_none() {
                        *columns = wire.map(|w| w.iter().map(WireColumn::typed).collect());
                    }
                }
                "data" if s.peek() == Some(b'n') => {
                    s.skip().map_err(malformed)?;
                }
                "data" => match columns.as_deref() {
                    Some(cols) => decoder
                        .decode(cols, &mut s, out)
                        .map_err(PageError::Decode)?,
                    None => deferred = Some(s.skip().map_err(malformed)?),
                },
                "id" => id = Some(s.skip().map_err(malformed)?),
                "nextUri" => next_uri = Some(s.skip().map_err(malformed)?),
                "error" => error = Some(s.skip().map_err(malformed)?),
                "stats" => stats = Some(s.skip().map_err(malformed)?),
                _ => {
                    s.skip().map_err(malformed)?;
                }
            }
            if !s.next_entry(b'}').map_err(malformed)? {
                break;
            }
        }
    }
    s.end().map_err(malformed)?;
    let error: Option<QueryError> = field(error)?;
    if let Some(data) = deferred
        && error.is_none()
    {
        let cols = columns.as_deref().ok_or(PageError::DataBeforeColumns)?;
        decoder
            .decode(cols, &mut Scanner::new(data), out)
            .map_err(PageError::Decode)?;
    }
    Ok(PageSummary {
        id: field::<String>(id)?.ok_or_else(|| malformed("no id"))?,
        next_uri: field(next_uri)?,
        error,
        state: field::<Stats>(stats)?.unwrap_or_default().state,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(name: &str, ty: &str) -> Column {
        Column {
            name: name.to_owned(),
            ty: TrinoType::parse(ty),
        }
    }

    #[test]
    fn a_page_decodes_in_one_pass_with_its_summary() {
        let body = br#"{"id":"q1","infoUri":"u","nextUri":"http://x/2","columns":[{"name":"n","type":"bigint","typeSignature":{"rawType":"bigint","arguments":[]}}],
            "data":[[1],[2]],"stats":{"state":"RUNNING","rootStage":{"x":[1,{"y":"}"}]}},"warnings":[],"new":[{}]}"#;
        let mut columns = None;
        let mut out = Vec::new();
        let summary =
            decode_page(body, &mut columns, &mut crate::decode::ValueRows, &mut out).unwrap();
        assert_eq!(summary.id, "q1");
        assert_eq!(summary.next_uri.as_deref(), Some("http://x/2"));
        assert_eq!(summary.state, "RUNNING");
        assert_eq!(out.len(), 2);
        assert_eq!(columns.as_deref().unwrap(), [col("n", "bigint")]);
    }

    #[test]
    fn data_before_columns_is_decoded_after_the_object() {
        let body = br#"{"data":[["a"]],"columns":[{"name":"s","type":"varchar"}],"id":"q","stats":{"state":"FINISHED"}}"#;
        let mut columns = None;
        let mut out = Vec::new();
        let summary =
            decode_page(body, &mut columns, &mut crate::decode::ValueRows, &mut out).unwrap();
        assert_eq!((summary.next_uri, out.len()), (None, 1));
        let mut out = Vec::new();
        let err = decode_page(
            br#"{"id":"q","data":[[1]]}"#,
            &mut None,
            &mut crate::decode::ValueRows,
            &mut out,
        );
        assert!(matches!(err, Err(PageError::DataBeforeColumns)));
    }

    #[test]
    fn error_pages_null_data_and_garbage_are_told_apart() {
        let body = br#"{"id":"q","data":null,"stats":{"state":"FAILED"},"error":{"message":"m","errorCode":46,"errorName":"TABLE_NOT_FOUND","errorType":"USER_ERROR"}}"#;
        let summary = decode_page(
            body,
            &mut None,
            &mut crate::decode::ValueRows,
            &mut Vec::new(),
        )
        .unwrap();
        assert_eq!(summary.error.unwrap().error_name, "TABLE_NOT_FOUND");
        for bad in [
            &b"{"[..],
            b"[]",
            b"{\"id\":1}",
            b"{\"id\":\"q\"} x",
            b"{}",
            b"\xff",
        ] {
            assert!(
                matches!(
                    decode_page(
                        bad,
                        &mut None,
                        &mut crate::decode::ValueRows,
                        &mut Vec::new()
                    ),
                    Err(PageError::Malformed(_))
                ),
                "{bad:?}"
            );
        }
    }
}
