//! The client's view of Trino's `QueryResults` JSON (standards §6.3): only the fields it acts
//! on, unknown ones ignored. `data` stays raw JSON borrowed from the response body until a row
//! decoder that knows the column types reads it.

use serde::Deserialize;
use serde_json::value::RawValue;

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

/// One page of a query.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct QueryResults<'a> {
    pub id: String,
    #[serde(default)]
    pub next_uri: Option<String>,
    #[serde(default)]
    pub columns: Option<Vec<WireColumn>>,
    #[serde(default, borrow)]
    pub data: Option<&'a RawValue>,
    #[serde(default)]
    pub error: Option<QueryError>,
    #[serde(default)]
    pub stats: Stats,
}

impl WireColumn {
    pub(crate) fn typed(&self) -> Column {
        Column {
            name: self.name.clone(),
            ty: TrinoType::parse(&self.type_name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_reads_with_unknown_fields_and_raw_data() {
        let body = r#"{"id":"q1","infoUri":"http://x/ui","nextUri":"http://x/v1/statement/executing/q1/s/2",
            "columns":[{"name":"n","type":"bigint","typeSignature":{"rawType":"bigint","arguments":[]}}],
            "data":[[1],[2]],"stats":{"state":"RUNNING","queued":false,"nodes":1,"rootStage":null},
            "warnings":[],"somethingNew":{"x":1}}"#;
        let page: QueryResults<'_> = serde_json::from_str(body).unwrap();
        assert_eq!(page.id, "q1");
        assert_eq!(page.stats.state, "RUNNING");
        assert_eq!(page.data.unwrap().get(), "[[1],[2]]");
        assert_eq!(page.columns.unwrap()[0].typed().ty, TrinoType::BigInt);
    }

    #[test]
    fn a_failed_page_carries_its_error() {
        let body = r#"{"id":"q1","infoUri":"u","stats":{"state":"FAILED"},"warnings":[],
            "error":{"message":"line 1:1: mismatched input","errorCode":1,"errorName":"SYNTAX_ERROR",
            "errorType":"USER_ERROR","errorLocation":{"lineNumber":1,"columnNumber":1},
            "failureInfo":{"type":"x","suppressed":[],"stack":[]}}}"#;
        let page: QueryResults<'_> = serde_json::from_str(body).unwrap();
        assert!(page.next_uri.is_none() && page.data.is_none());
        let e = page.error.unwrap();
        assert_eq!(
            (e.error_name.as_str(), e.error_type.as_str(), e.error_code),
            ("SYNTAX_ERROR", "USER_ERROR", 1)
        );
    }
}
