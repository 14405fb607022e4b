//! Signed JSON webhooks over reqwest, with a timeout on every call.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;

use aurum_ports::outbox::{DeliveryError, EventSink, OutboxEvent};

/// The body a webhook receives.
#[derive(Debug, Serialize)]
struct Body<'a> {
    id: String,
    topic: &'a str,
    key: &'a str,
    created_at: String,
    payload: &'a serde_json::Value,
}

/// `sha256=<hex HMAC-SHA256(secret, body)>`, the value of `X-Aurum-Signature`.
pub fn signature(secret: &[u8], body: &[u8]) -> String {
    // HMAC takes keys of any length; an empty secret is refused by `WebhookSink::new`.
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Why a webhook sink cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum WebhookConfigError {
    /// The signing secret is empty.
    #[error("the webhook secret must not be empty")]
    EmptySecret,
    /// The URL is not http(s).
    #[error("the webhook URL must be an http or https URL")]
    BadUrl,
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
}

/// Adds headers to every webhook call; the shell writes the current trace context with it
/// (it runs after the event's stored `traceparent` is set, so it may refine it).
pub type HeaderProvider = Arc<dyn Fn(&mut reqwest::header::HeaderMap) + Send + Sync>;

/// Delivers events by `POST`ing them to one URL.
#[derive(Clone)]
pub struct WebhookSink {
    client: reqwest::Client,
    url: reqwest::Url,
    secret: Vec<u8>,
    headers: Option<HeaderProvider>,
}

impl std::fmt::Debug for WebhookSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookSink")
            .field("url", &self.url.as_str())
            .field("headers", &self.headers.is_some())
            .finish_non_exhaustive()
    }
}

impl WebhookSink {
    /// A sink posting to `url`, signing with `secret`, each call bounded by `timeout`.
    ///
    /// # Errors
    /// An empty secret, a non-http(s) URL, or a client that cannot be built.
    pub fn new(url: &str, secret: &[u8], timeout: Duration) -> Result<Self, WebhookConfigError> {
        if secret.is_empty() {
            return Err(WebhookConfigError::EmptySecret);
        }
        let url = reqwest::Url::parse(url).map_err(|_| WebhookConfigError::BadUrl)?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(WebhookConfigError::BadUrl);
        }
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("aurum/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| WebhookConfigError::Client(e.to_string()))?;
        Ok(Self {
            client,
            url,
            secret: secret.to_vec(),
            headers: None,
        })
    }

    /// Calls `provider` for the headers of every call (e.g. the current `traceparent`).
    #[must_use]
    pub fn with_headers(mut self, provider: HeaderProvider) -> Self {
        self.headers = Some(provider);
        self
    }
}

#[async_trait]
impl EventSink for WebhookSink {
    async fn deliver(&self, event: &OutboxEvent) -> Result<(), DeliveryError> {
        let e = &event.event;
        let body = serde_json::to_vec(&Body {
            id: e.id.to_string(),
            topic: &e.topic,
            key: &e.key,
            created_at: event.created_at.to_rfc3339(),
            payload: &e.payload,
        })
        .map_err(|err| DeliveryError::Permanent(format!("unserialisable event: {err}")))?;
        let mut trace = reqwest::header::HeaderMap::new();
        if let Some(tp) = e
            .traceparent
            .as_deref()
            .and_then(|tp| reqwest::header::HeaderValue::from_str(tp).ok())
        {
            trace.insert("traceparent", tp);
        }
        if let Some(provider) = &self.headers {
            provider(&mut trace);
        }
        let request = self
            .client
            .post(self.url.clone())
            .headers(trace)
            .header("content-type", "application/json")
            .header("x-aurum-event-id", e.id.to_string())
            .header("x-aurum-topic", &e.topic)
            .header("x-aurum-signature", signature(&self.secret, &body));
        let response = request.body(body).send().await.map_err(|err| {
            let kind = if err.is_timeout() {
                "timed out"
            } else {
                "failed"
            };
            DeliveryError::Retryable(format!("webhook request {kind}"))
        })?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else if status.is_server_error() || status.as_u16() == 408 || status.as_u16() == 429 {
            Err(DeliveryError::Retryable(format!(
                "webhook answered {status}"
            )))
        } else {
            Err(DeliveryError::Permanent(format!(
                "webhook answered {status}"
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_hmac_sha256_hex_over_the_body() {
        // printf '%s' '{"a":1}' | openssl dgst -sha256 -hmac 'secret'
        assert_eq!(
            signature(b"secret", br#"{"a":1}"#),
            "sha256=aa9e2e3575f5d7098b6caccd790888c36d5fdb63342a73bada2d6a51747a8494"
        );
    }

    #[test]
    fn bad_configuration_is_refused() {
        assert!(WebhookSink::new("http://127.0.0.1:1/x", b"", Duration::from_secs(1)).is_err());
        assert!(WebhookSink::new("ftp://x/", b"s", Duration::from_secs(1)).is_err());
        assert!(WebhookSink::new("http://127.0.0.1:1/x", b"s", Duration::from_secs(1)).is_ok());
    }
}
