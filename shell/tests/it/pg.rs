//! PostgreSQL for shell tests: a fresh schema per test, dropped afterwards. Without a reachable
//! server the test fails with how to start one, unless `AURUM_SKIP_SERVICE_TESTS=1`.

use std::sync::atomic::{AtomicU32, Ordering};

static NEXT: AtomicU32 = AtomicU32::new(0);

pub struct TestSchema {
    pub url: String,
    pub name: String,
}

pub fn database_url() -> String {
    std::env::var("AURUM_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// A fresh, empty schema, or `None` when service tests are skipped.
pub async fn test_schema() -> Option<TestSchema> {
    if std::env::var("AURUM_SKIP_SERVICE_TESTS").is_ok_and(|v| v == "1") {
        eprintln!("skipped: AURUM_SKIP_SERVICE_TESTS=1");
        return None;
    }
    let url = database_url();
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| {
            panic!(
                "PostgreSQL is not reachable at {url} ({e}); start it with \
             `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` \
             or set AURUM_SKIP_SERVICE_TESTS=1"
            )
        });
    tokio::spawn(connection);
    let name = format!(
        "aurum_it_{}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        uuid::Uuid::new_v4().simple()
    );
    client
        .batch_execute(&format!("CREATE SCHEMA {name}"))
        .await
        .unwrap();
    Some(TestSchema { url, name })
}

impl Drop for TestSchema {
    fn drop(&mut self) {
        let (url, name) = (self.url.clone(), self.name.clone());
        // Best effort, on a fresh thread: the test's runtime may be shutting down.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                    .await
                    .ok()?;
                tokio::spawn(connection);
                client
                    .batch_execute(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"))
                    .await
                    .ok()
            })
        })
        .join();
    }
}

/// `sql` (one `bigint` column, one row) run in `schema`.
pub async fn count(url: &str, schema: &str, sql: &str) -> i64 {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
        .batch_execute(&format!("SET search_path = {schema}"))
        .await
        .unwrap();
    client.query_one(sql, &[]).await.unwrap().get(0)
}
