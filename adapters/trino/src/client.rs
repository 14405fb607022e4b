//! A small Trino client over `reqwest` (standards §6): `POST /v1/statement`, then `GET nextUri`
//! until it is absent, keeping on through empty pages. It bounds everything: each HTTP request
//! (`request_timeout`), each query (`query_timeout`, then `DELETE nextUri` and
//! [`StoreError::Timeout`]), the number of queries at once (a semaphore; waiting longer than
//! `acquire_timeout` answers [`StoreError::Unavailable`]) and the retries of gateway errors
//! (502/503/504) and failed connections (jittered, doubling backoff). A query dropped before
//! its end — a caller that stops reading an export — is cancelled with `DELETE nextUri` from a
//! drop guard. Trino's `error` objects become port errors in [`map_query_error`]. The HTTP
//! exchanges and their retries are in `http`, a query's life in `query`, pages in `protocol`.

mod http;
mod protocol;
mod query;

use std::sync::Arc;
use std::time::Duration;

use aurum_ports::StoreError;
use base64::Engine as _;
use futures::stream::BoxStream;
use reqwest::Url;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use crate::decode::{RowDecoder, ValueRows};
use crate::metrics::{QueryOutcome, TrinoMetrics};
use crate::settings::{InvalidSettings, RetryPolicy, TrinoAuth, TrinoSettings};
use crate::types::TrinoValue;

pub use protocol::{Column, PageError, PageSummary, QueryError, decode_page};
pub use query::Query;

/// The rows of a query decoded generically, with its columns.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryOutput {
    /// The result columns.
    pub columns: Vec<Column>,
    /// The rows, each in column order.
    pub rows: Vec<Vec<TrinoValue>>,
}

/// A stream of non-empty row chunks, one per Trino page that carried data.
pub type RowStream<R> = BoxStream<'static, Result<Vec<R>, StoreError>>;

/// A Trino client. Cloning shares the connection pool, the slots and the metrics.
#[derive(Clone)]
pub struct TrinoClient {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    http: reqwest::Client,
    statement_url: Url,
    base: Url,
    post_headers: HeaderMap,
    poll_headers: HeaderMap,
    has_auth: bool,
    query_timeout: Duration,
    acquire_timeout: Duration,
    retry: RetryPolicy,
    slots: Arc<Semaphore>,
    max_slots: usize,
    pub(crate) metrics: Arc<TrinoMetrics>,
}

fn header(value: &str, setting: &'static str) -> Result<HeaderValue, InvalidSettings> {
    HeaderValue::from_str(value).map_err(|_| InvalidSettings {
        setting,
        reason: "is not a valid HTTP header value".to_owned(),
    })
}

impl TrinoClient {
    /// A client for `settings` (validated here). Connections open lazily.
    ///
    /// # Errors
    /// [`InvalidSettings`] for a setting that cannot work.
    pub fn new(settings: &TrinoSettings) -> Result<Self, InvalidSettings> {
        settings.validate()?;
        let bad_url = |reason: String| InvalidSettings {
            setting: "url",
            reason,
        };
        let base = Url::parse(&settings.url).map_err(|e| bad_url(e.to_string()))?;
        let statement_url = base
            .join("/v1/statement")
            .map_err(|e| bad_url(e.to_string()))?;

        let mut poll_headers = HeaderMap::new();
        poll_headers.insert(
            HeaderName::from_static("x-trino-user"),
            header(&settings.user, "user")?,
        );
        match &settings.auth {
            TrinoAuth::None => {}
            TrinoAuth::Basic { user, password } => {
                let token =
                    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
                let mut value = header(&format!("Basic {token}"), "auth")?;
                value.set_sensitive(true);
                poll_headers.insert(AUTHORIZATION, value);
            }
            TrinoAuth::Bearer { token } => {
                let mut value = header(&format!("Bearer {token}"), "auth")?;
                value.set_sensitive(true);
                poll_headers.insert(AUTHORIZATION, value);
            }
        }
        let mut post_headers = poll_headers.clone();
        let mut set = |name: &'static str, value: &str, setting| -> Result<(), InvalidSettings> {
            post_headers.insert(HeaderName::from_static(name), header(value, setting)?);
            Ok(())
        };
        set("x-trino-source", &settings.source, "source")?;
        set("x-trino-catalog", &settings.catalog, "catalog")?;
        set("x-trino-schema", &settings.schema, "schema")?;
        // Full-precision timestamps (otherwise rounded to milliseconds, standards §6.2).
        set("x-trino-client-capabilities", "PARAMETRIC_DATETIME", "url")?;
        if !settings.client_tags.is_empty() {
            set(
                "x-trino-client-tags",
                &settings.client_tags.join(","),
                "client_tags",
            )?;
        }
        if let Some(zone) = &settings.time_zone {
            set("x-trino-time-zone", zone, "time_zone")?;
        }

