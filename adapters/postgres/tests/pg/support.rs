//! Test support: each test (or each store of a contract run) gets its own schema
//! `aurum_t_<hex>` in the PostgreSQL at `AURUM_TEST_DATABASE_URL`, migrated, and dropped
//! (CASCADE, best effort) when the test ends, also when it panics. Each schema's pool reports
//! the schema name as its `application_name`, so the cleanup can end the test's own sessions
//! first: a session the test left inside a transaction would otherwise hold locks that the
//! `DROP` waits for, while `Drop` (which cannot await) blocks the runtime that would release
//! them.

use std::sync::Mutex;

use aurum_adapter_postgres::{Migrator, PgCurveStore, PgSettings, connect};
use deadpool_postgres::Pool;

/// Where tests find PostgreSQL unless `AURUM_TEST_DATABASE_URL` says otherwise.
pub const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// The test database URL.
pub fn database_url() -> String {
    std::env::var("AURUM_TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned())
}

/// The schemas of one test; dropping this drops them.
pub struct Schemas {
    url: String,
    admin: Pool,
    names: Mutex<Vec<String>>,
}

impl Schemas {
    /// Connects to the test database. When it is unreachable the test fails with how to start
    /// it, or, with `AURUM_SKIP_SERVICE_TESTS=1`, this prints that the test skipped and returns
    /// `None`.
    pub async fn connect() -> Option<Self> {
        let url = database_url();
        let admin = connect(&PgSettings {
            pool_size: 2,
            ..PgSettings::new(&url)
        })
        .unwrap_or_else(|e| panic!("AURUM_TEST_DATABASE_URL {url:?} is not usable: {e}"));
        if let Err(e) = admin.get().await {
            if std::env::var("AURUM_SKIP_SERVICE_TESTS").is_ok_and(|v| v == "1") {
                eprintln!(
                    "skipped: PostgreSQL is not reachable at {url} ({e}) and \
                     AURUM_SKIP_SERVICE_TESTS=1"
                );
                return None;
            }
            panic!(
                "PostgreSQL is not reachable at {url}: {e}\n\
                 Start it with `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main \
                 start` (or point AURUM_TEST_DATABASE_URL at a server), or set \
                 AURUM_SKIP_SERVICE_TESTS=1 to skip the tests that need it."
            );
        }
        Some(Self {
            url,
            admin,
            names: Mutex::new(Vec::new()),
        })
    }

    /// A pool of at most `size` connections whose `search_path` is a new, migrated schema.
    pub async fn fresh_pool(&self, size: usize) -> Pool {
        let name = format!("aurum_t_{}", uuid::Uuid::new_v4().simple());
        let admin = self.admin.get().await.expect("an admin connection");
        admin
            .batch_execute(&format!("CREATE SCHEMA {name}"))
            .await
            .expect("creating the test schema");
        drop(admin);
        self.names.lock().expect("schema list").push(name.clone());
        let pool = connect(&PgSettings {
            pool_size: size,
            application_name: name.clone(),
            schema: Some(name),
            ..PgSettings::new(&self.url)
        })
        .expect("a test pool");
        Migrator::new(pool.clone())
            .migrate()
            .await
            .expect("migrating the test schema");
        pool
    }

    /// A store over a fresh schema.
    pub async fn fresh_store(&self) -> PgCurveStore {
        PgCurveStore::new(self.fresh_pool(4).await)
    }
}

impl Drop for Schemas {
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
