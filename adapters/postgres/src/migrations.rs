//! Versioned SQL migrations embedded in the binary, applied in order inside one transaction
//! that holds an advisory lock (so concurrent migrators serialise), and recorded with their
//! SHA-256 checksums. A changed applied migration, or an applied one this binary does not know
//! (a newer release migrated the database), stops with a clear error.

use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use sha2::{Digest, Sha256};

use aurum_ports::StoreError;

use crate::error::{from_pg, from_pool};

/// One migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migration {
    /// Version, applied in ascending order.
    pub version: i32,
    /// Short name.
    pub name: &'static str,
    /// The SQL.
    pub sql: &'static str,
}

impl Migration {
    /// SHA-256 hex of the SQL text.
    pub fn checksum(&self) -> String {
        hex::encode(Sha256::digest(self.sql.as_bytes()))
    }
}

/// Every migration this binary knows.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "curves",
        sql: include_str!("../migrations/0001_curves.sql"),
    },
    Migration {
        version: 2,
        name: "timescale",
        sql: include_str!("../migrations/0002_timescale.sql"),
    },
    Migration {
        version: 3,
        name: "curve_indexes",
        sql: include_str!("../migrations/0003_curve_indexes.sql"),
    },
    Migration {
        version: 4,
        name: "scenarios",
        sql: include_str!("../migrations/0004_scenarios.sql"),
    },
    Migration {
        version: 5,
        name: "rate_limit_policies",
        sql: include_str!("../migrations/0005_rate_limit_policies.sql"),
    },
];

/// Arbitrary constant key of the migration advisory lock.
const LOCK_KEY: i64 = 0x6175_7275_6d5f_6d67; // "aurum_mg"

/// Where one migration stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MigrationState {
    /// Applied with the same checksum.
    Applied {
        /// When.
        at: DateTime<Utc>,
    },
    /// Not applied yet.
    Pending,
    /// Applied, but its SQL has changed since.
    Changed,
    /// Applied by a newer release; unknown to this binary.
    UnknownNewer,
}

/// A migration and its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationStatus {
    /// Version.
    pub version: i32,
    /// Name (`?` when unknown to this binary).
    pub name: String,
    /// State.
    pub state: MigrationState,
}

/// Why migrating (or starting) cannot go on.
#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    /// An applied migration's SQL differs from this binary's.
    #[error(
        "migration {version} ({name}) was applied with different SQL; the database and this release disagree"
    )]
    Changed {
        /// Version.
        version: i32,
        /// Name.
        name: String,
    },
    /// The database has a migration this binary does not know.
    #[error(
        "the database has migration {version}, which this release does not know; run a newer release"
    )]
    UnknownNewer {
        /// Version.
        version: i32,
    },
    /// Migrations are pending and were not applied.
    #[error("migrations {0:?} are pending; run `aurum migrate` (or set AURUM_DB_MIGRATE=auto)")]
    Pending(Vec<i32>),
    /// The database failed.
    #[error("database error while migrating: {0}")]
    Store(#[from] StoreError),
}

/// Applies and inspects migrations.
#[derive(Clone)]
pub struct Migrator {
    pool: Pool,
}

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS aurum_schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now())";

impl Migrator {
    /// A migrator over `pool`.
    pub fn new(pool: Pool) -> Self {
        Self { pool }
    }