        let http = reqwest::Client::builder()
            .timeout(settings.request_timeout)
            .connect_timeout(settings.request_timeout)
            .user_agent(concat!("aurum-adapter-trino/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| InvalidSettings {
                setting: "url",
                reason: format!("cannot build the HTTP client: {e}"),
            })?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                statement_url,
                base,
                post_headers,
                poll_headers,
                has_auth: settings.auth != TrinoAuth::None,
                query_timeout: settings.query_timeout,
                acquire_timeout: settings.acquire_timeout,
                retry: settings.retry,
                slots: Arc::new(Semaphore::new(settings.max_concurrent_queries)),
                max_slots: settings.max_concurrent_queries,
                metrics: Arc::new(TrinoMetrics::default()),
            }),
        })
    }

    /// The client's counters.
    pub fn metrics(&self) -> Arc<TrinoMetrics> {
        Arc::clone(&self.inner.metrics)
    }

    /// Waits for a slot (at most `acquire_timeout`), then submits `sql`. The caller reads the
    /// pages with [`Query::next_rows`]; `query_timeout` is the caller's to enforce (the other
    /// methods do). Dropping the query before its end cancels it.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] without a slot in time or when Trino cannot be reached.
    pub async fn start(&self, sql: &str) -> Result<Query, StoreError> {
        let mut query = self.open().await?;
        query.submit(sql).await?;
        Ok(query)
    }

    /// A query holding a slot, not yet submitted.
    async fn open(&self) -> Result<Query, StoreError> {
        let permit = self.acquire().await?;
        Ok(Query::new(Arc::clone(&self.inner), permit))
    }

    async fn acquire(&self) -> Result<OwnedSemaphorePermit, StoreError> {
        let slots = Arc::clone(&self.inner.slots);
        if let Ok(Ok(permit)) =
            tokio::time::timeout(self.inner.acquire_timeout, slots.acquire_owned()).await
        {
            return Ok(permit);
        }
        self.inner.metrics.rejected();
        Err(StoreError::Unavailable(format!(
            "all {} Trino query slots stayed busy for {:?}",
            self.inner.max_slots, self.inner.acquire_timeout
        )))
    }

    /// Runs `sql` to its end within `query_timeout` and decodes every row with `decoder`.
    ///
    /// # Errors
    /// [`StoreError::Timeout`] past `query_timeout` (the query is cancelled), the mapped Trino
    /// error, or [`StoreError::Unavailable`] for transport failures.
    pub async fn fetch_all<D: RowDecoder>(
        &self,
        sql: &str,
        mut decoder: D,
    ) -> Result<Vec<D::Row>, StoreError> {
        self.run(sql, &mut decoder).await.map(|(rows, _)| rows)
    }

    /// Runs `sql` and decodes every value generically ([`TrinoValue`]).
    ///
    /// # Errors
    /// As [`TrinoClient::fetch_all`].
    pub async fn query(&self, sql: &str) -> Result<QueryOutput, StoreError> {
        let (rows, columns) = self.run(sql, &mut ValueRows).await?;
        Ok(QueryOutput { columns, rows })
    }

    /// Submits `sql` and reads every page, all within `query_timeout`.
    async fn run<D: RowDecoder>(
        &self,
        sql: &str,
        decoder: &mut D,
    ) -> Result<(Vec<D::Row>, Vec<Column>), StoreError> {
        let mut query = self.open().await?;
        let deadline = Instant::now() + self.inner.query_timeout;
        let read = async {
            query.submit(sql).await?;
            let mut rows = Vec::new();
            while query.next_rows(decoder, &mut rows).await? {}
            Ok(rows)
        };
        match tokio::time::timeout_at(deadline, read).await {
            Ok(rows) => Ok((rows?, query.columns().to_vec())),
            Err(_) => Err(query.timed_out()),
        }
    }

    /// Runs `sql` as a stream of row chunks. Submission and every later page each get
    /// `query_timeout` (so a slow consumer is not the server's fault, but a stalled server is
    /// detected). Dropping the stream before its end cancels the query.
    ///
    /// # Errors
    /// Submission errors here; later ones end the stream with an `Err` item.
    pub async fn stream<D>(&self, sql: &str, decoder: D) -> Result<RowStream<D::Row>, StoreError>
    where
        D: RowDecoder + Send + 'static,
        D::Row: Send + 'static,
    {
        let mut query = self.open().await?;
        let budget = self.inner.query_timeout;
        match tokio::time::timeout(budget, query.submit(sql)).await {
            Ok(result) => result?,
            Err(_) => return Err(query.timed_out()),
        }
        Ok(query::into_stream(query, decoder, budget))
    }

    /// `SELECT 1`: checks that Trino answers and returns how long the round trip took.
    ///
    /// # Errors
    /// As [`TrinoClient::fetch_all`].
    pub async fn ping(&self) -> Result<Duration, StoreError> {
        let started = Instant::now();
        let out = self.query("SELECT 1").await?;
        match out.rows.as_slice() {
            [row] if row.as_slice() == [TrinoValue::Integer(1)] => Ok(started.elapsed()),
            _ => Err(StoreError::Unavailable(
                "SELECT 1 did not answer 1".to_owned(),
            )),
        }
    }
}

