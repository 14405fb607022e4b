//! One running query: its slot, its `nextUri`, its columns, and the guard that cancels it with
//! `DELETE nextUri` when it is dropped before Trino said it was finished.

use std::sync::Arc;
use std::time::Duration;

use aurum_ports::StoreError;
use bytes::Bytes;
use futures::StreamExt as _;
use reqwest::Url;
use tokio::runtime::Handle;
use tokio::sync::OwnedSemaphorePermit;
use tokio::time::Instant;

use super::protocol::{Column, PageError, Submitted, decode_page};
use super::{Inner, RowStream, map_query_error};
use crate::decode::RowDecoder;
use crate::metrics::QueryOutcome;

/// Records the outcome when the query ends and cancels it if it is still open on the server.
struct Guard {
    inner: Arc<Inner>,
    /// `Some` while Trino has more to send: the URI to poll, and to `DELETE` on drop.
    next_uri: Option<Url>,
    outcome: Option<QueryOutcome>,
    started: Instant,
    runtime: Option<Handle>,
    _permit: OwnedSemaphorePermit,
}

impl Drop for Guard {
    fn drop(&mut self) {
        let outcome = self.outcome.unwrap_or(QueryOutcome::Abandoned);
        if let Some(uri) = self.next_uri.take() {
            self.inner.metrics.cancelled();
            let inner = Arc::clone(&self.inner);
            // `Drop` cannot await: the DELETE runs as its own task on the query's runtime (if
            // that runtime is shutting down, the task is dropped and Trino abandons the query
            // after its client timeout).
            if let Some(runtime) = &self.runtime {
                drop(runtime.spawn(async move { inner.delete(uri).await }));
            }
        }
        self.inner.metrics.finished(outcome, self.started.elapsed());
        self.inner.metrics.ended();
    }
}

/// A submitted query. Read it with [`Query::next_rows`] until that returns `false`.
pub struct Query {
    guard: Guard,
    id: String,
    columns: Option<Arc<[Column]>>,
    /// The body of the submission, not read for rows yet.
    first: Option<Bytes>,
    finished: bool,
}

impl Query {
    pub(super) fn new(inner: Arc<Inner>, permit: OwnedSemaphorePermit) -> Self {
        inner.metrics.started();
        Self {
            guard: Guard {
                inner,
                next_uri: None,
                outcome: None,
                started: Instant::now(),
                runtime: Handle::try_current().ok(),
                _permit: permit,
            },
            id: String::new(),
            columns: None,
            first: None,
            finished: false,
        }
    }

    /// Trino's query id (empty before submission answered).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The result columns (empty until Trino has sent them).
    pub fn columns(&self) -> &[Column] {
        self.columns.as_deref().unwrap_or_default()
    }

    fn fail(&mut self, outcome: QueryOutcome, error: StoreError) -> StoreError {
        self.finished = true;
        self.guard.outcome.get_or_insert(outcome);
        error
    }

    /// Marks the query as timed out; dropping it then cancels it. Returns the error to answer.
    pub(crate) fn timed_out(&mut self) -> StoreError {
        let id = if self.id.is_empty() {
            "(not submitted)"
        } else {
            self.id.as_str()
        };
        let error = StoreError::Timeout(format!("Trino query {id} exceeded its time budget"));
        self.fail(QueryOutcome::TimedOut, error)
    }

    pub(super) async fn submit(&mut self, sql: &str) -> Result<(), StoreError> {
        let body = match self.guard.inner.post(sql).await {
            Ok(body) => body,
            Err(e) => return Err(self.fail(QueryOutcome::TransportError, e)),
        };
        // The id and nextUri are known from here on, so a drop cancels the query.
        let page: Submitted = match serde_json::from_slice(&body) {
            Ok(page) => page,
            Err(e) => return Err(self.malformed(&e)),
        };
        self.id.clone_from(&page.id);
        let next = page
            .next_uri
            .as_deref()
            .map(|u| self.guard.inner.next_uri(u))
            .transpose();
        match next {
            Ok(next) => self.guard.next_uri = next,
            Err(e) => return Err(self.fail(QueryOutcome::TransportError, e)),
        }
        self.first = Some(body);
        Ok(())
    }

