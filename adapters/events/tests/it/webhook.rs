//! The webhook sink against a real local HTTP receiver: signed body, stable event id across
//! retries, and the retry/dead-letter classification of answers.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use aurum_adapter_events::{WebhookSink, signature};
use aurum_ports::outbox::{DeliveryError, EventSink, NewEvent, OutboxEvent};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;
use tokio::sync::Mutex;

#[derive(Debug, Clone)]
struct Received {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// A receiver answering the given statuses in turn (the last one repeats), recording requests.
async fn receiver(statuses: Vec<u16>) -> (String, Arc<Mutex<Vec<Received>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let calls = Arc::new(AtomicUsize::new(0));
    let seen2 = Arc::clone(&seen);
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let (seen, calls, statuses) =
                (Arc::clone(&seen2), Arc::clone(&calls), statuses.clone());
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0_u8; 4096];
                let (head_end, length) = loop {
                    let n = socket.read(&mut chunk).await.unwrap();
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buf[..pos]).to_string();
                        let length = head
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().parse::<usize>().unwrap())
                            })
                            .unwrap_or(0);
                        break (pos + 4, length);
                    }
                };
                while buf.len() < head_end + length {
                    let n = socket.read(&mut chunk).await.unwrap();
                    buf.extend_from_slice(&chunk[..n]);
                }
                let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                let headers = head
                    .lines()
                    .skip(1)
                    .filter_map(|l| {
                        l.split_once(':')
                            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
                    })
                    .collect();
                seen.lock().await.push(Received {
                    headers,
                    body: buf[head_end..head_end + length].to_vec(),
                });
                let i = calls.fetch_add(1, Ordering::SeqCst);
                let status = statuses[i.min(statuses.len() - 1)];
                let reply = format!(
                    "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                );
                let _ = socket.write_all(reply.as_bytes()).await;
            });
        }
    });
    (url, seen)
}

fn event() -> OutboxEvent {
    OutboxEvent {
        event: NewEvent {
            id: uuid::Uuid::parse_str("0190f1c2-0000-7000-8000-000000000001").unwrap(),
            topic: "scenario.run.succeeded".to_owned(),
            key: "run-1".to_owned(),
            payload: serde_json::json!({"run_id": "run-1", "outputs": 3}),
            traceparent: Some("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".to_owned()),
        },
        attempts: 0,
        created_at: chrono::DateTime::from_timestamp(1_764_000_000, 0).unwrap(),
        next_attempt_at: chrono::DateTime::from_timestamp(1_764_000_000, 0).unwrap(),
        last_error: None,
    }
}

fn header<'a>(r: &'a Received, name: &str) -> &'a str {
    r.headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap()
}

#[tokio::test]
async fn a_webhook_gets_a_signed_body_and_the_same_event_id_on_every_retry() {
    let (url, seen) = receiver(vec![500, 500, 200]).await;
    let sink = WebhookSink::new(&url, b"s3cret", Duration::from_secs(2)).unwrap();
    let e = event();
    assert!(matches!(
        sink.deliver(&e).await,
        Err(DeliveryError::Retryable(_))
    ));
    assert!(matches!(
        sink.deliver(&e).await,
        Err(DeliveryError::Retryable(_))
    ));
    assert!(sink.deliver(&e).await.is_ok());
    let seen = seen.lock().await;
    assert_eq!(seen.len(), 3);
    for r in seen.iter() {
        assert_eq!(
            header(r, "x-aurum-event-id"),
            "0190f1c2-0000-7000-8000-000000000001"
        );
        assert_eq!(
            header(r, "x-aurum-signature"),
            signature(b"s3cret", &r.body)
        );
        assert_eq!(
            header(r, "traceparent"),
            e.event.traceparent.as_deref().unwrap()
        );
        let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(body["payload"]["outputs"], 3);
        assert_eq!(body["topic"], "scenario.run.succeeded");
    }
}

#[tokio::test]
async fn client_errors_are_permanent_and_throttling_is_retryable() {
    let (url, _) = receiver(vec![400]).await;
    let sink = WebhookSink::new(&url, b"k", Duration::from_secs(2)).unwrap();
    assert!(matches!(
        sink.deliver(&event()).await,
        Err(DeliveryError::Permanent(_))
    ));
    let (url, _) = receiver(vec![429]).await;
    let sink = WebhookSink::new(&url, b"k", Duration::from_secs(2)).unwrap();
    assert!(matches!(
        sink.deliver(&event()).await,
        Err(DeliveryError::Retryable(_))
    ));
}

#[tokio::test]
async fn an_unreachable_webhook_is_retryable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    drop(listener);
    let sink = WebhookSink::new(&url, b"k", Duration::from_millis(500)).unwrap();
    assert!(matches!(
        sink.deliver(&event()).await,
        Err(DeliveryError::Retryable(_))
    ));
}