    /// The state of every known and every applied migration, by version.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn status(&self) -> Result<Vec<MigrationStatus>, MigrationError> {
        let client = self.pool.get().await.map_err(from_pool)?;
        let exists: bool = client
            .query_one(
                "SELECT to_regclass('aurum_schema_migrations') IS NOT NULL",
                &[],
            )
            .await
            .map_err(from_pg)?
            .get(0);
        let applied = if exists {
            client
                .query("SELECT version, checksum, applied_at FROM aurum_schema_migrations ORDER BY version", &[])
                .await
                .map_err(from_pg)?
                .into_iter()
                .map(|r| (r.get::<_, i32>(0), r.get::<_, String>(1), r.get::<_, DateTime<Utc>>(2)))
                .collect()
        } else {
            Vec::new()
        };
        Ok(compare(&applied))
    }

    /// Fails unless every known migration is applied unchanged and none is unknown.
    ///
    /// # Errors
    /// [`MigrationError::Changed`], [`MigrationError::UnknownNewer`], [`MigrationError::Pending`].
    pub async fn check(&self) -> Result<(), MigrationError> {
        verify(&self.status().await?, false).map(|_| ())
    }

    /// Applies pending migrations in one transaction under an advisory lock; returns the
    /// versions applied (empty when up to date).
    ///
    /// # Errors
    /// [`MigrationError::Changed`], [`MigrationError::UnknownNewer`], or a database failure
    /// (nothing is applied then).
    pub async fn migrate(&self) -> Result<Vec<i32>, MigrationError> {
        let mut client = self.pool.get().await.map_err(from_pool)?;
        let tx = client.transaction().await.map_err(from_pg)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_KEY])
            .await
            .map_err(from_pg)?;
        tx.batch_execute(CREATE_TABLE).await.map_err(from_pg)?;
        let applied: Vec<(i32, String, DateTime<Utc>)> = tx
            .query("SELECT version, checksum, applied_at FROM aurum_schema_migrations ORDER BY version", &[])
            .await
            .map_err(from_pg)?
            .into_iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect();
        let pending = verify(&compare(&applied), true)?;
        for version in &pending {
            let Some(m) = MIGRATIONS.iter().find(|m| m.version == *version) else {
                continue;
            };
            tracing::info!(version = m.version, name = m.name, "applying migration");
            tx.batch_execute(m.sql).await.map_err(from_pg)?;
            tx.execute(
                "INSERT INTO aurum_schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                &[&m.version, &m.name, &m.checksum()],
            )
            .await
            .map_err(from_pg)?;
        }
        tx.commit().await.map_err(from_pg)?;
        Ok(pending)
    }
}

fn compare(applied: &[(i32, String, DateTime<Utc>)]) -> Vec<MigrationStatus> {
    let mut out: Vec<MigrationStatus> = MIGRATIONS
        .iter()
        .map(|m| {
            let state = match applied.iter().find(|(v, _, _)| *v == m.version) {
                None => MigrationState::Pending,
                Some((_, sum, _)) if *sum != m.checksum() => MigrationState::Changed,
                Some((_, _, at)) => MigrationState::Applied { at: *at },
            };
            MigrationStatus {
                version: m.version,
                name: m.name.to_owned(),
                state,
            }
        })
        .collect();
    for (v, _, _) in applied {
        if !MIGRATIONS.iter().any(|m| m.version == *v) {
            out.push(MigrationStatus {
                version: *v,
                name: "?".to_owned(),
                state: MigrationState::UnknownNewer,
            });
        }
    }
    out.sort_by_key(|s| s.version);
    out
}

/// The pending versions, or the first reason to stop. With `allow_pending` false, pending
/// migrations are an error too.
fn verify(status: &[MigrationStatus], allow_pending: bool) -> Result<Vec<i32>, MigrationError> {
    let mut pending = Vec::new();
    for s in status {
        match s.state {
            MigrationState::Changed => {
                return Err(MigrationError::Changed {
                    version: s.version,
                    name: s.name.clone(),
                });
            }
            MigrationState::UnknownNewer => {
                return Err(MigrationError::UnknownNewer { version: s.version });
            }
            MigrationState::Pending => pending.push(s.version),
            MigrationState::Applied { .. } => {}
        }
    }
    if !allow_pending && !pending.is_empty() {
        return Err(MigrationError::Pending(pending));
    }
    Ok(pending)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_unique_and_ascending() {
        assert!(MIGRATIONS.windows(2).all(|w| w[0].version < w[1].version));
    }

    #[test]
    fn a_changed_checksum_or_an_unknown_version_stops() {
        let at = DateTime::from_timestamp(0, 0).unwrap();
        let applied = vec![(1, "bad".to_owned(), at)];
        assert!(matches!(
            verify(&compare(&applied), true),
            Err(MigrationError::Changed { version: 1, .. })
        ));
        let applied = vec![(1, MIGRATIONS[0].checksum(), at), (99, "x".to_owned(), at)];
        assert!(matches!(
            verify(&compare(&applied), true),
            Err(MigrationError::UnknownNewer { version: 99 })
        ));
        let applied = vec![(1, MIGRATIONS[0].checksum(), at)];
        let later: Vec<i32> = MIGRATIONS[1..].iter().map(|m| m.version).collect();
        assert_eq!(verify(&compare(&applied), true).unwrap(), later);
        assert!(matches!(
            verify(&compare(&applied), false),
            Err(MigrationError::Pending(_))
        ));
    }
}