/// The port error for a Trino `error` object, and the outcome it counts as.
///
/// - `USER_ERROR` → [`StoreError::InvalidQuery`];
/// - `EXCEEDED_TIME_LIMIT` (Trino's own query time limit) → [`StoreError::Timeout`];
/// - `INSUFFICIENT_RESOURCES`, `INTERNAL_ERROR`, `EXTERNAL` and anything else →
///   [`StoreError::Unavailable`].
pub fn map_query_error(error: &QueryError) -> (StoreError, QueryOutcome) {
    let text = format!(
        "{} ({}): {}",
        error.error_name, error.error_type, error.message
    );
    match (error.error_type.as_str(), error.error_name.as_str()) {
        (_, "EXCEEDED_TIME_LIMIT") => (StoreError::Timeout(text), QueryOutcome::ServerError),
        ("USER_ERROR", _) => (StoreError::InvalidQuery(text), QueryOutcome::UserError),
        _ => (StoreError::Unavailable(text), QueryOutcome::ServerError),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(name: &str, ty: &str) -> QueryError {
        QueryError {
            message: "m".to_owned(),
            error_code: 1,
            error_name: name.to_owned(),
            error_type: ty.to_owned(),
        }
    }

    #[test]
    fn trino_errors_map_to_port_errors_by_type() {
        let cases = [
            (error("SYNTAX_ERROR", "USER_ERROR"), "invalid query"),
            (error("TABLE_NOT_FOUND", "USER_ERROR"), "invalid query"),
            (
                error("EXCEEDED_GLOBAL_MEMORY_LIMIT", "INSUFFICIENT_RESOURCES"),
                "unavailable",
            ),
            (
                error("GENERIC_INTERNAL_ERROR", "INTERNAL_ERROR"),
                "unavailable",
            ),
            (error("HIVE_METASTORE_ERROR", "EXTERNAL"), "unavailable"),
            (
                error("EXCEEDED_TIME_LIMIT", "INSUFFICIENT_RESOURCES"),
                "timed out",
            ),
            (error("WHATEVER", "NEW_KIND"), "unavailable"),
        ];
        for (e, want) in cases {
            let (mapped, _) = map_query_error(&e);
            assert!(mapped.to_string().contains(want), "{e:?} → {mapped}");
            assert!(mapped.to_string().contains(&e.error_name));
        }
        assert_eq!(
            map_query_error(&error("X", "USER_ERROR")).1,
            QueryOutcome::UserError
        );
    }

    #[test]
    fn building_a_client_refuses_bad_settings() {
        let mut s = TrinoSettings::new("http://127.0.0.1:1", "iceberg", "market");
        s.auth = TrinoAuth::Bearer {
            token: "t".to_owned(),
        };
        assert!(TrinoClient::new(&s).is_err());
        s.allow_insecure_auth = true;
        assert!(TrinoClient::new(&s).is_ok());
    }
}