    fn malformed(&mut self, e: &serde_json::Error) -> StoreError {
        let error = StoreError::Unavailable(format!("Trino sent a malformed page: {e}"));
        self.fail(QueryOutcome::TransportError, error)
    }

    /// Reads the next page and appends its rows, decoded by `decoder`, to `out`. Returns
    /// `false` once the query has finished (no `nextUri`); pages without data append nothing.
    ///
    /// # Errors
    /// The mapped Trino error, a transport failure, or a page the decoder rejects; the query is
    /// over (and cancelled if Trino still had it open).
    pub async fn next_rows<D: RowDecoder>(
        &mut self,
        decoder: &mut D,
        out: &mut Vec<D::Row>,
    ) -> Result<bool, StoreError> {
        if self.finished {
            return Ok(false);
        }
        let body = if let Some(first) = self.first.take() {
            first
        } else {
            let Some(uri) = self.guard.next_uri.clone() else {
                self.finished = true;
                return Ok(false);
            };
            match self.guard.inner.poll(&uri).await {
                Ok(body) => body,
                Err(e) => return Err(self.fail(QueryOutcome::TransportError, e)),
            }
        };
        self.absorb(&body, decoder, out)?;
        Ok(!self.finished)
    }

    fn absorb<D: RowDecoder>(
        &mut self,
        body: &Bytes,
        decoder: &mut D,
        out: &mut Vec<D::Row>,
    ) -> Result<(), StoreError> {
        let before = out.len();
        let page = match decode_page(body, &mut self.columns, decoder, out) {
            Ok(page) => page,
            Err(PageError::Decode(e)) => {
                return Err(self.fail(QueryOutcome::TransportError, StoreError::Unexpected(e)));
            }
            Err(e) => {
                let e = StoreError::Unavailable(e.to_string());
                return Err(self.fail(QueryOutcome::TransportError, e));
            }
        };
        let next = page
            .next_uri
            .as_deref()
            .map(|u| self.guard.inner.next_uri(u))
            .transpose();
        match next {
            Ok(next) => self.guard.next_uri = next,
            Err(e) => return Err(self.fail(QueryOutcome::TransportError, e)),
        }
        if let Some(error) = &page.error {
            let (mapped, outcome) = map_query_error(error);
            return Err(self.fail(outcome, mapped));
        }
        self.guard
            .inner
            .metrics
            .read(out.len() - before, body.len());
        if self.guard.next_uri.is_none() {
            self.finished = true;
            if page.state == "FAILED" {
                let e = StoreError::Unavailable(format!(
                    "Trino query {} failed without an error",
                    self.id
                ));
                return Err(self.fail(QueryOutcome::ServerError, e));
            }
            self.guard.outcome.get_or_insert(QueryOutcome::Succeeded);
        }
        Ok(())
    }
}

/// The rows of `query` as a stream of non-empty chunks; each page wait gets `budget`.
pub(super) fn into_stream<D>(query: Query, decoder: D, budget: Duration) -> RowStream<D::Row>
where
    D: RowDecoder + Send + 'static,
    D::Row: Send + 'static,
{
    futures::stream::unfold(Some((query, decoder)), move |state| async move {
        let (mut query, mut decoder) = state?;
        loop {
            let mut rows = Vec::new();
            let step = tokio::time::timeout(budget, query.next_rows(&mut decoder, &mut rows)).await;
            match step {
                Err(_) => return Some((Err(query.timed_out()), None)),
                Ok(Err(e)) => return Some((Err(e), None)),
                Ok(Ok(more)) => {
                    if !rows.is_empty() {
                        let next = more.then_some((query, decoder));
                        return Some((Ok(rows), next));
                    }
                    if !more {
                        return None;
                    }
                }
            }
        }
    })
    .boxed()
}
