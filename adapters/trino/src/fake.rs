//! A protocol-faithful fake Trino coordinator for tests (feature `fake`): an HTTP server on
//! `127.0.0.1:0` that speaks Trino's client protocol (standards §6: `POST /v1/statement`,
//! queued pages without data, several `nextUri` hops, typed `columns`, data pages, errors in
//! Trino's format, `DELETE` cancellation) and executes the received SQL on a real PostgreSQL,
//! in one schema, converting the rows to Trino's JSON encodings and types. Its behaviour
//! ([`FakeBehaviour`]) injects what a real cluster does under stress: 503s from a gateway,
//! non-retryable statuses, slow or paused polls, query errors. Everything it sees is recorded for
//! assertions ([`FakeTrino::queries`], [`FakeTrino::requests`], [`FakeTrino::cancelled`]).
//!
//! The SQL runs as sent, so a query that PostgreSQL rejects fails here as it would on Trino:
//! that is what keeps the adapter's SQL in the subset both engines accept (ADR 0008). The
//! curve table must be named `"<catalog>"."<schema>"."<table>"` with the catalog equal to the
//! PostgreSQL database's name ([`FakeTrino::catalog`]), which PostgreSQL accepts as a
//! three-part name.

mod pg;
mod server;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::settings::TrinoSettings;
use crate::sql::Ident;

/// A Trino error the fake answers instead of running the SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeQueryError {
    /// `errorName`, e.g. `EXCEEDED_GLOBAL_MEMORY_LIMIT`.
    pub name: String,
    /// `errorType`: `USER_ERROR`, `INTERNAL_ERROR`, `INSUFFICIENT_RESOURCES`, `EXTERNAL`.
    pub error_type: String,
    /// `errorCode`.
    pub code: i64,
    /// `message`.
    pub message: String,
}

/// How the fake answers; change it at any time with [`FakeTrino::set_behaviour`] (a query
/// keeps the behaviour it was submitted under).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeBehaviour {
    /// Empty `QUEUED` pages before the query runs.
    pub queued_polls: usize,
    /// Rows per data page.
    pub rows_per_page: usize,
    /// The first this many polls of each query answer `503 Service Unavailable`, as a gateway
    /// in front of a busy coordinator does.
    pub unavailable_polls: usize,
    /// Every poll answers this status (e.g. 500 or 404) instead of a page.
    pub fail_polls_with: Option<u16>,
    /// Artificial delay before each poll's answer.
    pub poll_delay: Duration,
    /// Answer every query with this error (after its queued pages).
    pub error: Option<FakeQueryError>,
    /// Requests without exactly this `Authorization` header are answered `401`.
    pub required_authorization: Option<String>,
}

impl Default for FakeBehaviour {
    /// One queued page, 100 rows per page, no faults.
    fn default() -> Self {
        Self {
            queued_polls: 1,
            rows_per_page: 100,
            unavailable_polls: 0,
            fail_polls_with: None,
            poll_delay: Duration::ZERO,
            error: None,
            required_authorization: None,
        }
    }
}

/// One submitted statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedQuery {
    /// The query id the fake gave it.
    pub id: String,
    /// The SQL text as received.
    pub sql: String,
    /// The `X-Trino-*` and `Authorization` headers of the `POST` (lowercase names).
    pub headers: Vec<(String, String)>,
}

impl RecordedQuery {
    /// The value of header `name` (lowercase), if sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP request the fake received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// `POST`, `GET` or `DELETE`.
    pub method: String,
    /// The path.
    pub path: String,
    /// The status the fake answered.
    pub status: u16,
    /// The `Authorization` header, if any.
    pub authorization: Option<String>,
    /// The `X-Trino-User` header, if any.
    pub user: Option<String>,
}

