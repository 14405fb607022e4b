//! The HTTP exchanges of a query — submit, poll, cancel — with the retry policy: gateway errors
//! (502/503/504) and failed connections are retried with doubling, jittered backoff; a `GET`
//! also on timeouts and broken bodies (it is idempotent), a `POST` only when nothing can have
//! reached Trino. Every other non-200 status fails the query as `Unavailable`.

use std::time::Duration;

use aurum_ports::StoreError;
use bytes::Bytes;
use rand::Rng as _;
use reqwest::header::{CONTENT_TYPE, HeaderValue};
use reqwest::{StatusCode, Url};

use super::Inner;
use crate::settings::RetryPolicy;

/// How one HTTP exchange ended, before mapping.
enum Attempt {
    Done(Bytes),
    Retry(String),
    Fail(StoreError),
}

impl Inner {
    /// `POST /v1/statement`. Retried only when nothing can have reached Trino: a failed
    /// connection, or a gateway's 502/503/504.
    pub(crate) async fn post(&self, sql: &str) -> Result<Bytes, StoreError> {
        self.with_retries(false, || {
            self.http
                .post(self.statement_url.clone())
                .headers(self.post_headers.clone())
                .header(
                    CONTENT_TYPE,
                    HeaderValue::from_static("text/plain; charset=utf-8"),
                )
                .body(sql.to_owned())
        })
        .await
    }

    /// `GET nextUri`: idempotent (the same token serves the same page), so timeouts and broken
    /// connections are retried as well.
    pub(crate) async fn poll(&self, uri: &Url) -> Result<Bytes, StoreError> {
        self.with_retries(true, || {
            self.http
                .get(uri.clone())
                .headers(self.poll_headers.clone())
        })
        .await
    }

    /// `DELETE nextUri`, best effort: one retry on a gateway error, failures only logged.
    pub(crate) async fn delete(&self, uri: Url) {
        for _ in 0..2 {
            match self
                .http
                .delete(uri.clone())
                .headers(self.poll_headers.clone())
                .send()
                .await
            {
                Ok(r) if matches!(r.status().as_u16(), 502..=504) => {}
                Ok(_) => return,
                Err(e) => {
                    tracing::debug!(error = %e, "cancelling a Trino query failed");
                    return;
                }
            }
        }
    }

    /// A `nextUri` the client may follow: a URL, and on the coordinator's origin when
    /// credentials would travel with it.
    pub(crate) fn next_uri(&self, raw: &str) -> Result<Url, StoreError> {
        let uri = Url::parse(raw)
            .map_err(|e| StoreError::Unavailable(format!("Trino sent a bad nextUri: {e}")))?;
        let same_origin = uri.scheme() == self.base.scheme()
            && uri.host_str() == self.base.host_str()
            && uri.port_or_known_default() == self.base.port_or_known_default();
        if self.has_auth && !same_origin {
            return Err(StoreError::Unavailable(
                "Trino sent a nextUri on another origin; credentials are not sent there".to_owned(),
            ));
        }
        Ok(uri)
    }

    async fn with_retries(
        &self,
        idempotent: bool,
        request: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<Bytes, StoreError> {
        let mut retries = 0;
        loop {
            let why = match Self::attempt(request(), idempotent).await {
                Attempt::Done(body) => return Ok(body),
                Attempt::Fail(e) => return Err(e),
                Attempt::Retry(why) => why,
            };
            if retries >= self.retry.max_retries {
                return Err(StoreError::Unavailable(format!(
                    "Trino: {why} (after {retries} retries)"
                )));
            }
            self.metrics.retried();
            tokio::time::sleep(backoff(&self.retry, retries)).await;
            retries += 1;
        }
    }

    async fn attempt(request: reqwest::RequestBuilder, idempotent: bool) -> Attempt {
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) if e.is_connect() => return Attempt::Retry(format!("cannot connect: {e}")),
            Err(e) if idempotent && (e.is_timeout() || e.is_request() || e.is_body()) => {
                return Attempt::Retry(format!("request failed: {e}"));
            }
            Err(e) if e.is_timeout() => {
                return Attempt::Fail(StoreError::Timeout(format!("Trino did not answer: {e}")));
            }
            Err(e) => {
                return Attempt::Fail(StoreError::Unavailable(format!(
                    "Trino request failed: {e}"
                )));
            }
        };
        let status = response.status();
        if status == StatusCode::OK {
            return match response.bytes().await {
                Ok(body) => Attempt::Done(body),
                Err(e) if idempotent => Attempt::Retry(format!("reading the page failed: {e}")),
                Err(e) => Attempt::Fail(StoreError::Unavailable(format!(
                    "reading Trino's answer failed: {e}"
                ))),
            };
        }
        if matches!(status.as_u16(), 502..=504) {
            return Attempt::Retry(format!("gateway answered {status}"));
        }
        let text = response.text().await.unwrap_or_default();
        let snippet: String = text.chars().take(200).collect();
        Attempt::Fail(StoreError::Unavailable(match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                format!("Trino refused the credentials ({status})")
            }
            _ => format!("Trino answered {status}: {snippet}"),
        }))
    }
}

/// The delay before retry number `n` (0-based): `base · 2ⁿ`, capped, with ±50 % jitter.
fn backoff(policy: &RetryPolicy, n: u32) -> Duration {
    let exp = policy
        .base_delay
        .saturating_mul(1_u32.checked_shl(n.min(16)).unwrap_or(u32::MAX))
        .min(policy.max_delay);
    let micros = u64::try_from(exp.as_micros()).unwrap_or(u64::MAX).max(2);
    Duration::from_micros(rand::rng().random_range(micros / 2..=micros + micros / 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_its_cap_with_jitter() {
        let p = RetryPolicy {
            max_retries: 5,
            base_delay: Duration::from_millis(50),
            max_delay: Duration::from_millis(300),
        };
        for _ in 0..100 {
            let d0 = backoff(&p, 0);
            assert!(d0 >= Duration::from_millis(25) && d0 <= Duration::from_millis(75));
            let d5 = backoff(&p, 5);
            assert!(d5 >= Duration::from_millis(150) && d5 <= Duration::from_millis(450));
            assert!(backoff(&p, 40) <= Duration::from_millis(450));
        }
    }
}
