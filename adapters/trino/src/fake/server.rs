//! The fake's HTTP side: routes, the page sequence of a query and fault injection.
//!
//! A query's tokens: `POST` answers token 0 (`QUEUED`), tokens `1..=queued_polls` are more
//! empty `QUEUED` pages, the next token runs the SQL and answers `RUNNING` with `columns` only,
//! then one page per `rows_per_page` rows, then a `FINISHED` page without `nextUri`. Re-getting
//! a token answers the same page. A failed statement answers one `FAILED` page with `error`.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::Ordering;
use std::sync::{Arc, PoisonError};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use super::pg::{ResultSet, Session, execute};
use super::{FakeBehaviour, FakeQueryError, RecordedQuery, RecordedRequest, State};

/// One submitted query.
pub(super) struct QueryState {
    sql: String,
    behaviour: FakeBehaviour,
    session: Arc<Session>,
    /// The pages from the first executing token on, once the SQL has run.
    pages: Option<Arc<Vec<Value>>>,
    unavailable_left: usize,
    cancelled: bool,
    /// Finished or cancelled: no longer counted as open.
    closed: bool,
}

pub(super) async fn serve(listener: TcpListener, state: Arc<State>) {
    let mut connections = JoinSet::new();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let state = Arc::clone(&state);
        connections.spawn(async move {
            let service = service_fn(move |req| {
                let state = Arc::clone(&state);
                async move { Ok::<_, Infallible>(handle(&state, req).await) }
            });
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
        while connections.try_join_next().is_some() {}
    }
}

type Answer = Response<Full<Bytes>>;

fn answer(status: StatusCode, body: Bytes, json_body: bool) -> Answer {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    if json_body {
        response.headers_mut().insert(
            hyper::header::CONTENT_TYPE,
            hyper::header::HeaderValue::from_static("application/json"),
        );
    }
    response
}

fn text(status: StatusCode, message: &str) -> Answer {
    answer(status, Bytes::from(message.to_owned()), false)
}

fn page(value: &Value) -> Answer {
    answer(StatusCode::OK, Bytes::from(value.to_string()), true)
}

async fn handle(state: &Arc<State>, req: Request<Incoming>) -> Answer {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let authorization = header("authorization");
    let user = header("x-trino-user");
    let trino_headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .filter(|(n, _)| n.as_str().starts_with("x-trino-") || n.as_str() == "authorization")
        .filter_map(|(n, v)| Some((n.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect();
    let required = state
        .behaviour
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .required_authorization
        .clone();
    let response = if required.is_some() && required != authorization {
        let mut r = text(StatusCode::UNAUTHORIZED, "Unauthorized");
        r.headers_mut().insert(
            hyper::header::WWW_AUTHENTICATE,
            hyper::header::HeaderValue::from_static("Basic realm=\"Trino\""),
        );
        r
    } else {
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        match (&method, segments.as_slice()) {
            (&Method::POST, ["v1", "statement"]) => {
                let body = req
                    .into_body()
                    .collect()
                    .await
                    .map(http_body_util::Collected::to_bytes);
                match body {
                    Ok(body) => submit(state, &body, user.as_deref(), trino_headers),
                    Err(_) => text(StatusCode::BAD_REQUEST, "unreadable body"),
                }
            }
            (
                &Method::GET,
                [
                    "v1",
                    "statement",
                    phase @ ("queued" | "executing"),
                    id,
                    _,
                    token,
                ],
            ) => match token.parse::<usize>() {
                Ok(token) => poll(state, id, phase, token).await,
                Err(_) => text(StatusCode::NOT_FOUND, "no such token"),
            },
            (&Method::DELETE, ["v1", "statement", "queued" | "executing", id, _, _]) => {
                cancel(state, id)
            }
            _ => text(StatusCode::NOT_FOUND, "not found"),
        }
    };
    state.log().requests.push(RecordedRequest {
        method: method.to_string(),
        path,
        status: response.status().as_u16(),
        authorization,
        user,
    });
    response
}

fn stats(stage: &str) -> Value {
    let queued = stage == "QUEUED";
    let mut body = json!({
        "state": stage, "queued": queued, "scheduled": !queued, "nodes": 1,
        "totalSplits": 0, "queuedSplits": 0, "runningSplits": 0, "completedSplits": 0,
        "cpuTimeMillis": 0, "wallTimeMillis": 0, "queuedTimeMillis": 0, "elapsedTimeMillis": 0,
        "processedRows": 0, "processedBytes": 0, "physicalInputBytes": 0,
        "peakMemoryBytes": 0, "spilledBytes": 0, "rootStage": null,
    });
    if !queued && let Some(map) = body.as_object_mut() {
        map.insert(
            "progressPercentage".to_owned(),
            json!(if stage == "FINISHED" { 100.0 } else { 0.0 }),
        );
    }
    body
}

fn uri(state: &State, id: &str, token: usize, queued: bool) -> String {
    let phase = if queued { "queued" } else { "executing" };
    format!(
        "{}/v1/statement/{phase}/{id}/y{token:x}/{token}",
        state.base
    )
}

fn results(state: &State, id: &str, lifecycle: &str, next: Option<String>) -> Value {
    let mut page = json!({
        "id": id,
        "infoUri": format!("{}/ui/query.html?{id}", state.base),
        "stats": stats(lifecycle),
        "warnings": [],
    });
    if let (Some(next), Some(map)) = (next, page.as_object_mut()) {
        map.insert("nextUri".to_owned(), Value::String(next));
    }
    page
}

fn submit(
    state: &Arc<State>,
    body: &Bytes,
    user: Option<&str>,
    headers: Vec<(String, String)>,
) -> Answer {
    if user.is_none_or(str::is_empty) {
        return text(
            StatusCode::BAD_REQUEST,
            "Error 400 Bad Request: User must be set",
        );
    }
    let Ok(sql) = std::str::from_utf8(body) else {
        return text(StatusCode::BAD_REQUEST, "the statement is not UTF-8");
    };
    if sql.trim().is_empty() {
        return text(StatusCode::BAD_REQUEST, "SQL statement is empty");
    }
    let n = state.seq.fetch_add(1, Ordering::Relaxed) + 1;
    let id = format!("20250101_000000_{n:05}_aurum");
    let header = |name: &str| {
        headers
            .iter()
            .find(|(h, _)| h == name)
            .map(|(_, v)| v.clone())
    };
    let session = Session {
        time_zone: header("x-trino-time-zone"),
        parametric_datetime: header("x-trino-client-capabilities")
            .is_some_and(|c| c.split(',').any(|c| c.trim() == "PARAMETRIC_DATETIME")),
    };
    let behaviour = state
        .behaviour
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    let queued_polls = behaviour.queued_polls;
    state
        .queries
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(
            id.clone(),
            QueryState {
                sql: sql.to_owned(),
                unavailable_left: behaviour.unavailable_polls,
                behaviour,
                session: Arc::new(session),
                pages: None,
                cancelled: false,
                closed: false,
            },
        );
    {
        let mut log = state.log();
        log.queries.push(RecordedQuery {
            id: id.clone(),
            sql: sql.to_owned(),
            headers,
        });
        log.open += 1;
        log.peak_open = log.peak_open.max(log.open);
    }
    let queued = queued_polls >= 1;
    page(&results(
        state,
        &id,
        "QUEUED",
        Some(uri(state, &id, 1, queued)),
    ))
}

/// Marks a query closed once (finished or cancelled).
fn close(state: &State, queries: &mut HashMap<String, QueryState>, id: &str) {
    if let Some(q) = queries.get_mut(id)
        && !q.closed
    {
        q.closed = true;
        let mut log = state.log();
        log.open = log.open.saturating_sub(1);
    }
}

fn cancel(state: &Arc<State>, id: &str) -> Answer {
    let mut queries = state.queries.lock().unwrap_or_else(PoisonError::into_inner);
    let Some(q) = queries.get_mut(id) else {
        return text(StatusCode::NOT_FOUND, "no such query");
    };
    if !q.cancelled {
        q.cancelled = true;
        q.pages = None;
        state.log().cancelled.push(id.to_owned());
    }
    close(state, &mut queries, id);
    answer(StatusCode::NO_CONTENT, Bytes::new(), false)
}

async fn poll(state: &Arc<State>, id: &str, phase: &str, token: usize) -> Answer {
    // Faults and delays first, as a gateway or a busy coordinator would show them.
    let (behaviour, session, sql) = {
        let mut queries = state.queries.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(q) = queries.get_mut(id) else {
            return text(StatusCode::NOT_FOUND, "no such query");
        };
        if q.cancelled {
            return text(StatusCode::GONE, "query was cancelled");
        }
        if let Some(status) = q.behaviour.fail_polls_with {
            return text(
                StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                "injected failure",
            );
        }
        if q.unavailable_left > 0 {
            q.unavailable_left -= 1;
            return text(StatusCode::SERVICE_UNAVAILABLE, "503 Service Unavailable");
        }
        (q.behaviour.clone(), Arc::clone(&q.session), q.sql.clone())
    };
    if !behaviour.poll_delay.is_zero() {
        tokio::time::sleep(behaviour.poll_delay).await;
    }
    let mut paused = state.paused.subscribe();
    let _ = paused.wait_for(|p| !p).await;

    let queued = behaviour.queued_polls;
    if token <= queued {
        if phase != "queued" {
            return text(StatusCode::NOT_FOUND, "no such token");
        }
        let next = if token < queued {
            uri(state, id, token + 1, true)
        } else {
            uri(state, id, token + 1, false)
        };
        return page(&results(state, id, "QUEUED", Some(next)));
    }
    if phase != "executing" {
        return text(StatusCode::NOT_FOUND, "no such token");
    }
    let existing = state
        .queries
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(id)
        .and_then(|q| q.pages.clone());
    let pages = if let Some(pages) = existing {
        pages
    } else {
        let outcome = match &behaviour.error {
            Some(e) => Err(e.clone()),
            None => execute(&state.pg, &sql, &session).await,
        };
        let pages = Arc::new(build_pages(state, id, queued + 1, &behaviour, outcome));
        let mut queries = state.queries.lock().unwrap_or_else(PoisonError::into_inner);
        match queries.get_mut(id) {
            Some(q) if q.cancelled => return text(StatusCode::GONE, "query was cancelled"),
            Some(q) => Arc::clone(q.pages.get_or_insert(pages)),
            None => return text(StatusCode::NOT_FOUND, "no such query"),
        }
    };
    let Some(body) = pages.get(token - queued - 1) else {
        return text(StatusCode::NOT_FOUND, "no such token");
    };
    if body.get("nextUri").is_none() {
        let mut queries = state.queries.lock().unwrap_or_else(PoisonError::into_inner);
        close(state, &mut queries, id);
    }
    page(body)
}

/// The pages of a query from token `first` on.
fn build_pages(
    state: &State,
    id: &str,
    first: usize,
    behaviour: &FakeBehaviour,
    outcome: Result<ResultSet, FakeQueryError>,
) -> Vec<Value> {
    let result = match outcome {
        Ok(result) => result,
        Err(e) => {
            let mut failed = results(state, id, "FAILED", None);
            if let Some(map) = failed.as_object_mut() {
                map.insert(
                    "error".to_owned(),
                    json!({
                        "message": e.message, "errorCode": e.code, "errorName": e.name,
                        "errorType": e.error_type,
                        "failureInfo": {"type": "io.trino.spi.TrinoException", "message": e.message, "suppressed": [], "stack": []},
                    }),
                );
            }
            return vec![failed];
        }
    };
    let columns: Vec<Value> = result
        .columns
        .iter()
        .map(|c| json!({"name": c.name, "type": c.type_name, "typeSignature": c.signature}))
        .collect();
    let with_columns = |mut page: Value, data: Option<&[Vec<Value>]>| {
        if let Some(map) = page.as_object_mut() {
            map.insert("columns".to_owned(), Value::Array(columns.clone()));
            if let Some(rows) = data {
                map.insert("data".to_owned(), json!(rows));
            }
        }
        page
    };
    let chunks: Vec<&[Vec<Value>]> = result.rows.chunks(behaviour.rows_per_page.max(1)).collect();
    let mut pages = Vec::with_capacity(chunks.len() + 2);
    let mut token = first;
    pages.push(with_columns(
        results(state, id, "RUNNING", Some(uri(state, id, token + 1, false))),
        None,
    ));
    for rows in chunks {
        token += 1;
        pages.push(with_columns(
            results(state, id, "RUNNING", Some(uri(state, id, token + 1, false))),
            Some(rows),
        ));
    }
    pages.push(with_columns(results(state, id, "FINISHED", None), None));
    pages
}