/// The fake could not start.
#[derive(Debug, thiserror::Error)]
pub enum FakeError {
    /// PostgreSQL could not be reached or set up.
    #[error("fake Trino: PostgreSQL: {0}")]
    Postgres(String),
    /// The listener could not bind.
    #[error("fake Trino: {0}")]
    Io(#[from] std::io::Error),
}

#[derive(Debug, Default)]
struct Log {
    queries: Vec<RecordedQuery>,
    requests: Vec<RecordedRequest>,
    cancelled: Vec<String>,
    open: usize,
    peak_open: usize,
}

/// Shared by the server's tasks and the handle.
struct State {
    base: String,
    pg: tokio_postgres::Client,
    behaviour: Mutex<FakeBehaviour>,
    queries: Mutex<HashMap<String, server::QueryState>>,
    log: Mutex<Log>,
    paused: watch::Sender<bool>,
    seq: std::sync::atomic::AtomicU64,
}

impl State {
    fn log(&self) -> std::sync::MutexGuard<'_, Log> {
        self.log.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A running fake coordinator; dropping it stops the server.
pub struct FakeTrino {
    addr: SocketAddr,
    catalog: String,
    schema: String,
    state: Arc<State>,
    server: JoinHandle<()>,
    pg_driver: JoinHandle<()>,
}

impl Drop for FakeTrino {
    fn drop(&mut self) {
        self.server.abort();
        self.pg_driver.abort();
    }
}

impl FakeTrino {
    /// Starts a fake whose SQL runs on the PostgreSQL at `pg_url` with `search_path` set to
    /// `pg_schema` (a lowercase identifier). The PostgreSQL session's `application_name` is the
    /// schema name, so that a test's cleanup can find it. Must run inside a Tokio runtime; the
    /// server lives on it.
    ///
    /// # Errors
    /// [`FakeError`] when PostgreSQL cannot be reached or the listener cannot bind.
    pub async fn start(pg_url: &str, pg_schema: &str) -> Result<Self, FakeError> {
        Ident::parse(pg_schema).map_err(|e| FakeError::Postgres(e.to_string()))?;
        let (pg, pg_driver, catalog) = pg::connect(pg_url, pg_schema).await?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State {
            base: format!("http://{addr}"),
            pg,
            behaviour: Mutex::new(FakeBehaviour::default()),
            queries: Mutex::new(HashMap::new()),
            log: Mutex::new(Log::default()),
            paused: watch::Sender::new(false),
            seq: std::sync::atomic::AtomicU64::new(0),
        });
        let server = tokio::spawn(server::serve(listener, Arc::clone(&state)));
        Ok(Self {
            addr,
            catalog,
            schema: pg_schema.to_owned(),
            state,
            server,
            pg_driver,
        })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The catalog name to query with: the PostgreSQL database's name.
    pub fn catalog(&self) -> &str {
        &self.catalog
    }

    /// The schema the SQL runs in.
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// Settings that point the adapter at this fake (`curve_observation` in its schema).
    pub fn settings(&self) -> TrinoSettings {
        TrinoSettings::new(self.url(), &self.catalog, &self.schema)
    }

    /// The current behaviour.
    pub fn behaviour(&self) -> FakeBehaviour {
        self.state
            .behaviour
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Replaces the behaviour for queries submitted from now on.
    pub fn set_behaviour(&self, behaviour: FakeBehaviour) {
        *self
            .state
            .behaviour
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = behaviour;
    }

    /// Holds every poll (of every query) until [`FakeTrino::resume`]: a stuck cluster.
    pub fn pause(&self) {
        self.state.paused.send_replace(true);
    }

    /// Lets held and later polls through.
    pub fn resume(&self) {
        self.state.paused.send_replace(false);
    }

    /// Every submitted statement, in order.
    pub fn queries(&self) -> Vec<RecordedQuery> {
        self.state.log().queries.clone()
    }

    /// Every HTTP request, in order of their answers.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.log().requests.clone()
    }

    /// Ids of the queries cancelled with `DELETE`, in order.
    pub fn cancelled(&self) -> Vec<String> {
        self.state.log().cancelled.clone()
    }

    /// Queries submitted and neither finished nor cancelled.
    pub fn open_queries(&self) -> usize {
        self.state.log().open
    }

    /// The most queries open at once so far.
    pub fn peak_open_queries(&self) -> usize {
        self.state.log().peak_open
    }

    /// Polls `condition` every few milliseconds until it holds or `budget` has passed; returns
    /// whether it held. (For tests that wait for something asynchronous, such as a `DELETE`
    /// sent from a drop guard, without asserting on time.)
    pub async fn wait_until(&self, budget: Duration, condition: impl Fn(&Self) -> bool) -> bool {
        let deadline = tokio::time::Instant::now() + budget;
        loop {
            if condition(self) {
                return true;
            }
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}
