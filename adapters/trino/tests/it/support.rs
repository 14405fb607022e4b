//! Test support: each test gets its own PostgreSQL schema `aurum_t_<hex>` (empty, or migrated
//! and seeded with the contract fixture through the PostgreSQL adapter), a fake Trino over it,
//! and the schema is dropped (CASCADE, best effort) when the test ends, also when it panics.
//! The fake's session and the seeding pool report the schema name as `application_name`, so
//! the cleanup ends them first.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aurum_adapter_postgres::{Migrator, PgCurveStore, PgSettings, connect};
use aurum_adapter_trino::fake::{FakeBehaviour, FakeTrino};
use aurum_adapter_trino::{TrinoClient, TrinoCurveStore, TrinoSettings};
use aurum_ports::CurveStore;
use aurum_ports::contract::curve_store::fixture;

/// Where tests find PostgreSQL unless `AURUM_TEST_DATABASE_URL` says otherwise.
pub const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// Long enough for anything asynchronous the tests wait for; never a timing assertion.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// The schemas of one test; dropping this drops them.
pub struct Env {
    pub url: String,
    names: Mutex<Vec<String>>,
}

impl Env {
    /// Checks that PostgreSQL answers. When it does not, the test fails with how to start it,
    /// or, with `AURUM_SKIP_SERVICE_TESTS=1`, this prints that the test skipped and returns
    /// `None`.
    pub async fn connect() -> Option<Self> {
        let url =
            std::env::var("AURUM_TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned());
        if let Err(e) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await {
            if std::env::var("AURUM_SKIP_SERVICE_TESTS").is_ok_and(|v| v == "1") {
                eprintln!(
                    "skipped: PostgreSQL is not reachable at {url} ({e}) and AURUM_SKIP_SERVICE_TESTS=1"
                );
                return None;
            }
            panic!(
                "PostgreSQL is not reachable at {url}: {e}\n\
                 The Trino tests run the fake's SQL on it. Start it with `pg_ctlcluster \
                 --skip-systemctl-redirect $(ls /etc/postgresql) main start` (or point \
                 AURUM_TEST_DATABASE_URL at a server), or set AURUM_SKIP_SERVICE_TESTS=1 to skip \
                 the tests that need it."
            );
        }
        Some(Self {
            url,
            names: Mutex::new(Vec::new()),
        })
    }

    /// A new, empty schema.
    pub async fn empty_schema(&self) -> String {
        let name = format!("aurum_t_{}", uuid::Uuid::new_v4().simple());
        let (client, connection) = tokio_postgres::connect(&self.url, tokio_postgres::NoTls)
            .await
            .expect("an admin connection");
        let driver = tokio::spawn(connection);
        client
            .batch_execute(&format!("CREATE SCHEMA {name}"))
            .await
            .expect("creating the test schema");
        drop(client);
        let _ = driver.await;
        self.names.lock().expect("schema list").push(name.clone());
        name
    }

    /// A new schema migrated by the PostgreSQL adapter and holding exactly `fixture::dataset`.
    pub async fn seeded_schema(&self) -> String {
        let name = self.empty_schema().await;
        let pool = connect(&PgSettings {
            pool_size: 2,
            application_name: name.clone(),
            schema: Some(name.clone()),
            ..PgSettings::new(&self.url)
        })
        .expect("a seeding pool");
        Migrator::new(pool.clone())
            .migrate()
            .await
            .expect("migrating the test schema");
        let report = PgCurveStore::new(pool.clone())
            .upsert(fixture::dataset())
            .await
            .expect("seeding the fixture");
        assert_eq!(report.inserted, 369, "the fixture seeds 369 rows");
        pool.close();
        name
    }

    /// A fake Trino over `schema` with `behaviour`.
    pub async fn fake(&self, schema: &str, behaviour: FakeBehaviour) -> FakeTrino {
        let fake = FakeTrino::start(&self.url, schema)
            .await
            .expect("starting the fake Trino");
        fake.set_behaviour(behaviour);
        fake
    }
}

/// Settings for `fake` with quick retries.
pub fn settings(fake: &FakeTrino) -> TrinoSettings {
    let mut s = fake.settings();
    s.retry.base_delay = Duration::from_millis(5);
    s.retry.max_delay = Duration::from_millis(20);
    s
}

/// A client for `settings`.
pub fn client(settings: &TrinoSettings) -> TrinoClient {
    TrinoClient::new(settings).expect("valid settings")
}

/// A curve store for `settings`.
pub fn store(settings: &TrinoSettings) -> Arc<TrinoCurveStore> {
    Arc::new(TrinoCurveStore::new(settings).expect("valid settings"))
}

impl Drop for Env {
    fn drop(&mut self) {
        let names = std::mem::take(
            &mut *self
                .names
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        if names.is_empty() {
            return;
        }
        let url = self.url.clone();
        // Best effort, on a thread of its own: `Drop` cannot await, and the test's runtime may
        // be the one running this.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async move {
                let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                    .await
                    .ok()?;
                let driver = tokio::spawn(connection);
                let done = async {
                    client.batch_execute("SET lock_timeout = '10s'").await?;
                    client
                        .execute(
                            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity \
                             WHERE application_name = ANY($1) AND pid <> pg_backend_pid()",
                            &[&names],
                        )
                        .await?;
                    let sql = names
                        .iter()
                        .map(|n| format!("DROP SCHEMA IF EXISTS {n} CASCADE;"))
                        .collect::<Vec<_>>()
                        .concat();
                    client.batch_execute(&sql).await
                }
                .await;
                drop(client);
                let _ = driver.await;
                done.ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(()))) {
            eprintln!("warning: could not drop the test schemas");
        }
    }
}
